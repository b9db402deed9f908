"""Issue 18, finding 4: a forged map event is ignored and logged, never a page error."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from layers.catalogue.registry import LAYER_IDS
from layers.catalogue.spec import AS_OF_MIN
from layers.drawing.protocol import ZOOM_MAX, ZOOM_MIN
from views.keys import Key
from views.map_events import MAX_EVENT_LAYERS, parse_map_event

TODAY = date(2026, 3, 1)
#: The session's state before each event (what a real session holds after some use).
CENTER, ZOOM, SELECTED, AS_OF = (50.0, 30.0), 6.0, "withdrawing-states:UKR", date(2025, 1, 1)
#: An event that restates that state: applying it changes nothing.
BASE: dict[str, Any] = {
    "kind": "view",
    "center": list(CENTER),
    "zoom": ZOOM,
    "selected": SELECTED,
    "visible": sorted(LAYER_IDS),
    "seq": 1_765_000_000_000,
}
#: One forged field each (on top of :data:`BASE`), or a whole forged value.
FORGED: dict[str, object] = {
    "center_text": {**BASE, "center": ["abc", 1]},
    "center_nulls": {**BASE, "center": [None, None]},
    "center_booleans": {**BASE, "center": [True, False]},
    "center_nested": {**BASE, "center": [[50], [30]]},
    "center_three": {**BASE, "center": [50, 30, 1]},
    "center_object": {**BASE, "center": {"lat": 50, "lon": 30}},
    "center_nan": {**BASE, "center": [float("nan"), 30]},
    "center_infinite": {**BASE, "center": [50, float("inf")]},
    "center_missing": {k: v for k, v in BASE.items() if k != "center"},
    "zoom_text": {**BASE, "zoom": "x"},
    "zoom_nan": {**BASE, "zoom": float("nan")},
    "zoom_boolean": {**BASE, "zoom": True},
    "zoom_null": {**BASE, "zoom": None},
    "seq_text": {**BASE, "seq": "now"},
    "selected_number": {**BASE, "selected": 42},
    "selected_object": {**BASE, "selected": {"id": "x"}},
    "selected_huge": {**BASE, "selected": "x" * 100_000},
    "kind_unknown": {**BASE, "kind": "evil"},
    "kind_list": {**BASE, "kind": ["layers"]},
    "kind_missing": {k: v for k, v in BASE.items() if k != "kind"},
    "layers_no_layer": {**BASE, "kind": "layers", "on": True},
    "layers_on_text": {**BASE, "kind": "layers", "layer": LAYER_IDS[0], "on": "yes"},
    "layers_numbers": {**BASE, "kind": "layers", "visible": [1, 2]},
    "layers_text": {**BASE, "kind": "layers", "visible": "none"},
    "layers_objects": {**BASE, "kind": "layers", "visible": [{"id": LAYER_IDS[0]}]},
    "layers_too_many": {**BASE, "kind": "layers", "visible": ["x"] * (MAX_EVENT_LAYERS + 1)},
    "date_text": {**BASE, "kind": "date", "date": "not-a-date"},
    "date_number": {**BASE, "kind": "date", "date": 20250301},
    "date_missing": {**BASE, "kind": "date"},
    "date_on_view_bad": {**BASE, "date": "2025-13-45"},
    "mode_missing": {**BASE, "kind": "mode"},
    "mode_unknown": {**BASE, "kind": "mode", "mode": "admin"},
    "mode_number": {**BASE, "kind": "mode", "mode": 1},
    "compare_number": {**BASE, "kind": "compare", "date": 20250301},
    "compare_text": {**BASE, "kind": "compare", "date": "last year"},
    "compare_mode_unknown": {
        **BASE,
        "kind": "compare",
        "date": "2025-03-01",
        "compare_mode": "overlay",
    },
    "compare_mode_number": {**BASE, "kind": "compare", "date": "2025-03-01", "compare_mode": 2},
    "text": "center=abc",
    "list": [50, 30],
    "number": 12,
}
#: Well-formed but outside the map's range: not applied (the rest of the event would be).
OUT_OF_RANGE: dict[str, object] = {
    "center_huge": {**BASE, "center": [1e308, 1e308]},
    "center_beyond_pole": {**BASE, "center": [89.9, 30]},
    "zoom_huge": {**BASE, "zoom": 1e308},
    "zoom_below": {**BASE, "zoom": ZOOM_MIN - 1},
    "zoom_above": {**BASE, "zoom": ZOOM_MAX + 0.5},
    "date_before": {**BASE, "kind": "date", "date": "1900-01-01"},
    "date_future": {**BASE, "kind": "date", "date": "2999-01-01"},
}


def _event_script(event: object) -> None:
    """Seed a session's map state, deliver ``event`` as the map would, show the state."""
    from datetime import date

    import streamlit as st

    from layers.catalogue.registry import LAYER_IDS
    from views.keys import Key
    from views.map_view import apply_map_event
    from views.visibility import seed_shown

    if "seeded" not in st.session_state:
        st.session_state["seeded"] = True
        st.session_state[Key.MAP_CENTER] = (50.0, 30.0)
        st.session_state[Key.MAP_ZOOM] = 6.0
        st.session_state[Key.SELECTED] = "withdrawing-states:UKR"
        st.session_state[Key.AS_OF] = date(2025, 1, 1)
        seed_shown(LAYER_IDS, LAYER_IDS)
    st.session_state[Key.MAP_EVENT] = event
    apply_map_event()
    st.write("page drawn")


def _state(at: AppTest) -> tuple[object, ...]:
    return (
        at.session_state[Key.MAP_CENTER],
        at.session_state[Key.MAP_ZOOM],
        at.session_state[Key.SELECTED],
        at.session_state[Key.AS_OF],
        tuple(at.session_state[Key.LAYERS_SHOWN][i] for i in LAYER_IDS),
    )


UNCHANGED = (CENTER, ZOOM, SELECTED, AS_OF, tuple(True for _ in LAYER_IDS))


def _deliver(event: object) -> AppTest:
    at = AppTest.from_function(_event_script, args=(event,)).run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == ["page drawn"]
    return at


@pytest.mark.parametrize("name", [*FORGED, *OUT_OF_RANGE])
def test_forged_event_leaves_the_page_and_state_as_they_were(name: str) -> None:
    event = FORGED.get(name, OUT_OF_RANGE.get(name))
    assert _state(_deliver(event)) == UNCHANGED


def test_the_restating_event_changes_nothing_and_real_events_apply() -> None:
    assert _state(_deliver(BASE)) == UNCHANGED
    hidden = LAYER_IDS[0]
    shown = [i for i in LAYER_IDS if i != hidden]
    moved = {
        **BASE, "kind": "layers", "center": [48.5, 200.0], "zoom": 7.5, "visible": shown,
        "layer": hidden, "on": False,
    }  # fmt: skip
    center, zoom, selected, as_of, layers = _state(_deliver(moved))
    # Leaflet reports an unwrapped longitude after a pan across the antimeridian: the centre is
    # not kept, the layer toggle is.
    assert (center, zoom, selected, as_of) == (CENTER, 7.5, SELECTED, AS_OF)
    assert layers == tuple(i != hidden for i in LAYER_IDS)
    stepped = {**BASE, "kind": "date", "date": "2025-06-30", "selected": None}
    assert _state(_deliver(stepped))[2:4] == (None, date(2025, 6, 30))


@pytest.mark.parametrize("name", list(FORGED))
def test_malformed_event_is_logged_and_ignored(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="views.map_events"):
        assert parse_map_event(FORGED[name], TODAY) is None
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("Ignored a malformed map event: ")
    assert len(record.getMessage()) < 200  # a 100,000-character value is not logged whole


@pytest.mark.parametrize("name", list(OUT_OF_RANGE))
def test_out_of_range_field_is_dropped_and_logged(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="views.map_events"):
        event = parse_map_event(OUT_OF_RANGE[name], TODAY)
    assert event is not None
    field = name.split("_")[0]
    assert {"center": event.center, "zoom": event.zoom, "date": event.day}[field] is None
    assert [r.levelno for r in caplog.records] == [logging.INFO]


def test_valid_event_is_read_exactly() -> None:
    event = parse_map_event(
        {**BASE, "kind": "date", "center": [50.123456, 30], "zoom": 4, "date": "2024-01-01"},
        TODAY,
    )
    assert event is not None
    assert (event.kind, event.center, event.zoom) == ("date", (50.1235, 30.0), 4.0)
    assert (event.selected, event.day) == (SELECTED, AS_OF_MIN)
    assert event.visible == tuple(sorted(LAYER_IDS))
    assert parse_map_event(None, TODAY) is None


def test_leaving_present_mode_sets_the_mode_only() -> None:
    event = parse_map_event({**BASE, "kind": "mode", "mode": "explore"}, TODAY)
    assert event is not None and (event.kind, event.mode) == ("mode", "explore")
    assert parse_map_event({**BASE, "mode": "explore"}, TODAY).mode is None  # type: ignore[union-attr]


def test_the_map_opens_and_closes_the_compare_view() -> None:
    opened = _deliver({**BASE, "kind": "compare", "date": "2025-03-01"})
    assert opened.session_state[Key.COMPARE] == date(2025, 3, 1)
    assert _state(opened) == UNCHANGED  # the map's own date (and all else) stays
    closed = _deliver({**BASE, "kind": "compare", "date": None})
    assert closed.session_state[Key.COMPARE] is None
    beyond = _deliver({**BASE, "kind": "compare", "date": "2999-01-01"})
    assert Key.COMPARE not in beyond.session_state  # out of range: nothing opened or closed


def test_the_map_switches_the_compare_layout() -> None:
    swiped = _deliver({**BASE, "kind": "compare", "date": "2025-03-01", "compare_mode": "swipe"})
    assert swiped.session_state[Key.COMPARE_MODE] == "swipe"
    assert swiped.session_state[Key.COMPARE] == date(2025, 3, 1)
    side = _deliver({**BASE, "kind": "compare", "date": "2025-03-01", "compare_mode": "side"})
    assert side.session_state[Key.COMPARE_MODE] == "side"
