"""Layer visibility has one source of truth: no interleaving of map toggles, sidebar ticks and
reruns undoes the user's last action on a layer (``views/visibility.py``).

The browser sends every widget's value with each rerun it asks for. When the map's panel
switches a layer and the user ticks another sidebar box before that rerun's result reached
the browser, the browser's values are stale: its box for the layer the map switched still
shows the old state. Here that browser is an ``AppTest`` whose element tree is put back to
the one drawn before the map's event (``at._tree``: AppTest reads the widget values it sends
from that tree), exactly what such a browser holds.
"""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from views.keys import Key, layer_key

#: The map instance the events come from.
CLIENT = "frame-1"
#: Off and on by default (``layers/catalogue/registry.py``).
OFF, ON = "ua-border-zone", "flank-borders"
#: A view report of the map (what it sends after the user stopped moving).
VIEW: dict[str, Any] = {"kind": "view", "center": [55.0, 27.0], "zoom": 4}


def _page() -> None:
    """The sidebar and the map's event, in the order Streamlit runs them."""
    from datetime import date

    import streamlit as st

    from views.keys import Key
    from views.map_view import apply_map_event
    from views.sidebar import render_sidebar

    pending = st.session_state.pop("test_map_event", None)
    if pending is not None:  # the component's on_change: before the page is drawn
        st.session_state[Key.MAP_EVENT] = pending
        apply_map_event()
    state = render_sidebar(date.today())
    st.write("shown: " + ",".join(state.layers))


def shown(at: AppTest) -> set[str]:
    [line] = [m.value for m in at.markdown if m.value.startswith("shown: ")]
    return set(line.removeprefix("shown: ").split(","))


def _map_event(at: AppTest, event: dict[str, Any]) -> None:
    """The map's next event in its queue (numbered after the last applied), and the rerun."""
    seq = at.session_state.get(Key.MAP_APPLIED, {}).get(CLIENT, 0) + 1
    at.session_state["test_map_event"] = {"client": CLIENT, "events": [{**event, "seq": seq}]}
    at.run()


def _map_toggle(at: AppTest, layer: str, on: bool) -> None:
    _map_event(at, {"kind": "layers", "layer": layer, "on": on})


def test_a_stale_sidebar_value_sent_after_a_map_toggle_does_not_undo_it() -> None:
    at = AppTest.from_function(_page).run(timeout=120)
    assert OFF not in shown(at) and ON in shown(at)
    browser = at._tree  # what the browser still shows (a run makes a new tree)
    ticks = {box.key: box.value for box in at.sidebar.checkbox}
    _map_toggle(at, OFF, True)
    assert OFF in shown(at)
    # Before that rerun reaches the browser, the user unticks another box: the browser
    # sends its values, the map-switched layer's box still unticked.
    at._tree = browser
    for box in at.sidebar.checkbox:  # the browser's own values, not the server's
        box.set_value(ticks[box.key])
    at.checkbox(key=layer_key(ON)).uncheck()
    # The browser sends the map's queue too, the toggle not yet acknowledged: applied once.
    at.session_state["test_map_event"] = at.session_state[Key.MAP_EVENT]
    at.run(timeout=120)
    assert OFF in shown(at), "the stale sidebar value undid the map's toggle"
    assert ON not in shown(at), "the sidebar's own tick was lost"
    # The sidebar now shows the truth: the map-switched layer's box is ticked.
    boxes = {box.key: box.value for box in at.sidebar.checkbox}
    assert boxes[layer_key(OFF, 1)] is True and layer_key(OFF) not in boxes


def test_a_map_event_switches_only_its_own_layer() -> None:
    at = AppTest.from_function(_page).run(timeout=120)
    at.checkbox(key=layer_key(OFF)).check().run(timeout=120)
    assert OFF in shown(at)
    # The map's panel switches ON off: OFF, ticked in the sidebar, stays.
    _map_toggle(at, ON, False)
    assert OFF in shown(at) and ON not in shown(at)
    # A view report switches nothing.
    _map_event(at, VIEW)
    assert OFF in shown(at) and ON not in shown(at)
