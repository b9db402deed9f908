"""A user's table joined to the reference units, as a layer to draw and export.

The table is the user's; the geometry is the atlas's (OpenStreetMap hromadas, ODbL, or
Natural Earth first-level units). The layer's record says both: its licence names each, and its
``source_ids`` cite the geometry's sources after :data:`~layers.export.provenance.USER_SOURCE_ID`
on every exported feature, so the OpenStreetMap attribution travels with every file.
"""

from __future__ import annotations

import dataclasses

from geo.hromadas import OSM_ATTRIBUTION, OSM_LICENCE, OSM_SOURCE_ID
from geo.join import JoinResult
from layers.drawing.choropleth import Classification
from layers.drawing.layer import MapLayer, user_layer

#: Column a classified layer carries with each feature's class label (what the style keys on).
CLASS_COLUMN = "choropleth_class"
#: Id of the joined table's layer.
JOINED_LAYER_ID = "joined-table"


def joined_licence(source_ids: tuple[str, ...]) -> str:
    """The licence statement of a joined layer: the user's table, the units' geometry."""
    if OSM_SOURCE_ID in source_ids:
        geometry = f"{OSM_LICENCE}, {OSM_ATTRIBUTION}"
    else:
        geometry = "Natural Earth, public domain"
    return f"Table: the user's own data; unit geometry: {geometry}"


def joined_layer(
    result: JoinResult,
    title: str,
    *,
    layer_id: str = JOINED_LAYER_ID,
    classification: Classification | None = None,
) -> MapLayer:
    """Wrap a joined table for drawing and export.

    Parameters
    ----------
    result
        :func:`geo.join.join_table`.
    title
        Usually the table's file name.
    layer_id
        The layer's id.
    classification
        Classes of one of its columns (:func:`layers.drawing.choropleth.classify` of that
        column, in ``result.frame`` order): the layer is then coloured by class, its legend
        lists the class bounds and "No data", and the frame gains :data:`CLASS_COLUMN` (with
        ``_`` appended while the table has a column of that name).

    Returns
    -------
    MapLayer
        A user layer (visible in one session) whose ``source_ids`` are the geometry's.
    """
    frame = result.frame
    spec = user_layer(layer_id, title, frame).spec
    spec = dataclasses.replace(
        spec,
        description="Your table joined to the atlas's units by "
        f"{result.report.by.value}; visible in this browser session only.",
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
    return MapLayer(spec, frame)


__all__ = ["CLASS_COLUMN", "JOINED_LAYER_ID", "joined_layer", "joined_licence"]
