"""Export exactly what the map shows: GeoJSON, GeoPackage, CSV, HTML, PNG and PDF.

The same functions serve the Streamlit page and the analyst CLI (``python -m layers``).

Conventions shared by every format:

* Coordinates are EPSG:4326 lon/lat degrees (RFC 7946), rounded to 6 decimals (about 0.1 m),
  polygon exterior rings counter-clockwise and holes clockwise (right-hand rule).
* Attributes are the layer frame's own columns, exported verbatim (not the escaped display
  strings of the map); missing values become null, dates ISO 8601 text.
* Every feature carries ``source_ids`` (``;``-separated ids of ``data/sources.csv``). Features
  of a user's imported layer carry :data:`USER_SOURCE_ID` (``"user-import"``); the metadata
  record names the imported file(s). A user column that collides with a column the export adds
  (:data:`RESERVED_COLUMNS`) is kept under the name ``<name>_user``.
* A metadata record (:func:`export_metadata`) travels with the data: the GeoJSON foreign
  member ``"metadata"``, the GeoPackage table ``atlas_metadata``, the HTML/PNG/PDF captions.
  The CSV stays a plain table; its provenance is the ``source_ids`` column.
"""

from __future__ import annotations

import io
import json
import math
import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from branca.element import Element
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84, to_wgs84
from geo.errors import ExportError
from layers import GENERATOR, __version__
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.drawing.offline import inline_leaflet
from layers.drawing.render import SAFETY_LINE, build_map
from layers.safe_text import html_text, script_json

FORMATS: tuple[str, ...] = ("geojson", "gpkg", "csv", "html", "png", "pdf")
MEDIA_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
    "html": "text/html",
    "png": "image/png",
    "pdf": "application/pdf",
}
#: Decimal places of exported coordinates (1e-6 degree is about 0.1 m).
COORD_DECIMALS = 6
#: ``source_ids`` value of every feature of a user's imported layer.
USER_SOURCE_ID = "user-import"
#: Columns the export adds; a user column of the same name is renamed ``<name>_user``.
RESERVED_COLUMNS = ("layer", "source_ids", "wkt", "fid")
CRS_LABEL = "EPSG:4326 (RFC 7946)"
METADATA_TABLE = "atlas_metadata"
#: Above this many layers a file name says ``<n>-layers`` instead of listing the ids.
MAX_IDS_IN_FILENAME = 3


# --------------------------------------------------------------------------- preparation


def _split_ids(value: object) -> list[str]:
    """Ids of a ``;``-separated ``source_ids`` value (missing → none)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _free_name(name: str, taken: set[str]) -> str:
    candidate = f"{name}_user"
    while candidate in taken:
        candidate += "_"
    return candidate


def export_geometry(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Round coordinates to :data:`COORD_DECIMALS` and orient rings by the right-hand rule.

    Parameters
    ----------
    geoms
        Geometries in EPSG:4326 (lon/lat degrees); ``None`` is kept.

    Returns
    -------
    numpy.ndarray
        Geometries whose polygon exterior rings run counter-clockwise and holes clockwise
        (RFC 7946 §3.1.6). Coordinates are rounded one by one, without snapping topology,
        so no feature disappears; a ring shorter than 0.1 m could in principle degenerate.
    """
    values = np.asarray(geoms, dtype=object)
    rounded = shapely.transform(values, lambda xy: np.round(xy, COORD_DECIMALS))
    return np.asarray(shapely.orient_polygons(rounded, exterior_cw=False), dtype=object)


def _prepared(layer: MapLayer) -> gpd.GeoDataFrame:
    """The layer's frame as exported: EPSG:4326, RFC 7946 geometry, ``source_ids`` filled."""
    frame = to_wgs84(layer.frame, name=layer.spec.title)
    geometry_name = frame.geometry.name
    attributes = pd.DataFrame(frame.drop(columns=geometry_name)).copy()
    if layer.spec.user:
        taken = {str(c) for c in attributes.columns}
        renames = {
            c: _free_name(str(c), taken) for c in attributes.columns if c in RESERVED_COLUMNS
        }
        attributes = attributes.rename(columns=renames)
        attributes["source_ids"] = USER_SOURCE_ID
    elif "source_ids" not in attributes.columns:
        attributes["source_ids"] = ";".join(layer.spec.source_ids)
    else:
        fallback = ";".join(layer.spec.source_ids)
        attributes["source_ids"] = [
            ";".join(_split_ids(v)) or fallback for v in attributes["source_ids"]
        ]
    attributes.columns = [str(c) for c in attributes.columns]
    geometry = gpd.GeoSeries(export_geometry(frame.geometry.values), index=frame.index, crs=WGS84)
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=WGS84)


def _plain_value(value: object) -> Any:
    """A JSON-ready Python value: NaN/NaT/None → None, numpy scalars → Python, dates → ISO."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | datetime | date):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, BaseGeometry):
        return value.wkt
    if isinstance(value, bytes):
        return value.hex()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    return [
        {column: _plain_value(value) for column, value in zip(table.columns, row, strict=True)}
        for row in table.itertuples(index=False, name=None)
    ]


def _check_layers(layers: Sequence[MapLayer]) -> None:
    if not layers:
        raise ExportError("nothing to export: no layer is shown; switch at least one layer on")


# ------------------------------------------------------------------------------ metadata


def _source_entry(sources: pd.DataFrame, source_id: str) -> dict[str, Any]:
    match = sources.loc[sources["source_id"] == source_id]
    if match.empty:
        return {
            "source_id": source_id,
            "title": None,
            "publisher": None,
            "url": None,
            "licence": None,
            "note": "not listed in data/sources.csv",
        }
    row = match.iloc[0]
    return {
        key: _plain_value(row.get(key)) if key in row else None
        for key in ("source_id", "title", "publisher", "url", "licence")
    }


def export_metadata(
    layers: Sequence[MapLayer], params: ViewParams | None, sources: pd.DataFrame
) -> dict[str, Any]:
    """The provenance record that travels with every export.

    Parameters
    ----------
    layers
        The shown layers, in drawing order.
    params
        The view (date and belt depth); ``None`` when the export does not depend on one.
    sources
        ``data/sources.csv`` (``AtlasBase.facts.sources``): ``source_id,title,publisher,url,...``.

    Returns
    -------
    dict
        JSON-ready: ``generator`` (name, version), ``generated_at`` (UTC ISO 8601), ``as_of``
        (ISO date or null), ``belt_km`` (km or null), ``crs``, ``layers`` (id, title, licence,
        feature_count, source_ids, user) and ``sources`` (source_id, title, publisher, url,
        licence) — only the sources the layers or their features actually reference. A user's
        layer is cited as :data:`USER_SOURCE_ID` with the layer titles (file names).
    """
    layer_records = []
    used: list[str] = []
    user_titles: list[str] = []
    for layer in layers:
        if layer.spec.user:
            ids = [USER_SOURCE_ID]
            user_titles.append(layer.spec.title)
        else:
            ids = list(layer.spec.source_ids)
            if "source_ids" in layer.frame.columns:
                for value in pd.unique(layer.frame["source_ids"].astype(object)):
                    ids.extend(_split_ids(value))
        ids = list(dict.fromkeys(ids))
        used.extend(ids)
        layer_records.append(
            {
                "id": layer.spec.id,
                "title": layer.spec.title,
                "licence": layer.spec.licence,
                "feature_count": len(layer.frame),
                "source_ids": ids,
                "user": layer.spec.user,
            }
        )
    source_records = []
    for source_id in dict.fromkeys(used):
        if source_id == USER_SOURCE_ID:
            source_records.append(
                {
                    "source_id": USER_SOURCE_ID,
                    "title": "Imported by the user: " + ", ".join(user_titles),
                    "publisher": "the user",
                    "url": None,
                    "licence": "The user's own data",
                }
            )
        else:
            source_records.append(_source_entry(sources, source_id))
    return {
        "generator": {"name": GENERATOR, "version": __version__},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "as_of": params.as_of.isoformat() if params else None,
        "belt_km": float(params.belt_km) if params else None,
        "crs": CRS_LABEL,
        "layers": layer_records,
        "sources": source_records,
    }


# ------------------------------------------------------------------------------- formats


def _geometry_json(geometry: BaseGeometry | None) -> str:
    """GeoJSON text of one geometry with shortest-repr coordinates.

    ``shapely.to_geojson`` (GEOS) prints 17 significant digits, so 50.53247 would come out as
    50.532470000000004; Python's float repr keeps the rounded 6 decimals.
    """
    if geometry is None:
        return "null"
    return json.dumps(mapping(geometry), separators=(",", ":"))


def _feature_collection(
    layers: Sequence[MapLayer], metadata: dict[str, Any]
) -> tuple[list[str], str]:
    """GeoJSON text of the features and of the collection's foreign ``metadata`` member."""
    features = []
    for layer in layers:
        frame = _prepared(layer)
        for props, geometry in zip(_records(frame), frame.geometry.values, strict=True):
            properties = json.dumps({"layer": layer.spec.id, **props}, ensure_ascii=False)
            geometry_text = _geometry_json(geometry)
            features.append(
                f'{{"type":"Feature","properties":{properties},"geometry":{geometry_text}}}'
            )
    return features, json.dumps(metadata, ensure_ascii=False)


def _collection_bytes(layers: Sequence[MapLayer], metadata: dict[str, Any]) -> bytes:
    features, meta = _feature_collection(layers, metadata)
    text = (
        '{"type":"FeatureCollection","metadata":'
        + meta
        + ',"features":[\n'
        + ",\n".join(features)
        + "\n]}\n"
    )
    return text.encode("utf-8")


def to_geojson(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    *,
    per_layer: bool = False,
) -> bytes:
    """The shown layers as RFC 7946 GeoJSON.

    Parameters
    ----------
    layers
        The shown layers.
    params
        The view (date, belt depth) recorded in the metadata.
    sources
        ``data/sources.csv``.
    per_layer
        ``False``: one FeatureCollection holding every layer, each feature with a ``layer``
        property. ``True``: a ZIP archive with one ``<layer id>.geojson`` per layer.

    Returns
    -------
    bytes
        UTF-8 GeoJSON (or a ZIP of GeoJSON files): lon/lat WGS84, counter-clockwise exterior
        rings, ≤ 6 decimals, no ``crs`` member, the :func:`export_metadata` record as the
        collection's foreign member ``"metadata"``.
    """
    _check_layers(layers)
    if not per_layer:
        return _collection_bytes(layers, export_metadata(layers, params, sources))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for layer in layers:
            metadata = export_metadata([layer], params, sources)
            archive.writestr(f"{layer.spec.id}.geojson", _collection_bytes([layer], metadata))
    return buffer.getvalue()


def table_name(layer_id: str) -> str:
    """GeoPackage table name of a layer: the id with ``-`` replaced by ``_``."""
    return re.sub(r"[^0-9A-Za-z_]", "_", layer_id.replace("-", "_"))


def _gpkg_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make object columns writable by GDAL: text stays text, other objects become text."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
            values = [_plain_value(v) for v in series.astype(object)]
            kinds = {type(v) for v in values if v is not None}
            if kinds and not kinds <= {str}:
                values = [None if v is None else str(v) for v in values]
            out[column] = pd.Series(values, index=out.index, dtype=object)
    return out


def metadata_rows(metadata: dict[str, Any]) -> pd.DataFrame:
    """The metadata record as ``key``/``value`` text rows (nested values as JSON)."""
    rows = [
        {
            "key": key,
            "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
        }
        for key, value in metadata.items()
    ]
    return pd.DataFrame(rows, columns=["key", "value"])


def to_geopackage(
    layers: Sequence[MapLayer], params: ViewParams | None, sources: pd.DataFrame
) -> bytes:
    """The shown layers as a GeoPackage: one table per layer plus ``atlas_metadata``.

    Parameters
    ----------
    layers
        The shown layers.
    params
        The view recorded in the metadata.
    sources
        ``data/sources.csv``.

    Returns
    -------
    bytes
        A GeoPackage (EPSG:4326) with one table per layer named by :func:`table_name`, and
        the non-spatial table ``atlas_metadata`` (``key``, ``value``; nested values as JSON).
        A layer mixing single and multi geometries is stored as multi (GDAL's default).
    """
    _check_layers(layers)
    metadata = export_metadata(layers, params, sources)
    with tempfile.TemporaryDirectory(prefix="atlas-export-") as folder:
        path = Path(folder) / "export.gpkg"
        for layer in layers:
            frame = _gpkg_frame(_prepared(layer))
            pyogrio.write_dataframe(frame, path, layer=table_name(layer.spec.id), driver="GPKG")
        pyogrio.write_dataframe(metadata_rows(metadata), path, layer=METADATA_TABLE)
        return path.read_bytes()


def to_csv(layers: Sequence[MapLayer], params: ViewParams | None, sources: pd.DataFrame) -> bytes:
    """The shown layers as one plain UTF-8 CSV table.

    Parameters
    ----------
    layers
        The shown layers.
    params
        Unused by the table itself (kept for a uniform signature); the metadata record is
        in the GeoJSON and GeoPackage exports.
    sources
        Unused, see ``params``.

    Returns
    -------
    bytes
        UTF-8 without BOM, CRLF line ends (RFC 4180; a field holding a line break is
        quoted); header ``layer``, the union of the layers' attribute columns (in
        first-seen order), ``source_ids``, ``wkt`` (EPSG:4326 lon/lat, 6 decimals). An empty
        cell is a missing value or an empty string (CSV cannot tell them apart).
    """
    del params, sources
    _check_layers(layers)
    tables = []
    for layer in layers:
        frame = _prepared(layer)
        table = pd.DataFrame(_records(frame), columns=frame.columns.drop(frame.geometry.name))
        table = table.astype(object)
        table.insert(0, "layer", layer.spec.id)
        table["wkt"] = shapely.to_wkt(
            frame.geometry.values, rounding_precision=COORD_DECIMALS, trim=True
        )
        tables.append(table)
    combined = pd.concat(tables, ignore_index=True, sort=False).astype(object)
    ordered = ["layer", *[c for c in combined.columns if c not in ("layer", "source_ids", "wkt")]]
    combined = combined[[*ordered, "source_ids", "wkt"]]
    combined = combined.where(combined.notna(), None)
    return combined.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def sources_line(metadata: dict[str, Any]) -> str:
    """The cited sources as ``licence: id, id; licence: id…`` (grouped to stay short).

    Parameters
    ----------
    metadata
        A record from :func:`export_metadata`.

    Returns
    -------
    str
        One line of text (not escaped).
    """
    by_licence: dict[str, list[str]] = {}
    for source in metadata["sources"]:
        licence = source.get("licence") or "licence not recorded"
        by_licence.setdefault(str(licence), []).append(str(source["source_id"]))
    return "; ".join(f"{licence}: {', '.join(ids)}" for licence, ids in by_licence.items())


_TITLE_SLOT = "<!--atlas-title-->"
_CAPTION_SLOT = "<!--atlas-caption-->"


def _caption_html(layers: Sequence[MapLayer], metadata: dict[str, Any]) -> str:
    as_of = metadata["as_of"] or "—"
    belt = metadata["belt_km"]
    titles = ", ".join(html_text(layer.spec.title) for layer in layers)
    belt_text = f" · belt {belt:g} km" if belt is not None else ""
    return (
        '<div id="atlas-caption" style="position:fixed;left:56px;top:8px;z-index:1000;'
        "max-width:42%;max-height:28vh;overflow:auto;background:rgba(255,255,255,.92);"
        "padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);"
        'font:12px/1.35 sans-serif">'
        f'<div style="font-weight:bold;font-size:15px">{html_text(GENERATOR)}</div>'
        f'<div style="font-weight:bold">{html_text(SAFETY_LINE)}</div>'
        f"<div>As of {html_text(as_of)}{belt_text} · {titles}</div>"
        f"<div>Generated {html_text(metadata['generated_at'])} by "
        f"{html_text(GENERATOR)} {html_text(__version__)}</div>"
        f"<div>Sources: {html_text(sources_line(metadata))}</div>"
        "</div>"
    )


def to_html(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    *,
    basemap_frame: gpd.GeoDataFrame,
    basemap: str = "offline",
    present: bool = False,
) -> bytes:
    """The current map as one self-contained HTML file (Leaflet inlined, no CDN).

    Parameters
    ----------
    layers
        The shown layers.
    params
        The view, shown in the caption.
    sources
        ``data/sources.csv``.
    basemap_frame
        Simplified countries (EPSG:4326) for the offline basemap (``AtlasBase.basemap``).
    basemap
        Basemap id (``layers.render.BASEMAP_IDS``); only ``"offline"`` works with no network.
    present
        Present mode (heavier lines, larger text).

    Returns
    -------
    bytes
        UTF-8 HTML with a caption (title, as-of date, sources with licences, safety line);
        the provenance record is also embedded as ``<script type="application/json"
        id="atlas-metadata">``.
    """
    _check_layers(layers)
    metadata = export_metadata(layers, params, sources)
    fmap = build_map(layers, basemap_frame=basemap_frame, basemap=basemap, present=present)
    root = fmap.get_root()
    title = f"{GENERATOR} — {metadata['as_of'] or ''}".strip(" —")
    # Text that can come from a user (layer titles in the caption and the metadata) is put
    # into the page after the templates have rendered, never into a template.
    root.header.add_child(Element(_TITLE_SLOT))
    root.html.add_child(Element(_CAPTION_SLOT))
    page = root.render()
    page = page.replace(_TITLE_SLOT, f"<title>{html_text(title)}</title>", 1)
    page = page.replace(
        _CAPTION_SLOT,
        _caption_html(layers, metadata)
        + f'<script type="application/json" id="atlas-metadata">{script_json(metadata)}</script>',
        1,
    )
    return inline_leaflet(page).encode("utf-8")


def export_filename(layer_ids: Sequence[str], as_of: date | str | None, fmt: str) -> str:
    """A file name that carries the layers and the date.

    Parameters
    ----------
    layer_ids
        Ids of the exported layers.
    as_of
        The map's date.
    fmt
        One of :data:`FORMATS`.

    Returns
    -------
    str
        E.g. ``atlas_treaty-status+flank-borders_2026-03-01.geojson``, or
        ``atlas_6-layers_2026-03-01.pdf`` for more than three layers.
    """
    ids = [re.sub(r"[^0-9A-Za-z_-]+", "-", i).strip("-") or "layer" for i in layer_ids]
    if not ids:
        part = "empty"
    elif len(ids) > MAX_IDS_IN_FILENAME:
        part = f"{len(ids)}-layers"
    else:
        part = "+".join(ids)
    day = as_of.isoformat() if isinstance(as_of, date) else (as_of or "undated")
    return f"atlas_{part}_{day}.{fmt}"


def export_bytes(
    fmt: str,
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    *,
    basemap_frame: gpd.GeoDataFrame,
    basemap: str = "offline",
    present: bool = False,
    dpi: int = 150,
) -> bytes:
    """Export the shown layers in format ``fmt``.

    Parameters
    ----------
    fmt
        One of :data:`FORMATS`.
    layers, params, sources
        What is shown, the view and ``data/sources.csv``.
    basemap_frame
        Simplified countries (EPSG:4326) drawn under HTML, PNG and PDF maps.
    basemap
        Basemap id for the HTML map.
    present
        Present mode for the HTML map.
    dpi
        Resolution of the PNG (dots per inch on A4).

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ExportError
        For an unknown format (naming the known ones) or when no layer is shown.
    """
    if fmt == "geojson":
        return to_geojson(layers, params, sources)
    if fmt == "gpkg":
        return to_geopackage(layers, params, sources)
    if fmt == "csv":
        return to_csv(layers, params, sources)
    if fmt == "html":
        return to_html(
            layers, params, sources, basemap_frame=basemap_frame, basemap=basemap, present=present
        )
    if fmt in ("png", "pdf"):
        from layers.export.print_map import print_map  # Matplotlib loads only when printing.

        _check_layers(layers)
        return print_map(layers, params, sources, basemap_frame=basemap_frame, fmt=fmt, dpi=dpi)
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = [
    "COORD_DECIMALS",
    "FORMATS",
    "MEDIA_TYPES",
    "METADATA_TABLE",
    "RESERVED_COLUMNS",
    "USER_SOURCE_ID",
    "export_bytes",
    "export_filename",
    "export_geometry",
    "export_metadata",
    "metadata_rows",
    "sources_line",
    "table_name",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "to_html",
]
