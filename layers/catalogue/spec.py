"""The layer record (:class:`LayerSpec`) and the view parameters every builder receives."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

import geopandas as gpd

from geo.belts import BELT_KM_DEFAULT
from layers.catalogue.style import LayerStyle, LegendEntry

if TYPE_CHECKING:
    from layers.catalogue.base import AtlasBase

_LAYER_ID = re.compile(r"^[a-z][a-z0-9-]*$")
#: Earliest date the atlas offers as a view date (the page's slider and the CLI's --as-of).
AS_OF_MIN = date(2024, 1, 1)


@dataclass(frozen=True)
class ViewParams:
    """What the user chose: the date the map shows and the belt depth.

    Parameters
    ----------
    as_of
        Date at which treaty status is derived.
    belt_km
        Depth of the distance belts in km.
    """

    as_of: date
    belt_km: float = float(BELT_KM_DEFAULT)


Builder = Callable[["AtlasBase", ViewParams], gpd.GeoDataFrame]


@dataclass(frozen=True)
class LayerSpec:
    """Everything the atlas knows about one layer; validated on construction.

    Parameters
    ----------
    id
        Stable identifier, lower-case with hyphens (used in URLs, CLI and exports).
    title
        Human title.
    description
        One sentence shown in the legend and the sources page.
    geometry
        ``"polygon"``, ``"line"`` or ``"point"``.
    style
        Colours and Leaflet options.
    legend
        Swatches, in display order.
    tooltip_fields
        ``(column, label)`` pairs shown on hover, in order.
    source_ids
        Ids in ``data/sources.csv`` the layer rests on (empty only for a user's layer).
    licence
        Licence statement for the layer's data.
    builder
        ``builder(base, params) -> GeoDataFrame`` in EPSG:4326 carrying ``source_ids``;
        ``None`` for a layer the user imported (its frame exists only in their session).
    depends_on
        Which view parameters change the layer: subset of ``{"as_of", "belt_km"}``.
    default_visible
        Whether the layer is on in the default view.
    required_columns
        Columns every built frame must carry (checked by the validator).
    """

    id: str
    title: str
    description: str
    geometry: Literal["polygon", "line", "point"]
    style: LayerStyle
    legend: tuple[LegendEntry, ...]
    tooltip_fields: tuple[tuple[str, str], ...]
    source_ids: tuple[str, ...]
    licence: str
    builder: Builder | None = None
    depends_on: frozenset[str] = field(default_factory=frozenset)
    default_visible: bool = True
    required_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not _LAYER_ID.match(self.id):
            problems.append(f"id {self.id!r} must be lower-case letters, digits and hyphens")
        if not self.title.strip():
            problems.append("title is empty")
        if not self.legend:
            problems.append("legend has no entries")
        if not self.tooltip_fields:
            problems.append("no tooltip fields")
        if self.builder is not None and not self.source_ids:
            problems.append("no source ids")
        if not self.licence.strip():
            problems.append("licence is empty")
        unknown = set(self.depends_on) - {"as_of", "belt_km"}
        if unknown:
            problems.append(f"unknown view parameter(s) {sorted(unknown)}")
        if problems:
            raise ValueError(f"LayerSpec {self.id!r}: " + "; ".join(problems))

    @property
    def user(self) -> bool:
        """Whether the layer is a user's import (no builder, visible in one session only)."""
        return self.builder is None

    def cache_key(self, params: ViewParams) -> tuple[object, ...]:
        """The part of ``params`` this layer depends on, for caching built frames.

        Parameters
        ----------
        params
            The current view.

        Returns
        -------
        tuple
            ``(id, as_of or None, belt_km or None)``: layers that ignore the date are not
            rebuilt when the date changes.
        """
        return (
            self.id,
            params.as_of if "as_of" in self.depends_on else None,
            params.belt_km if "belt_km" in self.depends_on else None,
        )
