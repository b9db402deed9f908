"""The layer record (:class:`LayerSpec`) and the view parameters every builder receives."""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import geopandas as gpd

from geo.facts.source_ids import required_attributions
from geo.units.belts import BELT_KM_DEFAULT
from layers.catalogue.style import LayerStyle, LegendEntry

_LAYER_ID = re.compile(r"^[a-z][a-z0-9-]*$")
#: Earliest date the atlas offers as a view date (the page's slider and the CLI's --as-of).
AS_OF_MIN = date(2024, 1, 1)
#: ``feature_key`` of a layer whose frame's index identifies its features (a stored version
#: drawn by view: its features' store ids).
INDEX_KEY = "__index__"


def as_of_problem(as_of: date, today: date) -> str | None:
    """Why ``as_of`` is outside the dates the atlas offers, or ``None`` when it is inside.

    Parameters
    ----------
    as_of
        The date asked for.
    today
        The latest date offered.

    Returns
    -------
    str or None
        One sentence naming the range :data:`AS_OF_MIN` … ``today``.
    """
    if AS_OF_MIN <= as_of <= today:
        return None
    return (
        f"{as_of.isoformat()} is outside the dates the atlas shows: choose a date from "
        f"{AS_OF_MIN.isoformat()} to {today.isoformat()}"
    )


@dataclass(frozen=True)
class ViewParams:
    """What the user chose: the date the map shows, the belt depth and the language.

    Parameters
    ----------
    as_of
        Date at which treaty status is derived.
    belt_km
        Depth of the distance belts in km.
    lang
        Language code of the words in the layers (labels, place names): ``en``, ``uk``.
    """

    as_of: date
    belt_km: float = float(BELT_KM_DEFAULT)
    lang: str = "en"


#: What a builder may ask for: names of :class:`ViewParams` fields, as keyword-only parameters.
VIEW_PARAMETERS = frozenset({"as_of", "belt_km", "lang"})

#: ``builder(base, *, <the view parameters it depends on>) -> GeoDataFrame``.
Builder = Callable[..., gpd.GeoDataFrame]
#: The view values one layer is built from, ``((name, value), …)`` sorted by name (hashable).
ViewArgs = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Simplification:
    """How the map simplifies a layer for drawing; the layer itself stays full resolution.

    Parameters
    ----------
    tolerance_deg
        Simplification tolerance in degrees (0: drawn as built, only rounded).
    coverage
        The layer's polygons tile without overlaps and with identical shared edges: simplify
        them as a coverage so neighbours keep one shared border (no gaps on the map).
    """

    tolerance_deg: float = 0.0
    coverage: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.tolerance_deg) and self.tolerance_deg >= 0):
            raise ValueError(
                f"display tolerance must be a finite number of degrees ≥ 0, "
                f"got {self.tolerance_deg!r}"
            )


def builder_parameters(builder: Builder) -> frozenset[str]:
    """The view parameters a builder declares (its keyword-only parameters).

    Parameters
    ----------
    builder
        A layer builder, ``builder(base, *, as_of, belt_km)`` with any subset of the keywords.

    Returns
    -------
    frozenset of str
    """
    parameters = inspect.signature(builder).parameters.values()
    return frozenset(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


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
        ``builder(base, *, as_of, belt_km) -> GeoDataFrame`` in EPSG:4326 carrying
        ``source_ids``, declaring as keyword-only parameters just the view values it depends
        on; ``None`` for a layer the user imported (its frame exists only in their session).
    default_visible
        Whether the layer is on in the default view.
    required_columns
        Columns every built frame must carry (checked by the validator).
    display
        How the map simplifies the layer for drawing (exports keep full resolution).
    feature_key
        Column whose value identifies a feature across views (e.g. ``iso3``), so the map
        can restyle it when the date changes; ``None``: the row number; :data:`INDEX_KEY`:
        the frame's index.
    min_zoom
        Web-map zoom level (Leaflet, 0 = the whole world) from which the map draws the layer
        while it is switched on; below it the legend says to zoom in. ``None``: every zoom.
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
    default_visible: bool = True
    required_columns: tuple[str, ...] = ()
    display: Simplification = field(default_factory=Simplification)
    feature_key: str | None = None
    min_zoom: float | None = None

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
        if self.builder is not None:
            unknown = builder_parameters(self.builder) - VIEW_PARAMETERS
            positional = [
                p
                for p in inspect.signature(self.builder).parameters.values()
                if p.kind is not inspect.Parameter.KEYWORD_ONLY
            ]
            if unknown:
                problems.append(f"builder asks for unknown view parameter(s) {sorted(unknown)}")
            if len(positional) != 1:
                problems.append("builder must take the base as its only positional parameter")
        if problems:
            raise ValueError(f"LayerSpec {self.id!r}: " + "; ".join(problems))

    @property
    def user(self) -> bool:
        """Whether the layer is a user's import (no builder, visible in one session only)."""
        return self.builder is None

    @property
    def attributions(self) -> tuple[str, ...]:
        """The attributions its sources' licences require wherever it is shown or exported."""
        return required_attributions(self.source_ids)

    @property
    def depends_on(self) -> frozenset[str]:
        """The view parameters that change the layer (those its builder declares)."""
        return frozenset() if self.builder is None else builder_parameters(self.builder)

    @property
    def dated(self) -> bool:
        """Whether the layer changes with the view date (its builder asks for ``as_of``)."""
        return "as_of" in self.depends_on

    def view_args(self, params: ViewParams) -> ViewArgs:
        """The part of ``params`` this layer is built from (also its cache key).

        Parameters
        ----------
        params
            The current view.

        Returns
        -------
        ViewArgs
            E.g. ``(("as_of", date(2026, 3, 1)),)``: a layer that ignores the date has the
            same arguments on every date, so it is not rebuilt when the date changes.
        """
        return tuple((name, getattr(params, name)) for name in sorted(self.depends_on))
