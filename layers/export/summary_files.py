"""Files of a layer's summary by unit: a CSV table and a GeoPackage that maps it.

Both carry the columns :data:`geo.analysis.summary.SUMMARY_COLUMNS` in the unit set's order, then
the
``none`` row (what lies outside every unit), so the rows add up to the layer. The GeoPackage
adds each unit's polygon (the ``none`` row has none), the units' ``source_ids``, and the
provenance record of the summarised layer plus the units, with how the figures were made
(``summary``) and the attribution the units' licence requires (OpenStreetMap, for the hromadas
and for the oblasts dissolved from them).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from geo.analysis.summary import NO_UNIT_CODE, SUMMARY_COLUMNS, Summary, SummaryUnits
from geo.facts.source_ids import join_source_ids, required_attributions
from geo.units.crs import WGS84
from layers.drawing.layer import MapLayer
from layers.export.data_formats import geopackage_bytes
from layers.export.provenance import export_metadata, source_entry
from layers.safe_text import csv_cell

#: Decimal places written for each measured column (km² and km to the square metre/metre).
SUMMARY_DECIMALS = {
    "unit_area_km2": 6,
    "area_km2": 6,
    "length_km": 6,
    "share": 8,
    "unit_share": 8,
}


def summary_csv(summary: Summary) -> bytes:
    """The summary table as UTF-8 CSV (CRLF line ends; text cells safe for spreadsheets).

    Parameters
    ----------
    summary
        :func:`geo.analysis.summary.summarize`.

    Returns
    -------
    bytes
        Columns :data:`~geo.analysis.summary.SUMMARY_COLUMNS`; areas in km² (equal-area), lengths in
        km (geodesic), ``share`` as a fraction of the layer's total, ``unit_share`` as a
        fraction of the unit's area; ``unit_area_km2`` and ``unit_share`` empty for ``none``.
    """
    table = summary.table.copy()
    for column, decimals in SUMMARY_DECIMALS.items():
        table[column] = table[column].round(decimals)
    for column in ("unit_code", "unit_name"):
        table[column] = [csv_cell(str(v)) for v in table[column]]
    return table.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def summary_frame(summary: Summary, units: SummaryUnits) -> gpd.GeoDataFrame:
    """The summary with each unit's polygon (EPSG:4326); the ``none`` row has no geometry.

    Parameters
    ----------
    summary
        A summary made with ``units``.
    units
        The unit set.

    Returns
    -------
    GeoDataFrame
        :data:`~geo.analysis.summary.SUMMARY_COLUMNS`, ``source_ids`` (the units' sources) and
        ``geometry``.

    Raises
    ------
    ValueError
        When the summary was not made with this unit set.
    """
    codes = [*units.codes, NO_UNIT_CODE]
    if summary.by is not units.by or list(summary.table["unit_code"]) != codes:
        raise ValueError(f"the summary by {summary.by.value} was not made with these units")
    table = pd.DataFrame(summary.table[list(SUMMARY_COLUMNS)]).reset_index(drop=True)
    table["source_ids"] = [join_source_ids(units.source_ids)] * len(units.codes) + [""]
    geometry = gpd.GeoSeries([*units.geometries, None], crs=WGS84)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=WGS84)


def summary_metadata(summary: Summary, layer: MapLayer, sources: pd.DataFrame) -> dict[str, Any]:
    """The provenance record of a summary: the layer's, the units' sources, the method.

    Parameters
    ----------
    summary
        The summary of ``layer``.
    layer
        The summarised layer.
    sources
        ``data/sources.csv``.

    Returns
    -------
    dict
        :func:`~layers.export.provenance.export_metadata` of the layer, its ``sources``
        extended by the units' sources, ``attribution`` by what their licences require, and
        ``summary`` (:meth:`geo.analysis.summary.Summary.metadata`).
    """
    metadata = export_metadata([layer], None, sources)
    cited = [record["source_id"] for record in metadata["sources"]]
    metadata["sources"] += [
        source_entry(sources, sid) for sid in summary.source_ids if sid not in cited
    ]
    attribution = required_attributions([*cited, *summary.source_ids])
    if attribution:
        metadata["attribution"] = list(attribution)
    metadata["summary"] = {"layer": layer.spec.id, **summary.metadata()}
    return metadata


def summary_geopackage(
    summary: Summary, units: SummaryUnits, layer: MapLayer, sources: pd.DataFrame
) -> bytes:
    """The summary as a GeoPackage: table ``summary_by_<unit set>`` plus ``atlas_metadata``.

    Parameters
    ----------
    summary
        The summary of ``layer`` made with ``units``.
    units
        The unit set.
    layer
        The summarised layer.
    sources
        ``data/sources.csv``.

    Returns
    -------
    bytes
        A GeoPackage (EPSG:4326) with :func:`summary_frame` and :func:`summary_metadata`.
    """
    name = "summary_by_" + summary.by.value.replace("-", "_")
    return geopackage_bytes(
        [(name, summary_frame(summary, units))], summary_metadata(summary, layer, sources)
    )


__all__ = [
    "SUMMARY_DECIMALS",
    "summary_csv",
    "summary_frame",
    "summary_geopackage",
    "summary_metadata",
]
