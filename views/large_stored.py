"""A large stored version on the map page: its details, table rows and downloads, read as asked.

A version drawn by view (:class:`views.store.LargeVersion`) is never read whole: a clicked
feature's row is read by its store id, the table lists its first :data:`TABLE_ROWS` features,
and each download is written from the database in chunks (:mod:`layers.export.large`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.summary import Summary, SummaryUnits, summarize
from geo.importer.messages import human_size
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.drawing.stored import stored_layer
from layers.export.formats import ExportFormat, export_filename
from layers.export.large import EXPORT_MAX_BYTES, export_large
from layers.safe_text import markdown_text as plain
from layers.store.by_rows import read_feature, read_head
from layers.store.by_view import is_postgis
from layers.store.model import STORE_CRS, LayerInfo, VersionInfo
from views.cache import get_base
from views.keys import download_key
from views.language import current_language
from views.store import LargeVersion

#: Rows of a large stored version the features table lists (its first ones, in saved order).
TABLE_ROWS = 1_000
#: Digits of the largest feature id a selection may name (a 64-bit integer).
MAX_ID_DIGITS = 18


def spec_layer(large: LargeVersion) -> MapLayer:
    """The version as a layer without features: its title, description, licence (no reading)."""
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=STORE_CRS))
    return stored_layer(large.info, large.version, empty)


def large_record(
    layer_id: str, fid: str, large: Sequence[LargeVersion]
) -> tuple[MapLayer, pd.Series] | None:
    """The attributes of the clicked feature ``fid`` of a large version, read by its store id.

    Parameters
    ----------
    layer_id, fid
        The selection ``"<layer id>:<feature id>"`` from the map (the feature id of a version
        drawn by view is its store id).
    large
        The shown large versions.

    Returns
    -------
    tuple of (MapLayer, Series) or None
        The version (without features) and the row; ``None`` when the selection is not of a
        shown large version, or names no feature of it (a forged or stale id).
    """
    found = next((x for x in large if x.layer_id == layer_id), None)
    if found is None or not fid.isdigit() or len(fid) > MAX_ID_DIGITS:
        return None
    record = read_feature(found.store, found.version, int(fid))
    if record is None:
        return None
    return spec_layer(found), pd.Series(record, dtype=object)


def table_layers(large: Sequence[LargeVersion]) -> list[MapLayer]:
    """The first :data:`TABLE_ROWS` features of each large version, with a sentence each."""
    lang = current_language()
    out = []
    for item in large:
        head = read_head(item.store, item.version, TABLE_ROWS)
        out.append(stored_layer(item.info, item.version, head.reset_index(drop=True)))
        st.caption(
            plain(
                lang.tr(
                    "The table lists the first {rows} of the {n} features of “{name}” (the "
                    "map draws them all; the downloads hold them all).",
                    rows=lang.number(min(TABLE_ROWS, item.version.features)),
                    n=lang.number(item.version.features),
                    name=item.info.name,
                )
            )
        )
    return out


def render_large_downloads(large: Sequence[LargeVersion], params: ViewParams) -> None:
    """One row of download buttons per large version, each file written from the database."""
    lang = current_language()
    for item in large:
        st.caption(export_sentence(item.info, item.version))
        formats = list(ExportFormat)
        cols = st.columns(len(formats))
        for col, fmt in zip(cols, formats, strict=True):
            col.download_button(
                lang.gettext(fmt.label),
                data=large_generator(fmt, item, params),
                file_name=export_filename([item.layer_id], params.as_of, fmt),
                mime=fmt.media_type,
                key=download_key(f"{item.layer_id}-{fmt.id}"),
                on_click="ignore",
            )


def export_sentence(info: LayerInfo, version: VersionInfo) -> str:
    """What the files of a large version hold and their size limit (one sentence, escaped)."""
    lang = current_language()
    return plain(
        lang.tr(
            "“{name}” ({n} features) is written from the database, every feature at full "
            "resolution, up to {limit} a file; its HTML and print maps draw its grid summary.",
            name=info.name,
            n=lang.number(version.features),
            limit=human_size(EXPORT_MAX_BYTES),
        )
    )


def large_generator(
    fmt: ExportFormat, item: LargeVersion, params: ViewParams
) -> Callable[[], bytes]:
    """The file of ``item`` in ``fmt``, written when the button is clicked."""

    def generate() -> bytes:
        base = get_base()
        return export_large(
            fmt,
            item.store,
            item.info,
            item.version,
            params,
            base.facts.sources,
            basemap_frame=base.basemap,
        )

    return generate


def summarize_large(item: LargeVersion, units: SummaryUnits) -> Summary:
    """The summary of a large stored version by ``units``, computed in PostGIS.

    The version valid from its own date is the one shown (of versions valid from one day the
    last saved). A version drawn by view is always in PostGIS; any other store summarises the
    version read whole, in-process.
    """
    store = item.store
    if is_postgis(store):
        # SQLAlchemy loads with the first SQL store, not with the page (first map).
        from layers.store.pg_summary import summarize_stored
        from layers.store.sql import SqlStore

        return summarize_stored(
            cast(SqlStore, store), item.info.name, units, item.version.valid_from
        )
    return summarize(store.read_version(item.version.id), units)
