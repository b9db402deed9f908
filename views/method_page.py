"""Method page: point of view, CRS, how lengths, areas and belts are computed, what is unknown.

The page is a sequence of sections, each one message (English message id, translated where
shown). The Ukrainian legal wording follows the official Ukrainian text of the Convention
(official translation, ratified by Law of Ukraine No. 2566-IV of 18 May 2005) and the titles
of Ukraine's acts of 2025; see the comments in ``geo/language/locale/uk/LC_MESSAGES/atlas.po``.
"""

from __future__ import annotations

import streamlit as st

from geo.language import N_
from views.language import current_language

#: The page's sections, in order (Markdown; each an English message id).
METHOD_SECTIONS: tuple[str, ...] = (
    N_(
        """
## Borders and point of view
Country polygons are Natural Earth 5.1.1 at 1:10m, German point of view: internationally
recognised borders, so **Crimea and Sevastopol are part of Ukraine**. Ukraine's 27 first-level
units (24 oblasts, Kyiv city, Crimea, Sevastopol) are the OpenStreetMap hromadas dissolved by
`scripts/build_data.py` (ODbL, © OpenStreetMap contributors): every hromada nests in its unit
and a unit's area is the sum of its hromadas' areas, plus the land of the unit that lies in no
hromada (the Chornobyl exclusion zone; Chop, Kozyn and Vylkove, which have no OpenStreetMap
polygon), cut from Natural Earth's Ukraine. Crimea and Sevastopol, with no OpenStreetMap
hromadas, are Natural Earth's units. Kyiv city is 822 km² (official about 839 km²). See
`data/manifest.json` for sources, method and checksum.
"""
    ),
    N_(
        """
## Coordinate reference systems
* Storage and display: EPSG:4326 (longitude/latitude, WGS84).
* Areas: Lambert azimuthal equal-area centred on 52°N 28°E
  (`+proj=laea +lat_0=52 +lon_0=28`), cross-checked against ellipsoidal areas in the tests.
  EPSG:3035 is not used: its area of use excludes Ukraine, Belarus and Russia.
* Lengths: geodesic on the WGS84 ellipsoid.
* Distance belts: buffered in the UTM zone estimated for each border, then intersected with
  the state; the tests check that a belt of N km reaches N km (geodesic) within 1 %.
"""
    ),
    N_(
        """
## Border lengths
The map measures the shared land border on the 1:10m polygons. Generalised lines cut corners
and river meanders, so they run short of the reference figures (Finland–Russia about 0.94×,
Latvia–Russia about 0.64× the CIA World Factbook). Both numbers are shown side by side; national
figures (e.g. Poland–Belarus 418 km, or 427.9 km in the 2019 joint review) often count river
sections differently again. The Factbook figures are its final edition (January 2026): the CIA
discontinued the Factbook on 4 February 2026.
"""
    ),
    N_(
        """
## Treaty status
Status is **derived from the milestone dates** for the chosen day, never typed in:
never joined → signatory → party → withdrawal notified → withdrawn. A State Party withdraws by
giving notice to the UN Secretary-General with a full explanation of its reasons
(Article 20(2)); the withdrawal takes effect **six months after the Secretary-General receives
the instrument (Article 20(3))**. Article 20(3) adds that if the withdrawing State is engaged in
an armed conflict when the six months expire, the withdrawal does not take effect before the
armed conflict ends.

Ukraine moved to leave in 2025 and framed the step as a "suspension" of the Convention, in
dated steps: the National Security and Defence Council's decision of 29 June, put into effect by
Presidential Decree No. 441/2025; a bill "on suspension" registered on 11 July; the law adopted
by the Verkhovna Rada and signed on 15 July; and the notice to the UN on 18 July. The
Convention has no suspension clause, and the **22nd Meeting of States Parties** (Geneva, 1–5
December 2025) concluded that "the Convention does not allow the suspension of its operation
and consequently its obligations"; Norway, Belgium, Austria, Switzerland, New Zealand and
Colombia lodged formal objections. Read either as a suspension or
as a withdrawal, Ukraine, at war, remains bound: the atlas shows it as a **party with a disputed
suspension claim**, never as withdrawn.

**Which date the status uses.** Where sources disagree on a date, every date is kept and listed
(Data & sources page, and the `conflicts` attribute of the treaty layers and their exports).
When `data/conflicts.csv` marks one date as preferred, with its reason, the status changes on
that date; otherwise it changes on the earliest date any source gives. For Ukraine the status
changes on **18 July 2025**, the date Human Rights Watch, the ICBL and Norwegian People's Aid
give; one newsletter gives 17 July, and the UN depositary's own record was not found. The three
organisations follow the Convention closely and agree independently, so their date is
preferred over a single secondary source. Disagreements that are not dates are kept the same
way (Latvia's withdrawal vote: 66–14 with 2 abstentions per LETA, preferred, or 68–14 per TASS).
"""
    ),
    N_(
        """
## "Potentially contaminated"
Ukraine's national figure (about 174,000 km² in April 2023, about 137,000 km² in June 2025) is
the area *of concern that still needs survey*, not confirmed minefield. Survey releases land
without clearance when no evidence is found, which is why the figure falls faster than clearance
alone would explain. No later official estimate was found.
"""
    ),
    N_(
        """
## How current a figure is
Every table records when it was last reviewed against its sources (Data & sources page). A
figure more than 12 whole months older than the chosen date says so where it is shown —
"latest public figure: N months old" — in the key figures, the oblast tooltips and details, and
the `figure_age` attribute of exports. For an oblast, the latest public figure is its newest
dated statement on or before the chosen date, whatever it measures, and it is shown with its
basis (whole oblast or a part, area still contaminated or share cleared, all land or farmland),
so that figures on different bases are not read as one series.
"""
    ),
    N_(
        """
## Per-oblast evidence
No complete official per-oblast table of contaminated area is published. Each oblast is shown
by the strength of public evidence: a published figure (with its date and source), an official
statement without a figure, or **no public figure**. The atlas never fills a gap with an
estimate of its own. "No public figure" rests on the searches made, listed with their terms,
dates and results on the Data & sources page, not on a source; not finding a figure is not
proof that none exists.
"""
    ),
    N_(
        """
## How many States Parties
The tables follow 17 states, not every party, so the number of States Parties is not counted
from them. The Data & sources page takes the newest sourced count (Landmine Monitor) published
by the chosen date and subtracts each withdrawal in the tables that took effect since; such a
number is marked DERIVED. States that joined after the sourced count are not in the tables,
and before the first sourced count no number is given.
"""
    ),
    N_(
        """
## What is not known
* Official per-oblast areas for most oblasts; a current (2026) national estimate.
* The UN depositary's record of Ukraine's notification (17 or 18 July 2025) and the exact C.N.
  references of the five withdrawals.
* Whether any other State Party has moved to withdraw since: none was found in the searches
  listed on the Data & sources page.
* Lengths, budgets and mine content of most defence-line sections (Finland published none).
* Open hazard-area polygons: none are published under an open licence. Import your own data to
  see it beside the atlas's layers.
"""
    ),
    N_(
        """
## Display and offline use
Display geometry is simplified as a coverage (neighbours keep identical shared edges) and
rounded to about 11 m; measurements use full resolution. Leaflet is served by the app itself and
the Natural Earth basemap is always drawn under the tiles, so the map works with no network.
"""
    ),
)
#: The whole page in English (the sections joined).
METHOD_MD = "\n\n".join(METHOD_SECTIONS)


def render_method_page() -> None:
    """Draw the Method page in the session's language."""
    lang = current_language()
    st.title(lang.gettext("Method"))
    st.markdown("\n\n".join(lang.gettext(section) for section in METHOD_SECTIONS))
