"""A shown choropleth comes first: drawn opaque, the filled layers beneath it dimmed.

A classified joined table is read by its colours, so they must be the legend's: the
choropleth is drawn at full opacity (:data:`~layers.drawing.choropleth` styles it so) and every
filled layer beneath it is dimmed to :data:`DIMMED_OPACITY`, its legend title saying so. The
live map, the standalone export and the print map use the same rule, and put the
choropleth's legend first (:func:`legend_order`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from layers.drawing.joined import CLASS_COLUMN
from layers.drawing.layer import MapLayer

#: Fill opacity of a filled layer drawn beneath a shown choropleth.
DIMMED_OPACITY = 0.15
#: Added to the legend title of a layer dimmed beneath a choropleth.
DIMMED_NOTE = " (dimmed beneath the choropleth)"


def is_choropleth(layer: MapLayer) -> bool:
    """Whether ``layer`` is a classified joined table (coloured by its class column)."""
    column = layer.spec.style.color_column
    return layer.spec.user and column is not None and column.startswith(CLASS_COLUMN)


def dim_beneath_choropleth(layers: Sequence[MapLayer]) -> list[MapLayer]:
    """The layers as drawn when a choropleth is shown: the filled layers beneath it dimmed.

    Parameters
    ----------
    layers
        The shown layers, bottom first.

    Returns
    -------
    list of MapLayer
        ``layers`` unchanged when none is a choropleth; otherwise every filled polygon layer
        below the topmost choropleth gets :data:`DIMMED_OPACITY` (when it was more opaque) and
        :data:`DIMMED_NOTE` after its title. Frames are shared, not copied.
    """
    tops = [i for i, layer in enumerate(layers) if is_choropleth(layer)]
    if not tops:
        return list(layers)
    top = tops[-1]
    return [dimmed(layer) if i < top else layer for i, layer in enumerate(layers)]


def dimmed(layer: MapLayer) -> MapLayer:
    """``layer`` as drawn beneath a choropleth: a fill dimmed, its title saying so.

    A layer without a fill, or one already fainter than :data:`DIMMED_OPACITY`, is returned
    unchanged.
    """
    style = layer.spec.style
    if not style.fill or style.fill_opacity <= DIMMED_OPACITY:
        return layer
    spec = dataclasses.replace(
        layer.spec,
        title=layer.spec.title + DIMMED_NOTE,
        style=dataclasses.replace(style, fill_opacity=DIMMED_OPACITY),
    )
    return MapLayer(spec, layer.frame)


def legend_order(layers: Sequence[MapLayer]) -> list[MapLayer]:
    """The layers in legend order: choropleths first, then the others in their order."""
    return [x for x in layers if is_choropleth(x)] + [x for x in layers if not is_choropleth(x)]
