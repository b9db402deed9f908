"""A layer's frame as every data format exports it.

Conventions shared by GeoJSON, GeoPackage and CSV:

* Coordinates are EPSG:4326 lon/lat degrees (RFC 7946), rounded to 6 decimals (about 0.1 m),
  polygon exterior rings counter-clockwise and holes clockwise (right-hand rule).
* Geometry is the layer's own, full resolution; a light export (``light=True``) writes the
  map's display geometry instead (:func:`layers.drawing.display.display_geometry`).
* Attributes are the layer frame's own columns, exported verbatim (not the escaped display
  strings of the map); missing values become null, dates ISO 8601 text.
* Every feature carries ``source_ids`` (:func:`layers.export.provenance.feature_source_ids`).
  A user column that collides with a column the export adds (:data:`RESERVED_COLUMNS`) is kept
  under the name ``<name>_user``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import ExportError
from geo.units.crs import WGS84, to_wgs84
from layers.drawing.display import display_geometry
from layers.drawing.layer import MapLayer
from layers.export.provenance import feature_source_ids

#: Decimal places of exported coordinates (1e-6 degree is about 0.1 m).
COORD_DECIMALS = 6
#: Columns the export adds; a user column of the same name is renamed ``<name>_user``.
RESERVED_COLUMNS = ("layer", "source_ids", "wkt", "fid")


def check_layers(layers: Sequence[MapLayer]) -> None:
    """Refuse an export of nothing, with the fix in the message."""
    if not layers:
        raise ExportError("nothing to export: no layer is shown; switch at least one layer on")


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


def prepared_frame(layer: MapLayer, *, light: bool = False) -> gpd.GeoDataFrame:
    """The layer's frame as exported: EPSG:4326, RFC 7946 geometry, ``source_ids`` filled.

    Parameters
    ----------
    layer
        The layer.
    light
        Write the map's display geometry instead of the full resolution.

    Returns
    -------
    GeoDataFrame
        Attribute columns as text names (user columns named like :data:`RESERVED_COLUMNS`
        renamed ``<name>_user``), ``source_ids``, geometry (EPSG:4326, 6 decimals).
    """
    frame = to_wgs84(layer.frame, name=layer.spec.title)
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).copy()
    if layer.spec.user:
        taken = {str(c) for c in attributes.columns}
        renames = {
            c: _free_name(str(c), taken) for c in attributes.columns if c in RESERVED_COLUMNS
        }
        attributes = attributes.rename(columns=renames)
    attributes["source_ids"] = feature_source_ids(layer)
    attributes.columns = [str(c) for c in attributes.columns]
    geoms = display_geometry(layer) if light else frame.geometry.values
    geometry = gpd.GeoSeries(export_geometry(geoms), index=frame.index, crs=WGS84)
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=WGS84)


def plain_value(value: object) -> Any:
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
    if isinstance(value, np.datetime64 | np.timedelta64):
        return None if np.isnat(value) else str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """The attribute rows of ``frame`` as JSON-ready dicts (no geometry)."""
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    return [
        {column: plain_value(value) for column, value in zip(table.columns, row, strict=True)}
        for row in table.itertuples(index=False, name=None)
    ]


__all__ = [
    "COORD_DECIMALS",
    "RESERVED_COLUMNS",
    "check_layers",
    "export_geometry",
    "plain_value",
    "prepared_frame",
    "records",
]
