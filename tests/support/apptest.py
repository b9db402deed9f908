"""What the map component of an ``AppTest`` run would draw (read from its configuration).

The map is a custom component (``views/map_view.py``), which ``AppTest`` exposes as an
``UnknownElement`` of type ``component_instance``; its ``json_args["config"]`` is what the map
client in the browser receives, and each shown layer's features are in the file the browser
would fetch from the app's static route.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from layers.drawing.offline import DATA_URL_PREFIX

STATIC_DATA = Path(__file__).resolve().parents[2] / "static" / "atlas"


def map_component(at: AppTest) -> Any:
    """The single map component of the page."""
    components = [e for e in at.get("component_instance") if "atlas_map" in e.proto.component_name]
    assert len(components) == 1, [e.proto.component_name for e in at.get("component_instance")]
    return components[0]


def map_config(at: AppTest) -> dict[str, Any]:
    """What the map client receives on this run."""
    return json.loads(map_component(at).proto.json_args)["config"]


def fetched(url: str) -> dict[str, Any]:
    """The JSON file the browser would fetch from the app's static route."""
    assert url.startswith(DATA_URL_PREFIX + "/"), url
    return json.loads((STATIC_DATA / url.rpartition("/")[2]).read_text(encoding="utf-8"))


def map_layers(at: AppTest) -> dict[str, list[dict]]:
    """Drawn features per shown layer: ``{"id", "geometry", "texts", "style"}`` each.

    Properties of date-dependent layers come from the configuration, the others' from their
    file; ``style`` is the layer's style record for the feature's style key.
    """
    config = map_config(at)
    layers: dict[str, list[dict]] = {}
    for entry in config["layers"]:
        if not entry["visible"]:
            continue
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
