"""Exports: GeoJSON, GeoPackage, CSV, standalone HTML and the A4 print map, with provenance."""
