"""GeoJSON: parsed with the standard library so attributes stay exactly as written.

Before parsing, the bracket nesting of the whole document is counted (a vectorised scan), so
a document nested deeper than ``max_nesting_depth`` is refused before any parser recursion.
While parsing, an object with the same key twice is refused (JSON keeps only the last value,
silently). Geometries are checked member by member — positions must be lists of 2 or 3
numbers, never text or ``true`` — and their vertices counted before shapely builds them, in
bulk, from flat coordinate arrays.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.importer.finish import check_columns, check_count, nested_values_as_text
from geo.importer.limits import ImportLimits
from geo.importer.messages import VERTICES_PER_GEOMETRY, crs_label, quoted, reject
from geo.importer.records import ImportFormat, RawLayer, ReadRequest
from geo.language import N_, Detail, Phrase
from geo.units.crs import WGS84

#: Nesting below the ``coordinates`` member of each simple type (0: one position).
_COORDINATE_LEVELS = MappingProxyType(
    {
        "Point": 0,
        "MultiPoint": 1,
        "LineString": 1,
        "MultiLineString": 2,
        "Polygon": 2,
        "MultiPolygon": 3,
    }
)
GEOMETRY_TYPES = frozenset({*_COORDINATE_LEVELS, "GeometryCollection"})
_RAGGED_TYPES = MappingProxyType(
    {
        "Point": shapely.GeometryType.POINT,
        "MultiPoint": shapely.GeometryType.MULTIPOINT,
        "LineString": shapely.GeometryType.LINESTRING,
        "MultiLineString": shapely.GeometryType.MULTILINESTRING,
        "Polygon": shapely.GeometryType.POLYGON,
        "MultiPolygon": shapely.GeometryType.MULTIPOLYGON,
    }
)
_NUMBER_TYPES = frozenset({int, float})
_LIST_TYPE = frozenset({list})
#: +1 for an opening, -1 for a closing JSON bracket, 0 for every other byte.
_BRACKET_STEPS = np.zeros(256, dtype=np.int8)
_BRACKET_STEPS[[ord("["), ord("{")]] = 1
_BRACKET_STEPS[[ord("]"), ord("}")]] = -1
_BRACKET_STEPS.flags.writeable = False
#: A legacy (2008) ``crs`` member may only name a CRS by authority code: a free-form PROJ
#: string could make PROJ read local files (``+init=…``).
_CRS_NAME = re.compile(
    r"^(?:urn:ogc:def:crs:(?:EPSG|OGC|ESRI)::?[\w.]*:?\w+|(?:EPSG|ESRI):\d+|OGC:CRS84)$",
    re.IGNORECASE,
)


class _DuplicateKeyError(ValueError):
    """An object with the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json`` hook: build an object, refusing a repeated key (JSON would keep the last)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return obj


def _reject_json_constant(token: str) -> None:
    """``json`` hook: NaN/Infinity are not JSON (RFC 8259) and not coordinates."""
    raise ValueError(f"the non-JSON constant {token}")


def json_depth(data: bytes) -> int:
    """Deepest nesting of ``[``/``{`` in a JSON text, ignoring brackets inside strings.

    Vectorised with NumPy (no recursion, linear time), so it is safe on any input; it does not
    check that the text is valid JSON.

    Parameters
    ----------
    data
        UTF-8 JSON text.

    Returns
    -------
    int
        0 for a scalar document, 1 for ``[]`` or ``{}``, and so on.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == ord('"'))
    backslashes = np.flatnonzero(raw == ord("\\"))
    if len(quotes) and len(backslashes):
        # Runs of consecutive backslashes; a quote right after an odd run is escaped.
        breaks = np.flatnonzero(np.diff(backslashes) != 1)
        run_starts = backslashes[np.concatenate(([0], breaks + 1))]
        run_ends = backslashes[np.concatenate((breaks, [len(backslashes) - 1]))] + 1
        escaping = run_ends[(run_ends - run_starts) % 2 == 1]
        quotes = quotes[~np.isin(quotes, escaping)]
    steps = _BRACKET_STEPS[raw]
    positions = np.flatnonzero(steps)
    positions = positions[np.searchsorted(quotes, positions) % 2 == 0]
    if len(positions) == 0:
        return 0
    return int(np.cumsum(steps[positions], dtype=np.int64).max())


def read_geojson(request: ReadRequest, fmt: ImportFormat) -> RawLayer:
    """Read a GeoJSON FeatureCollection, Feature or bare geometry.

    Parameters
    ----------
    request
        The checked upload.
    fmt
        Its format record (unused: GeoJSON has one layer).

    Returns
    -------
    RawLayer
        Attributes verbatim (object/list values as JSON text), geometries in the file's CRS
        (EPSG:4326 per RFC 7946 unless a legacy ``crs`` member names another).
    """
    name, limits = request.name, request.limits
    data = Path(request.path).read_bytes()
    depth = json_depth(data)
    if depth > limits.max_nesting_depth:
        reject(
            N_(
                "{name} nests its data too deeply: {depth} levels of brackets, over the limit of "
                "{limit}; flatten nested properties or geometry collections."
            ),
            name=name,
            depth=f"{depth:,}",
            limit=str(limits.max_nesting_depth),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        reject(
            N_("{name} is not valid JSON/GeoJSON (it is not UTF-8 text); save it as UTF-8."),
            name=name,
        )
    del data
    try:
        doc = json.loads(
            text, parse_constant=_reject_json_constant, object_pairs_hook=_unique_object
        )
    except json.JSONDecodeError as exc:
        reject(
            N_(
                "{name} is not valid JSON/GeoJSON ({error} at line {line}, column {column}; the "
                "file may be truncated), so export or download it again."
            ),
            name=name,
            error=Detail(exc.msg.lower().removesuffix(" at")),
            line=str(exc.lineno),
            column=str(exc.colno),
        )
    except _DuplicateKeyError as exc:
        reject(
            N_(
                "{name} has an object with the key {key} twice, and JSON would silently keep "
                "only the last value; remove the duplicate key."
            ),
            name=name,
            key=quoted(exc.key),
        )
    except ValueError as exc:
        reject(
            N_("{name} is not valid JSON/GeoJSON (it contains {value}); export it again."),
            name=name,
            value=Detail(str(exc)),
        )
    del text
    features = _features(doc, name)
    check_count(len(features), name, limits)
    builder = _GeometryBuilder(name, limits)
    slots: list[int | None] = []
    records: list[dict[str, object]] = []
    keys: set[str] = set()
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            reject(
                N_("{name} is not valid GeoJSON (item {number} is not a Feature); fix the file."),
                name=name,
                number=str(number),
            )
        geometry = feature.get("geometry")
        slots.append(None if geometry is None else builder.add(geometry, number))
        properties = feature.get("properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            reject(
                N_(
                    "{name} is not valid GeoJSON (feature {number} has properties that are not "
                    "an object); fix the file."
                ),
                name=name,
                number=str(number),
            )
        keys.update(properties)
        records.append(properties)
    check_columns(len(keys), name, limits)
    geometries = builder.build(slots)
    warnings: list[str] = []
    attributes = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    del records
    nested = nested_values_as_text(attributes)
    if nested:
        warnings.append(
            Phrase.make(
                N_(
                    "{name} has {n} property value that is an object or list; it was kept as "
                    "JSON text."
                )
                if nested == 1
                else N_(
                    "{name} has {n} property values that are objects or lists; they were kept as "
                    "JSON text."
                ),
                name=name,
                n=f"{nested:,}",
            )
        )
    attributes.index = pd.RangeIndex(len(geometries))
    crs, crs_warnings = _crs(doc, name)
    return RawLayer(
        attributes=attributes,
        geometries=geometries,
        crs=crs,
        layer=None,
        warnings=(*crs_warnings, *warnings),
    )


def _features(doc: object, name: str) -> list[object]:
    """The feature list of a FeatureCollection, Feature or bare geometry."""
    if not isinstance(doc, dict):
        doc = {}
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            reject(
                N_("{name} is not valid GeoJSON (its 'features' member is not a list); fix it."),
                name=name,
            )
        return features
    if kind == "Feature":
        return [doc]
    if kind in GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    reject(
        N_(
            '{name} is valid JSON but not GeoJSON (it has no "type": "FeatureCollection", '
            '"Feature" or geometry type); export the layer as GeoJSON.'
        ),
        name=name,
    )


def _crs(doc: dict, name: str) -> tuple[pyproj.CRS, tuple[str, ...]]:
    """EPSG:4326 per RFC 7946, unless a legacy (2008) ``crs`` member names another CRS."""
    member = doc.get("crs")
    if member is None:
        return pyproj.CRS.from_user_input(WGS84), ()
    properties = member.get("properties") if isinstance(member, dict) else None
    crs_name = properties.get("name") if isinstance(properties, dict) else None
    shown = str(crs_name if crs_name is not None else member)[:60]
    if not isinstance(crs_name, str) or not _CRS_NAME.match(crs_name.strip()):
        reject(
            N_(
                "{name} has a 'crs' member that does not name a CRS by code ({value}); remove the "
                "member if the coordinates are lon/lat, or export the file in EPSG:4326."
            ),
            name=name,
            value=repr(shown),
        )
    try:
        crs = pyproj.CRS.from_user_input(crs_name.strip())
    except pyproj.exceptions.CRSError:
        reject(
            N_(
                "{name} has a 'crs' member naming an unknown CRS ({value}); remove the member if "
                "the coordinates are lon/lat, or export the file in EPSG:4326."
            ),
            name=name,
            value=repr(shown),
        )
    warning = Phrase.make(
        N_(
            "{name} uses the obsolete GeoJSON 'crs' member (removed by RFC 7946); its "
            "coordinates were read as {crs}."
        ),
        name=name,
        crs=crs_label(crs),
    )
    return crs, (warning,)


# --------------------------------------------------------------------------- geometry builder


@dataclass
class _Group:
    """Geometries of one simple type and dimension, gathered as flat positions and counts."""

    slots: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    positions: list[list[float]] = field(default_factory=list)
    vertices: list[int] = field(default_factory=list)
    # counts[level][i]: members of the i-th container at that level, outermost level first.
    counts: tuple[list[int], ...] = ()


class _GeometryBuilder:
    """Check GeoJSON geometry objects one by one, then build them all in bulk."""

    def __init__(self, name: str, limits: ImportLimits) -> None:
        self.name = name
        self.limits = limits
        self.slot_count = 0
        self.total_vertices = 0
        self.groups: dict[tuple[str, int], _Group] = {}
        self.empties: list[tuple[int, str]] = []
        self.collections: list[tuple[int, list[int]]] = []

    def _malformed(self, number: int, reason: Phrase) -> NoReturn:
        reject(
            N_(
                "{name} has a malformed geometry in feature {number} ({reason}); fix or delete "
                "that feature."
            ),
            name=self.name,
            number=str(number),
            reason=reason,
        )

    def add(self, geometry: object, number: int) -> int:
        """Check one geometry object of feature ``number`` and return its slot."""
        if not isinstance(geometry, dict):
            self._malformed(number, Phrase.make(N_("not a GeoJSON geometry object")))
        kind = geometry.get("type")
        slot = self.slot_count
        self.slot_count += 1
        if kind == "GeometryCollection":
            members = geometry.get("geometries")
            if not isinstance(members, list):
                self._malformed(
                    number, Phrase.make(N_("a GeometryCollection without a 'geometries' list"))
                )
            self.collections.append((slot, [self.add(m, number) for m in members]))
            return slot
        if not isinstance(kind, str) or kind not in _COORDINATE_LEVELS:
            self._malformed(number, Phrase.make(N_("not a GeoJSON geometry object")))
        coordinates = geometry.get("coordinates")
        if not isinstance(coordinates, list):
            self._malformed(
                number, Phrase.make(N_("a {kind} without a 'coordinates' list"), kind=kind)
            )
        counts, positions = self._flatten(kind, coordinates, number)
        if not positions:
            self.empties.append((slot, kind))
            return slot
        self._count(len(positions), number)
        dimension, mixed = self._check_positions(positions, number)
        if mixed:
            positions = [p[:2] for p in positions]
        group = self.groups.get((kind, dimension))
        if group is None:
            group = _Group(counts=tuple([] for _ in counts))
            self.groups[(kind, dimension)] = group
        group.slots.append(slot)
        group.numbers.append(number)
        group.positions.extend(positions)
        group.vertices.append(len(positions))
        for level, level_counts in zip(group.counts, counts, strict=True):
            level.extend(level_counts)
        return slot

    def _flatten(
        self, kind: str, coordinates: list, number: int
    ) -> tuple[list[list[int]], list[list[float]]]:
        """Per-level member counts (outermost first) and the positions of one geometry."""
        if kind == "Point":
            return [], [coordinates] if coordinates else []
        if kind in ("LineString", "MultiPoint"):
            if kind == "LineString" and len(coordinates) == 1:
                self._malformed(number, Phrase.make(N_("a line with a single position")))
            return [[len(coordinates)]], coordinates
        if kind == "MultiLineString":
            lines = [self._line(line, number) for line in self._lists(coordinates, number)]
            lines = [line for line in lines if line]
            return [[len(lines)], [len(line) for line in lines]], list(chain.from_iterable(lines))
        if kind == "Polygon":
            rings = [self._ring(ring, number) for ring in self._lists(coordinates, number)]
            return [[len(rings)], [len(r) for r in rings]], list(chain.from_iterable(rings))
        polygons = [
            [self._ring(ring, number) for ring in self._lists(polygon, number)]
            for polygon in self._lists(coordinates, number)
        ]
        polygons = [rings for rings in polygons if rings]
        rings = list(chain.from_iterable(polygons))
        return (
            [[len(polygons)], [len(p) for p in polygons], [len(r) for r in rings]],
            list(chain.from_iterable(rings)),
        )

    def _lists(self, members: list, number: int) -> list[list]:
        if not set(map(type, members)) <= _LIST_TYPE:
            self._malformed(
                number, Phrase.make(N_("coordinates nested the wrong way for its type"))
            )
        return members

    def _line(self, line: list, number: int) -> list:
        if type(line) is not list or len(line) == 1:
            self._malformed(number, Phrase.make(N_("a line needs at least 2 positions")))
        return line

    def _ring(self, ring: list, number: int) -> list:
        if type(ring) is not list or not ring:
            self._malformed(number, Phrase.make(N_("a polygon ring needs at least 4 positions")))
        if ring[0] != ring[-1]:
            ring = [*ring, ring[0]]
        if len(ring) < 4:
            self._malformed(number, Phrase.make(N_("a polygon ring needs at least 4 positions")))
        return ring

    def _check_positions(self, positions: list, number: int) -> tuple[int, bool]:
        """Refuse positions that are not lists of 2 or 3 numbers.

        Returns
        -------
        tuple of (int, bool)
            The dimension (3 only when every position has a z), and whether 2 and 3 mix.
        """
        if not set(map(type, positions)) <= _LIST_TYPE:
            self._malformed(number, Phrase.make(N_("a position is not a list of numbers")))
        lengths = set(map(len, positions))
        if not lengths <= {2, 3}:
            self._malformed(
                number,
                Phrase.make(
                    N_(
                        "a position needs 2 or 3 numbers: lon, lat and an optional height; drop "
                        "M (measure) values, e.g. with ogr2ogr -dim XYZ"
                    )
                ),
            )
        if not set(map(type, chain.from_iterable(positions))) <= _NUMBER_TYPES:
            self._malformed(
                number, Phrase.make(N_("a coordinate is text, true/false or null, not a number"))
            )
        return (3 if lengths == {3} else 2), len(lengths) > 1

    def _count(self, vertices: int, number: int) -> None:
        limits = self.limits
        if vertices > limits.max_vertices_per_geometry:
            reject(
                VERTICES_PER_GEOMETRY,
                name=self.name,
                vertices=f"{vertices:,}",
                number=str(number),
                limit=f"{limits.max_vertices_per_geometry:,}",
            )
        self.total_vertices += vertices
        if self.total_vertices > limits.max_vertices:
            reject(
                N_(
                    "{name} has more than {limit} vertices, over the limit per file; simplify "
                    "the geometries in a GIS or split the file."
                ),
                name=self.name,
                limit=f"{limits.max_vertices:,}",
            )

    def build(self, slots: list[int | None]) -> np.ndarray:
        """Shapely geometries (or ``None``) for the features' top-level ``slots``."""
        built = np.empty(self.slot_count, dtype=object)
        for (kind, _), group in self.groups.items():
            built[group.slots] = self._build_group(kind, group)
        for slot, kind in self.empties:
            built[slot] = shapely.from_wkt(f"{kind.upper()} EMPTY")
        for slot, members in self.collections:
            built[slot] = shapely.GeometryCollection(list(built[members]))
        out = np.empty(len(slots), dtype=object)
        for row, top in enumerate(slots):
            out[row] = None if top is None else built[top]
        return out

    def _build_group(self, kind: str, group: _Group) -> np.ndarray:
        try:
            coords = np.array(group.positions, dtype=float)
            bad = np.flatnonzero(~np.isfinite(coords).all(axis=1))
        except OverflowError:  # an integer beyond the float range
            bad = np.array([next(i for i, p in enumerate(group.positions) if _too_large(p))])
        if len(bad):
            which = int(np.searchsorted(np.cumsum(group.vertices), bad[0], side="right"))
            self._malformed(
                group.numbers[which], Phrase.make(N_("a coordinate is too large or not finite"))
            )
        offsets = tuple(
            np.concatenate(([0], np.cumsum(level, dtype=np.int64))) for level in group.counts
        )
        geometry_type = _RAGGED_TYPES[kind]
        if kind == "Point":
            return shapely.from_ragged_array(geometry_type, coords)
        return shapely.from_ragged_array(geometry_type, coords, offsets[::-1])


def _too_large(position: list[float]) -> bool:
    """Whether a position holds a number that does not fit a float."""
    try:
        np.array(position, dtype=float)
    except OverflowError:
        return True
    return False


__all__ = ["GEOMETRY_TYPES", "json_depth", "read_geojson"]
