"""Place names in the interface language: the ``name_<code>`` column, English where it lacks one.

The data carry each place's English name (``name_en``, or ``name`` for Natural Earth states)
and its Ukrainian one (``name_uk``: Natural Earth's ``NAME_UK`` for states, the KATOTTG
codifier for oblasts and hromadas). A further language adds its ``name_<code>`` column; a
place without a name in that language keeps its English one.
"""

from __future__ import annotations

import pandas as pd

#: The source language (its names are the ``english`` column).
ENGLISH = "en"


def local_names(frame: pd.DataFrame, code: str, english: str = "name_en") -> list[str]:
    """Each row's name in language ``code``, its English name where it has none.

    Parameters
    ----------
    frame
        A table with the ``english`` column and perhaps ``name_<code>``.
    code
        Language code (``en``, ``uk``).
    english
        The column of English names.

    Returns
    -------
    list of str
        One name per row, in row order.
    """
    fallback = frame[english].fillna("").astype(str)
    column = f"name_{code}"
    if code == ENGLISH or column not in frame.columns:
        return list(fallback)
    local = frame[column].fillna("").astype(str).str.strip()
    return list(local.where(local != "", fallback))
