"""What the browser receives for a view of the live map, in bytes (no server needed)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from layers.catalogue.base import AtlasBase
from layers.drawing.client_config import feature_props, geometry_payload
from layers.drawing.layer import MapLayer
from layers.safe_text import script_json


def first_load_bytes(base: AtlasBase, layers: Sequence[MapLayer]) -> int:
    """Bytes of a first view: every layer file, the basemap file and the properties.

    Date-dependent layers' files carry geometry only; their properties travel with the
    configuration, counted here too. Later views fetch none of the files again.
    """
    total = len(json.dumps(base.basemap_geojson).encode("utf-8"))
    for layer in layers:
        dynamic = "as_of" in layer.spec.depends_on
        total += len(geometry_payload(layer, with_props=not dynamic).encode("utf-8"))
        if dynamic:
            total += len(script_json(feature_props(layer)).encode("utf-8"))
    return total
