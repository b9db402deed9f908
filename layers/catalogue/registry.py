"""The default layer catalogue: one :class:`LayerSpec` per layer (the README's Layers table)."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd

from geo.facts.vocabulary import EvidenceClass, TreatyStatus
from geo.language import N_, Phrase
from geo.units.countries import NE_SOURCE_ID
from geo.units.hromadas import OSM_ATTRIBUTION, OSM_LICENCE, OSM_SOURCE_ID
from geo.units.oblasts import OBLAST_LICENCE, OBLAST_SOURCE_IDS
from geo.units.validate import LINEAR, POLYGONAL, validate_frame
from layers.catalogue import builders
from layers.catalogue.base import AtlasBase
from layers.catalogue.spec import LayerSpec, Simplification, ViewArgs
from layers.catalogue.style import (
    BELT_COLOR,
    HROMADA_COLOR,
    NEIGHBOUR_COLORS,
    UA_ZONE_COLOR,
    LayerStyle,
    LegendEntry,
    term_legend,
    term_palette,
)

#: Licence statements (each a :class:`Phrase`: English as before, written in the page's language
#: where shown, ``lang.phrase(spec.licence)``).
NE_LICENCE = Phrase.make(N_("Natural Earth 5.1.1: public domain"))
FACTS_LICENCE = Phrase.make(
    N_("Facts cited from the listed sources; compilation CC BY 4.0 (this project)")
)
FACTBOOK_LICENCE = Phrase.make(N_("CIA World Factbook: public domain"))
GEONAMES_LICENCE = Phrase.make(N_("GeoNames naming points CC BY 4.0"))
#: Two licence statements of one layer, one after the other.
LICENCE_PAIR = N_("{first}; {second}")


def _licences(first: Phrase, *more: Phrase) -> Phrase:
    """The statements ``first; second; …`` as one translatable phrase."""
    for part in more:
        first = Phrase.make(LICENCE_PAIR, first=first, second=part)
    return first


#: Map drawing of countries and oblasts: coverage simplification at 0.02° (about 2 km).
TILED_DISPLAY = Simplification(tolerance_deg=0.02, coverage=True)
#: Map drawing of the hromadas: coverage simplification at 0.005° (about 500 m).
HROMADA_DISPLAY = Simplification(tolerance_deg=0.005, coverage=True)
#: Zoom from which the map draws the hromadas (about one oblast across a desktop map).
HROMADA_MIN_ZOOM = 7.0
#: Map drawing of computed geometry (border lines, belts): each simplified at 0.005° (~500 m).
COMPUTED_DISPLAY = Simplification(tolerance_deg=0.005)

#: Header of the sources column in tooltips and tables (the page shows titles under it).
SOURCES_LABEL = N_("Sources")

_STATUS_TOOLTIP = (
    ("name", N_("State")),
    ("status_label", N_("Mine Ban Treaty status")),
    ("as_of", N_("As of")),
    ("entry_into_force", N_("In force for state")),
    ("withdrawal_deposited", N_("Withdrawal deposited")),
    ("withdrawal_effective", N_("Withdrawal effective")),
    ("source_ids", SOURCES_LABEL),
)

CATALOGUE: tuple[LayerSpec, ...] = (
    LayerSpec(
        id="treaty-status",
        title=N_("Mine Ban Treaty status"),
        description=N_(
            "European states, Russia and Belarus coloured by Mine Ban Treaty status on "
            "the chosen date, derived from the treaty milestones."
        ),
        builder=builders.build_treaty_status,
        geometry="polygon",
        style=LayerStyle(
            "status", term_palette(TreatyStatus), "#BBBBBB", fill_opacity=0.7, weight=0.6
        ),
        legend=term_legend(TreatyStatus),
        tooltip_fields=_STATUS_TOOLTIP,
        source_ids=(NE_SOURCE_ID, "aca-2026-01", "app-2025-06-17"),
        licence=_licences(NE_LICENCE, FACTS_LICENCE),
        required_columns=("iso3", "name", "status", "source_ids"),
        display=TILED_DISPLAY,
        feature_key="iso3",
    ),
    LayerSpec(
        id="withdrawing-states",
        title=N_("Withdrawing states"),
        description=N_(
            "The five states leaving the treaty in 2025–26 and Ukraine's disputed "
            "suspension, outlined with their timeline."
        ),
        builder=builders.build_withdrawing_states,
        geometry="polygon",
        style=LayerStyle(
            "status",
            term_palette(TreatyStatus),
            "#BBBBBB",
            fill_opacity=0.0,
            weight=3.5,
            dash_array="8 5",
            outline_by_value=True,
        ),
        legend=term_legend(
            (
                TreatyStatus.WITHDRAWAL_NOTIFIED,
                TreatyStatus.WITHDRAWN,
                TreatyStatus.SUSPENSION_CLAIMED,
                TreatyStatus.PARTY,
            ),
            "line",
        ),
        tooltip_fields=(
            ("name", N_("State")),
            ("status_label", N_("Mine Ban Treaty status")),
            ("timeline", N_("Timeline")),
            ("steps", N_("Dated steps")),
            ("source_ids", SOURCES_LABEL),
        ),
        source_ids=(NE_SOURCE_ID, "aca-2026-01", "hrw-2025-07-24"),
        licence=_licences(NE_LICENCE, FACTS_LICENCE),
        required_columns=("iso3", "name", "status", "timeline", "steps", "source_ids"),
        display=TILED_DISPLAY,
        feature_key="iso3",
    ),
    LayerSpec(
        id="flank-borders",
        title=N_("NATO borders with Russia and Belarus"),
        description=N_(
            "Land border segments between NATO flank states and Russia or Belarus, "
            "with the geodesic length measured on the 1:10m lines beside the reference figures."
        ),
        builder=builders.build_flank_borders,
        geometry="line",
        style=LayerStyle("iso3_b", NEIGHBOUR_COLORS, "#000000", fill=False, weight=4.0),
        legend=(
            LegendEntry(N_("Border with Russia"), NEIGHBOUR_COLORS["RUS"], "line"),
            LegendEntry(N_("Border with Belarus"), NEIGHBOUR_COLORS["BLR"], "line"),
        ),
        tooltip_fields=(
            ("name", N_("Border")),
            ("length_km", N_("Measured on 1:10m lines (km)")),
            ("factbook_km", N_("CIA World Factbook (km)")),
            ("other_reference_km", N_("Other figures")),
            ("source_ids", SOURCES_LABEL),
        ),
        source_ids=(NE_SOURCE_ID, "factbook-2026"),
        licence=_licences(NE_LICENCE, FACTBOOK_LICENCE),
        required_columns=("pair", "length_km", "factbook_km", "source_ids"),
        display=COMPUTED_DISPLAY,
        feature_key="pair",
    ),
    LayerSpec(
        id="border-belt",
        title=N_("Border belt (NATO side)"),
        description=N_(
            "Land inside the NATO flank states within the chosen distance of the "
            "Russian or Belarusian border."
        ),
        builder=builders.build_border_belt,
        geometry="polygon",
        style=LayerStyle(None, {}, BELT_COLOR, fill_opacity=0.5, weight=0.8),
        legend=(LegendEntry(N_("Within the chosen distance of RU/BY"), BELT_COLOR),),
        tooltip_fields=(
            ("name", N_("State")),
            ("depth_km", N_("Belt depth (km)")),
            ("belt_area_km2", N_("Belt area (km²)")),
        ),
        source_ids=(NE_SOURCE_ID,),
        licence=NE_LICENCE,
        required_columns=("iso3", "depth_km", "belt_area_km2", "source_ids"),
        display=COMPUTED_DISPLAY,
        feature_key="iso3",
    ),
    LayerSpec(
        id="ua-contamination",
        title=N_("Ukraine: contamination evidence by oblast"),
        description=N_(
            "Ukrainian oblasts by the public evidence of explosive-ordnance "
            "contamination: a published figure, an official statement only, or no public figure."
        ),
        builder=builders.build_ua_contamination,
        geometry="polygon",
        # Opaque, so the colour on screen is the legend's whatever lies beneath; the class
        # with no public figure is hatched, so it never reads as "clean".
        style=LayerStyle(
            "evidence",
            term_palette(EvidenceClass),
            "#DDDDDD",
            fill_opacity=1.0,
            weight=0.6,
            hatched=(EvidenceClass.NO_PUBLIC_FIGURE.value,),
        ),
        legend=term_legend(EvidenceClass),
        tooltip_fields=(
            ("name_en", N_("Oblast")),
            ("name_uk", "Назва"),
            ("evidence_label", N_("Evidence")),
            ("figure_km2", N_("Potentially contaminated (km²)")),
            ("figure_date", N_("Figure date")),
            ("figure_age", N_("Age of figure")),
            ("latest_statement_label", N_("Latest public statement")),
            ("statement_label", N_("Statement")),
            ("source_ids", SOURCES_LABEL),
        ),
        source_ids=(*OBLAST_SOURCE_IDS, "unn-shmyhal-2025-06-24"),
        licence=_licences(OBLAST_LICENCE, GEONAMES_LICENCE, FACTS_LICENCE),
        required_columns=(
            "iso_3166_2",
            "name_en",
            "name_uk",
            "area_km2",
            "evidence",
            "figure_age",
            "source_ids",
        ),
        display=TILED_DISPLAY,
        feature_key="iso_3166_2",
    ),
    LayerSpec(
        id="ua-border-zone",
        title=N_("Ukraine: border zone"),
        description=N_(
            "Land inside Ukraine within the chosen distance of the Russian or Belarusian border."
        ),
        builder=builders.build_ua_border_zone,
        geometry="polygon",
        style=LayerStyle(None, {}, UA_ZONE_COLOR, fill_opacity=0.4, weight=0.8),
        legend=(LegendEntry(N_("Within the chosen distance of RU/BY"), UA_ZONE_COLOR),),
        tooltip_fields=(
            ("name", N_("State")),
            ("depth_km", N_("Zone depth (km)")),
            ("belt_area_km2", N_("Zone area (km²)")),
        ),
        source_ids=(NE_SOURCE_ID,),
        licence=NE_LICENCE,
        default_visible=False,
        required_columns=("iso3", "depth_km", "belt_area_km2", "source_ids"),
        display=COMPUTED_DISPLAY,
        feature_key="iso3",
    ),
    LayerSpec(
        id="ua-hromadas",
        title=N_("Ukraine: hromadas (territorial communities)"),
        description=N_(
            "Ukraine's 1,469 hromada-level units with their KATOTTG codes, drawn from "
            "zoom 7; Crimea and Sevastopol are shown whole (OpenStreetMap has no hromadas there), "
            "the Chornobyl exclusion zone belongs to no hromada."
        ),
        builder=builders.build_ua_hromadas,
        geometry="polygon",
        style=LayerStyle(
            None, {}, HROMADA_COLOR, fill_opacity=0.04, weight=0.7, outline_color=HROMADA_COLOR
        ),
        legend=(LegendEntry(N_("Hromada boundary (OpenStreetMap)"), HROMADA_COLOR, "line"),),
        tooltip_fields=(
            ("name_en", N_("Hromada")),
            ("name_uk", "Назва"),
            ("katottg", N_("KATOTTG")),
            ("first_level_name", N_("Oblast (first-level unit)")),
            ("area_km2", N_("Area (km²)")),
            ("source_ids", SOURCES_LABEL),
        ),
        source_ids=(OSM_SOURCE_ID, "katottg"),
        licence=_licences(
            Phrase.make(
                N_("{licence}, {attribution}"),
                licence=OSM_LICENCE,
                attribution=Phrase.make(OSM_ATTRIBUTION),
            ),
            Phrase.make(N_("Crimea and Sevastopol: {licence}"), licence=NE_LICENCE),
        ),
        default_visible=False,
        required_columns=("katottg", "name_uk", "name_en", "iso_3166_2", "area_km2", "source_ids"),
        display=HROMADA_DISPLAY,
        feature_key="katottg",
        min_zoom=HROMADA_MIN_ZOOM,
    ),
)

LAYER_IDS: tuple[str, ...] = tuple(spec.id for spec in CATALOGUE)
DEFAULT_LAYER_IDS: tuple[str, ...] = tuple(s.id for s in CATALOGUE if s.default_visible)


def get_spec(layer_id: str) -> LayerSpec:
    """Look a layer up by id.

    Parameters
    ----------
    layer_id
        One of :data:`LAYER_IDS`.

    Returns
    -------
    LayerSpec

    Raises
    ------
    KeyError
        With the list of known ids, when ``layer_id`` is unknown.
    """
    for spec in CATALOGUE:
        if spec.id == layer_id:
            return spec
    raise KeyError(f"unknown layer {layer_id!r}; known layers: {', '.join(LAYER_IDS)}")


def specs_for(layer_ids: Iterable[str]) -> list[LayerSpec]:
    """Specs for ids, in catalogue order, refusing unknown ids (see :func:`get_spec`)."""
    wanted = list(dict.fromkeys(layer_ids))
    for layer_id in wanted:
        get_spec(layer_id)
    return [spec for spec in CATALOGUE if spec.id in wanted]


def build_layer(spec: LayerSpec, base: AtlasBase, view_args: ViewArgs) -> gpd.GeoDataFrame:
    """Build one layer and validate it against its spec.

    Parameters
    ----------
    spec
        The layer.
    base
        Date-independent inputs (:func:`layers.base.load_base`).
    view_args
        The view values the layer depends on (:meth:`LayerSpec.view_args`).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, validated: CRS, valid non-empty geometry of the spec's type, required
        columns present.
    """
    if spec.builder is None:
        raise ValueError(f"layer {spec.id!r} is a user's import; it has no builder")
    frame = spec.builder(base, **dict(view_args))
    geom_types = POLYGONAL if spec.geometry == "polygon" else LINEAR
    columns = (*spec.required_columns, *(column for column, _ in spec.tooltip_fields))
    return validate_frame(
        frame, name=spec.id, geom_types=geom_types, required_columns=tuple(dict.fromkeys(columns))
    )
