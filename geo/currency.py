"""How current a published figure is on the date the atlas shows.

A figure older than :data:`STALE_AFTER_MONTHS` whole months on the view date says so wherever
it is shown (key figures, tooltips and details, exports): "latest public figure: N months old".
"""

from __future__ import annotations

from datetime import date

from geo.status import whole_months_between

STALE_AFTER_MONTHS = 12
"""A figure older than this many whole months on the view date carries its age."""


def figure_age_label(figure_date: date | None, as_of: date) -> str:
    """``"latest public figure: N months old"`` for a figure over 12 months old, else ``""``.

    Parameters
    ----------
    figure_date
        Date of the figure (``None`` when there is no figure).
    as_of
        The date the view shows.

    Returns
    -------
    str
        E.g. ``"latest public figure: 17 months old"`` for a figure of 24 Jun 2025 read on
        28 Nov 2026; ``""`` when the figure is at most :data:`STALE_AFTER_MONTHS` whole months
        old, dated after ``as_of``, or missing.
    """
    if figure_date is None:
        return ""
    months = whole_months_between(figure_date, as_of)
    return f"latest public figure: {months} months old" if months > STALE_AFTER_MONTHS else ""
