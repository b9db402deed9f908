"""The map's events: a forged one is ignored and logged, never a page error (issue 18,
finding 4); each carries only its change, and each is applied once, in order (issue 19)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from layers.catalogue.registry import LAYER_IDS
from layers.catalogue.spec import AS_OF_MIN
from layers.drawing.protocol import ZOOM_MAX, ZOOM_MIN
from tests.support.apptest import send_map_events
from views.keys import Key
from views.map_events import (
    MAX_EVENT_LAYERS,
    MAX_QUEUED_EVENTS,
    parse_event_queue,
    parse_map_event,
)

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 3, 1)
#: The session's state before each event (what a real session holds after some use).
CENTER, ZOOM, SELECTED, AS_OF = (50.0, 30.0), 6.0, "withdrawing-states:UKR", date(2025, 1, 1)
#: An event that restates that state: applying it changes nothing.
BASE: dict[str, Any] = {"kind": "view", "center": list(CENTER), "zoom": ZOOM, "seq": 1}
LAYER = LAYER_IDS[0]
#: One forged field each (on top of a well-formed event of its kind), or a whole forged value.
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
    "seq_zero": {**BASE, "seq": 0},
    "seq_fraction": {**BASE, "seq": 1.5},
    "seq_missing": {k: v for k, v in BASE.items() if k != "seq"},
    "view_with_selection": {**BASE, "selected": None},  # a key its kind does not have
    "view_with_date": {**BASE, "date": "2025-06-30"},
    "selected_number": {"kind": "select", "seq": 1, "selected": 42},
    "selected_object": {"kind": "select", "seq": 1, "selected": {"id": "x"}},
    "selected_huge": {"kind": "select", "seq": 1, "selected": "x" * 100_000},
    "selected_missing": {"kind": "select", "seq": 1},
    "kind_unknown": {**BASE, "kind": "evil"},
    "kind_list": {**BASE, "kind": ["layers"]},
    "kind_missing": {k: v for k, v in BASE.items() if k != "kind"},
    "layers_no_layer": {"kind": "layers", "seq": 1, "on": True},
    "layers_on_text": {"kind": "layers", "seq": 1, "layer": LAYER, "on": "yes"},
    "layers_layer_number": {"kind": "layers", "seq": 1, "layer": 1, "on": False},
    "layers_with_list": {"kind": "layers", "seq": 1, "layer": LAYER, "on": False, "visible": []},
    "date_text": {"kind": "date", "seq": 1, "date": "not-a-date"},
    "date_number": {"kind": "date", "seq": 1, "date": 20250301},
    "date_missing": {"kind": "date", "seq": 1},
    "date_impossible": {"kind": "date", "seq": 1, "date": "2025-13-45"},
    "mode_missing": {"kind": "mode", "seq": 1},
    "mode_unknown": {"kind": "mode", "seq": 1, "mode": "admin"},
    "mode_number": {"kind": "mode", "seq": 1, "mode": 1},
    "compare_number": {"kind": "compare", "seq": 1, "date": 20250301},
    "compare_text": {"kind": "compare", "seq": 1, "date": "last year"},
    "need_text": {"kind": "need", "seq": 1, "need": "all"},
    "need_numbers": {"kind": "need", "seq": 1, "need": [1, 2]},
    "need_full_text": {"kind": "need", "seq": 1, "need": [], "full": "yes"},
    "need_too_many": {"kind": "need", "seq": 1, "need": ["k"] * (MAX_EVENT_LAYERS + 1)},
    "text": "center=abc",
    "list": [50, 30],
    "number": 12,
}
#: A forged queue around the events: ignored whole.
FORGED_QUEUES: dict[str, object] = {
    "not_an_object": [BASE],
    "no_client": {"events": [BASE]},
    "client_number": {"client": 7, "events": [BASE]},
    "client_empty": {"client": "", "events": [BASE]},
    "client_huge": {"client": "c" * 100_000, "events": [BASE]},
    "events_object": {"client": "c", "events": BASE},
    "events_too_many": {"client": "c", "events": [BASE] * (MAX_QUEUED_EVENTS + 1)},
    "extra_key": {"client": "c", "events": [BASE], "visible": []},
}
#: Well-formed but outside the map's range: not applied (the rest of the event would be).
OUT_OF_RANGE: dict[str, object] = {
    "center_huge": {**BASE, "center": [1e308, 1e308]},
    "center_beyond_pole": {**BASE, "center": [89.9, 30]},
    "zoom_huge": {**BASE, "zoom": 1e308},
    "zoom_below": {**BASE, "zoom": ZOOM_MIN - 1},
    "zoom_above": {**BASE, "zoom": ZOOM_MAX + 0.5},
    "date_before": {"kind": "date", "seq": 1, "date": "1900-01-01"},
    "date_future": {"kind": "date", "seq": 1, "date": "2999-01-01"},
}


def queue(*events: object, client: str = "frame-1") -> dict[str, object]:
    """The component's value: the map instance's id and its unacknowledged events."""
    return {"client": client, "events": list(events)}


def _event_script() -> None:
    """Seed a session's map state, deliver the queued value as the map would, show the state."""
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
    if "test_value" in st.session_state:  # the component's on_change: before the page is drawn
        st.session_state[Key.MAP_EVENT] = st.session_state.pop("test_value")
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


def _deliver(value: object, at: AppTest | None = None) -> AppTest:
    """The page after the map's component value ``value`` (in a new session, or ``at``'s)."""
    if at is None:
        at = AppTest.from_function(_event_script)
    at.session_state["test_value"] = value
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == ["page drawn"]
    return at


@pytest.mark.parametrize("name", [*FORGED, *OUT_OF_RANGE])
def test_forged_event_leaves_the_page_and_state_as_they_were(name: str) -> None:
    event = FORGED.get(name, OUT_OF_RANGE.get(name))
    assert _state(_deliver(queue(event))) == UNCHANGED


@pytest.mark.parametrize("name", list(FORGED_QUEUES))
def test_forged_queue_is_ignored_whole(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="views.map_events"):
        assert parse_event_queue(FORGED_QUEUES[name], TODAY) is None
    [record] = caplog.records
    assert record.getMessage().startswith("Ignored a malformed map event queue: ")
    assert len(record.getMessage()) < 200
    assert _state(_deliver(FORGED_QUEUES[name])) == UNCHANGED


def test_the_restating_event_changes_nothing_and_real_events_apply() -> None:
    assert _state(_deliver(queue(BASE))) == UNCHANGED
    moved = {**BASE, "center": [48.5, 200.0], "zoom": 7.5}
    toggled = {"kind": "layers", "seq": 2, "layer": LAYER, "on": False}
    center, zoom, selected, as_of, layers = _state(_deliver(queue(moved, toggled)))
    # Leaflet reports an unwrapped longitude after a pan across the antimeridian: the centre is
    # not kept, the zoom and the layer toggle are.
    assert (center, zoom, selected, as_of) == (CENTER, 7.5, SELECTED, AS_OF)
    assert layers == tuple(i != LAYER for i in LAYER_IDS)
    stepped = {"kind": "date", "seq": 1, "date": "2025-06-30"}
    assert _state(_deliver(queue(stepped))) == (
        CENTER,
        ZOOM,
        SELECTED,
        date(2025, 6, 30),
        UNCHANGED[4],
    )
    cleared = {"kind": "select", "seq": 1, "selected": None}
    assert _state(_deliver(queue(cleared)))[2] is None


def test_each_event_carries_only_its_change() -> None:
    """A date step leaves the view and the selection; a move leaves the date and the layers."""
    at = _deliver(queue({"kind": "date", "seq": 1, "date": "2025-06-30"}))
    assert _state(at)[:3] == (CENTER, ZOOM, SELECTED)
    _deliver(queue({**BASE, "seq": 2, "center": [49.0, 31.0]}), at)
    assert _state(at)[:4] == ((49.0, 31.0), ZOOM, SELECTED, date(2025, 6, 30))


def test_two_events_in_one_value_are_both_applied() -> None:
    """Two changes made before the page reran: the second value holds both, both apply."""
    switched = {"kind": "layers", "seq": 1, "layer": LAYER, "on": False}
    other = LAYER_IDS[1]
    second = {"kind": "layers", "seq": 2, "layer": other, "on": False}
    at = _deliver(queue(switched, second))
    assert _state(at)[4] == tuple(i not in {LAYER, other} for i in LAYER_IDS)
    assert at.session_state[Key.MAP_APPLIED] == {"frame-1": 2}


def test_an_applied_event_is_never_applied_again() -> None:
    """The value is re-sent with every rerun until acknowledged: its events apply once."""
    at = _deliver(queue({"kind": "layers", "seq": 1, "layer": LAYER, "on": False}))
    set_shown_in(at, LAYER, True)  # the sidebar switches it back on
    # The same value again (a rerun for another widget), then a late copy of it, then the
    # queue grown by one: the switch-off is not replayed, the new event applies.
    _deliver(queue({"kind": "layers", "seq": 1, "layer": LAYER, "on": False}), at)
    assert _state(at)[4][0] is True
    grown = queue(
        {"kind": "layers", "seq": 1, "layer": LAYER, "on": False},
        {"kind": "date", "seq": 2, "date": "2025-06-30"},
    )
    _deliver(grown, at)
    assert _state(at)[3:] == (date(2025, 6, 30), UNCHANGED[4])


def test_events_apply_in_order_of_their_numbers() -> None:
    """Out of order in the value: applied by ``seq``; an older value arriving late: nothing."""
    on = {"kind": "layers", "seq": 3, "layer": LAYER, "on": True}
    off = {"kind": "layers", "seq": 2, "layer": LAYER, "on": False}
    at = _deliver(queue(on, off))
    assert _state(at)[4][0] is True  # off (2) then on (3)
    _deliver(queue(off), at)  # a value from before: already applied
    assert _state(at)[4][0] is True
    assert at.session_state[Key.MAP_APPLIED] == {"frame-1": 3}


def test_a_new_map_frame_counts_anew_and_an_old_one_is_not_replayed() -> None:
    """A new frame (after the Data page, a reconnect) starts at 1; the old frame's events
    already applied are not applied again if a late value of it arrives."""
    at = _deliver(queue({"kind": "layers", "seq": 5, "layer": LAYER, "on": False}, client="old"))
    _deliver(queue({"kind": "layers", "seq": 1, "layer": LAYER, "on": True}, client="new"), at)
    assert _state(at)[4][0] is True
    _deliver(queue({"kind": "layers", "seq": 5, "layer": LAYER, "on": False}, client="old"), at)
    assert _state(at)[4][0] is True
    assert at.session_state[Key.MAP_APPLIED] == {"new": 1, "old": 5}


def test_a_forged_event_in_the_queue_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="views.map_events"):
        parsed = parse_event_queue(queue(FORGED["zoom_text"], {**BASE, "seq": 2, "zoom": 8}), TODAY)
    assert parsed is not None and [e.seq for e in parsed.events] == [2]
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def set_shown_in(at: AppTest, layer: str, on: bool) -> None:
    """Switch ``layer`` in ``at``'s session as the sidebar would."""
    shown = dict(at.session_state[Key.LAYERS_SHOWN])
    shown[layer] = on
    at.session_state[Key.LAYERS_SHOWN] = shown


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
    event = parse_map_event({**BASE, "center": [50.123456, 30], "zoom": 4, "seq": 9}, TODAY)
    assert event is not None
    assert (event.kind, event.seq, event.center, event.zoom) == ("view", 9, (50.1235, 30.0), 4.0)
    day = parse_map_event({"kind": "date", "seq": 1, "date": "2024-01-01"}, TODAY)
    assert day is not None and day.day == AS_OF_MIN
    assert parse_event_queue(None, TODAY) is None


def test_leaving_present_mode_sets_the_mode_only() -> None:
    event = parse_map_event({"kind": "mode", "seq": 1, "mode": "explore"}, TODAY)
    assert event is not None and (event.kind, event.mode) == ("mode", "explore")
    at = _deliver(queue({"kind": "mode", "seq": 1, "mode": "explore"}))
    assert at.session_state[Key.MODE] == "explore" and _state(at) == UNCHANGED


def test_the_map_opens_and_closes_the_compare_view() -> None:
    opened = _deliver(queue({"kind": "compare", "seq": 1, "date": "2025-03-01"}))
    assert opened.session_state[Key.COMPARE] == date(2025, 3, 1)
    assert _state(opened) == UNCHANGED  # the map's own date (and all else) stays
    closed = _deliver(queue({"kind": "compare", "seq": 1, "date": None}))
    assert closed.session_state[Key.COMPARE] is None
    beyond = _deliver(queue({"kind": "compare", "seq": 1, "date": "2999-01-01"}))
    assert Key.COMPARE not in beyond.session_state  # out of range: nothing opened or closed


def test_events_the_callback_did_not_see_are_applied_before_the_widgets() -> None:
    """A session the browser reconnected to may not run the component's callback: the
    sidebar applies the queue before it draws a widget (no "modified after instantiated")."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    send_map_events(
        at,
        {"kind": "date", "date": "2025-06-30"},
        {"kind": "layers", "layer": "flank-borders", "on": False},
    )
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key=Key.AS_OF).value == date(2025, 6, 30)
    assert at.session_state[Key.LAYERS_SHOWN]["flank-borders"] is False
