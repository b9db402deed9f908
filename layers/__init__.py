"""Layer registry, Folium rendering, exports and the analyst CLI (no Streamlit here)."""

GENERATOR = "Eastern Flank Mine Atlas"
__version__ = "0.1.0"
