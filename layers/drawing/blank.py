"""Cells that say nothing to a reader (missing values, a KML's unset technical fields)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: How the map and the page show a missing value.
MISSING = "—"

#: KML's technical fields and the value GDAL's KML drivers give them when a file leaves them
#: unset: such a field tells a reader nothing and is not shown.
KML_UNSET: dict[str, object] = {
    "timestamp": None,
    "begin": None,
    "end": None,
    "altitudeMode": None,
    "tessellate": -1,
    "extrude": -1,
    "visibility": -1,
    "drawOrder": None,
    "icon": None,
}


def is_blank(column: object, value: object) -> bool:
    """Whether a cell says nothing to a reader: missing, blank, or a KML field left unset.

    Parameters
    ----------
    column
        The column's name (for :data:`KML_UNSET`).
    value
        The cell.

    Returns
    -------
    bool
        True for None, NaN, NaT, empty or blank text, ``"—"``, and a KML technical field
        (:data:`KML_UNSET`) holding its unset value.
    """
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip() or value.strip() == MISSING
    if isinstance(value, float | np.floating) and math.isnan(value):
        return True
    if isinstance(value, pd.Timestamp | np.datetime64) and pd.isna(value):
        return True
    name = str(column)
    return name in KML_UNSET and KML_UNSET[name] is not None and value == KML_UNSET[name]
