"""Layer registry, Folium rendering, exports and the analyst CLI (no Streamlit here)."""
