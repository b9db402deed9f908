"""The base geography kept on disk (``views/base_cache.py``): the same base as a
fresh build, read back instead of rebuilt, a new file when an input changes, and a damaged or
unwritable cache passed over."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from layers.catalogue.base import AtlasBase, load_base
from views import base_cache
from views.base_cache import CACHE_ENV, cache_dir, load_base_cached


@pytest.fixture(scope="module")
def built() -> AtlasBase:
    return load_base()


def _same(a: AtlasBase, b: AtlasBase) -> None:
    for name in ("countries", "region", "basemap", "oblasts", "segments"):
        left, right = getattr(a, name), getattr(b, name)
        assert list(left.columns) == list(right.columns), name
        assert left.geometry.geom_equals_exact(right.geometry, tolerance=0).all(), name
        assert left.drop(columns="geometry").equals(right.drop(columns="geometry")), name
    assert a.basemap_geojson == b.basemap_geojson
    assert a.facts.milestones.equals(b.facts.milestones)
    assert a.facts.sources.equals(b.facts.sources)


def _refuse_to_build() -> AtlasBase:
    raise AssertionError("the base was built although the cache holds it")


def test_cached_base_is_the_built_base_and_is_read_back(
    built: AtlasBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_base_cached(tmp_path)
    _same(first, built)
    files = list(tmp_path.glob("base-*.pickle"))
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o077 == 0  # the user's own file
    monkeypatch.setattr(base_cache, "load_base", _refuse_to_build)
    _same(load_base_cached(tmp_path), built)


def test_a_changed_input_makes_a_new_file_and_drops_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_base_cached(tmp_path)
    (old,) = tmp_path.glob("base-*.pickle")
    monkeypatch.setattr(base_cache, "base_digest", lambda: "0" * 32)
    load_base_cached(tmp_path)
    assert [p.name for p in tmp_path.glob("base-*.pickle")] == [f"base-{'0' * 32}.pickle"]
    assert not old.exists()


def test_digest_follows_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = base_cache.base_digest()
    data = tmp_path / "data"
    data.mkdir()
    for path in base_cache.DATA_DIR.iterdir():
        if path.is_file():
            (data / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(base_cache, "DATA_DIR", data)
    assert base_cache.base_digest() == before
    (data / "states.csv").write_bytes((data / "states.csv").read_bytes() + b"\n")
    assert base_cache.base_digest() != before


def test_damaged_or_unwritable_cache_is_passed_over(built: AtlasBase, tmp_path: Path) -> None:
    path = tmp_path / f"base-{base_cache.base_digest()}.pickle"
    path.write_bytes(b"not a pickle")
    _same(load_base_cached(tmp_path), built)
    assert isinstance(pickle.loads(path.read_bytes()), AtlasBase)  # rewritten whole
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    _same(load_base_cached(blocked / "cache"), built)  # cannot be created: built, not kept


def test_cache_folder_setting() -> None:
    assert cache_dir({CACHE_ENV: "/srv/atlas-cache"}) == Path("/srv/atlas-cache")
    assert cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/eastern-flank-atlas")


def test_digest_follows_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = base_cache.base_digest()
    assert any(base_cache.GEO_DIR.rglob("*.py"))  # the code the base is built by
    monkeypatch.setattr(base_cache, "GEO_DIR", tmp_path)
    assert base_cache.base_digest() != before


def test_a_remembered_address_is_reused_while_its_file_exists(tmp_path: Path) -> None:
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return f"/app/static/layers/{len(made)}.json"

    files = {"/app/static/layers/1.json"}
    first = base_cache.remembered_url("k", files.__contains__, make, tmp_path)
    again = base_cache.remembered_url("k", files.__contains__, make, tmp_path)
    assert first == again == "/app/static/layers/1.json" and len(made) == 1
    other = base_cache.remembered_url("another key", files.__contains__, make, tmp_path)
    assert other == "/app/static/layers/2.json"  # a different key is made anew
    files.clear()  # the file went away: made again, the new address kept
    assert base_cache.remembered_url("k", files.__contains__, make, tmp_path).endswith("3.json")


def test_inputs_digest_follows_the_layers_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = base_cache.inputs_digest()
    assert any(base_cache.LAYERS_DIR.rglob("*.py"))
    monkeypatch.setattr(base_cache, "LAYERS_DIR", tmp_path)
    assert base_cache.inputs_digest() != before


def test_remembered_text_is_read_back_and_replaces_its_family(tmp_path: Path) -> None:
    calls: list[str] = []

    def make(text: str) -> str:
        calls.append(text)
        return text

    assert base_cache.remembered_text("a", "charts", lambda: make("one"), tmp_path) == "one"
    assert base_cache.remembered_text("a", "charts", lambda: make("two"), tmp_path) == "one"
    assert calls == ["one"]
    assert base_cache.remembered_text("b", "charts", lambda: make("three"), tmp_path) == "three"
    assert len(list(tmp_path.glob("charts-*.txt"))) == 1  # yesterday's charts removed


def test_digest_follows_the_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wording changed only in a catalog (*.po) makes new layers and play-throughs."""
    import shutil

    copy = tmp_path / "geo"
    shutil.copytree(base_cache.GEO_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(base_cache, "GEO_DIR", copy)
    before = base_cache.base_digest()
    catalog = next(copy.rglob("*.po"))
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert base_cache.base_digest() != before
