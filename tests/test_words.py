"""Words for people and links that lead somewhere (issue #22 items 3 and 8), read off the page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from views.state import with_page_params

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SOURCE = "hrw-2025-07-24"


def _data_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    pages = at._registered_pages
    matches = [h for h, info in pages.items() if info.get("url_pathname") == "data"]
    assert len(matches) == 1
    at._page_hash = matches[0]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_sidebar_keeps_the_source_parameter() -> None:
    view = {"date": "2025-01-01", "layers": "none"}
    assert with_page_params(view, {"source": SOURCE, "date": "x"}) == {**view, "source": SOURCE}
    assert with_page_params(view, {"junk": "1"}) == view


def test_a_source_link_opens_its_entry_highlighted() -> None:
    at = _data_page({"source": SOURCE})
    assert at.query_params["source"] == SOURCE  # survives the sidebar's rewrite
    texts = [s.value for s in at.success]
    assert len(texts) == 1, texts
    text = texts[0]
    for part in ("Human Rights Watch", "2025-07-24", "hrw.org", "Supports:", "Treaty"):
        assert part in text.replace("\\", ""), (part, text)
    assert any("Suspends" in h.value for h in at.subheader)
