"""The map, its exports and the command line in the chosen language (issue 23).

The map client writes no word of its own: every label comes from Python
(:data:`layers.drawing.client_config.LABELS`, typed as ``MapLabels`` and held to the client by
tests/test_map_protocol.py). Here: each of those words, and every word the map, the print map,
the HTML export, the data exports and the CLI show, reads in Ukrainian when Ukrainian is
chosen, with English attribute keys kept and the language stated in the metadata.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from geo.errors import ImportRejectedError
from geo.importer import import_path
from geo.language import language
from layers.catalogue.base import AtlasBase, load_base
from layers.catalogue.registry import CATALOGUE, build_layer
from layers.catalogue.spec import ViewParams
from layers.cli import main
from layers.drawing.basemaps import BASEMAP_IDS, tiles_entry
from layers.drawing.client_config import (
    LABELS,
    basemap_entry,
    event_days,
    feature_props,
    layer_entry,
    map_config,
    map_labels,
    presets,
    timeline,
)
from layers.drawing.layer import MapLayer, build_map_layers
from layers.drawing.protocol import MapConfig, MapLabels
from layers.export.formats import ExportFormat, export_bytes

UK = language("uk")
EN = language("en")
DAY = date(2026, 3, 1)
#: Latin words a Ukrainian text may hold: proper names, source titles, codes, file formats.
ALLOWED_LATIN = frozenset(
    {
        "Natural", "Earth", "OpenStreetMap", "CIA", "World", "Factbook", "NATO", "EPSG",
        "GeoJSON", "GeoPackage", "Eastern", "Flank", "Mine", "Atlas",
        "Tab", "Enter", "Escape", "Esc",  # the keys, as printed on a keyboard
    }
)  # fmt: skip
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


_PLACEHOLDER = re.compile(r"\{\w+\}")


def english_words(text: str) -> set[str]:
    """Latin-script words of ``text`` that are not allowed names (placeholders left out)."""
    words = _LATIN_WORD.findall(_PLACEHOLDER.sub("", text))
    return {word for word in words if word not in ALLOWED_LATIN}


def spaced(text: str) -> str:
    """``text`` with the locale's no-break spaces (U+00A0, U+202F) as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def base() -> AtlasBase:
    return load_base()


def _layers(base: AtlasBase, lang: str) -> list[MapLayer]:
    params = ViewParams(as_of=DAY, lang=lang)
    return [
        MapLayer(spec, build_layer(spec, base, spec.view_args(params)))
        for spec in CATALOGUE
        if spec.id != "ua-hromadas"  # 1,469 units: the same code path as the oblasts
    ]


@pytest.fixture(scope="module")
def uk_config(base: AtlasBase) -> MapConfig:
    return ukrainian_config(base)


def ukrainian_config(base: AtlasBase) -> MapConfig:
    """The map's configuration in Ukrainian, every catalogue layer but the hromadas shown."""
    layers = _layers(base, "uk")
    by_id = {layer.spec.id: layer for layer in layers}
    dated = [layer.spec.id for layer in layers if layer.spec.dated]
    steps = timeline(event_days(base, UK)[:3], dated, lambda i, _d: by_id[i], UK)
    return map_config(
        [layer_entry(layer, visible=True, dynamic=True, lang=UK) for layer in layers],
        drawn=layers,
        patches={layer.spec.id: feature_props(layer, UK) for layer in layers},
        as_of=DAY,
        present=False,
        basemap=basemap_entry(
            edge=(40.0, 44.0, 70.0), url="x", tiles=tiles_entry(BASEMAP_IDS[-1], UK), lang=UK
        ),
        view={"request": 1},
        timeline_source=[step.as_json() for step in steps],
        go_to=presets(base.basemap, lang=UK),
        lang=UK,
    )


def test_every_word_the_client_writes_has_a_ukrainian_translation() -> None:
    labels = map_labels(UK)
    assert set(labels) == set(MapLabels.__required_keys__)
    untranslated = [key for key, text in LABELS.items() if labels[key] == text]  # type: ignore[literal-required]
    assert not untranslated, untranslated
    assert labels["decimal"] == "," and map_labels(EN)["decimal"] == "."
    # Placeholders the client fills survive the translation.
    assert "{zoom}" in labels["zoom_in_note"] and "{km}" in labels["distance"]


def _map_words(config: MapConfig) -> dict[str, str]:
    """Every text of our own the map shows (not the fact tables' quoted statements)."""
    texts: dict[str, str] = {"date": config["date_label"]}
    texts.update({f"label {key}": str(value) for key, value in config["labels"].items()})
    for entry in config["layers"]:
        texts[f"title {entry['id']}"] = entry["title"]
        texts.update({f"field {entry['id']} {i}": f for i, f in enumerate(entry["fields"])})
    for group in config["legend"]:
        texts[f"legend {group['layer']}"] = group["title"]
        texts.update(
            {f"legend {group['layer']} {r['label']}": r["label"] for r in group["entries"]}
        )
    texts.update({f"go to {p['id']}": p["label"] for p in config["presets"]})
    tiles = config["basemap"]["tiles"]
    assert tiles is not None
    texts["offline notice"] = tiles["offline_notice"]
    assert isinstance(config["timeline"], list)
    texts.update({f"step {s['date']}": s["label"] + " " + s["caption"] for s in config["timeline"]})
    # Popups: every shown text of the states, borders and belts (their values are ours);
    # the oblasts' statements quote English sources and stay as published.
    fields = {entry["id"]: entry["fields"] for entry in config["layers"]}
    for layer_id, props in config["patches"].items():
        for fid, record in props.items():
            for label, text in zip(fields[layer_id], record["t"], strict=True):
                if layer_id == "ua-contamination" and label in {"Заява", "Остання публічна заява"}:
                    continue
                texts[f"popup {layer_id} {fid} {label}"] = text
    return texts


def test_place_names_are_ukrainian(uk_config: MapConfig) -> None:
    status = uk_config["patches"]["treaty-status"]
    assert status["EST"]["t"][0] == "Естонія"
    oblasts = uk_config["patches"]["ua-contamination"]
    assert oblasts["UA-63"]["t"][0] == "Харківська область"
    assert spaced(uk_config["date_label"]) == "Станом на 1 березня 2026 р."


def test_ukrainian_numbers_and_plural_forms(base: AtlasBase) -> None:
    params = ViewParams(as_of=DAY, lang="uk")
    (borders,) = build_map_layers(base, ("flank-borders",), params)
    props = feature_props(borders, UK)
    measured = props["FIN-RUS"]["t"][1]
    assert re.fullmatch(r"1\s\d{3},\d", measured), measured  # "1 3xx,x": space, comma
    assert UK.ntr("{n} byte", "{n} bytes", 1) == "1 байт"
    assert UK.ntr("{n} byte", "{n} bytes", 3) == "3 байти"
    assert UK.ntr("{n} byte", "{n} bytes", 5) == "5 байтів"


@pytest.fixture(scope="module")
def uk_layers(base: AtlasBase) -> list[MapLayer]:
    params = ViewParams(as_of=DAY, lang="uk")
    return build_map_layers(base, ("treaty-status", "ua-contamination"), params)


def _export(base: AtlasBase, layers: list[MapLayer], fmt: str, lang: str) -> bytes:
    params = ViewParams(as_of=DAY, lang=lang)
    return export_bytes(
        ExportFormat.parse(fmt), layers, params, base.facts.sources, basemap_frame=base.basemap
    )


def test_the_print_map_in_ukrainian_reads_back_in_ukrainian(
    base: AtlasBase, uk_layers: list[MapLayer]
) -> None:
    pdf = _export(base, uk_layers, "pdf", "uk")
    text = spaced("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for expected in (
        "Легенда",
        "Станом на 1 березня 2026 р.",
        "Статус щодо Конвенції про заборону",
        " ".join(UK.gettext("Ukraine: contamination evidence by oblast").split()[:3]),
        "Джерела (ліцензія: ідентифікатори)",
        "Базова карта: Natural Earth (суспільне надбання)",
    ):
        assert expected in text, expected
    assert spaced(UK.gettext("State Party")) in text
    assert "Legend" not in text and "As of" not in text and "Sources (licence" not in text
    assert "State Party" not in text and "Published figure" not in text


def test_the_html_export_in_ukrainian(base: AtlasBase, uk_layers: list[MapLayer]) -> None:
    page = spaced(_export(base, uk_layers, "html", "uk").decode("utf-8"))
    assert '<html lang="uk">' in page
    assert "Станом на 1 березня 2026 р." in page and "Джерела:" in page
    config = json.loads(re.search(r'id="atlas-config">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert config["labels"]["layers"] == "Шари"


def test_the_cli_speaks_ukrainian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = main(["export", "--lang", "uk", "--as-of", "2026-13-01"])
    assert bad == 2
    assert capsys.readouterr().err.startswith("помилка: --as-of '2026-13-01' — не дата")
    assert main(["--lang", "uk", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Кордони НАТО з Росією та Білоруссю" in listing and "ідентифікатори джерел" in listing
    target = tmp_path / "status.geojson"
    args = ["export", "--layers", "treaty-status", "--as-of", "2026-03-01", "-o", str(target)]
    assert main([*args, "--lang", "uk"]) == 0
    assert capsys.readouterr().out.startswith(f"записано {target} (geojson, повна роздільність")
    assert json.loads(target.read_bytes())["metadata"]["language"] == "uk"
    assert main(["export", "--lang", "xx"]) == 2
    assert "choose one of en, uk" in capsys.readouterr().err


def test_an_import_refusal_in_ukrainian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "порожній.geojson"
    empty.write_bytes(b"")
    with pytest.raises(ImportRejectedError) as caught:
        import_path(empty)
    assert str(caught.value).startswith("The file is empty")
    assert caught.value.in_language(UK) == (
        "Файл порожній (порожній.geojson має 0 байтів); експортуйте шар ще раз і виберіть "
        "збережений файл."
    )
    (tmp_path / "notes.txt").write_text("a,b\n")
    assert main(["check", str(tmp_path / "notes.txt"), "--lang", "uk"]) == 2
    assert "має непідтримуваний тип файлу «.txt»" in capsys.readouterr().err


def test_the_ukrainian_map_shows_no_english_word(uk_config: MapConfig) -> None:
    found: dict[str, str] = {}
    for where, text in _map_words(uk_config).items():
        for word in english_words(text):
            found.setdefault(word, where)
    assert not found, sorted(found.items())


def test_data_exports_keep_english_keys_and_add_ukrainian_labels(
    base: AtlasBase, uk_layers: list[MapLayer]
) -> None:
    data: dict[str, Any] = json.loads(_export(base, uk_layers, "geojson", "uk"))
    assert data["metadata"]["language"] == "uk"
    assert data["metadata"]["layers"][0]["title"] == UK.gettext("Mine Ban Treaty status")
    by_id = {
        f["properties"].get("iso3") or f["properties"]["iso_3166_2"]: f["properties"]
        for f in data["features"]
    }
    estonia, kharkiv = by_id["EST"], by_id["UA-63"]
    assert estonia["status"] == "withdrawn" and estonia["name"] == "Естонія"
    assert estonia["status_label"] == UK.gettext("Withdrawn (former party)")
    assert kharkiv["name"] == "Харківська область" and kharkiv["name_en"] == "Kharkiv Oblast"
    assert kharkiv["evidence"] in {"figure", "statement"}
    assert not english_words(kharkiv["evidence_label"])
    # The statement in Ukrainian beside the English one (the key column stays English).
    assert kharkiv["statement_label"].startswith("Харківська область: понад 1,2 млн га")
    assert kharkiv["statement"].startswith("Kharkiv Oblast")
    assert kharkiv["latest_statement_label"] == (
        "2024-02-24: понад 1,2 млн га (підстава: потенційно забруднена, вся область (нижня межа))"
    )
    assert kharkiv["latest_statement"].startswith("2024-02-24: more than 1.2 million ha")
    for props in by_id.values():
        if "statement_label" in props:
            # File paths are codes; Volyn24 is a news site's name.
            text = re.sub(r"\bdata/\S+", "", props["statement_label"]).replace("Volyn24", "")
            assert not english_words(text), props["statement_label"]
            assert not english_words(props["latest_statement_label"])
    english: dict[str, Any] = json.loads(
        _export(
            base, build_map_layers(base, ("ua-contamination",), ViewParams(DAY)), "geojson", "en"
        )
    )
    assert english["metadata"]["language"] == "en"
    assert "name" not in english["features"][0]["properties"]  # English files as before


def test_the_cli_join_report_in_ukrainian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "таблиця.csv"
    table.write_text("code,value\nUA-63,1\nUA-99,3\n", encoding="utf-8")
    target = tmp_path / "joined.gpkg"
    assert main(["join", str(table), "--column", "code", "-o", str(target), "--lang", "uk"]) == 0
    report = spaced(capsys.readouterr().out)
    assert "рядків: 2; зіставлено: 1; не зіставлено: 1; повторів: 0" in report
    assert "одиниць без рядка (немає даних): 26" in report
    one = spaced(UK.ntr("{n} feature", "{n} features", 1))
    assert f"записано {target} (gpkg, {one}," in report
    assert main(["join", str(table), "--column", "code", "-o", str(target), "--force"]) == 0
    assert "2 rows: 1 matched, 1 unmatched, 0 duplicate" in capsys.readouterr().out


def test_the_cli_summary_notes_in_ukrainian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = tmp_path / "точки.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"a": i},
            "geometry": {"type": "Point", "coordinates": xy},
        }
        for i, xy in enumerate(([30.5, 50.45], [36.2, 49.99]))
    ]
    points.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert main(["summarize", str(points), "--by", "oblast", "--lang", "uk"]) == 0
    out = spaced(capsys.readouterr().out)
    assert "примітка: полігони не перекриваються: нічого не об’єднано" in out
    assert "(26 одиниць не містять нічого з шару й не показані)" in out
    assert "no polygons overlapped" not in out
    assert main(["summarize", str(points), "--by", "oblast"]) == 0
    assert "note: no polygons overlapped: nothing was dissolved" in capsys.readouterr().out
