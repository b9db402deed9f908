"""A progress line for work the page hands to a worker process; it is also where a run stops.

An import, a table read or a summary runs in a worker (:mod:`geo.importer.worker`,
:mod:`geo.importer.isolation`) while the page waits. The waiting page calls
:func:`progress_line`'s function every quarter second; each call updates one line on the page.
Updating the page is also where Streamlit stops a run whose tab has gone (or that a newer run
replaces): the update raises, and the worker is killed on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from layers.safe_text import markdown_text as plain
from views.language import current_language


def progress_line(
    doing: str, limit_s: float, container: Any = None
) -> tuple[Any, Callable[[float], None]]:
    """A placeholder and the ``on_wait`` function that writes the elapsed time into it.

    Parameters
    ----------
    doing
        What is being done, e.g. ``"Reading data.xlsx"`` (escaped before display).
    limit_s
        The time budget, seconds, stated beside the elapsed time.
    container
        Where the line goes (e.g. the sidebar's import box); the page's main area if ``None``.

    Returns
    -------
    tuple of (placeholder, function)
        Empty the placeholder when the work is done.
    """
    line = (st if container is None else container).empty()
    lang = current_language()

    def on_wait(elapsed_s: float) -> None:
        said = lang.tr(
            "{doing}: {elapsed} s (stopped at {limit} s)",
            doing=doing,
            elapsed=lang.number(elapsed_s),
            limit=lang.number(limit_s),
        )
        line.caption(plain(said))

    return line, on_wait
