"""Run the real app (``app.py``) with ``AppTest``: the first run and a switch of page.

Each run must end without an exception (a test that expects one drives ``AppTest`` itself).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

#: The app's entry script.
APP = str(Path(__file__).resolve().parents[2] / "app.py")
#: Longest an ``AppTest`` run may take, seconds (the first builds the base layers).
RUN_TIMEOUT_S = 120


def run_app(query: dict[str, str] | None = None) -> AppTest:
    """The app run once with the URL query ``query``; no exception raised on the page."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def show_page(at: AppTest, url_path: str) -> AppTest:
    """Switch a run app to the ``st.navigation`` page ``url_path`` and rerun it (no exception)."""
    pages = at._registered_pages
    matches = [h for h, info in pages.items() if info.get("url_pathname") == url_path]
    assert len(matches) == 1, f"no single page with url_path {url_path!r} in {pages}"
    at._page_hash = matches[0]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
