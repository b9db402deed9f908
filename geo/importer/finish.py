"""Common finishing of every format: names, budgets, collections, CRS, repair, validation.

Runs inside the import worker (:mod:`geo.importer.worker`). Each budget of
:class:`~geo.importer.limits.ImportLimits` is checked before the step whose cost it bounds:
attribute sizes and vertex counts before anything is reprojected or repaired, segment
crossings before a polygon is repaired.
"""

from __future__ import annotations

import json
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.importer.geometry_kinds import drop_measures
from geo.importer.limits import ImportLimits
from geo.importer.messages import (
    VERTICES_PER_GEOMETRY,
    crs_label,
    human_size,
    number,
    quoted,
    reject,
)
from geo.importer.records import RawLayer
from geo.importer.report import ImportReport
from geo.language import N_, Phrase
from geo.units.crs import WGS84, to_wgs84
from geo.units.validate import LINEAR, POLYGONAL, PUNTAL, validate_frame

#: Attribute names the atlas itself uses downstream (frame geometry, the page's layer column,
#: GeoPackage feature ids, export provenance, the CSV export's WKT column); compared ignoring
#: case. An imported attribute with one of these names is renamed on import.
RESERVED_NAMES = ("geometry", "layer", "fid", "source_ids", "wkt")
#: Longest attribute name kept as is, in characters.
MAX_NAME_CHARS = 255
#: Nesting (WKT parentheses) of each simple geometry type; a collection adds one level.
_TYPE_DEPTH = MappingProxyType(
    {
        "Point": 1,
        "LineString": 1,
        "LinearRing": 1,
        "Polygon": 2,
        "MultiPoint": 2,
        "MultiLineString": 2,
        "MultiPolygon": 3,
    }
)
#: Segments queried at a time when counting crossings (bounds the memory of one query).
_CROSSING_CHUNK = 256


def check_count(count: int, name: str, limits: ImportLimits) -> None:
    """Refuse more than ``limits.max_features`` features.

    Parameters
    ----------
    count
        Features found (or declared) in the file.
    name
        File name for the message.
    limits
        The budgets.
    """
    if count > limits.max_features:
        reject(
            N_(
                "{name} has more than {limit} features (found {count}); split the file or filter "
                "it to the area you need."
            ),
            name=name,
            limit=f"{limits.max_features:,}",
            count=f"{count:,}",
        )


def check_columns(count: int, name: str, limits: ImportLimits) -> None:
    """Refuse more than ``limits.max_attribute_columns`` attribute columns.

    Parameters
    ----------
    count
        Attribute columns found.
    name
        File name for the message.
    limits
        The budgets.
    """
    if count > limits.max_attribute_columns:
        reject(
            N_(
                "{name} has {count} attribute columns, over the limit of {limit}; keep only the "
                "columns you need."
            ),
            name=name,
            count=f"{count:,}",
            limit=f"{limits.max_attribute_columns:,}",
        )


def finish(
    raw: RawLayer, name: str, format_id: str, layer_kind: str, limits: ImportLimits
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Check budgets, normalise names and collections, reproject, repair, validate, report.

    Parameters
    ----------
    raw
        What the reader found.
    name
        File name for messages and the report.
    format_id
        The format's id, for the report.
    layer_kind
        What a layer of the format is called, for the report.
    limits
        The budgets.

    Returns
    -------
    tuple of (GeoDataFrame, ImportReport)
        Valid, non-empty features in EPSG:4326 with normalised attribute names, and the report.

    Raises
    ------
    ImportRejectedError
        With one sentence for every refusal.
    """
    warnings = list(raw.warnings)
    geoms = np.asarray(raw.geometries, dtype=object)
    features_read = len(geoms)
    if features_read == 0:
        reject(N_("{name} contains no features; export a layer that has features."), name=name)
    attributes = raw.attributes.reset_index(drop=True)
    check_columns(len(attributes.columns), name, limits)
    check_attribute_sizes(attributes, name, limits)
    check_geometry_budget(geoms, name, limits)
    attributes, renamed = normalise_names(attributes, name)
    warnings += renamed
    geoms, collection_notes = simplify_collections(geoms, name)
    warnings += collection_notes
    geoms, measure_notes = drop_measures(geoms, name)
    warnings += measure_notes

    usable = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    dropped = int((~usable).sum())
    if not usable.any():
        reject(
            N_(
                "{name} has no usable geometry (all {count} features have a null or empty "
                "geometry); export the layer with its geometry."
            ),
            name=name,
            count=f"{features_read:,}",
        )
    check_crs(raw.crs, name)
    gdf = gpd.GeoDataFrame(
        attributes[usable].reset_index(drop=True),
        geometry=gpd.GeoSeries(geoms[usable], crs=raw.crs),
    )
    source_crs = crs_label(raw.crs)
    reprojected = not raw.crs.equals(pyproj.CRS.from_user_input(WGS84), ignore_axis_order=True)
    gdf = to_wgs84(gdf, name=name)
    check_range(gdf, name, reprojected, source_crs)

    invalid = ~shapely.is_valid(gdf.geometry.to_numpy())
    repaired = int(invalid.sum())
    if repaired:
        geoms = gdf.geometry.to_numpy().copy()
        check_repair_budget(geoms, invalid, name, limits)
        geoms[invalid] = [repair(g) for g in geoms[invalid]]
        collapsed = shapely.is_empty(geoms)
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84))
        if collapsed.any():
            count = int(collapsed.sum())
            repaired -= count
            dropped += count
            warnings.append(
                Phrase.make(
                    N_("{n} invalid geometry collapsed to nothing when repaired and was dropped.")
                    if count == 1
                    else N_(
                        "{n} invalid geometries collapsed to nothing when repaired and were "
                        "dropped."
                    ),
                    n=f"{count:,}",
                )
            )
            gdf = gdf[~collapsed]
    if len(gdf) == 0:
        reject(
            N_("{name} has no usable geometry after repair; fix the geometries in a GIS."),
            name=name,
        )
    gdf = gdf.reset_index(drop=True)
    validate_frame(gdf, name=name, allow_empty=False)
    report = ImportReport(
        source_name=name,
        format=format_id,
        layer=raw.layer,
        features_read=features_read,
        features_kept=len(gdf),
        repaired=repaired,
        dropped_empty=dropped,
        source_crs=source_crs,
        reprojected=reprojected,
        warnings=tuple(warnings),
        layer_kind=layer_kind,
    )
    return gdf, report


# --------------------------------------------------------------------------- attributes


def _value_bytes(value: object) -> int:
    """UTF-8 size of a text value, length of a binary one, 0 for anything else."""
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    return 0


def check_attribute_sizes(attributes: pd.DataFrame, name: str, limits: ImportLimits) -> None:
    """Refuse a text/binary value over ``max_value_bytes`` or a file over ``max_attribute_bytes``.

    Sizes are UTF-8 bytes for text and lengths for binary values; numbers, dates and missing
    values count nothing.

    Parameters
    ----------
    attributes
        The attribute table as read.
    name
        File name for the message.
    limits
        The budgets.
    """
    total = 0
    for position, column in enumerate(attributes.columns):
        values = attributes.iloc[:, position]
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        cells = values.to_numpy(dtype=object)
        texts = [v for v in cells if isinstance(v, str)]
        blobs = [v for v in cells if isinstance(v, bytes | bytearray | memoryview)]
        # A character is at most 4 UTF-8 bytes: only values this long can be over the limit.
        longest = max(max(map(len, texts), default=0) * 4, max(map(len, blobs), default=0))
        if longest > limits.max_value_bytes:
            for row, value in enumerate(cells):
                size = _value_bytes(value)
                if size > limits.max_value_bytes:
                    reject(
                        N_(
                            "{name} has a {size} value in attribute {column} of feature "
                            "{number}, over the limit of {limit} per value; shorten it or drop "
                            "that attribute."
                        ),
                        name=name,
                        size=human_size(size),
                        column=quoted(column),
                        number=str(row + 1),
                        limit=human_size(limits.max_value_bytes),
                    )
        total += len("".join(texts).encode("utf-8", "surrogatepass"))
        total += sum(map(len, blobs))
    if total > limits.max_attribute_bytes:
        reject(
            N_(
                "{name} has {size} of attribute text, over the limit of {limit}; drop long text "
                "attributes or split the file."
            ),
            name=name,
            size=human_size(total),
            limit=human_size(limits.max_attribute_bytes),
        )


def normalise_names(attributes: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Make attribute names strings that are unique ignoring case and not reserved.

    A name used by the atlas itself (:data:`RESERVED_NAMES`), a repeat of an earlier name
    ignoring case, an empty name or one longer than :data:`MAX_NAME_CHARS` gets the suffix
    ``_1`` (``_2``…), choosing a name no other column has.

    Parameters
    ----------
    attributes
        The attribute table; its values are not changed.
    name
        File name for the report line.

    Returns
    -------
    tuple of (DataFrame, list of str)
        The table with new column names, and one report sentence when anything was renamed.
    """
    originals = [c if isinstance(c, str) else str(c) for c in attributes.columns]
    bases = [(c.strip() or "field")[:MAX_NAME_CHARS] for c in originals]
    keep: list[bool] = []
    taken: set[str] = set()
    for original, base in zip(originals, bases, strict=True):
        ok = base == original and base.lower() not in RESERVED_NAMES and base.lower() not in taken
        keep.append(ok)
        if ok:
            taken.add(base.lower())
    final: list[str] = []
    changes: list[str] = []
    for original, base, ok in zip(originals, bases, keep, strict=True):
        if ok:
            final.append(original)
            continue
        number = 1
        while f"{base}_{number}".lower() in taken:
            number += 1
        new = f"{base}_{number}"
        taken.add(new.lower())
        final.append(new)
        changes.append(f"{quoted(original)} → {quoted(new)}")
    renamed = attributes.copy(deep=False)
    renamed.columns = final
    if not changes:
        return renamed, []
    shown = ", ".join(changes[:5]) + (", …" if len(changes) > 5 else "")
    return renamed, [
        Phrase.make(
            N_(
                "{name}: renamed {count} so that names are unique ignoring case and clear of the "
                "atlas's own ({reserved}): {shown}."
            ),
            name=name,
            count=Phrase.make(
                N_("{n} attribute") if len(changes) == 1 else N_("{n} attributes"),
                n=f"{len(changes):,}",
            ),
            reserved=", ".join(RESERVED_NAMES),
            shown=shown,
        )
    ]


def nested_values_as_text(attributes: pd.DataFrame) -> int:
    """Replace object and list attribute values by their JSON text, in place.

    Every output (table, GeoPackage, CSV) needs scalar values; the text keeps the content.

    Parameters
    ----------
    attributes
        The attribute table (GeoJSON properties as parsed).

    Returns
    -------
    int
        How many values were replaced.
    """
    replaced = 0
    for position in range(attributes.shape[1]):
        values = attributes.iloc[:, position]
        if values.dtype != object:
            continue
        cells = values.to_numpy()
        if not set(map(type, cells)) & {dict, list}:
            continue
        nested = np.array([isinstance(v, dict | list) for v in cells], dtype=bool)
        text = cells.copy()
        text[nested] = [json.dumps(v, ensure_ascii=False) for v in cells[nested]]
        attributes.iloc[:, position] = text
        replaced += int(nested.sum())
    return replaced


# --------------------------------------------------------------------------- geometry budgets


def nesting_depth(geom: BaseGeometry) -> int:
    """Nesting of ``geom`` counted as the parentheses of its WKT (a Point is 1).

    Parameters
    ----------
    geom
        Any shapely geometry (collections are walked; their depth is bounded by the reader).

    Returns
    -------
    int
    """
    kind = geom.geom_type
    if kind != "GeometryCollection":
        return _TYPE_DEPTH[kind]
    return 1 + max((nesting_depth(part) for part in geom.geoms), default=0)


def check_geometry_budget(geoms: np.ndarray, name: str, limits: ImportLimits) -> None:
    """Refuse geometries over the vertex or nesting budgets before any geometry work.

    Parameters
    ----------
    geoms
        One geometry or ``None`` per feature.
    name
        File name for the message.
    limits
        The budgets.
    """
    counts = shapely.get_num_coordinates(geoms)
    if len(counts) and int(counts.max()) > limits.max_vertices_per_geometry:
        row = int(counts.argmax())
        reject(
            VERTICES_PER_GEOMETRY,
            name=name,
            vertices=f"{int(counts[row]):,}",
            number=str(row + 1),
            limit=f"{limits.max_vertices_per_geometry:,}",
        )
    total = int(counts.sum())
    if total > limits.max_vertices:
        reject(
            N_(
                "{name} has {count} vertices, over the limit of {limit} per file; simplify the "
                "geometries in a GIS or split the file."
            ),
            name=name,
            count=f"{total:,}",
            limit=f"{limits.max_vertices:,}",
        )
    collections = np.flatnonzero(
        shapely.get_type_id(geoms) == shapely.GeometryType.GEOMETRYCOLLECTION
    )
    for position in collections:
        row = int(position)
        depth = nesting_depth(geoms[row])
        if depth > limits.max_nesting_depth:
            reject(
                N_(
                    "{name} nests its data too deeply: feature {number} has geometry "
                    "collections {depth} levels deep, over the limit of {limit}; flatten the "
                    "collections in a GIS."
                ),
                name=name,
                number=str(row + 1),
                depth=str(depth),
                limit=str(limits.max_nesting_depth),
            )


def _simple_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The non-empty points, lines and polygons inside ``geom``, collections flattened."""
    out: list[BaseGeometry] = []
    for part in shapely.get_parts(geom):
        if part.is_empty:
            continue
        if part.geom_type == "LinearRing":
            out.append(shapely.LineString(part.coords))
        elif part.geom_type in ("Point", "LineString", "Polygon"):
            out.append(part)
        else:
            out.extend(_simple_parts(part))
    return out


def simplify_collections(geoms: np.ndarray, name: str) -> tuple[np.ndarray, list[str]]:
    """Turn each GeometryCollection into the parts of its highest dimension.

    A map layer draws one kind of geometry per feature and downstream steps (bounds, display,
    export) expect points, lines or polygons: a collection of polygons becomes a
    (Multi)Polygon, and a collection mixing dimensions keeps its polygons (else its lines)
    and reports the parts dropped.

    Parameters
    ----------
    geoms
        One geometry or ``None`` per feature.
    name
        File name for the report.

    Returns
    -------
    tuple of (numpy.ndarray, list of str)
        The geometries (a new array when anything changed) and report sentences.
    """
    rows = np.flatnonzero(shapely.get_type_id(geoms) == shapely.GeometryType.GEOMETRYCOLLECTION)
    if len(rows) == 0:
        return geoms, []
    geoms = geoms.copy()
    converted = mixed = 0
    for row in rows:
        parts = _simple_parts(geoms[row])
        if not parts:
            continue
        converted += 1
        family = next(
            f for f in (POLYGONAL, LINEAR, PUNTAL) if any(p.geom_type in f for p in parts)
        )
        kept = [p for p in parts if p.geom_type in family]
        if len(kept) < len(parts):
            mixed += 1
        geoms[row] = _combine(kept, family)
    notes: list[str] = [
        Phrase.make(
            N_("{name} has {count}; each was read as its points, lines or polygons."),
            name=name,
            count=Phrase.make(
                N_("{n} GeometryCollection feature")
                if converted == 1
                else N_("{n} GeometryCollection features"),
                n=f"{converted:,}",
            ),
        )
    ]
    if mixed:
        notes.append(
            Phrase.make(
                N_(
                    "{count} mixed polygons, lines or points and kept only the parts of the "
                    "highest dimension (a map layer draws one kind per feature); split such "
                    "features by type in a GIS to keep every part."
                ),
                count=Phrase.make(
                    N_("{n} collection") if mixed == 1 else N_("{n} collections"),
                    n=f"{mixed:,}",
                ),
            )
        )
    return geoms, notes


def _combine(parts: list[BaseGeometry], family: frozenset[str]) -> BaseGeometry:
    """One geometry of ``family`` from its simple parts (a single part stays single)."""
    if len(parts) == 1:
        return parts[0]
    if family is POLYGONAL:
        return shapely.MultiPolygon(parts)
    if family is LINEAR:
        return shapely.MultiLineString(parts)
    return shapely.MultiPoint(parts)


# --------------------------------------------------------------------------- CRS and range


def check_crs(crs: pyproj.CRS, name: str) -> None:
    """Refuse CRSs whose coordinates cannot be placed on a lon/lat map of the Earth.

    A geocentric CRS such as EPSG:4978 holds x/y/z metres from the Earth's centre: read as a
    map CRS its points land near a pole. Engineering CRSs have no place on the Earth at all.

    Parameters
    ----------
    crs
        The file's CRS.
    name
        File name for the message.
    """
    label = crs_label(crs)
    if crs.is_geocentric:
        reject(
            N_(
                "{name} uses the geocentric CRS {crs} (x/y/z in metres from the Earth's centre), "
                "which a map cannot show; export it in EPSG:4326 or a projected CRS."
            ),
            name=name,
            crs=label,
        )
    if not (crs.is_geographic or crs.is_projected or crs.is_compound):
        reject(
            N_(
                "{name} uses the CRS {crs}, which does not place coordinates on the Earth; "
                "export it in EPSG:4326 or a projected CRS."
            ),
            name=name,
            crs=label,
        )
    ellipsoid = crs.ellipsoid
    if ellipsoid is not None and not 6.3e6 <= ellipsoid.semi_major_metre <= 6.4e6:
        reject(
            N_(
                "{name} uses the CRS {crs}, whose ellipsoid ({ellipsoid}) is not the Earth's; "
                "export it in EPSG:4326."
            ),
            name=name,
            crs=label,
            ellipsoid=str(ellipsoid.name),
        )


def check_range(gdf: gpd.GeoDataFrame, name: str, reprojected: bool, source_crs: str) -> None:
    """Refuse coordinates that are not finite lon/lat degrees after reprojection.

    Parameters
    ----------
    gdf
        Features in EPSG:4326.
    name
        File name for the message.
    reprojected
        Whether the coordinates were transformed (changes the advice).
    source_crs
        The file's CRS label.
    """
    coords = shapely.get_coordinates(gdf.geometry.to_numpy())
    if len(coords) == 0:
        return
    finite = np.isfinite(coords).all()
    lon_ok = finite and bool((np.abs(coords[:, 0]) <= 180.0).all())
    lat_ok = finite and bool((np.abs(coords[:, 1]) <= 90.0).all())
    if lon_ok and lat_ok:
        return
    if not finite:
        detail = Phrase.make(N_("some coordinates could not be placed on the globe"))
    else:
        x_max = float(np.abs(coords[:, 0]).max())
        y_max = float(np.abs(coords[:, 1]).max())
        detail = Phrase.make(N_("|x| up to {x}, |y| up to {y}"), x=number(x_max), y=number(y_max))
    if reprojected:
        fix = Phrase.make(
            N_("check that {crs} is really the CRS of the data and export it again"),
            crs=source_crs,
        )
    else:
        fix = Phrase.make(
            N_(
                "export it as lon/lat in EPSG:4326 (WGS84), or as a GeoPackage/Shapefile with "
                "its CRS; in a CSV check that lon and lat are not swapped"
            )
        )
    reject(
        N_(
            "{name} has coordinates outside lon -180…180 / lat -90…90 ({detail}), so they look "
            "projected rather than lon/lat degrees; {fix}."
        ),
        name=name,
        detail=detail,
        fix=fix,
    )


# --------------------------------------------------------------------------- repair


def count_crossings(geom: BaseGeometry, stop_after: int) -> int:
    """Pairs of non-adjacent boundary segments of ``geom`` that touch or cross.

    The cost of repairing a self-intersecting polygon grows with this number (300 random
    vertices give about 9,000 crossings), so it is counted first, with a spatial index, and
    counting stops as soon as ``stop_after`` is exceeded.

    Parameters
    ----------
    geom
        A polygon or multipolygon (any CRS).
    stop_after
        Counting stops once the count exceeds this.

    Returns
    -------
    int
        The count, or a number above ``stop_after`` when counting stopped early.
    """
    rings = shapely.get_rings(shapely.get_parts(geom))
    starts, ends, ring_ids = [], [], []
    for ring_id, ring in enumerate(rings):
        coords = shapely.get_coordinates(ring)
        if len(coords) < 2:
            continue
        starts.append(coords[:-1])
        ends.append(coords[1:])
        ring_ids.append(np.full(len(coords) - 1, ring_id))
    if not starts:
        return 0
    segments = shapely.linestrings(np.stack([np.concatenate(starts), np.concatenate(ends)], axis=1))
    ring_of = np.concatenate(ring_ids)
    position = np.concatenate([np.arange(len(s)) for s in starts])
    ring_length = np.bincount(ring_of)[ring_of]
    tree = shapely.STRtree(segments)
    found = 0
    for start in range(0, len(segments), _CROSSING_CHUNK):
        a, b = tree.query(segments[start : start + _CROSSING_CHUNK], predicate="intersects")
        a = a + start
        later = b > a
        same_ring = ring_of[a] == ring_of[b]
        gap = np.abs(position[a] - position[b])
        adjacent = same_ring & ((gap == 1) | (gap == ring_length[a] - 1))
        found += int((later & ~adjacent).sum())
        if found > stop_after:
            break
    return found


def check_repair_budget(
    geoms: np.ndarray, invalid: np.ndarray, name: str, limits: ImportLimits
) -> None:
    """Refuse invalid polygons whose repair would cost more than the crossing budgets allow.

    Parameters
    ----------
    geoms
        The features' geometries (EPSG:4326).
    invalid
        Mask of the geometries to repair.
    name
        File name for the message.
    limits
        The budgets.
    """
    total = 0
    for row in np.flatnonzero(invalid):
        geom = geoms[row]
        if geom.geom_type not in POLYGONAL:
            continue
        crossings = count_crossings(geom, limits.max_repair_crossings_per_geometry)
        if crossings > limits.max_repair_crossings_per_geometry:
            reject(
                N_(
                    "{name} has a self-intersecting polygon in feature {number} with more than "
                    "{limit} crossing edges, over the repair limit; fix that polygon in a GIS "
                    "(QGIS: 'Fix geometries') or delete it."
                ),
                name=name,
                number=str(row + 1),
                limit=f"{limits.max_repair_crossings_per_geometry:,}",
            )
        total += crossings
        if total > limits.max_repair_crossings:
            reject(
                N_(
                    "{name} has invalid polygons with more than {limit} crossing edges in all, "
                    "over the repair limit per file; fix them in a GIS (QGIS: 'Fix geometries') "
                    "and import again."
                ),
                name=name,
                limit=f"{limits.max_repair_crossings:,}",
            )


def _family(geom: BaseGeometry) -> frozenset[str] | None:
    """The geometry type family of ``geom`` (``None`` for a GeometryCollection: keep all)."""
    for family in (POLYGONAL, LINEAR, PUNTAL):
        if geom.geom_type in family:
            return family
    return None


def repair(geom: BaseGeometry) -> BaseGeometry:
    """Make ``geom`` valid, keeping only the parts of its own type family (may be empty).

    Polygons are repaired with GEOS's "structure" method (union of the shells minus the
    holes), which keeps the area a person drew and costs a fraction of the "linework" method
    on rings that cross themselves many times.

    Parameters
    ----------
    geom
        An invalid geometry.

    Returns
    -------
    BaseGeometry
        A valid geometry of the same family, or an empty collection when nothing is left.
    """
    family = _family(geom)
    if family is POLYGONAL:
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    else:
        fixed = shapely.make_valid(geom)
    if family is None:
        return fixed
    parts = [p for p in shapely.get_parts(fixed) if p.geom_type in family]
    flat = [q for p in parts for q in shapely.get_parts(p)]
    if not flat:
        return shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
    if len(flat) == 1 and not geom.geom_type.startswith("Multi"):
        return flat[0]
    if family is POLYGONAL:
        return shapely.MultiPolygon(flat)
    if family is LINEAR:
        return shapely.MultiLineString(flat)
    return shapely.MultiPoint(flat)
