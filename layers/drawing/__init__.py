"""Drawing: layers ready to draw, the GeoJSON the browser receives, the Leaflet map."""
