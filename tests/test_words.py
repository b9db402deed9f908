"""Words for people and links that lead somewhere (issue #22 items 3 and 8), read off the page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.apptest import map_config, map_layers
from views.state import with_page_params

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SOURCE = "hrw-2025-07-24"


def _data_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    pages = at._registered_pages
    matches = [h for h, info in pages.items() if info.get("url_pathname") == "data"]
    assert len(matches) == 1
    at._page_hash = matches[0]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_sidebar_keeps_the_source_parameter() -> None:
    view = {"date": "2025-01-01", "layers": "none"}
    assert with_page_params(view, {"source": SOURCE, "date": "x"}) == {**view, "source": SOURCE}
    assert with_page_params(view, {"junk": "1"}) == view


def test_a_source_link_opens_its_entry_highlighted() -> None:
    at = _data_page({"source": SOURCE})
    assert at.query_params["source"] == SOURCE  # survives the sidebar's rewrite
    texts = [s.value for s in at.success]
    assert len(texts) == 1, texts
    text = texts[0]
    for part in ("Human Rights Watch", "2025-07-24", "hrw.org", "Supports:", "Treaty"):
        assert part in text.replace("\\", ""), (part, text)
    assert any("Suspends" in h.value for h in at.header)


def _texts(at: AppTest) -> str:
    """Every text and table cell of the page, joined (what a reader can see)."""
    parts = [e.value for kind in ("markdown", "caption", "subheader", "success", "info")
             for e in getattr(at, kind)]  # fmt: skip
    for frame in at.dataframe:
        parts += [str(c) for c in frame.value.columns]
        parts += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return "\n".join(parts)


def test_data_page_speaks_in_words() -> None:
    text = _data_page({})
    shown = _texts(text)
    for code in ("withdrawal_vote", "withdrawal_deposited", "suspension_claimed", "22MSP"):
        assert code not in shown, code
    assert "Withdrawal vote" in shown
    assert "Twenty-Second Meeting of the States Parties" in shown
    assert "km² = ha / 100" not in shown and "1 km² = 100 ha" in shown


def test_map_names_the_treaty_and_the_oblast() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"layers": "treaty-status,ua-hromadas", "lat": "49.9", "lon": "36.3",
                            "z": "8"})  # fmt: skip
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    config = map_config(at)
    fields = {e["id"]: e.get("fields", []) for e in config["layers"]}
    assert "Mine Ban Treaty status" in fields["treaty-status"]
    assert not any("APMBC" in label for labels in fields.values() for label in labels)
    hromadas = map_layers(at)["ua-hromadas"]
    kharkiv = [f for f in hromadas if f["texts"][0] == "Kharkivska miska hromada"]
    assert len(kharkiv) == 1
    assert "Kharkiv Oblast" in kharkiv[0]["texts"] and "UA-63" not in kharkiv[0]["texts"]


def _kml_details_script() -> None:
    """Draw the details of one imported KML-like feature (run inside ``AppTest.from_function``)."""
    from datetime import date

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from geo.language import language
    from layers.drawing.layer import user_layer
    from views.map_page import _render_details
    from views.state import ViewState

    frame = gpd.GeoDataFrame(
        {
            "Name": ["Depot"],
            "timestamp": [pd.NaT],
            "altitudeMode": [None],
            "tessellate": [-1],
            "extrude": [0],
        },
        geometry=[Point(30.5, 50.4)],
        crs="EPSG:4326",
    )
    layer = user_layer("user-1", "depot.kml", frame)
    # The popup offers only the fields that say something.
    assert [column for column, _ in layer.spec.tooltip_fields] == ["Name", "extrude"]
    _render_details("user-1:0", [layer], ViewState(as_of=date(2026, 1, 1)), language("en"))


def test_empty_kml_fields_are_hidden() -> None:
    at = AppTest.from_function(_kml_details_script).run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    (table,) = [d.value for d in at.dataframe]
    assert list(table.index) == ["Name", "extrude"]


def _choropleth_config_script() -> None:
    """Send the map a choropleth over the default layers; write its legend and styles out."""
    import json
    from datetime import date

    import pandas as pd
    import streamlit as st

    from geo.analysis.join import join_table
    from geo.analysis.reference import load_join_reference
    from layers.catalogue.spec import ViewParams
    from layers.drawing.choropleth import classify
    from layers.drawing.joined import joined_layer
    from views.map_config import page_map_config
    from views.state import ViewState

    codes = ["UA-63", "UA-65", "UA-14", "UA-48"]
    table = pd.DataFrame({"code": codes, "value": [10, 20, 30, 40]})
    result = join_table(table, column="code", by="iso_3166_2", reference=load_join_reference())
    layer = joined_layer(
        result, "t.csv", classification=classify(result.frame["value"], "equal-interval", 3)
    )
    as_of = date(2026, 3, 1)
    config = page_map_config(ViewState(as_of=as_of), ViewParams(as_of=as_of), [layer])
    shown = {e["id"]: e for e in config["layers"] if e.get("visible")}
    st.text(json.dumps({
        "legend": [[g["layer"], g["title"]] for g in config["legend"]],
        "opacity": {i: e["styles"][""]["fill_opacity"] for i, e in shown.items() if "styles" in e},
    }))  # fmt: skip


def test_live_map_puts_a_choropleth_first_over_dimmed_layers() -> None:
    import json

    from layers.drawing.emphasis import DIMMED_NOTE, DIMMED_OPACITY
    from layers.drawing.joined import JOINED_LAYER_ID

    at = AppTest.from_function(_choropleth_config_script).run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    sent = json.loads(at.text[0].value)
    assert sent["legend"][0][0] == JOINED_LAYER_ID
    titles = dict(map(tuple, sent["legend"]))
    assert titles["treaty-status"].endswith(DIMMED_NOTE)
    assert sent["opacity"]["treaty-status"] == DIMMED_OPACITY
    assert sent["opacity"]["ua-contamination"] == DIMMED_OPACITY


def test_feature_table_names_sources_by_title() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe if "Sources" in d.value.columns]
    assert tables
    cells = [str(v) for table in tables for v in table["Sources"]]
    assert any("Natural Earth 1:10m" in cell for cell in cells)
    assert not any(cell == "ne-5.1.1" or cell.startswith("ne-5.1.1;") for cell in cells)
