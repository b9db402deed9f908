"""Basemaps: the offline Natural Earth one (always drawn) and optional tile servers."""

from __future__ import annotations

from dataclasses import dataclass

from geo.language import N_, Language, language
from layers.drawing.protocol import TilesEntry

#: Colour of the sea (the map's background) on the page, the export and the print map.
SEA_COLOR = "#DCEBF2"
#: Said once on the map when a tile server cannot be reached.
TILE_OFFLINE_NOTICE = N_(
    "Map tiles could not be loaded (no network?): the Natural Earth basemap is shown instead."
)


@dataclass(frozen=True)
class Basemap:
    """A basemap choice.

    Parameters
    ----------
    id
        Stable id used in URLs.
    label
        Text in the sidebar.
    tiles
        Tile URL template, or ``None`` for the offline vector basemap only.
    attribution
        Attribution HTML required by the tile provider.
    """

    id: str
    label: str
    tiles: str | None
    attribution: str


BASEMAPS: tuple[Basemap, ...] = (
    Basemap("offline", "Offline (Natural Earth)", None, "Natural Earth (public domain)"),
    Basemap(
        "light",
        "Light tiles (CARTO)",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "&copy; OpenStreetMap contributors &copy; CARTO",
    ),
    Basemap(
        "osm",
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
    ),
    Basemap(
        "satellite",
        "Satellite (Esri World Imagery)",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
        "{z}/{y}/{x}",
        "Tiles &copy; Esri — Source: Esri, Maxar, Earthstar Geographics, "
        "and the GIS User Community",
    ),
)
BASEMAP_IDS = tuple(b.id for b in BASEMAPS)
#: Default view: the eastern flank and Ukraine (lat, lon in degrees) at Leaflet zoom 4.
DEFAULT_CENTER = (55.0, 27.0)
DEFAULT_ZOOM = 4
#: Latitude (degrees) beyond which a map centre is not kept (Web Mercator ends near 85.05°).
MAP_LAT_LIMIT = 85.0


def center_in_range(lat: float, lon: float) -> bool:
    """Whether a map centre can be kept: ``|lat| <= MAP_LAT_LIMIT``, lon within ±180°.

    Parameters
    ----------
    lat, lon
        Degrees (EPSG:4326).

    Returns
    -------
    bool
        False for NaN too.
    """
    return abs(lat) <= MAP_LAT_LIMIT and -180.0 <= lon <= 180.0


def get_basemap(basemap_id: str) -> Basemap:
    """Look a basemap up by id (``KeyError`` listing the known ids when unknown)."""
    for basemap in BASEMAPS:
        if basemap.id == basemap_id:
            return basemap
    raise KeyError(f"unknown basemap {basemap_id!r}; known: {', '.join(BASEMAP_IDS)}")


def tiles_entry(basemap_id: str, lang: Language | None = None) -> TilesEntry | None:
    """The tile layer the map client draws over the offline basemap, or ``None``.

    Parameters
    ----------
    basemap_id
        One of :data:`BASEMAP_IDS`.
    lang
        The language of the notice (``None``: English).

    Returns
    -------
    dict or None
        ``{"url", "attribution", "offline_notice"}``; ``None`` for the offline basemap.
    """
    chosen = get_basemap(basemap_id)
    if chosen.tiles is None:
        return None
    return {
        "url": chosen.tiles,
        "attribution": chosen.attribution,
        "offline_notice": (lang or language()).gettext(TILE_OFFLINE_NOTICE),
    }
