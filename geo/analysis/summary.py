"""How much of a layer lies in each oblast, hromada or band of distance from the border.

A summary is a table with exactly the columns :data:`SUMMARY_COLUMNS`: for each unit its own
area ``unit_area_km2``, its ``count`` of features, the ``area_km2`` of the layer's polygons
(equal-area, :data:`EQUAL_AREA`) and the ``length_km`` of its lines (geodesic on WGS84) inside
the unit, its ``share`` of the layer's total and ``unit_share``, the part of the unit the
layer's polygons cover (``area_km2 / unit_area_km2``). One more row, ``unit_code ==
"none"``, holds what lies outside every unit (the
Chornobyl exclusion zone and the other gaps of the hromada coverage, or outside the states), so
the rows always add up to the layer itself.

The method, in the order it runs:

1. The unit set (:class:`SummaryUnits`, built once per set by :func:`oblast_units`,
   :func:`hromada_units` or :func:`border_band_units`; the caller caches it) is completed
   by its complement, the rest of the world, so it partitions the plane, and every unit is cut
   into tiles of at most :data:`MAX_TILE_VERTICES` vertices (as PostGIS ``ST_Subdivide``
   does) held in an STRtree, so each intersection is with a small polygon. Each unit's
   equal-area area is computed once, here.
2. Each feature is counted once, in the unit holding its representative point
   (``point_on_surface``), so the counts add up to the number of features.
3. Polygons and lines are cut by the tiles (vectorised ``intersects`` query on the STRtree; a
   feature inside one tile is kept whole).
4. Within each tile, pieces whose interiors overlap are dissolved (their union), so
   overlapping input polygons are counted once; pieces that only touch (a grid's cells) are
   measured as they are, their shared edges having no area. The result says how many
   features overlapped and were dissolved.
5. Pieces are measured: areas in the equal-area projection, lengths geodesically, and summed
   per unit with ``numpy.bincount``.

Topology runs in EPSG:4326, where the imported and built geometry is valid; only the
measurement is projected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.facts.source_ids import split_source_ids
from geo.language import N_, Language, Phrase
from geo.units.belts import BAND_EDGES_KM, band_label, distance_bands
from geo.units.borders import adversary_border
from geo.units.countries import NE_SOURCE_ID, country
from geo.units.crs import EQUAL_AREA, WGS84, geodesic_lengths_km, require_crs
from geo.units.oblasts import OBLAST_SOURCE_IDS

SUMMARY_COLUMNS = (
    "unit_code",
    "unit_name",
    "unit_area_km2",
    "count",
    "area_km2",
    "length_km",
    "share",
    "unit_share",
)
#: What each summary column holds, in words (the CLI's help, the page's caption, the files).
SUMMARY_COLUMN_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "unit_code": "the unit's code; 'none' for what lies outside every unit",
        "unit_name": "the unit's name, or what 'none' holds",
        "unit_area_km2": "the unit's own area, km² (equal-area); empty for 'none'",
        "count": "features whose representative point is in the unit: each feature counted "
        "once, in one unit (a MultiPolygon is one feature, even with parts in several units)",
        "area_km2": "the layer's polygons inside the unit, km² (equal-area), overlaps once",
        "length_km": "the layer's lines inside the unit, km (geodesic)",
        "share": "the unit's part of the layer's area (else length, else count); sums to 1",
        "unit_share": "the part of the unit the layer's polygons cover, 0–1 "
        "(area_km2 / unit_area_km2); empty for 'none'",
    }
)
#: What ``share`` can be a share of, each in words with its unit.
MEASURE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "area_km2": N_("area (km², equal-area)"),
        "length_km": N_("length (km, geodesic)"),
        "count": N_("features"),
    }
)
#: ``unit_code`` of the row holding what lies outside every unit.
NO_UNIT_CODE = "none"
#: Largest tile a unit is cut into, in vertices.
MAX_TILE_VERTICES = 256
#: The world in lon/lat degrees: the units plus their complement in it partition the plane.
WORLD = (-180.0, -90.0, 180.0, 90.0)
_POLYGON_IDS = (3, 6)
_LINE_IDS = (1, 2, 5)
_COLLECTION_ID = 7
#: Longest edge measured as it is, degrees (about 5 km): a longer edge, straight in lon/lat,
#: gets vertices before it is projected, so the area does not depend on where the tiles
#: add a vertex (a 40 km edge along a parallel would otherwise move the area by ~1 km²).
AREA_SEGMENT_DEG = 0.05
#: Grid of the lines' union, degrees (about 0.1 mm): snap-rounding makes the nodes that
#: floating-point intersections place a hair apart coincide, so an overlap is dissolved.
LINE_GRID_DEG = 1e-9


class SummaryBy(StrEnum):
    """The unit sets a layer can be summarised by."""

    OBLAST = "oblast"
    HROMADA = "hromada"
    BORDER_DISTANCE = "border-distance"

    @property
    def label(self) -> str:
        """Words for a picker."""
        return {
            SummaryBy.OBLAST: "Oblast (first-level unit)",
            SummaryBy.HROMADA: "Hromada",
            SummaryBy.BORDER_DISTANCE: "Distance from the Russian/Belarusian border",
        }[self]


class BandStates(StrEnum):
    """Whose land the border-distance bands cover."""

    UKRAINE = "ukraine"
    FLANK = "flank"

    @property
    def label(self) -> str:
        """Words for a picker."""
        return "Inside Ukraine" if self is BandStates.UKRAINE else "Inside the NATO flank states"

    def iso3s(self, flank_iso3: Sequence[str]) -> tuple[str, ...]:
        """The banded states: Ukraine, or the flank states (``FactTables.flank_iso3``)."""
        return ("UKR",) if self is BandStates.UKRAINE else tuple(flank_iso3)


@dataclass(frozen=True)
class SummaryUnits:
    """A unit set prepared for summaries: codes, names, areas and tiles.

    Build it with :func:`make_units` (or :func:`oblast_units`, :func:`hromada_units`,
    :func:`border_band_units`); it is immutable and may be shared by every session.

    Parameters
    ----------
    by
        Which set it is.
    codes, names
        Each unit's ``unit_code`` and ``unit_name``, in table order.
    unit_area_km2
        Each unit's own area, equal-area, km²: the area the unit file records, else computed
        once from the geometry used here.
    no_unit_name
        ``unit_name`` of the ``none`` row: what lies outside every unit.
    source_ids
        Ids of ``data/sources.csv`` the units' geometry rests on.
    geometries
        Each unit's polygon, in ``codes`` order (EPSG:4326), for files that map a summary.
    tiles
        The units and their complement cut into tiles (EPSG:4326, prepared).
    tile_unit
        Each tile's unit: its position in ``codes``, or ``len(codes)`` for the complement.
    tree
        STRtree of ``tiles``.
    """

    by: SummaryBy
    codes: tuple[str, ...]
    names: tuple[str, ...]
    unit_area_km2: tuple[float, ...]
    no_unit_name: str
    source_ids: tuple[str, ...]
    geometries: np.ndarray
    tiles: np.ndarray
    tile_unit: np.ndarray
    tree: shapely.STRtree

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled (the page's summary worker, a set kept on disk): prepare the tiles again.

        Prepared geometry does not survive pickling; unprepared tiles made the 100k grid's
        summary about a third slower.
        """
        self.__dict__.update(state)
        shapely.prepare(self.tiles)


@dataclass(frozen=True)
class Summary:
    """A layer summarised by a unit set.

    Parameters
    ----------
    table
        Columns :data:`SUMMARY_COLUMNS`: one row per unit in the set's order, then the
        ``none`` row. ``count`` is int, the others measured float; ``unit_area_km2`` and
        ``unit_share`` are NaN in the ``none`` row (it is not a unit).
    by
        The unit set.
    measure
        The column ``share`` is a share of: ``area_km2`` when the layer has polygons, else
        ``length_km`` when it has lines, else ``count``.
    features
        Features summarised (those with a geometry).
    dissolved
        Features whose interiors overlapped another's (polygons), or lines that crossed or
        overlapped, dissolved before measuring; polygons that only touch are not counted.
    notes
        Sentences saying how the figures were made (for the page, the CLI and the
        GeoPackage metadata).
    source_ids
        Ids of ``data/sources.csv`` the units' geometry rests on.
    """

    table: pd.DataFrame
    by: SummaryBy
    measure: Literal["area_km2", "length_km", "count"]
    features: int
    dissolved: int
    notes: tuple[str, ...]
    source_ids: tuple[str, ...]

    def metadata(self) -> dict[str, Any]:
        """A JSON-ready record of how the summary was made."""
        return {
            "by": self.by.value,
            "columns": list(SUMMARY_COLUMNS),
            "column_meanings": dict(SUMMARY_COLUMN_MEANINGS),
            "share_of": self.measure,
            "features": self.features,
            "features_dissolved": self.dissolved,
            "area": f"equal-area ({EQUAL_AREA})",
            "length": "geodesic on the WGS84 ellipsoid",
            "notes": list(self.notes),
            "unit_source_ids": list(self.source_ids),
        }


# --------------------------------------------------------------------------------- tiles


def equal_area_km2(geoms: np.ndarray | Sequence[BaseGeometry]) -> np.ndarray:
    """Area of lon/lat polygons in km², equal-area, edges longer than 5 km densified first.

    Parameters
    ----------
    geoms
        Geometries in EPSG:4326 (edges straight in lon/lat).

    Returns
    -------
    numpy.ndarray
        km² per geometry, in the :data:`~geo.units.crs.EQUAL_AREA` projection; 0 for lines,
        points and empty geometries.
    """
    dense = shapely.segmentize(np.asarray(geoms, dtype=object), AREA_SEGMENT_DEG)
    return gpd.GeoSeries(dense, crs=WGS84).to_crs(EQUAL_AREA).area.to_numpy() / 1e6


def rectangle_km2(bounds: np.ndarray) -> np.ndarray:
    """Area of lon/lat rectangles in km², exactly as :func:`equal_area_km2` measures them.

    Each edge is cut into ``ceil(length / AREA_SEGMENT_DEG)`` equal parts (as GEOS
    ``segmentize`` does), the ring projected to :data:`~geo.units.crs.EQUAL_AREA` and measured by
    the shoelace formula, all in NumPy: a grid's cells need no geometry objects.

    Parameters
    ----------
    bounds
        ``(n, 4)`` array of ``xmin, ymin, xmax, ymax`` in degrees (EPSG:4326).

    Returns
    -------
    numpy.ndarray
        km² per rectangle.
    """
    out = np.zeros(len(bounds))
    if not len(bounds):
        return out
    to_area = pyproj.Transformer.from_crs(WGS84, EQUAL_AREA, always_xy=True)
    x0, y0 = bounds[:, 0], bounds[:, 1]
    dx, dy = bounds[:, 2] - x0, bounds[:, 3] - y0
    nx = np.maximum(np.ceil(dx / AREA_SEGMENT_DEG), 1).astype(np.int64)
    ny = np.maximum(np.ceil(dy / AREA_SEGMENT_DEG), 1).astype(np.int64)
    keys, group = np.unique(nx * (int(ny.max()) + 1) + ny, return_inverse=True)
    for index, key in enumerate(keys.tolist()):
        parts_x, parts_y = divmod(key, int(ny.max()) + 1)
        members = np.flatnonzero(group == index)
        along_x = np.arange(parts_x) / parts_x
        along_y = np.arange(parts_y) / parts_y
        fx = np.concatenate([along_x, np.ones(parts_y), 1 - along_x, np.zeros(parts_y)])
        fy = np.concatenate([np.zeros(parts_x), along_y, np.ones(parts_x), 1 - along_y])
        lon = x0[members, None] + dx[members, None] * fx
        lat = y0[members, None] + dy[members, None] * fy
        x, y = to_area.transform(lon, lat)
        twice = (x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)
        out[members] = np.abs(twice) / 2e6
    return out


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGON_IDS]
    if not parts:
        return shapely.Polygon()
    return (
        parts[0]
        if len(parts) == 1
        else shapely.MultiPolygon([q for p in parts for q in shapely.get_parts(p)])
    )


def subdivide(geom: BaseGeometry, max_vertices: int = MAX_TILE_VERTICES) -> list[BaseGeometry]:
    """Cut a polygon into tiles of at most ``max_vertices`` vertices by halving its box.

    Parameters
    ----------
    geom
        Polygon or MultiPolygon (any CRS; the cuts are straight in its coordinates).
    max_vertices
        Largest tile, in vertices.

    Returns
    -------
    list of shapely geometry
        Polygons/MultiPolygons whose union is ``geom`` and whose interiors do not overlap;
        empty for an empty ``geom``.
    """
    out: list[BaseGeometry] = []
    stack = [geom]
    while stack:
        part = stack.pop()
        if part.is_empty:
            continue
        xmin, ymin, xmax, ymax = part.bounds
        width, height = xmax - xmin, ymax - ymin
        if shapely.get_num_coordinates(part) <= max_vertices or max(width, height) < 1e-6:
            out.append(part)
            continue
        if width >= height:
            middle = (xmin + xmax) / 2
            halves = [box(xmin, ymin, middle, ymax), box(middle, ymin, xmax, ymax)]
        else:
            middle = (ymin + ymax) / 2
            halves = [box(xmin, ymin, xmax, middle), box(xmin, middle, xmax, ymax)]
        stack.extend(_polygonal(shapely.intersection(part, half)) for half in halves)
    return out


def _names(frame: pd.DataFrame) -> list[str]:
    """The units' names (English, with their ``name_uk``) for the ``unit_name`` column."""
    local = frame["name_uk"] if "name_uk" in frame.columns else [""] * len(frame)
    return [
        Phrase.name(str(english), uk="" if pd.isna(uk) else str(uk))
        for english, uk in zip(frame["name_en"], local, strict=True)
    ]


def _state(countries: pd.DataFrame, iso3: str) -> Phrase:
    """A state's name (Natural Earth's English ``name`` and ``name_uk``)."""
    row = countries.loc[countries["iso3"] == iso3].iloc[0]
    uk = row["name_uk"] if "name_uk" in countries.columns else ""
    return Phrase.name(str(row["name"]), uk="" if pd.isna(uk) else str(uk))


def _listed(items: list[Phrase]) -> Phrase:
    """``"a, b, c"`` with each item translatable."""
    return Phrase.make(
        ", ".join(f"{{i{n}}}" for n in range(len(items))),
        **{f"i{n}": item for n, item in enumerate(items)},
    )


def _or(items: list[Phrase]) -> Phrase:
    """``"a"``, ``"a or b"``, ``"a, b or c"`` with each item translatable."""
    if len(items) == 1:
        return items[0]
    return Phrase.make(N_("{items} or {last}"), items=_listed(items[:-1]), last=items[-1])


def make_units(
    by: SummaryBy,
    codes: Sequence[str],
    names: Sequence[str],
    geometries: Sequence[BaseGeometry] | np.ndarray,
    *,
    no_unit_name: str,
    source_ids: Iterable[str],
    coverage: bool = False,
    areas_km2: Sequence[float] | np.ndarray | None = None,
) -> SummaryUnits:
    """Prepare a unit set for :func:`summarize`.

    Parameters
    ----------
    by
        Which set it is.
    codes, names
        Each unit's code and name (codes unique, never :data:`NO_UNIT_CODE`).
    geometries
        Each unit's polygon, EPSG:4326; units must not overlap.
    no_unit_name
        Name of the row of what lies outside every unit.
    source_ids
        Ids of ``data/sources.csv`` the geometry rests on.
    coverage
        The units form a valid polygon coverage (shared edges identical), so their union
        can be taken with the fast ``coverage_union_all``.
    areas_km2
        Each unit's own area, km², equal-area, as the unit file records it (an oblast's
        includes its recorded land in no hromada); ``None``: computed from ``geometries``
        in :data:`~geo.units.crs.EQUAL_AREA`.

    Returns
    -------
    SummaryUnits

    Raises
    ------
    AtlasError
        For repeated or reserved codes, or lengths that disagree.
    """
    geoms = np.asarray(geometries, dtype=object)
    if not (len(codes) == len(names) == len(geoms)):
        raise AtlasError("unit codes, names and geometries must have the same length")
    if len(set(codes)) != len(codes) or NO_UNIT_CODE in codes:
        raise AtlasError(f"unit codes must be unique and never {NO_UNIT_CODE!r}")
    if areas_km2 is None:
        areas = equal_area_km2(geoms)
    else:
        areas = np.asarray(areas_km2, dtype=float)
        if len(areas) != len(geoms) or not (np.isfinite(areas) & (areas > 0)).all():
            raise AtlasError("unit areas must be one positive number of km² per unit")
    union = shapely.coverage_union_all(geoms) if coverage else shapely.union_all(geoms)
    outside = _polygonal(shapely.difference(box(*WORLD), union))
    tiles: list[BaseGeometry] = []
    owners: list[int] = []
    for index, geom in enumerate([*geoms, outside]):
        pieces = subdivide(geom)
        tiles += pieces
        owners += [index] * len(pieces)
    tile_array = np.asarray(tiles, dtype=object)
    shapely.prepare(tile_array)
    return SummaryUnits(
        by=by,
        codes=tuple(str(c) for c in codes),
        names=tuple(n if isinstance(n, str) else str(n) for n in names),
        unit_area_km2=tuple(float(a) for a in areas),
        no_unit_name=no_unit_name,
        source_ids=tuple(dict.fromkeys(source_ids)),
        geometries=geoms,
        tiles=tile_array,
        tile_unit=np.asarray(owners, dtype=np.int64),
        tree=shapely.STRtree(tile_array),
    )


def oblast_units(oblasts: gpd.GeoDataFrame) -> SummaryUnits:
    """Ukraine's 27 first-level units (:func:`geo.units.oblasts.load_oblasts`), by ISO 3166-2 code.

    Parameters
    ----------
    oblasts
        The committed first-level units, EPSG:4326 (a valid coverage).

    Returns
    -------
    SummaryUnits
        Codes ``UA-05`` …, names ``Vinnytsia Oblast`` …; each unit's area is the file's
        ``area_km2`` (its hromadas' plus its recorded land in no hromada) when present.
    """
    return make_units(
        SummaryBy.OBLAST,
        list(oblasts["iso_3166_2"]),
        _names(oblasts),
        oblasts.geometry.to_numpy(),
        no_unit_name=Phrase.make(
            N_(
                "no first-level unit: outside Ukraine, or estuaries, lagoons and border slivers "
                "outside every hromada"
            )
        ),
        source_ids=OBLAST_SOURCE_IDS,
        coverage=True,
        areas_km2=_recorded_areas(oblasts),
    )


def hromada_units(hromadas: gpd.GeoDataFrame) -> SummaryUnits:
    """Ukraine's 1,469 hromada-level units (:func:`geo.units.hromadas.load_hromadas`), by KATOTTG.

    Parameters
    ----------
    hromadas
        The committed units, EPSG:4326 (a valid coverage).

    Returns
    -------
    SummaryUnits
        Codes are KATOTTG codes, names ``name_en``; the ``none`` row is the land no hromada
        covers (the Chornobyl exclusion zone, the three hromadas with no polygon, estuaries,
        border slivers) and everything outside Ukraine.
    """
    ids: dict[str, None] = {}
    for value in hromadas["source_ids"]:
        ids.update(dict.fromkeys(split_source_ids(value)))
    return make_units(
        SummaryBy.HROMADA,
        list(hromadas["katottg"]),
        _names(hromadas),
        hromadas.geometry.to_numpy(),
        no_unit_name=Phrase.make(
            N_(
                "no hromada: the Chornobyl exclusion zone, the hromadas with no polygon (Chop, "
                "Kozyn, Vylkove), estuaries and border slivers, or outside Ukraine"
            )
        ),
        source_ids=ids,
        coverage=True,
        areas_km2=_recorded_areas(hromadas),
    )


def _recorded_areas(units: gpd.GeoDataFrame) -> np.ndarray | None:
    """The ``area_km2`` column the unit file records, or ``None`` when it has none."""
    if "area_km2" not in units.columns:
        return None
    return pd.to_numeric(units["area_km2"], errors="coerce").to_numpy(dtype=float)


def border_band_units(
    countries: gpd.GeoDataFrame,
    iso3s: Iterable[str],
    *,
    adversaries: Iterable[str],
    edges_km: tuple[float, ...] = BAND_EDGES_KM,
) -> SummaryUnits:
    """Bands of distance from the Russian/Belarusian border inside each of some states.

    Build one set for Ukraine (``["UKR"]``) and one for the NATO flank states
    (``FactTables.flank_iso3``): they are separate unit sets.

    Parameters
    ----------
    countries
        Full-resolution countries (:func:`geo.units.countries.load_countries`), EPSG:4326.
    iso3s
        The states whose land is banded; a state with no border with ``adversaries`` is
        left out.
    adversaries
        The states across the border (``FactTables.adversary_iso3``: Russia, Belarus).
    edges_km
        Band edges in km (default 5, 10, 20, 50: bands 0–5, 5–10, 10–20, 20–50, 50+ km).

    Returns
    -------
    SummaryUnits
        Codes ``UKR:0-5`` … ``UKR:50+``; names ``Ukraine, 0–5 km from the border with
        Russia or Belarus``; the ``none`` row is outside these states.
    """
    others = tuple(adversaries)
    across = _or([_state(countries, iso3) for iso3 in others])
    codes: list[str] = []
    names: list[str] = []
    geoms: list[BaseGeometry] = []
    states: list[Phrase] = []
    for iso3 in iso3s:
        border = adversary_border(countries, iso3, others)
        if border.is_empty:
            continue
        state = _state(countries, iso3)
        states.append(state)
        lowers = (0.0, *edges_km)
        uppers: tuple[float | None, ...] = (*edges_km, None)
        for band, low, high in zip(
            distance_bands(country(countries, iso3), border, edges_km), lowers, uppers, strict=True
        ):
            codes.append(f"{iso3}:{low:g}-{high:g}" if high is not None else f"{iso3}:{low:g}+")
            names.append(
                Phrase.make(
                    N_("{state}, {band} from the border with {across}"),
                    state=state,
                    band=band_label(low, high),
                    across=across,
                )
            )
            geoms.append(band)
    return make_units(
        SummaryBy.BORDER_DISTANCE,
        codes,
        names,
        geoms,
        no_unit_name=Phrase.make(N_("outside {states}"), states=_listed(states)),
        source_ids=(NE_SOURCE_ID,),
    )


# ------------------------------------------------------------------------------ measuring


def _parts_of(geoms: np.ndarray, type_ids: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The parts of each feature of the given types: whole features, collections unpacked."""
    kinds = shapely.get_type_id(geoms)
    whole = np.flatnonzero(np.isin(kinds, type_ids))
    collections = np.flatnonzero(kinds == _COLLECTION_ID)
    if not len(collections):
        return geoms[whole], whole
    parts, index = shapely.get_parts(geoms[collections], return_index=True)
    keep = np.isin(shapely.get_type_id(parts), type_ids)
    return (
        np.concatenate([geoms[whole], parts[keep]]),
        np.concatenate([whole, collections[index[keep]]]),
    )


def _first_tile(points: np.ndarray, units: SummaryUnits) -> np.ndarray:
    """The tile of each point (the first by tile order where tiles share an edge)."""
    tile = np.full(len(points), len(units.tiles), dtype=np.int64)
    index, hit = units.tree.query(points)
    inside = shapely.intersects(units.tiles[hit], points[index])
    np.minimum.at(tile, index[inside], hit[inside])
    return tile


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes linked by pairs ``(a, b)``: a label per node."""
    labels = np.arange(n)
    while True:
        low = np.minimum(labels[a], labels[b])
        updated = labels.copy()
        np.minimum.at(updated, a, low)
        np.minimum.at(updated, b, low)
        updated = updated[updated]
        if np.array_equal(updated, labels):
            return labels
        labels = updated


def _union_groups(geoms: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The union of each group of geometries with the same label.

    Members are sorted along a Hilbert curve within their group and united two by two in
    rounds, every group at once (one vectorised ``shapely.union`` per round, a binary tree per
    group): neighbours meet first, as in a cascaded union, with no Python loop over groups.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        One geometry per label, and the labels, sorted by label.
    """
    hilbert = gpd.GeoSeries(geoms).hilbert_distance().to_numpy()
    order = np.lexsort((hilbert, labels))
    current, group = geoms[order], labels[order]
    while True:
        same_next = np.zeros(len(current), dtype=bool)
        same_next[:-1] = group[:-1] == group[1:]
        if not same_next.any():
            return current, group
        starts = np.r_[True, group[1:] != group[:-1]]
        first = np.flatnonzero(starts)
        position = np.arange(len(current)) - first[np.cumsum(starts) - 1]
        even = position % 2 == 0
        pair = np.flatnonzero(even & same_next)
        merged = current.copy()
        merged[pair] = shapely.union(current[pair], current[pair + 1])
        current, group = merged[even], group[even]


_EMPTY = shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
#: DE-9IM pattern of two geometries whose interiors meet (polygons that overlap, not touch).
_INTERIORS_MEET = "T********"


def _of_dimension(pieces: np.ndarray, linear: bool) -> np.ndarray:
    """Keep only the lines (``linear``) or the polygons of each piece.

    An intersection with a tile may add points or lines where a geometry touches the tile's
    edge; they measure nothing, and a snap-rounded union refuses mixed dimensions.
    """
    single, multi = ((1, 2), (5,)) if linear else ((3,), (6,))
    mixed = np.flatnonzero(~np.isin(shapely.get_type_id(pieces), single + multi))
    if not len(mixed):
        return pieces
    out = pieces.copy()
    out[mixed] = _EMPTY
    parts, index = shapely.get_parts(pieces[mixed], return_index=True)
    while len(parts) and np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():
        parts, inner = shapely.get_parts(parts, return_index=True)
        index = index[inner]
    keep = np.isin(shapely.get_type_id(parts), single)
    parts, index = parts[keep], index[keep]
    if len(parts):
        owners, dense = np.unique(index, return_inverse=True)
        build = shapely.multilinestrings if linear else shapely.multipolygons
        out[mixed[owners]] = build(parts, indices=dense)
    return out


def _cut(
    geoms: np.ndarray, units: SummaryUnits, *, linear: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each geometry's parts in each tile: ``(pieces, feature index, tile index)``.

    A box query on the STRtree, then the predicates on the prepared tiles (faster than a
    predicate query, which prepares each input instead); a geometry inside one tile is kept
    whole and only the others are intersected. A line lying exactly on the edge between two
    tiles (a border line along a unit's border) is in both; with ``linear`` it is kept only in
    the first tile by tile order, so it is measured once.
    """
    feature, tile = units.tree.query(geoms)
    whole = shapely.contains_properly(units.tiles[tile], geoms[feature])
    touching = whole.copy()
    rest = np.flatnonzero(~whole)
    touching[rest] = shapely.intersects(units.tiles[tile[rest]], geoms[feature[rest]])
    feature, tile, whole = feature[touching], tile[touching], whole[touching]
    pieces = geoms[feature].copy()
    cut = np.flatnonzero(~whole)
    pieces[cut] = shapely.intersection(geoms[feature[cut]], units.tiles[tile[cut]])
    pieces = _of_dimension(pieces, linear)
    if linear and len(cut):
        _drop_shared_edges(geoms, pieces, feature, tile)
    keep = ~shapely.is_empty(pieces)
    return pieces[keep], feature[keep], tile[keep]


def _drop_shared_edges(
    geoms: np.ndarray, pieces: np.ndarray, feature: np.ndarray, tile: np.ndarray
) -> None:
    """Remove from each line piece what an earlier tile's piece of the same line holds.

    Only lines whose pieces are longer together than the line itself (planar length, which
    the cut preserves) are touched, and this is rare, so a loop over them is cheap.
    """
    together = np.bincount(feature, weights=shapely.length(pieces), minlength=len(geoms))
    own = shapely.length(geoms)
    doubled = np.flatnonzero(together > own * (1 + 1e-9) + 1e-12)
    for index in doubled:
        members = np.flatnonzero(feature == index)
        members = members[np.argsort(tile[members], kind="stable")]
        taken = pieces[members[0]]
        for member in members[1:]:
            original = pieces[member]
            pieces[member] = shapely.difference(original, taken)
            taken = shapely.union(taken, original)


def _rectangles(geoms: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Which geometries are axis-aligned rectangles (a grid's cells): their box, exactly.

    A polygon of five coordinates (four corners and the closing one), no hole, whose area is
    its box's (positive) area is that box: such a polygon is always valid.
    """
    boxes = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    return (
        (boxes > 0)
        & (shapely.get_type_id(geoms) == 3)
        & (shapely.get_num_coordinates(geoms) == 5)
        & (shapely.get_num_interior_rings(geoms) == 0)
        & (np.abs(shapely.area(geoms) - boxes) <= 1e-12 * boxes)
    )


def _overlapping(polygons: np.ndarray, bounds: np.ndarray, rectangles: np.ndarray) -> np.ndarray:
    """Which polygons' interiors meet another's (valid polygons: overlap, not touch).

    A box query on an STRtree gives the candidate pairs; pairs whose boxes share no area
    (a grid's neighbours) cannot overlap, two rectangles whose boxes share area do, and only
    the other pairs that intersect get the exact DE-9IM test, so a non-overlapping grid
    costs one query.
    """
    a, b = shapely.STRtree(polygons).query(polygons)
    a, b = a[a < b], b[a < b]
    width = np.minimum(bounds[a, 2], bounds[b, 2]) - np.maximum(bounds[a, 0], bounds[b, 0])
    height = np.minimum(bounds[a, 3], bounds[b, 3]) - np.maximum(bounds[a, 1], bounds[b, 1])
    boxes_meet = (width > 0) & (height > 0)
    a, b = a[boxes_meet], b[boxes_meet]
    overlap = rectangles[a] & rectangles[b]
    exact = np.flatnonzero(~overlap)
    exact = exact[shapely.intersects(polygons[a[exact]], polygons[b[exact]])]
    overlap[exact] = shapely.relate_pattern(polygons[a[exact]], polygons[b[exact]], _INTERIORS_MEET)
    out = np.zeros(len(polygons), dtype=bool)
    out[a[overlap]] = True
    out[b[overlap]] = True
    return out


def _clip(
    geoms: np.ndarray, tiles: np.ndarray, bounds: np.ndarray, rectangles: np.ndarray
) -> np.ndarray:
    """Each geometry's part in its tile: a rectangle clips the tile, the others intersect.

    Clipping a tile by a rectangle (``clip_by_rect``) is several times faster than a general
    intersection and gives the same area; the pieces of non-overlapping polygons are only
    measured, never united, so a clip's occasional invalid ring does not matter.
    """
    pieces = np.empty(len(geoms), dtype=object)
    boxes = np.flatnonzero(rectangles)
    # shapely.clip_by_rect takes one rectangle per call; its ufunc takes one per geometry.
    edges = bounds[boxes].T
    pieces[boxes] = shapely.lib.clip_by_rect(tiles[boxes], *edges)
    others = np.flatnonzero(~rectangles)
    pieces[others] = shapely.intersection(geoms[others], tiles[others])
    return pieces


def _area_apart(
    polygons: np.ndarray,
    units: SummaryUnits,
    bounds: np.ndarray,
    rectangles: np.ndarray,
    home: np.ndarray,
) -> np.ndarray:
    """Equal-area km² per unit of polygons that overlap nothing: no union needed.

    A polygon inside one (prepared) tile (``home``, from :func:`_home_tiles`) is measured
    whole in its unit, a rectangle without building a geometry (:func:`rectangle_km2`);
    only the polygons crossing a tile's edge are cut, rectangles by clipping the tile, and a
    cut rectangle's largest piece gets what its other pieces leave of the rectangle's area,
    so its pieces add up to the rectangle exactly (measuring that piece itself gave figures
    at most 0.006 km² per hromada different on a 102,400-cell grid).
    """
    totals = np.zeros(len(units.codes) + 1)
    if not len(polygons):
        return totals
    whole = home >= 0
    crossing = np.flatnonzero(~whole)
    found, tile = units.tree.query(polygons[crossing])
    feature = crossing[found]
    meets = shapely.intersects(units.tiles[tile], polygons[feature])
    feature, tile = feature[meets], tile[meets]
    pieces = _of_dimension(
        _clip(polygons[feature], units.tiles[tile], bounds[feature], rectangles[feature]),
        linear=False,
    )
    # A cut rectangle's largest piece is measured as the rest of the rectangle (its area less
    # its other pieces'): about half the pieces are never projected.
    rest = _largest_pieces(feature, shapely.area(pieces), rectangles)
    projected = np.ones(len(pieces), dtype=bool)
    projected[rest] = False
    others = np.flatnonzero(whole & ~rectangles)
    areas = equal_area_km2(np.concatenate([polygons[others], pieces[projected]]))
    owners = np.concatenate([home[others], tile[projected]])
    np.add.at(totals, units.tile_unit[owners], areas)
    boxes = np.flatnonzero(whole & rectangles)
    box_km2 = rectangle_km2(bounds[np.concatenate([boxes, feature[rest]])])
    np.add.at(totals, units.tile_unit[home[boxes]], box_km2[: len(boxes)])
    cut_km2 = np.bincount(feature[projected], areas[len(others) :], minlength=len(polygons))
    rest_km2 = box_km2[len(boxes) :] - cut_km2[feature[rest]]
    np.add.at(totals, units.tile_unit[tile[rest]], rest_km2)
    return totals


def _largest_pieces(feature: np.ndarray, areas: np.ndarray, rectangles: np.ndarray) -> np.ndarray:
    """The largest piece of each cut rectangle (by planar ``areas``), as an index of the pieces.

    ``feature`` says which polygon each piece is of; polygons that are not ``rectangles``
    have none (their pieces are all measured).
    """
    if not len(feature):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-areas, feature))
    first = np.r_[True, feature[order][1:] != feature[order][:-1]]
    largest = order[first]
    return largest[rectangles[feature[largest]]]


def _home_tiles(geoms: np.ndarray, units: SummaryUnits) -> np.ndarray:
    """The tile each geometry lies inside (``contains_properly``, prepared tiles), else -1."""
    home = np.full(len(geoms), -1, dtype=np.int64)
    if not len(geoms):
        return home
    feature, tile = units.tree.query(geoms)
    inside = shapely.contains_properly(units.tiles[tile], geoms[feature])
    home[feature[inside]] = tile[inside]
    return home


def _area_by_unit(
    polygons: np.ndarray, units: SummaryUnits, home: np.ndarray
) -> tuple[np.ndarray, int]:
    """Equal-area km² per unit of the union of ``polygons``, dissolved tile by tile.

    Polygons that overlap no other (checked first, cheaply: :func:`_overlapping`) are
    measured as they are (:func:`_area_apart`). The others are dissolved after the cut,
    which keeps each union small (a dense cluster of overlapping hazard polygons is split by
    the tiles): that is what makes 100,000 polygons affordable.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        km² per unit (``len(codes) + 1`` values, the complement last), and how many input
        polygons overlapped another (interiors meeting) and were dissolved.
    """
    totals = np.zeros(len(units.codes) + 1)
    if not len(polygons):
        return totals, 0
    bounds = shapely.bounds(polygons)
    rectangles = _rectangles(polygons, bounds)
    overlapping = _overlapping(polygons, bounds, rectangles)
    apart = ~overlapping
    totals += _area_apart(polygons[apart], units, bounds[apart], rectangles[apart], home[apart])
    if not overlapping.any():
        return totals, 0
    pieces, _, tile = _cut(polygons[overlapping], units)
    a, b = shapely.STRtree(pieces).query(pieces)
    same_tile = (a < b) & (tile[a] == tile[b])
    a, b = a[same_tile], b[same_tile]
    # Touching pieces are united with the rest of their group: a shared edge has no area, so
    # this changes no figure and spares an exact overlap test per pair.
    meets = shapely.intersects(pieces[a], pieces[b])
    a, b = a[meets], b[meets]
    if len(a):
        labels = _components(len(pieces), a, b)
        grouped = np.bincount(labels, minlength=len(pieces))[labels] > 1
        united, united_labels = _union_groups(pieces[grouped], labels[grouped])
        pieces = np.concatenate([pieces[~grouped], united])
        tile = np.concatenate([tile[~grouped], tile[united_labels]])
    np.add.at(totals, units.tile_unit[tile], equal_area_km2(pieces))
    return totals, int(overlapping.sum())


def _length_by_unit(lines: np.ndarray, units: SummaryUnits) -> tuple[np.ndarray, int]:
    """Geodesic km per unit of the union of ``lines``, dissolved before the cut.

    All lines are united at once on the :data:`LINE_GRID_DEG` grid (snap-rounding), which
    nodes them where they cross and keeps a stretch two lines share (or a line runs twice)
    once; near-coincident lines cut first and united later would escape a floating-point
    union. Lines are far fewer than hazard polygons, so one union is affordable.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        km per unit (``len(codes) + 1`` values, the complement last), and how many input
        lines crossed or overlapped another or themselves.
    """
    totals = np.zeros(len(units.codes) + 1)
    if not len(lines):
        return totals, 0
    snapped = shapely.set_precision(lines, LINE_GRID_DEG, mode="pointwise")
    a, b = shapely.STRtree(snapped).query(snapped, predicate="intersects")
    meeting = np.unique(np.concatenate([a[a < b], b[a < b]]))
    dissolved = len(np.union1d(meeting, np.flatnonzero(~shapely.is_simple(snapped))))
    merged = shapely.get_parts(shapely.union_all(snapped, grid_size=LINE_GRID_DEG))
    merged = merged[np.isin(shapely.get_type_id(merged), (1, 2))]
    pieces, _, tile = _cut(merged, units, linear=True)
    np.add.at(totals, units.tile_unit[tile], geodesic_lengths_km(pieces))
    return totals, dissolved


def summarize(layer: gpd.GeoDataFrame | gpd.GeoSeries, units: SummaryUnits) -> Summary:
    """Count, area and length of a layer in each unit of a set, and each unit's share.

    Parameters
    ----------
    layer
        Any polygons, lines and/or points, in any CRS (reprojected to EPSG:4326); features
        without geometry are left out (and said so in the notes).
    units
        The unit set (:func:`oblast_units`, :func:`hromada_units`, :func:`border_band_units`).

    Returns
    -------
    Summary
        The table (:data:`SUMMARY_COLUMNS`; the ``none`` row last) and how it was made.

    Raises
    ------
    LayerValidationError
        When the layer has no CRS.
    """
    require_crs(layer)
    series = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
    series = series.to_crs(WGS84) if not series.crs.equals(WGS84) else series
    geoms = np.asarray(series.to_numpy(), dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    left_out = int((~present).sum())
    geoms = geoms[present]
    # An axis-aligned rectangle (a grid's cell) is valid: only the others are checked.
    invalid = np.zeros(len(geoms), dtype=bool)
    checked = np.flatnonzero(~_rectangles(geoms, shapely.bounds(geoms)))
    invalid[checked] = ~shapely.is_valid(geoms[checked])
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    n_units = len(units.codes)
    # A point no tile holds (only possible through rounding at a tile edge) is outside.
    unit_of_tile = np.append(units.tile_unit, n_units)
    # A feature inside one tile has its representative point there; the others are looked up.
    home = _home_tiles(geoms, units)
    tile_of = home.copy()
    elsewhere = np.flatnonzero(home < 0)
    tile_of[elsewhere] = _first_tile(shapely.point_on_surface(geoms[elsewhere]), units)
    counts = np.bincount(unit_of_tile[tile_of], minlength=n_units + 1)
    polygons, owner = _parts_of(geoms, _POLYGON_IDS)
    lines, _ = _parts_of(geoms, _LINE_IDS)
    # A part of a feature inside a tile is inside it too.
    area, dissolved_polygons = _area_by_unit(polygons, units, home[owner])
    length, dissolved_lines = _length_by_unit(lines, units)
    return summary_from_totals(
        units,
        counts,
        area,
        length,
        has_polygons=len(polygons) > 0,
        has_lines=len(lines) > 0,
        features=len(geoms),
        left_out=left_out,
        repaired=int(invalid.sum()),
        dissolved_polygons=dissolved_polygons,
        dissolved_lines=dissolved_lines,
    )


def summary_from_totals(
    units: SummaryUnits,
    counts: np.ndarray,
    area: np.ndarray,
    length: np.ndarray,
    *,
    has_polygons: bool,
    has_lines: bool,
    features: int,
    left_out: int,
    repaired: int,
    dissolved_polygons: int,
    dissolved_lines: int,
) -> Summary:
    """The summary of per-unit totals, however they were measured (here or in a database).

    Parameters
    ----------
    units
        The unit set.
    counts, area, length
        ``len(units.codes) + 1`` values each, the complement (``none``) last: features by
        representative point, km² of the dissolved polygons (equal-area,
        :data:`~geo.crs.EQUAL_AREA`), km of the dissolved lines (geodesic on WGS84).
    has_polygons, has_lines
        Whether the layer has polygons / lines (they choose what ``share`` is a share of).
    features, left_out, repaired, dissolved_polygons, dissolved_lines
        Counts for the notes (see :class:`Summary`).

    Returns
    -------
    Summary
    """
    measure: Literal["area_km2", "length_km", "count"]
    if has_polygons:
        measure, values = "area_km2", area
    elif has_lines:
        measure, values = "length_km", length
    else:
        measure, values = "count", counts.astype(float)
    total = float(values.sum())
    share = values / total if total > 0 else np.zeros_like(values)
    unit_area = np.append(np.asarray(units.unit_area_km2, dtype=float), np.nan)
    # Recorded areas are rounded to 0.1 km²: a unit covered whole may measure a hair more.
    unit_share = np.minimum(area / unit_area, 1.0)
    table = pd.DataFrame(
        {
            "unit_code": [*units.codes, NO_UNIT_CODE],
            "unit_name": [*units.names, units.no_unit_name],
            "unit_area_km2": unit_area,
            "count": counts.astype(np.int64),
            "area_km2": area,
            "length_km": length,
            "share": share,
            "unit_share": unit_share,
        },
        columns=list(SUMMARY_COLUMNS),
    )
    notes = _notes(
        units,
        measure,
        features=features,
        left_out=left_out,
        repaired=repaired,
        dissolved_polygons=dissolved_polygons,
        dissolved_lines=dissolved_lines,
    )
    return Summary(
        table=table,
        by=units.by,
        measure=measure,
        features=features,
        dissolved=dissolved_polygons + dissolved_lines,
        notes=notes,
        source_ids=units.source_ids,
    )


class Note(str):
    """A note of a summary: its English text, and the template and values it was made from.

    It is a ``str`` (the English sentence, as stored and compared); :func:`note_text` writes it
    in another language. Made by :meth:`make`.
    """

    template: str
    values: dict[str, object]

    @classmethod
    def make(cls, template: str, **values: object) -> Note:
        """The note ``template.format(**values)`` that remembers its parts (counts: ``1,234``)."""
        shown = {k: f"{v:,}" if isinstance(v, int) else v for k, v in values.items()}
        note = cls(template.format(**shown))
        note.template, note.values = template, dict(values)
        return note

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_note, (self.template, self.values))


def _rebuild_note(template: str, values: dict[str, object]) -> Note:
    return Note.make(template, **values)


def note_text(note: str, lang: Language) -> str:
    """A summary's note in ``lang`` (a plain string, e.g. a stored note, stays as it is)."""
    if not isinstance(note, Note):
        return note
    values = {
        key: lang.number(value) if isinstance(value, int) else lang.gettext(str(value))
        for key, value in note.values.items()
    }
    return lang.tr(note.template, **values)


def _notes(
    units: SummaryUnits,
    measure: str,
    *,
    features: int,
    left_out: int,
    repaired: int,
    dissolved_polygons: int,
    dissolved_lines: int,
) -> tuple[str, ...]:
    share_of = MEASURE_LABELS[measure]
    notes = [
        Note.make(
            N_("share is each unit's part of the layer's {share_of}; the rows add up to the layer"),
            share_of=share_of,
        ),
        Note.make(
            N_(
                "count: each of the {features} features is counted once, in the unit holding "
                "its representative point (a MultiPolygon is one feature: one unit, even when "
                "its parts lie in several)"
            ),
            features=features,
        ),
        Note.make(
            N_(
                "unit_share is the part of each unit the layer's polygons cover (area_km2 / "
                "unit_area_km2, the unit's own equal-area area)"
            )
        ),
        f"'{NO_UNIT_CODE}': {units.no_unit_name}",
    ]
    if dissolved_polygons:
        notes.append(
            Note.make(
                N_(
                    "dissolved {n} overlapping polygons before measuring, so overlapping area "
                    "is counted once"
                ),
                n=dissolved_polygons,
            )
        )
    else:
        notes.append(
            Note.make(
                N_(
                    "no polygons overlapped: nothing was dissolved (touching polygons are "
                    "measured as they are)"
                )
            )
        )
    if dissolved_lines:
        notes.append(
            Note.make(
                N_(
                    "{n} lines crossed or overlapped others and were dissolved before "
                    "measuring, so shared stretches are counted once"
                ),
                n=dissolved_lines,
            )
        )
    if repaired:
        notes.append(
            Note.make(N_("{n} invalid geometries were repaired (make_valid) first"), n=repaired)
        )
    if left_out:
        notes.append(Note.make(N_("{n} features without geometry were left out"), n=left_out))
    return tuple(notes)


def summary_units(
    by: SummaryBy | str,
    *,
    oblasts: gpd.GeoDataFrame | None = None,
    hromadas: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    states: Sequence[str] = ("UKR",),
    adversaries: Sequence[str] = ("RUS", "BLR"),
) -> SummaryUnits:
    """The unit set for ``by``, from the frames the caller holds (a convenience for the CLI).

    Parameters
    ----------
    by
        ``oblast``, ``hromada`` or ``border-distance``.
    oblasts, hromadas, countries
        The frame the set needs (:func:`geo.units.oblasts.load_oblasts`,
        :func:`geo.units.hromadas.load_hromadas`, :func:`geo.units.countries.load_countries`).
    states, adversaries
        Border distance: the banded states and the states across the border.

    Returns
    -------
    SummaryUnits

    Raises
    ------
    AtlasError
        For an unknown ``by`` or a missing frame.
    """
    try:
        chosen = SummaryBy(str(by))
    except ValueError:
        raise AtlasError(
            f"unknown unit set {by!r}; choose one of {', '.join(b.value for b in SummaryBy)}"
        ) from None
    needed: Mapping[SummaryBy, tuple[str, gpd.GeoDataFrame | None]] = {
        SummaryBy.OBLAST: ("oblasts", oblasts),
        SummaryBy.HROMADA: ("hromadas", hromadas),
        SummaryBy.BORDER_DISTANCE: ("countries", countries),
    }
    what, frame = needed[chosen]
    if frame is None:
        raise AtlasError(f"a summary by {chosen.value} needs the {what} frame")
    if chosen is SummaryBy.OBLAST:
        return oblast_units(frame)
    if chosen is SummaryBy.HROMADA:
        return hromada_units(frame)
    return border_band_units(frame, states, adversaries=adversaries)


__all__ = [
    "MAX_TILE_VERTICES",
    "MEASURE_LABELS",
    "NO_UNIT_CODE",
    "SUMMARY_COLUMNS",
    "SUMMARY_COLUMN_MEANINGS",
    "BandStates",
    "Summary",
    "SummaryBy",
    "SummaryUnits",
    "border_band_units",
    "equal_area_km2",
    "hromada_units",
    "make_units",
    "oblast_units",
    "rectangle_km2",
    "subdivide",
    "summarize",
    "summary_from_totals",
    "summary_units",
]
