"""Source ids: the link from every figure to the row of ``data/sources.csv`` it rests on.

A ``source_ids`` cell is a ``;``-separated list of ids. This module is the only place that
splits or joins one, so every table, layer and export lists sources by the same rule: each id
once, in the order first cited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import pandas as pd

from geo.units.hromadas import OSM_ATTRIBUTION, OSM_SOURCE_ID

SEPARATOR = ";"
#: The attribution a source's licence requires wherever its data is shown or exported (source
#: id → text): the map's attribution line, the HTML and print maps, every file's metadata.
REQUIRED_ATTRIBUTIONS: Mapping[str, str] = MappingProxyType({OSM_SOURCE_ID: OSM_ATTRIBUTION})


def split_source_ids(value: object) -> tuple[str, ...]:
    """Split a ``source_ids`` cell into ids.

    Parameters
    ----------
    value
        A cell such as ``"hrw-2025-07-24; icbl-2025-07-25"``; ``None`` and NaN give no ids.

    Returns
    -------
    tuple of str
        The ids in first-cited order, stripped, blanks and repeats dropped.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    parts = (part.strip() for part in str(value).split(SEPARATOR))
    return tuple(dict.fromkeys(part for part in parts if part))


def join_source_ids(*groups: object) -> str:
    """Join cells or iterables of ids into one ``source_ids`` cell.

    Parameters
    ----------
    *groups
        ``;``-separated strings or iterables of ids; ``None`` and NaN are skipped.

    Returns
    -------
    str
        E.g. ``"ne-5.1.1;factbook-2026"``: each id once, in first-cited order.
    """
    ids: dict[str, None] = {}
    for group in groups:
        if isinstance(group, str) or group is None or isinstance(group, float):
            items: Iterable[object] = split_source_ids(group)
        elif isinstance(group, Iterable):
            items = group
        else:
            items = split_source_ids(group)
        for item in items:
            for source_id in split_source_ids(item):
                ids.setdefault(source_id, None)
    return SEPARATOR.join(ids)


def required_attributions(source_ids: Iterable[str]) -> tuple[str, ...]:
    """The attributions the cited sources' licences require, each once, first cited first.

    Parameters
    ----------
    source_ids
        Ids of ``data/sources.csv``.

    Returns
    -------
    tuple of str
        E.g. ``("© OpenStreetMap contributors",)`` when the OpenStreetMap hromadas are cited.
    """
    texts = (REQUIRED_ATTRIBUTIONS[s] for s in source_ids if s in REQUIRED_ATTRIBUTIONS)
    return tuple(dict.fromkeys(texts))
