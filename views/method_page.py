"""Method page: point of view, CRS, how lengths, areas and belts are computed, what is unknown."""

from __future__ import annotations

import streamlit as st

METHOD_MD = """
### Borders and point of view
Country polygons are Natural Earth 5.1.1 at 1:10m, German point of view: internationally
recognised borders, so **Crimea and Sevastopol are part of Ukraine**. Ukraine's 27 first-level
units (24 oblasts, Kyiv city, Crimea, Sevastopol) were built by `scripts/build_data.py` from
Natural Earth admin-1 boundary lines inside that polygon and named with GeoNames places; see
`data/manifest.json` for sources, method and checksum. Natural Earth's generalised outline makes
Kyiv city about twice its official area: do not read that area as official.

### Coordinate reference systems
* Storage and display: EPSG:4326 (longitude/latitude, WGS84).
* Areas: Lambert azimuthal equal-area centred on 52°N 28°E
  (`+proj=laea +lat_0=52 +lon_0=28`), cross-checked against ellipsoidal areas in the tests.
  EPSG:3035 is not used: its area of use excludes Ukraine, Belarus and Russia.
* Lengths: geodesic on the WGS84 ellipsoid.
* Distance belts: buffered in the UTM zone estimated for each border, then intersected with
  the state; the tests check that a belt of N km reaches N km (geodesic) within 1 %.

### Border lengths
The map measures the shared land border on the 1:10m polygons. Generalised lines cut corners
and river meanders, so they run short of the reference figures (Finland–Russia about 0.94×,
Latvia–Russia about 0.64× the CIA World Factbook). Both numbers are shown side by side; national
figures (e.g. Poland–Belarus 418 km) often count river sections differently again.

### Treaty status
Status is **derived from the milestone dates** for the chosen day, never typed in:
never joined → signatory → party → withdrawal notified → withdrawn. A withdrawal takes effect
six months after the instrument reaches the UN Secretary-General (Article 20(2)). Ukraine
declared a "suspension" in July 2025; the treaty has no suspension clause and, under Article
20(3), a withdrawal by a state engaged in armed conflict cannot take effect before the conflict
ends. The atlas therefore shows Ukraine as a **party with a disputed suspension claim**, never as
withdrawn. Where sources disagree on a date, the earliest date drives the status and both are
listed.

### "Potentially contaminated"
Ukraine's national figure (about 174,000 km² initially, about 137,000 km² in June 2025) is the
area *of concern that still needs survey*, not confirmed minefield. Survey releases land without
clearance when no evidence is found, which is why the figure falls faster than clearance alone
would explain.

### Per-oblast evidence
No complete official per-oblast table of contaminated area is published. Each oblast is shown
by the strength of public evidence: a published figure (with its date and source), an official
statement without a figure, or **no public figure**. The atlas never fills a gap with an
estimate of its own.

### What is not known
* Official per-oblast areas for most oblasts; a current (2026) national estimate.
* The UN depositary's record of Ukraine's notification and the exact C.N. references of the
  five withdrawals.
* Lengths, budgets and mine content of most defence-line sections (Finland published none).
* Open hazard-area polygons: none are published under an open licence. Import your own data to
  see it beside the atlas's layers.

### Display and offline use
Display geometry is simplified as a coverage (neighbours keep identical shared edges) and
rounded to about 11 m; measurements use full resolution. Leaflet is served by the app itself and
the Natural Earth basemap is always drawn under the tiles, so the map works with no network.
"""


def render_method_page() -> None:
    """Draw the Method page."""
    st.title("Method")
    st.markdown(METHOD_MD)
