"""A user's table joined to the reference units, as a layer to draw and export.

The table is the user's; the geometry is the atlas's (OpenStreetMap hromadas, ODbL, or the
first-level units dissolved from them, ODbL too). The layer's record says both: its licence
names each, and its ``source_ids`` cite the geometry's sources after
:data:`~layers.export.provenance.USER_SOURCE_ID` on every exported feature, so the
OpenStreetMap attribution travels with every file.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd

from geo.analysis.keys import Aggregate
from geo.analysis.report import JoinResult
from geo.language import N_, Phrase
from geo.units.crs import WGS84
from geo.units.hromadas import OSM_ATTRIBUTION, OSM_LICENCE, OSM_SOURCE_ID
from layers.catalogue.style import LegendEntry
from layers.drawing.choropleth import NO_DATA_LABEL, Classification
from layers.drawing.layer import MapLayer, user_layer

#: Column a classified layer carries with each feature's class label (what the style keys on).
CLASS_COLUMN = "choropleth_class"
#: Id of the joined table's layer.
JOINED_LAYER_ID = "joined-table"


def joined_licence(source_ids: tuple[str, ...]) -> str:
    """The licence statement of a joined layer: the user's table, the units' geometry."""
    if OSM_SOURCE_ID in source_ids:
        # Hromadas and first-level units alike; Crimea and Sevastopol are Natural Earth's.
        geometry = Phrase.make(
            N_("{licence}, {attribution}; Crimea, Sevastopol: Natural Earth"),
            licence=OSM_LICENCE,
            attribution=Phrase.make(OSM_ATTRIBUTION),
        )
    else:
        geometry = Phrase.make(N_("Natural Earth, public domain"))
    return Phrase.make(
        N_("Table: the user's own data; unit geometry: {geometry}"), geometry=geometry
    )


def joined_title(title: str, result: JoinResult) -> str:
    """The joined layer's title (legend, file metadata): the table and what a unit's row is.

    ``figures.csv (sum of the unit's rows)``; a join that keeps each unit's first row says
    so only when some unit had several rows (``… (first row of each unit)``).
    """
    report = result.report
    if report.aggregate is Aggregate.FIRST:
        return f"{title} (first row of each unit)" if report.duplicates else title
    return f"{title} ({report.aggregate.label.removeprefix('the ')})"


def joined_layer(
    result: JoinResult,
    title: str,
    *,
    layer_id: str = JOINED_LAYER_ID,
    classification: Classification | None = None,
    value_column: str | None = None,
) -> MapLayer:
    """Wrap a joined table for drawing and export.

    Parameters
    ----------
    result
        :func:`geo.analysis.join.join_table`.
    title
        Usually the table's file name.
    layer_id
        The layer's id.
    classification
        Classes of one of its columns (:func:`layers.drawing.choropleth.classify` of that
        column, in ``result.frame`` order): the layer is then coloured by class, its legend
        lists the class bounds and "No data", and the frame gains :data:`CLASS_COLUMN` (with
        ``_`` appended while the table has a column of that name).
    value_column
        The classified column: the tooltip then shows the unit, its code, the key, this
        value and the class, instead of the table's first columns.

    Returns
    -------
    MapLayer
        A user layer (visible in one session) whose ``source_ids`` are the geometry's.
    """
    frame = result.frame
    report = result.report
    spec = user_layer(layer_id, joined_title(title, result), frame).spec
    spec = dataclasses.replace(
        spec,
        description="Your table joined to the atlas's units by "
        f"{report.by.value}; rows per unit: {report.aggregate.value}, "
        f"{report.aggregate.label}; visible in this browser session only.",
        source_ids=result.source_ids,
        licence=joined_licence(result.source_ids),
    )
    if classification is not None:
        if len(classification.value_classes) != len(frame):
            raise ValueError(
                f"the classification has {len(classification.value_classes)} values for "
                f"{len(frame)} joined rows; classify the joined frame's column"
            )
        column = CLASS_COLUMN
        while column in frame.columns:
            column += "_"
        frame = frame.copy()
        frame[column] = classification.value_labels()
        spec = dataclasses.replace(
            spec, style=classification.style(column), legend=classification.legend()
        )
        if value_column is not None:
            names = result.unit_columns
            fields = (
                (names["unit_name_en"], "Unit"),
                (names["unit_katottg"], "KATOTTG"),
                (result.report.column, f"Key ({result.report.column})"),
                (value_column, value_column),
                (column, "Class"),
            )
            spec = dataclasses.replace(spec, tooltip_fields=tuple(dict.fromkeys(fields)))
    return MapLayer(spec, frame)


def drawn_joined_layer(layer: MapLayer, result: JoinResult) -> MapLayer:
    """The joined layer as the map draws it: its rows, then each unit with no row as no data.

    Only the map gets this version (the units with no row are part of the picture: a blank
    would read as "nothing there"); tables and exports keep :func:`joined_layer`'s rows, the
    table's own, verbatim.

    Parameters
    ----------
    layer
        :func:`joined_layer` of ``result`` (classified or not).
    result
        The join.

    Returns
    -------
    MapLayer
        The tooltip's columns, the style's column and the geometry (EPSG:4326) of every unit
        of the level, keyed by the unit's KATOTTG code; a unit with no row is in the "No data"
        class, and the legend's "No data" entry counts it.
    """
    names = result.unit_columns
    code = names["unit_katottg"]
    style_column = layer.spec.style.color_column
    columns = [c for c, _ in layer.spec.tooltip_fields if c in layer.frame.columns]
    if style_column:
        columns.append(style_column)
    columns = list(dict.fromkeys([code, *columns]))
    rows = pd.DataFrame(layer.frame[columns]).astype(object)
    units = result.units.loc[~result.units["unit_katottg"].isin(set(layer.frame[code]))]
    empty = pd.DataFrame(
        {name: units[unit].to_numpy() for unit, name in names.items() if name in columns},
        columns=columns,
        index=range(len(units)),
    ).astype(object)
    if style_column:
        empty[style_column] = NO_DATA_LABEL
    frame = gpd.GeoDataFrame(
        pd.concat([rows, empty], ignore_index=True),
        geometry=[*layer.frame.geometry.to_numpy(), *units.geometry.to_numpy()],
        crs=WGS84,
    )
    legend = layer.spec.legend
    if style_column and legend and legend[-1].label.startswith(NO_DATA_LABEL):
        no_data = int((rows[style_column] == NO_DATA_LABEL).sum())
        rows_text = f"{no_data:,} row{'' if no_data == 1 else 's'}"
        label = f"{NO_DATA_LABEL} ({rows_text}, {len(units):,} units without a row)"
        legend = (*legend[:-1], LegendEntry(label, legend[-1].color))
    spec = dataclasses.replace(layer.spec, legend=legend, feature_key=code)
    return MapLayer(spec, frame)


__all__ = [
    "CLASS_COLUMN",
    "JOINED_LAYER_ID",
    "drawn_joined_layer",
    "joined_layer",
    "joined_licence",
    "joined_title",
]
