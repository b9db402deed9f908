"""What the first map of a new server does not wait for (its times are in ``scripts/bench.py``).

The page script's imports and its work before the map's element run before the browser can
start loading the map: what the first map does not need is imported or done later (after the
map's element has gone), or kept between server starts (``views/base_cache.py``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: The modules app.py imports at the top of its first run.
PAGE_MODULES = (
    "views.map_page, views.sidebar, views.data_page, views.workbench, views.library_page, "
    "views.method_page, views.user_layers, views.cache, views.store, views.ended_sessions"
)


def test_the_page_modules_do_not_import_sqlalchemy() -> None:
    """SQLAlchemy (about 0.2 s of CPU) loads with the first store opened, not with the page."""
    code = f"import sys\nimport {PAGE_MODULES}\nprint('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "False"


def test_no_store_is_opened_for_the_play_through_without_stored_layers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import views.store as store

    def refuse() -> None:
        raise AssertionError("the store was opened")

    monkeypatch.setattr(store, "get_store", refuse)
    monkeypatch.setattr(store, "stored_shown", list)
    assert store.stored_version_days() == ()
