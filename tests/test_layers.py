"""Layer registry, builders and the Folium map: one parametrised test per catalogue layer."""

from __future__ import annotations

import json
import re
from datetime import date

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo.facts.source_ids import split_source_ids
from geo.facts.vocabulary import EvidenceClass, TreatyStatus
from geo.units.validate import LINEAR, POLYGONAL
from layers.catalogue.base import load_base
from layers.catalogue.figures import key_figures, withdrawal_summary
from layers.catalogue.registry import (
    CATALOGUE,
    DEFAULT_LAYER_IDS,
    LAYER_IDS,
    build_layer,
    get_spec,
    specs_for,
)
from layers.catalogue.spec import VIEW_PARAMETERS, LayerSpec, ViewParams
from layers.catalogue.style import LayerStyle, LegendEntry
from layers.drawing.basemaps import tiles_entry
from layers.drawing.client_config import (
    feature_props,
    geometry_payload,
    layer_entry,
    legend,
    map_fields,
)
from layers.drawing.display import format_value
from layers.drawing.layer import build_map_layers, user_layer
from layers.drawing.offline import client_script
from views.map_view import COMPONENT_DIR

HOSTILE = "<img src=x onerror=alert(1)>"
PARAMS = ViewParams(as_of=date(2026, 3, 1), belt_km=20.0)


@pytest.fixture(scope="module")
def base():
    return load_base()


def built(base, layer_id: str, params: ViewParams):
    """One catalogue layer built for ``params`` (validated)."""
    spec = get_spec(layer_id)
    return build_layer(spec, base, spec.view_args(params))


@pytest.mark.parametrize("spec", CATALOGUE, ids=LAYER_IDS)
def test_every_layer_builds_validates_and_cites(base, spec: LayerSpec):
    frame = build_layer(spec, base, spec.view_args(PARAMS))
    assert len(frame) > 0
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()
    expected = POLYGONAL if spec.geometry == "polygon" else LINEAR
    assert set(frame.geom_type) <= set(expected)
    assert spec.licence and spec.source_ids and spec.legend and spec.tooltip_fields
    known = set(base.facts.sources["source_id"])
    assert set(spec.source_ids) <= known, set(spec.source_ids) - known
    for ids in frame["source_ids"]:
        parsed = split_source_ids(ids)
        assert parsed, f"{spec.id}: a feature has no source_ids"
        assert set(parsed) <= known, set(parsed) - known
    for column, _label in spec.tooltip_fields:
        assert column in frame.columns


@pytest.mark.parametrize("spec", CATALOGUE, ids=LAYER_IDS)
def test_view_args_ignore_parameters_the_layer_does_not_use(spec: LayerSpec):
    assert spec.depends_on <= VIEW_PARAMETERS
    a = spec.view_args(ViewParams(date(2025, 1, 1), 10))
    b = spec.view_args(ViewParams(date(2026, 1, 1), 10))
    c = spec.view_args(ViewParams(date(2025, 1, 1), 30))
    assert (a == b) is ("as_of" not in spec.depends_on)
    assert spec.dated is (a != b)  # built anew for a new date exactly when it is dated
    assert (a == c) is ("belt_km" not in spec.depends_on)


def test_spec_refuses_incomplete_records():
    with pytest.raises(ValueError, match="no source ids") as info:
        LayerSpec(
            id="Bad Id",
            title="",
            description="",
            builder=lambda base, *, when: None,
            geometry="polygon",
            style=LayerStyle(None, {}, "#000000"),
            legend=(),
            tooltip_fields=(),
            source_ids=(),
            licence="",
        )
    message = str(info.value)
    for fragment in ("lower-case", "title is empty", "legend", "tooltip", "licence", "'when'"):
        assert fragment in message


def test_legend_entry_refuses_bad_colour():
    with pytest.raises(ValueError, match="#RRGGBB"):
        LegendEntry("x", "red")


def test_unknown_layer_id_names_the_known_ones():
    with pytest.raises(KeyError, match="treaty-status"):
        get_spec("nope")
    with pytest.raises(KeyError):
        specs_for(["flank-borders", "nope"])


def test_specs_keep_catalogue_order():
    assert [s.id for s in specs_for(["ua-contamination", "treaty-status"])] == [
        "treaty-status",
        "ua-contamination",
    ]


def test_treaty_status_attribute_schema(base):
    frame = built(base, "treaty-status", ViewParams(date(2025, 12, 28)))
    status = frame.set_index("iso3")["status"]
    assert set(status.unique()) <= set(TreatyStatus.values())
    assert status["EST"] == "withdrawn" and status["LVA"] == "withdrawn"
    assert status["FIN"] == "withdrawal_notified" and status["POL"] == "withdrawal_notified"
    assert status["UKR"] == "suspension_claimed"
    assert status["RUS"] == "never_joined"
    assert status["BLR"] == "party"
    est = frame.set_index("iso3").loc["EST"]
    assert est["withdrawal_deposited"] == "2025-06-27"
    assert est["withdrawal_effective"] == "2025-12-27"


def test_milestones_after_as_of_are_not_shown(base):
    frame = built(base, "treaty-status", ViewParams(date(2025, 6, 1)))
    est = frame.set_index("iso3").loc["EST"]
    assert est["withdrawal_effective"] == ""
    assert est["status"] == "party"


def test_treaty_status_carries_every_recorded_disagreement(base):
    frame = built(base, "treaty-status", PARAMS).set_index("iso3")
    latvia = frame.loc["LVA", "conflicts"]
    assert "66 for, 14 against, 2 abstained (leta-2025-04-16; preferred)" in latvia
    assert "68 for, 14 against (tass-1944473)" in latvia
    ukraine = frame.loc["UKR", "conflicts"]
    assert "2025-07-18 (hrw-2025-07-24" in ukraine and "2025-07-17 (substack-minefields)" in ukraine
    assert frame.loc["UKR", "suspension_claimed"] == "2025-07-18"


def test_ukraine_suspension_starts_on_the_preferred_date(base):
    on_17 = built(base, "withdrawing-states", ViewParams(date(2025, 7, 17))).set_index("iso3")
    on_18 = built(base, "withdrawing-states", ViewParams(date(2025, 7, 18))).set_index("iso3")
    assert on_17.loc["UKR", "status"] == TreatyStatus.PARTY
    assert on_18.loc["UKR", "status"] == TreatyStatus.SUSPENSION_CLAIMED
    assert "Ukraine: suspension claimed Jul 18, 2025 (disputed)" in withdrawal_summary(base)
    assert "Україна: заявлено зупинення дії 18 лип. 2025\u202fр. (спірно)" in withdrawal_summary(
        base, "uk"
    )
    assert key_figures(base, date(2025, 7, 17)).suspension_claimed == ()
    assert key_figures(base, date(2025, 7, 18)).suspension_claimed == ("Ukraine",)


def test_flank_borders_carry_both_lengths(base):
    frame = built(base, "flank-borders", PARAMS).set_index("pair")
    assert len(frame) == 9
    assert frame.loc["FIN-RUS", "factbook_km"] == 1309
    assert frame.loc["FIN-RUS", "length_km"] == pytest.approx(1225.5, abs=1.0)
    assert "1,340" in frame.loc["FIN-RUS", "other_reference_km"]
    assert (frame["length_ratio"].between(0.6, 1.05)).all()


def test_belt_layer_grows_with_depth(base):
    shallow = built(base, "border-belt", ViewParams(PARAMS.as_of, 10)).set_index("iso3")
    deep = built(base, "border-belt", ViewParams(PARAMS.as_of, 50)).set_index("iso3")
    assert (deep["belt_area_km2"] > shallow["belt_area_km2"]).all()
    assert (shallow["depth_km"] == 10).all()


def test_contamination_layer_schema(base):
    frame = built(base, "ua-contamination", PARAMS).set_index("iso_3166_2")
    assert len(frame) == 27
    assert set(frame["evidence"]) <= set(EvidenceClass.values())
    kharkiv = frame.loc["UA-63"]
    assert kharkiv["evidence"] == "figure"
    assert kharkiv["figure_km2"] == pytest.approx(12_000)
    assert kharkiv["figure_date"] == "2024-02-24"
    # No invented figures: oblasts without a published figure carry none.
    no_figure = frame.loc[frame["evidence"] != "figure", "figure_km2"]
    assert no_figure.isna().all()
    assert frame.loc["UA-46", "name_uk"] == "Львівська область"


def test_oblast_figures_say_how_old_they_are(base):
    assert "as_of" in get_spec("ua-contamination").depends_on

    def ages(as_of: date):
        frame = built(base, "ua-contamination", ViewParams(as_of)).set_index("iso_3166_2")
        return frame, frame["figure_age"]

    # Kharkiv 24 Feb 2024, Kherson 3 Nov 2024 (newest statement; its figure 7 May 2024),
    # Mykolaiv 19 May 2023
    frame, age = ages(date(2026, 11, 28))
    assert age["UA-63"] == "latest public figure: 33 months old"
    assert age["UA-65"] == "latest public figure: 24 months old"  # was 30 (issue #24)
    assert age["UA-48"] == "latest public figure: 42 months old"
    assert (age[frame["evidence"] != "figure"] == "").all()
    _, age = ages(date(2025, 2, 24))
    assert age["UA-63"] == ""  # exactly 12 months: not yet labelled
    assert age["UA-65"] == ""
    assert age["UA-48"] == "latest public figure: 21 months old"
    assert ages(date(2025, 3, 23))[1]["UA-63"] == ""  # 12 whole months and 27 days
    assert ages(date(2025, 3, 24))[1]["UA-63"] == "latest public figure: 13 months old"


def test_withdrawing_states_list_dated_steps_up_to_the_date(base):
    def steps(as_of: date):
        return built(base, "withdrawing-states", ViewParams(as_of)).set_index("iso3")

    before, after = steps(date(2025, 12, 4)), steps(date(2025, 12, 5))
    assert "Meeting of States Parties" not in before.loc["UKR", "steps"]
    assert "Decree 2025-06-29" in before.loc["UKR", "steps"]
    assert "Depositary notified 2025-07-18" in before.loc["UKR", "steps"]
    assert after.loc["UKR", "steps"].endswith("Meeting of States Parties conclusion 2025-12-05")
    assert "npa-2025-12-22msp" in split_source_ids(after.loc["UKR", "source_ids"])
    assert "npa-2025-12-22msp" not in split_source_ids(
        steps(date(2025, 7, 1)).loc["UKR", "source_ids"]
    )
    assert "Convention denounced 2025-08-05" in after.loc["POL", "steps"]
    assert steps(date(2025, 3, 1)).loc["UKR", "steps"] == ""


def test_contamination_headline_shows_date_titles_and_age(base):
    fresh = key_figures(base, date(2026, 3, 1)).contaminated
    assert fresh is not None
    assert fresh.date == date(2025, 6, 24)
    assert fresh.age == ""
    assert fresh.source_titles == (
        "Area of mined lands in Ukraine decreased by over 20% in 2.5 years - Shmyhal",
    )

    def age(day: date) -> str:
        estimate = key_figures(base, day).contaminated
        assert estimate is not None
        return estimate.age

    assert age(date(2026, 6, 24)) == ""
    assert age(date(2026, 7, 24)) == "latest public figure: 13 months old"
    assert age(date(2026, 11, 28)) == "latest public figure: 17 months old"
    stale = key_figures(base, date(2026, 11, 28))
    assert stale.factbook_date == date(2026, 1, 22)
    assert stale.factbook_age == ""
    assert key_figures(base, date(2027, 2, 22)).factbook_age == (
        "latest public figure: 13 months old"
    )


def test_key_figures_follow_the_date(base):
    before = key_figures(base, date(2025, 6, 1))
    after = key_figures(base, date(2026, 3, 1))
    assert before.withdrawn == ()
    assert len(after.withdrawn) == 5
    assert before.contaminated is not None and before.contaminated.area_km2 == 139_000
    assert after.contaminated is not None and after.contaminated.area_km2 == 137_000
    assert key_figures(base, date(2023, 1, 1)).contaminated is None
    assert after.factbook_rus_km == 2626 and after.factbook_blr_km == 1176
    assert after.border_rus_km == pytest.approx(2294, rel=0.01)


# --- rendering -------------------------------------------------------------------------------


def test_default_map_config_has_every_layer_colour_and_tooltip(base):
    layers = build_map_layers(base, DEFAULT_LAYER_IDS, PARAMS)
    groups = {g["layer"]: g for g in legend(layers, edge_lon=60.0)}
    for layer in layers:
        spec = layer.spec
        entry = layer_entry(layer, visible=True, dynamic=False)
        assert entry["title"] == spec.title
        assert entry["fields"] == [label for c, label in spec.tooltip_fields if c != "source_ids"]
        colours = {style["color"] for style in entry["styles"].values()}
        assert {e.color for e in spec.legend} <= colours
        assert [e["label"] for e in groups[spec.id]["entries"]] == [e.label for e in spec.legend]
    # As of 2026-03-01 the five flank states are withdrawn: that is their style key.
    treaty = next(layer for layer in layers if layer.spec.id == "treaty-status")
    keys = {fid: p["s"] for fid, p in feature_props(treaty).items()}
    assert {keys[i] for i in ("EST", "LVA", "LTU", "FIN", "POL")} == {TreatyStatus.WITHDRAWN}
    evidence = next(layer for layer in layers if layer.spec.id == "ua-contamination")
    styles = layer_entry(evidence, visible=True, dynamic=False)["styles"]
    assert styles[EvidenceClass.FIGURE]["fill_opacity"] == 1.0  # legend colour = screen colour
    assert styles[EvidenceClass.NO_PUBLIC_FIGURE]["hatch"] is True
    assert groups[None]["entries"][0]["label"].startswith("Not in the treaty tables")


def test_map_needs_no_cdn():
    page = (COMPONENT_DIR / "index.html").read_text(encoding="utf-8")
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert external == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in page
    assert "http" not in client_script().replace("http://www.w3.org/2000/svg", "")


def test_status_colour_changes_with_date(base):
    early = build_map_layers(base, ["treaty-status"], ViewParams(date(2025, 6, 1)))[0]
    keys = {p["s"] for p in feature_props(early).values()}
    assert TreatyStatus.WITHDRAWN not in keys and TreatyStatus.PARTY in keys


def test_hostile_attribute_stays_text_in_the_map_data():
    frame = gpd.GeoDataFrame(
        {"name": [HOSTILE], HOSTILE: ["<script>alert(2)</script>"]},
        geometry=[box(30, 50, 30.1, 50.1)],
        crs="EPSG:4326",
    )
    layer = user_layer("user-1", HOSTILE, frame)
    text = geometry_payload(layer, with_props=True)
    # JSON that cannot close a <script> or open markup; the client writes it with textContent.
    assert "<" not in text and ">" not in text
    props = json.loads(text)["features"][0]["properties"]
    assert props["t"] == [HOSTILE, "<script>alert(2)</script>"]
    assert layer_entry(layer, visible=True, dynamic=False)["fields"] == ["name", HOSTILE]


def test_map_data_is_rounded_and_keeps_only_ids_styles_and_texts(base):
    layer = build_map_layers(base, ["flank-borders"], PARAMS)[0]
    feature = json.loads(geometry_payload(layer, with_props=True))["features"][0]
    assert set(feature["properties"]) == {"id", "s", "t"}
    assert len(feature["properties"]["t"]) == len(map_fields(layer.spec))
    coords = shapely.get_coordinates(shapely.from_geojson(json.dumps(feature["geometry"])))
    assert (abs(coords * 1e3 - (coords * 1e3).round()) < 1e-6).all()
    bare = json.loads(geometry_payload(layer, with_props=False))["features"][0]
    assert set(bare["properties"]) == {"id"}


@pytest.mark.parametrize(
    ("value", "text"),
    [(float("nan"), "—"), (None, "—"), (1309.0, "1,309"), (1225.46, "1,225.5"), ("", "—")],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_tile_basemap_is_offered_above_the_offline_basemap():
    tiles = tiles_entry("osm")
    assert tiles is not None and "tile.openstreetmap.org" in tiles["url"]
    assert "could not be loaded" in tiles["offline_notice"]
    assert tiles_entry("offline") is None
    with pytest.raises(KeyError, match="offline"):
        tiles_entry("nope")


def test_latest_public_figure_is_the_newest_dated_statement_with_its_basis(base):
    """Issue #24: Kherson's newest statement (3 Nov 2024, 71 % of farmland cleared) is shown
    with its date and basis; before it was published the May 2024 figure is the latest."""

    def row(as_of: date):
        frame = built(base, "ua-contamination", ViewParams(as_of)).set_index("iso_3166_2")
        return frame.loc["UA-65"]

    kherson = row(date(2026, 11, 28))
    assert kherson["latest_statement"].startswith("2024-11-03: 71 % of farmland cleared")
    assert "basis: farmland already cleared, de-occupied part only" in kherson["latest_statement"]
    assert "intent-press-2024-11-03-kherson" in kherson["source_ids"].split(";")
    assert kherson["figure_km2"] == pytest.approx(2_700)  # the map's area figure is unchanged
    before = row(date(2024, 6, 1))
    assert before["latest_statement"].startswith("2024-05-07: about 270,000 ha")
    assert "de-occupied part only" in before["latest_statement"]
    assert row(date(2024, 5, 6))["latest_statement"] == ""  # nothing published yet
