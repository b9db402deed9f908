"""Turn a layer frame into the small, escaped GeoJSON the browser receives.

Layers hold full-resolution geometry; this is where it is simplified, for drawing only, by the
layer's own rule (``LayerSpec.display``): tiled polygons (countries, oblasts) as a coverage so
neighbours keep one shared border, other geometry each on its own.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from geo.language import DEFAULT_LANGUAGE, Language
from geo.units.crs import to_wgs84
from geo.units.simplify import simplify_coverage, simplify_each
from layers.drawing.blank import MISSING
from layers.drawing.layer import MapLayer

#: Decimal places of display coordinates (about 110 m, far below the 2 km display tolerance).
DISPLAY_DECIMALS = 3
#: Grid of simplified display geometry, degrees (about 11 m; also the light export's grid).
DISPLAY_GRID_DEG = 1e-4
#: Longest attribute text the map and the page show, in characters: a longer value is cut with
#: a note saying so, and a binary value is named by its size. Every data export keeps the full
#: value.
MAX_SHOWN_CHARS = 300


def display_geometry(layer: MapLayer) -> np.ndarray:
    """The layer's geometry as the map draws it (EPSG:4326, lon/lat degrees).

    Parameters
    ----------
    layer
        Any layer; its frame is reprojected to EPSG:4326 if needed.

    Returns
    -------
    numpy.ndarray
        One geometry per row: simplified by ``layer.spec.display`` (coverage simplification
        for tiled polygons, topology-preserving per geometry otherwise) and snapped to
        :data:`DISPLAY_GRID_DEG`; unchanged when the layer's tolerance is 0.
    """
    geoms = np.asarray(to_wgs84(layer.frame, name=layer.spec.title).geometry.values, dtype=object)
    rule = layer.spec.display
    if rule.tolerance_deg <= 0:
        return geoms
    simplify = simplify_coverage if rule.coverage else simplify_each
    return simplify(geoms, rule.tolerance_deg, grid_deg=DISPLAY_GRID_DEG)


def display_key(layer: MapLayer) -> str:
    """A fingerprint of what :func:`display_geometry` depends on, for caching its result.

    Parameters
    ----------
    layer
        Any layer.

    Returns
    -------
    str
        Hex digest of the layer id, its display rule, CRS and the geometry's WKB: equal for
        two builds of a layer whose geometry did not change (e.g. another date).
    """
    digest = hashlib.sha256()
    digest.update(f"{layer.spec.id}|{layer.spec.display}|{layer.frame.crs}".encode())
    for wkb in shapely.to_wkb(layer.frame.geometry.values):
        digest.update(b"" if wkb is None else wkb)
        digest.update(b"|")
    return digest.hexdigest()


def shown_text(value: object) -> str:
    """A value as text short enough for the map and the page (not yet escaped).

    Parameters
    ----------
    value
        Any attribute value or name.

    Returns
    -------
    str
        ``str(value)`` when at most :data:`MAX_SHOWN_CHARS` characters; otherwise its start
        and a note with the number of characters left out. Binary values (BLOBs) become a note
        with their size in bytes.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        size = len(value)
        return f"[binary value of {size:,} bytes: not shown; it is in the data exports]"
    text = str(value)
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    left_out = len(text) - MAX_SHOWN_CHARS
    return (
        f"{text[:MAX_SHOWN_CHARS]}… [{left_out:,} more characters not shown; the full value "
        "is in the data exports]"
    )


def format_value(value: object, lang: Language | None = None) -> str:
    """Text for one attribute value as the map shows it (not yet escaped).

    Parameters
    ----------
    value
        Any scalar from a frame.
    lang
        Numbers are written in its form ("1 234,5" in Ukrainian); ``None``: English.

    Returns
    -------
    str
        Numbers with thousands separators (one decimal at most), ``"—"`` for missing values,
        long or binary values shortened by :func:`shown_text`.
    """
    if value is None:
        return MISSING
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return MISSING
        if lang is not None and lang.code != DEFAULT_LANGUAGE:
            return lang.number(float(value), 0 if float(value).is_integer() else 1)
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if lang is not None and lang.code != DEFAULT_LANGUAGE:
            return lang.number(int(value))
        return f"{value:,}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    text = shown_text(value)
    return text if text.strip() else MISSING


def visible_attributes(layers: Sequence[MapLayer]) -> pd.DataFrame:
    """One table of the visible features' attributes (no geometry), for the page.

    Parameters
    ----------
    layers
        The drawn layers.

    Returns
    -------
    pandas.DataFrame
        Column ``layer`` plus each layer's tooltip columns, as text shortened by
        :func:`shown_text` (``st.dataframe`` shows text as text).
    """
    tables = []
    for layer in layers:
        columns = [c for c, _ in layer.spec.tooltip_fields if c in layer.frame.columns]
        table = pd.DataFrame(layer.frame[columns]).copy()
        table = table.rename(columns=dict(layer.spec.tooltip_fields))
        table.insert(0, "layer", layer.spec.title)
        tables.append(table.astype(object).map(shown_text))
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
