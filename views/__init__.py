"""Streamlit page bodies: map, data & sources, method."""
