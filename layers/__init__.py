"""Layer registry, Folium rendering, exports and the analyst CLI (no Streamlit here)."""

from geo.language import N_

GENERATOR = "Eastern Flank Mine Atlas"
__version__ = "0.1.0"
#: Shown on every map the atlas draws, prints or exports.
SAFETY_LINE = N_(
    "Not for navigation or safety decisions. In Ukraine report explosive objects to 101."
)
