"""What the map component of an ``AppTest`` run would draw (read from its configuration).

The map is a custom component (``views/map_view.py``), which ``AppTest`` exposes as an
``UnknownElement`` of type ``component_instance``; its ``json_args["message"]`` is the update
the map client in the browser receives (a delta against the previous run's configuration:
``layers/drawing/protocol.py``), and the client's whole configuration is that update applied
to the previous one. Each shown catalogue layer's features are in the file the
browser would fetch from the app's static route; a session layer's come inline, on the run
that first draws them or that answers the client's ``need`` event (``views/session_layers.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from layers.drawing.offline import DATA_FOLDER, DATA_URL_PREFIX
from layers.drawing.protocol import ConfigDelta
from views.keys import Key
from views.map_events import MAP_NEED
from views.session_layers import GEOJSON_FIELD, KEY_FIELD

STATIC_DATA = Path(__file__).resolve().parents[2] / "static" / DATA_FOLDER
#: The map instance id of the events a test sends (``layers/drawing/protocol.py`` EventQueue).
TEST_CLIENT = "apptest"


def map_component(at: AppTest) -> Any:
    """The single map component of the page."""
    components = [e for e in at.get("component_instance") if "atlas_map" in e.proto.component_name]
    assert len(components) == 1, [e.proto.component_name for e in at.get("component_instance")]
    return components[0]


def map_message(at: AppTest) -> ConfigDelta:
    """The update the map client receives on this run."""
    message: ConfigDelta = json.loads(map_component(at).proto.json_args)["message"]
    return message


def map_config(at: AppTest) -> dict[str, Any]:
    """The whole configuration the map client holds after this run's update.

    The session's record of it (``Key.MAP_SENT``), checked against the update: the update
    applied to the record of the revision before gives it (or is it, when whole).
    """
    sent = at.session_state[Key.MAP_SENT]
    message = map_message(at)
    assert message["rev"] == sent["rev"]
    if message["base"] is None:
        assert message["set"] == sent["config"]
    return sent["config"]


def fetched(url: str) -> dict[str, Any]:
    """The JSON file the browser would fetch from the app's static route."""
    assert url.startswith(DATA_URL_PREFIX + "/"), url
    return json.loads((STATIC_DATA / url.rpartition("/")[2]).read_text(encoding="utf-8"))


def send_map_events(at: AppTest, *events: dict[str, Any]) -> None:
    """Do what the map client does: queue ``events`` (numbered after the last applied), rerun.

    The component's value is the queue (``views/map_inbox.py``); the events applied before
    are acknowledged, so the queue holds only these.
    """
    applied = at.session_state.get(Key.MAP_APPLIED, {})
    last = applied.get(TEST_CLIENT, 0)
    queued = [{**event, "seq": last + n} for n, event in enumerate(events, start=1)]
    at.session_state[Key.MAP_EVENT] = {"client": TEST_CLIENT, "events": queued}
    at.run()


def request_session_layers(at: AppTest, keys: list[str]) -> None:
    """Do what the map client does for session layers it lacks: a ``need`` event, a rerun."""
    send_map_events(at, {"kind": MAP_NEED, "need": keys})


def map_layers(at: AppTest) -> dict[str, list[dict]]:
    """Drawn features per shown layer: ``{"id", "geometry", "texts", "style"}`` each.

    Properties of date-dependent layers come from the configuration, the others' from their
    file (a session layer's from the configuration of the run that sent it: when this run did
    not, the client's request is made, which reruns ``at``); ``style`` is the layer's style
    record for the feature's style key.
    """
    config = map_config(at)
    # What the client holds of each session layer: sent on this run, or asked for (a rerun).
    received = {e[KEY_FIELD]: e[GEOJSON_FIELD] for e in config["layers"] if GEOJSON_FIELD in e}
    missing = [
        e[KEY_FIELD] for e in config["layers"]
        if e["visible"] and KEY_FIELD in e and e[KEY_FIELD] not in received
    ]  # fmt: skip
    if missing:
        request_session_layers(at, missing)
        config = map_config(at)
        received |= {e[KEY_FIELD]: e[GEOJSON_FIELD] for e in config["layers"] if GEOJSON_FIELD in e}
    layers: dict[str, list[dict]] = {}
    for entry in config["layers"]:
        if not entry["visible"]:
            continue
        if KEY_FIELD in entry:
            data = json.loads(received[entry[KEY_FIELD]])
        else:
            data = fetched(entry["url"])
        props = config["patches"].get(entry["id"], {})
        features = []
        for feature in data["features"]:
            fid = feature["properties"]["id"]
            own = props.get(fid, feature["properties"])
            style = entry["styles"].get(own.get("s", ""), entry["styles"][""])
            features.append(
                {"id": fid, "geometry": feature["geometry"], "texts": own["t"], "style": style}
            )
        layers[entry["id"]] = features
    return layers
