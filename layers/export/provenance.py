"""Provenance of an export: per-feature source ids and the metadata record every file carries.

"Every figure with its source" is the atlas's central promise, so every export format gets the
same two things from here:

* per feature, ``source_ids`` (``;``-separated ids of ``data/sources.csv``); features of a
  user's imported layer carry :data:`USER_SOURCE_ID`;
* per file, the record of :func:`export_metadata` (layers, as-of date, belt depth, generator,
  geometry resolution and the licence of each cited source), shortened to one line of text by
  :func:`sources_line` where a page has room for no more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from geo.facts.source_ids import SEPARATOR, required_attributions, split_source_ids
from geo.language import DEFAULT_LANGUAGE, N_, Language, language
from layers import GENERATOR, __version__
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer

#: ``source_ids`` value of every feature of a user's imported layer.
USER_SOURCE_ID = "user-import"
CRS_LABEL = "EPSG:4326 (RFC 7946)"
#: ``geometry`` entry of the metadata record of a full-resolution export (the default).
FULL_RESOLUTION = "full resolution: lengths and areas measured on this geometry"
#: ``geometry`` entry of the metadata record of a map or a light data export.
LIGHT_GEOMETRY = (
    "simplified as drawn on the map: length and area attributes were measured on the "
    "full-resolution geometry and differ from this geometry's own"
)
SOURCE_FIELDS = ("source_id", "title", "publisher", "url", "licence")
#: Licence statements of data/sources.csv, as message ids (translated where a line shows them).
LICENCE_WORDS = (
    N_("cited (facts only)"),
    N_("official text (facts only)"),
    N_("UN text (facts only)"),
    N_("Public domain"),
)
NO_LICENCE = N_("licence not recorded")


def feature_source_ids(layer: MapLayer) -> list[str]:
    """The ``source_ids`` text of each feature of ``layer``, as every export writes it.

    Parameters
    ----------
    layer
        A catalogue layer or a user's import.

    Returns
    -------
    list of str
        One ``;``-separated value per row: :data:`USER_SOURCE_ID` for a user's layer (followed
        by the layer's own ids when the user's table was joined to the atlas's geometry), else
        the feature's own ids, or the layer's ids where a feature has none.
    """
    if layer.spec.user:
        return [SEPARATOR.join([USER_SOURCE_ID, *layer.spec.source_ids])] * len(layer.frame)
    fallback = SEPARATOR.join(layer.spec.source_ids)
    if "source_ids" not in layer.frame.columns:
        return [fallback] * len(layer.frame)
    return [SEPARATOR.join(split_source_ids(v)) or fallback for v in layer.frame["source_ids"]]


def _cell(value: object) -> str | None:
    """A ``sources.csv`` cell as text, ``None`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return None if value is pd.NA or value is pd.NaT else str(value)


def source_entry(sources: pd.DataFrame, source_id: str) -> dict[str, Any]:
    """The metadata entry of one cited source.

    Parameters
    ----------
    sources
        ``data/sources.csv`` (``AtlasBase.facts.sources``).
    source_id
        An id cited by a layer or feature.

    Returns
    -------
    dict
        ``source_id``, ``title``, ``publisher``, ``url``, ``licence`` (``None`` where the
        table has no value); an id missing from the table gets a ``note`` saying so.
    """
    match = sources.loc[sources["source_id"] == source_id]
    if match.empty:
        return {
            "source_id": source_id,
            **dict.fromkeys(SOURCE_FIELDS[1:]),
            "note": "not listed in data/sources.csv",
        }
    row = match.iloc[0]
    return {key: _cell(row[key]) if key in row else None for key in SOURCE_FIELDS}


def _user_source(user_titles: Sequence[str]) -> dict[str, Any]:
    return {
        "source_id": USER_SOURCE_ID,
        "title": "Imported by the user: " + ", ".join(user_titles),
        "publisher": "the user",
        "url": None,
        "licence": "The user's own data",
    }


def export_metadata(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    *,
    light: bool = False,
) -> dict[str, Any]:
    """The provenance record that travels with every export.

    Parameters
    ----------
    layers
        The shown layers, in drawing order.
    params
        The view (date and belt depth); ``None`` when the export does not depend on one.
    sources
        ``data/sources.csv`` (``AtlasBase.facts.sources``): ``source_id,title,publisher,url,...``.
    light
        Whether the geometry is the map's simplified display geometry (a map, or a light
        data file).

    Returns
    -------
    dict
        JSON-ready: ``generator`` (name, version), ``generated_at`` (UTC ISO 8601), ``as_of``
        (ISO date or null), ``belt_km`` (km or null), ``language`` (the code of the language
        the label columns, titles and descriptions are in: ``en``, ``uk``), ``crs``,
        ``geometry`` (full resolution or light), ``layers`` (id, title, description, licence,
        feature_count, source_ids, user) and
        ``sources`` (source_id, title, publisher, url, licence) — only the sources the layers
        or their features actually reference. A user's layer is cited as
        :data:`USER_SOURCE_ID` with the layer titles (file names). When a cited source
        requires an attribution (:data:`geo.facts.source_ids.REQUIRED_ATTRIBUTIONS`: the OSM
        hromadas),
        ``attribution`` lists it.
    """
    lang = language(params.lang if params is not None else DEFAULT_LANGUAGE)
    layer_records = []
    used: list[str] = []
    user_titles: list[str] = []
    for layer in layers:
        if layer.spec.user:
            user_titles.append(layer.spec.title)
        ids = list(layer.spec.source_ids)
        for value in dict.fromkeys(feature_source_ids(layer)):
            ids.extend(split_source_ids(value))
        ids = list(dict.fromkeys(ids))
        used.extend(ids)
        layer_records.append(
            {
                "id": layer.spec.id,
                "title": _words(layer, layer.spec.title, lang),
                "description": _words(layer, layer.spec.description, lang),
                "licence": lang.phrase(layer.spec.licence),
                "feature_count": len(layer.frame),
                "source_ids": ids,
                "user": layer.spec.user,
            }
        )
    source_records = [
        _user_source(user_titles) if sid == USER_SOURCE_ID else source_entry(sources, sid)
        for sid in dict.fromkeys(used)
    ]
    attribution = required_attributions(used)
    record: dict[str, Any] = {
        "generator": {"name": GENERATOR, "version": __version__},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "as_of": params.as_of.isoformat() if params else None,
        "belt_km": float(params.belt_km) if params else None,
        "language": lang.code,
        "crs": CRS_LABEL,
        "geometry": LIGHT_GEOMETRY if light else FULL_RESOLUTION,
        "layers": layer_records,
        "sources": source_records,
    }
    if attribution:
        record["attribution"] = list(attribution)
    return record


def _words(layer: MapLayer, text: str, lang: Language) -> str:
    """A catalogue layer's own words in ``lang``; a user's layer keeps its words as given."""
    return text if layer.spec.user else lang.gettext(text)


def layer_metadata(metadata: dict[str, Any], layer_id: str) -> dict[str, Any]:
    """The part of a metadata record that concerns one layer (for a per-layer file).

    Parameters
    ----------
    metadata
        A record from :func:`export_metadata`.
    layer_id
        One of its layers.

    Returns
    -------
    dict
        The same record with only that layer and the sources it cites.
    """
    (record,) = (m for m in metadata["layers"] if m["id"] == layer_id)
    cited = set(record["source_ids"])
    return metadata | {
        "layers": [record],
        "sources": [s for s in metadata["sources"] if s["source_id"] in cited],
    }


def sources_line(metadata: dict[str, Any]) -> str:
    """The cited sources as ``licence: id, id; licence: id…`` (grouped to stay short).

    Parameters
    ----------
    metadata
        A record from :func:`export_metadata`.

    Returns
    -------
    str
        One line of text, not yet made safe for any output (see :mod:`layers.safe_text`),
        led by the attributions the sources' licences require (``metadata["attribution"]``);
        the licence statements in the record's ``language`` (:data:`LICENCE_WORDS`).
    """
    lang = language(str(metadata.get("language", DEFAULT_LANGUAGE)))
    by_licence: dict[str, list[str]] = {}
    for source in metadata["sources"]:
        licence = lang.gettext(source.get("licence") or NO_LICENCE)
        by_licence.setdefault(str(licence), []).append(str(source["source_id"]))
    line = "; ".join(f"{licence}: {', '.join(ids)}" for licence, ids in by_licence.items())
    attribution = [lang.gettext(str(text)) for text in metadata.get("attribution", [])]
    return " · ".join([*attribution, line])


__all__ = [
    "CRS_LABEL",
    "FULL_RESOLUTION",
    "LIGHT_GEOMETRY",
    "USER_SOURCE_ID",
    "export_metadata",
    "feature_source_ids",
    "layer_metadata",
    "source_entry",
    "sources_line",
]
