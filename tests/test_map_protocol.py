"""The map protocol is a contract: the client reads what Python sends, and nothing else.

``layers/drawing/protocol.py`` types each record; the client (``client/atlas_*.js`` and the
component's ``bridge.js``) names each record by a fixed variable (``config``, ``cfg`` for a
layer, ``basemap``, ``style`` …). The test reads every ``<variable>.<key>`` the client reads,
and compares: a key the client reads that the record lacks (``cfg.hit_width`` before this
test), a key Python sends that the client never reads, a JSDoc ``@typedef`` that differs
from its TypedDict, and a builder in ``client_config.py`` whose output differs from its type.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from layers.catalogue.base import load_base
from layers.catalogue.registry import CATALOGUE, build_layer
from layers.catalogue.spec import ViewParams
from layers.drawing import protocol
from layers.drawing.basemaps import BASEMAP_IDS, tiles_entry
from layers.drawing.client_config import (
    basemap_entry,
    event_days,
    feature_props,
    layer_entry,
    map_config,
    presets,
    timeline,
)
from layers.drawing.layer import MapLayer
from layers.drawing.offline import CLIENT_DIR, CLIENT_SCRIPTS
from tests.support.apptest import TEST_CLIENT, map_component, map_message, send_map_events
from tests.support.apptest import map_config as page_config
from views.keys import Key

ROOT = Path(__file__).resolve().parents[1]
CLIENT_SOURCES = (
    *(CLIENT_DIR / name for name in CLIENT_SCRIPTS),
    ROOT / "views" / "map_component" / "bridge.js",
)
#: Most lines of one client file (issue 19: a few plain files, none over about 300 lines).
CLIENT_MAX_LINES = 300
#: The client's variable name for each record (``this.config``: the current configuration).
CLIENT_NAMES: dict[str, type] = {
    "state.config": protocol.LayerEntry,
    "this.config": protocol.MapConfig,
    "self.config": protocol.MapConfig,
    "config": protocol.MapConfig,
    "cfg": protocol.LayerEntry,
    "basemap": protocol.BasemapEntry,
    "tiles": protocol.TilesEntry,
    "style": protocol.StyleRecord,
    "props": protocol.FeatureProps,
    "group": protocol.LegendGroup,
    "entry": protocol.LegendRow,
    "preset": protocol.GoTo,
    "view": protocol.ViewRequest,
    "step": protocol.TimelineStep,
    "figure": protocol.KeyFigure,
    "compare": protocol.CompareView,
    "labels": protocol.MapLabels,
    "ack": protocol.EventAck,
}
#: The records the client builds and sends (JSDoc typedefs in ``atlas_events.js``).
SENT_RECORDS: tuple[type, ...] = (*protocol.EVENT_TYPES.values(), protocol.EventQueue)
#: Keys written on the record by the client itself, not read from Python (none today).
CLIENT_WRITTEN: dict[type, set[str]] = {}
_NAMES = "|".join(re.escape(name) for name in CLIENT_NAMES)
_READ = re.compile(rf"(?<![\w.$])({_NAMES})(?:\.(\w+)|\[['\"](\w+)['\"]\])")
_TYPEDEF = re.compile(r"@typedef \{Object\} (\w+)\n((?: \* @property[^\n]*\n)*)")
_PROPERTY = re.compile(r"@property \{[^}]*\} \[?(\w+)")
#: Methods of JavaScript values, not keys (``entries.forEach`` is on the list, not a record).
_JS_MEMBERS = frozenset({"forEach", "map", "filter", "length", "indexOf", "slice", "split"})


def keys_of(record: type) -> set[str]:
    """Every key (required or not) of a TypedDict."""
    return set(record.__required_keys__) | set(record.__optional_keys__)  # type: ignore[attr-defined]


def client_reads() -> dict[type, set[str]]:
    """Per record type, the keys the client's sources read."""
    reads: dict[type, set[str]] = {record: set() for record in CLIENT_NAMES.values()}
    for source in CLIENT_SOURCES:
        for match in _READ.finditer(source.read_text(encoding="utf-8")):
            key = match.group(2) or match.group(3)
            if key not in _JS_MEMBERS:
                reads[CLIENT_NAMES[match.group(1)]].add(key)
    return reads


def test_the_client_reads_no_key_python_does_not_send() -> None:
    unknown = {
        record.__name__: sorted(keys - keys_of(record) - CLIENT_WRITTEN.get(record, set()))
        for record, keys in client_reads().items()
    }
    assert not any(unknown.values()), unknown


def test_python_sends_no_key_the_client_ignores() -> None:
    reads = client_reads()
    ignored = {record.__name__: sorted(keys_of(record) - reads[record]) for record in reads}
    assert not any(ignored.values()), ignored


def test_the_jsdoc_typedefs_mirror_the_typed_records() -> None:
    typedefs = {
        name: set(_PROPERTY.findall(body))
        for source in CLIENT_SOURCES
        for name, body in _TYPEDEF.findall(source.read_text(encoding="utf-8"))
    }  # fmt: skip
    records = {*CLIENT_NAMES.values(), *SENT_RECORDS}
    assert set(typedefs) == {record.__name__ for record in records}
    for record in records:
        assert typedefs[record.__name__] == keys_of(record), record.__name__


#: An event the client sends: ``_emit({kind: '<kind>', key: …})`` or the bridge's ``send({…})``.
_SENT = re.compile(r"(?:_emit|send)\(\{kind: '(\w+)'((?:[^{}]|\{[^{}]*\})*)\}\)")
_SENT_KEY = re.compile(r"(?:^|,)\s*(\w+):")


def client_events() -> list[tuple[str, set[str]]]:
    """Each event the client's sources send: its kind and its keys (``seq``: the queue's)."""
    found = []
    for source in CLIENT_SOURCES:
        for kind, rest in _SENT.findall(source.read_text(encoding="utf-8")):
            flat = re.sub(r"\[[^\]]*\]", "[]", rest)  # commas inside [lat, lon] are not keys
            found.append((kind, {"kind", "seq", *_SENT_KEY.findall(flat)}))
    return found


def test_each_event_the_client_sends_carries_exactly_its_kinds_keys() -> None:
    sent = client_events()
    assert {kind for kind, _keys in sent} == set(protocol.EVENT_TYPES)  # every kind is sent
    for kind, keys in sent:
        record = protocol.EVENT_TYPES[kind]
        assert set(record.__required_keys__) <= keys <= keys_of(record), (kind, keys)  # type: ignore[attr-defined]


def test_the_event_parser_sees_a_key_too_many() -> None:
    text = "self._emit({kind: 'view', center: [a, b], zoom: z, visible: v});"
    [(kind, keys)] = [(k, {"kind", "seq", *_SENT_KEY.findall(re.sub(r"\[[^\]]*\]", "[]", r))})
                      for k, r in _SENT.findall(text)]  # fmt: skip
    assert kind == "view" and keys - keys_of(protocol.ViewEvent) == {"visible"}


def test_the_parser_sees_a_read_of_an_unsent_key(tmp_path: Path) -> None:
    """The parser sees a read of an unsent key (what ``cfg.hit_width`` was)."""
    source = tmp_path / "x.js"
    source.write_text("var w = cfg.hit_width || 16; var s = style['fillOpacity'];")
    found: set[str] = set()
    for match in _READ.finditer(source.read_text()):
        found.add(match.group(2) or match.group(3))
    assert found == {"hit_width", "fillOpacity"}
    assert "hit_width" not in keys_of(protocol.LayerEntry)
    assert "fillOpacity" not in keys_of(protocol.StyleRecord)


def _check(value: Any, record: type, where: str) -> None:
    """``value`` has only keys of ``record`` and all of its required ones."""
    keys = set(value)
    assert keys <= keys_of(record), (where, keys - keys_of(record))
    assert set(record.__required_keys__) <= keys, (where, set(record.__required_keys__) - keys)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def config() -> protocol.MapConfig:
    """A whole configuration as the export builds it, every catalogue layer shown."""
    base = load_base()
    params = ViewParams(as_of=date(2026, 1, 1))
    layers = [
        MapLayer(spec, build_layer(spec, base, spec.view_args(params)))
        for spec in CATALOGUE
        if not spec.min_zoom
    ]
    dated = [layer.spec.id for layer in layers if layer.spec.dated]
    by_id = {layer.spec.id: layer for layer in layers}
    steps = timeline(event_days(base)[:2], dated, lambda layer_id, _day: by_id[layer_id])
    return map_config(
        [layer_entry(layer, visible=True, dynamic=True) for layer in layers],
        drawn=layers,
        patches={layer.spec.id: feature_props(layer) for layer in layers},
        as_of=params.as_of,
        present=False,
        basemap=basemap_entry(
            edge=(40.0, 44.0, 70.0), url="x.json", tiles=tiles_entry(BASEMAP_IDS[-1])
        ),
        view={"request": 1, "center": [55.0, 27.0], "zoom": 4},
        timeline_source=[step.as_json() for step in steps],
        go_to=presets(base.basemap),
    )


def test_the_builders_produce_exactly_the_typed_records(config: protocol.MapConfig) -> None:
    _check(config, protocol.MapConfig, "config")
    _check(config["basemap"], protocol.BasemapEntry, "basemap")
    assert config["basemap"]["tiles"] is not None
    _check(config["basemap"]["tiles"], protocol.TilesEntry, "tiles")
    _check(config["view"], protocol.ViewRequest, "view")
    for entry in config["layers"]:
        _check(entry, protocol.LayerEntry, entry["id"])
        for style in entry.get("styles", {}).values():
            _check(style, protocol.StyleRecord, entry["id"])
    for layer_props in config["patches"].values():
        for props in layer_props.values():
            _check(props, protocol.FeatureProps, "patch")
    for group in config["legend"]:
        _check(group, protocol.LegendGroup, group["title"])
        for row in group["entries"]:
            _check(row, protocol.LegendRow, group["title"])
    for preset in config["presets"]:
        _check(preset, protocol.GoTo, preset["id"])
    assert isinstance(config["timeline"], list) and config["timeline"]
    for step in config["timeline"]:
        _check(step, protocol.TimelineStep, step["date"])
    assert config["zoom_range"] == list(protocol.ZOOM_RANGE)


#: Most bytes of the map's update on a date change (issue 19: the dated statuses are < 5 KB).
DATE_UPDATE_MAX_BYTES = 10_000


def test_a_delta_applied_gives_the_new_configuration(config: protocol.MapConfig) -> None:
    new = copy.deepcopy(dict(config))
    new["date"] = "2026-02-01"
    layer_id = next(iter(new["patches"]))
    feature = next(iter(new["patches"][layer_id]))
    new["patches"][layer_id][feature] = {"s": "changed", "t": ["x"]}
    del new["patches"][layer_id][next(reversed(new["patches"][layer_id]))]
    new["selected"] = None
    changed, removed = protocol.config_delta(config, new)
    assert set(changed) == {"date", "patches"}
    assert changed["patches"] == {layer_id: {feature: {"s": "changed", "t": ["x"]}}}
    assert len(removed) == 1 and removed[0][:2] == ["patches", layer_id]
    delta: protocol.ConfigDelta = {"rev": 2, "base": 1, "set": changed, "unset": removed}
    assert protocol.apply_delta(config, delta) == new
    whole: protocol.ConfigDelta = {"rev": 3, "base": None, "set": dict(new), "unset": []}
    assert protocol.apply_delta({"stale": 1}, whole) == new


def test_a_date_change_sends_only_the_dated_parts() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert map_message(at)["base"] is None  # the first map: the whole configuration
    before = page_config(at)
    at.slider(key=Key.AS_OF).set_value(date(2025, 7, 1)).run()
    message = map_message(at)
    after = page_config(at)
    assert message["base"] == message["rev"] - 1
    assert set(message["set"]) <= {"date", "date_label", "patches", "timeline"}, set(message["set"])
    assert protocol.apply_delta(before, message) == after
    assert len(map_component(at).proto.json_args.encode()) <= DATE_UPDATE_MAX_BYTES


def test_a_client_without_the_base_gets_the_whole_configuration() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    send_map_events(at, {"kind": "need", "need": [], "full": True})
    assert map_message(at)["base"] is None
    assert map_message(at)["ack"] == {"client": TEST_CLIENT, "seq": 1}
    at.run()  # the same queue still in the state: answered once
    assert map_message(at)["base"] is not None


def test_the_client_is_a_few_small_files_loaded_in_one_order() -> None:
    on_disk = {path.name for path in CLIENT_DIR.glob("*.js")}
    assert on_disk == set(CLIENT_SCRIPTS)
    for name in CLIENT_SCRIPTS:
        lines = (CLIENT_DIR / name).read_text(encoding="utf-8").count("\n")
        assert lines <= CLIENT_MAX_LINES, (name, lines)
    page = (ROOT / "views" / "map_component" / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<script src="/app/static/vendor/atlas/([\w.]+)"', page)
    assert tuple(loaded) == CLIENT_SCRIPTS
