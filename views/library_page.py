"""The Library page: the team's stored layers and saved views.

List with search, open a layer on the map, its versions with their dates, rename, delete
with confirmation, export any version in every export format; saved views with their links.
Writes ask for the editor token when ``ATLAS_EDITOR_TOKEN`` is set (:func:`views.store.may_write`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo.errors import AtlasError
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.formats import ExportFormat, export_bytes, export_filename
from layers.safe_text import markdown_text as plain
from layers.store import LayerInfo, LayerKind, Store, VersionInfo
from views.cache import get_base, get_stored_layer
from views.keys import Key, store_key
from views.state import ViewState
from views.store import VIEW_PARAM, library_store, may_write, show_stored, stored_shown


def render_library_page(state: ViewState) -> None:
    """Draw the Library page (the map's date and belt depth are those of ``state``)."""
    st.title("Team library")
    st.caption(
        "Layers and views saved by everyone who uses this atlas's store. Opening a layer puts it "
        "on your map; on each date the map shows the version valid on that date."
    )
    store = library_store(st)
    if store is None:
        return
    message = st.session_state.pop(Key.STORE_MESSAGE, None)
    if message:
        st.success(plain(str(message)))
    search = st.text_input(
        "Search", key=Key.LIBRARY_SEARCH, placeholder="name, description, author"
    )
    needle = search.strip().casefold()
    try:
        layers = store.layers()
        views = store.views()
    except AtlasError as error:
        st.warning(plain(str(error)))
        return
    st.subheader("Layers")
    found = [x for x in layers if not needle or needle in _layer_text(x)]
    if not found:
        st.caption("No stored layer matches." if layers else "No layer saved yet.")
    for number, info in enumerate(found):
        _render_layer(store, info, f"lib-{number}", state)
    st.subheader("Views")
    shown = [v for v in views if not needle or needle in f"{v.name} {v.author}".casefold()]
    if not shown:
        st.caption("No saved view matches." if views else "No view saved yet.")
    for number, view in enumerate(shown):
        cols = st.columns([4, 1])
        by = f" · by {view.author}" if view.author else ""
        cols[0].markdown(
            plain(f"{view.name}{by} · saved {view.created:%Y-%m-%d %H:%M} UTC")
            + f" · [open](./?{VIEW_PARAM}={view.slug}) · `?{VIEW_PARAM}={view.slug}`"
        )
        with cols[1]:
            if _confirmed_delete(f"view-{number}", f"the view “{view.name}”"):
                try:
                    store.delete_view(view.slug)
                except AtlasError as error:
                    st.error(plain(str(error)))
                else:
                    _done(f"Deleted the view “{view.name}”.")


def _layer_text(info: LayerInfo) -> str:
    return " ".join((info.name, info.description, info.author, info.source_file)).casefold()


def _done(message: str) -> None:
    st.session_state[Key.STORE_MESSAGE] = message
    st.rerun()


def _confirmed_delete(place: str, what: str) -> bool:
    """A delete button behind a confirmation tick (and the editor token when one is set)."""
    if not may_write(st, place):
        return False
    sure = st.checkbox(f"Yes, delete {what}", key=store_key(place, "sure"))
    return st.button("Delete", key=store_key(place, "delete"), disabled=not sure)


def _render_layer(store: Store, info: LayerInfo, place: str, state: ViewState) -> None:
    kind = "joined table" if info.kind == LayerKind.JOINED else "imported file"
    with st.expander(f"{info.name} · {info.versions} version{'s' * (info.versions != 1)}"):
        st.markdown(
            plain(
                f"{kind.capitalize()} {info.source_file} · saved by {info.author or 'unnamed'} "
                f"on {info.created:%Y-%m-%d}."
            )
        )
        if info.description:
            st.markdown(plain(info.description))
        st.caption(plain("Licence and provenance: " + (info.licence or "not stated")))
        try:
            versions = store.versions(info.name)
        except AtlasError as error:
            st.warning(plain(str(error)))
            return
        st.dataframe(_versions_table(versions), hide_index=True, width="stretch")
        on_map = info.name in stored_shown()
        if st.button(
            "On your map" if on_map else "Open on the map",
            key=store_key(place, "open"),
            disabled=on_map,
        ):
            show_stored(info.name)
            first = versions[0].valid_from if versions else None
            later = (
                f" from {first.isoformat()} on (move the date to see it)"
                if (first and first > state.as_of)
                else ""
            )
            _done(f"“{info.name}” is on the map{later}.")
        _render_export(info, versions, place, state)
        if not may_write(st, place):
            return
        cols = st.columns([3, 1])
        new_name = cols[0].text_input("New name", key=store_key(place, "new_name"))
        if cols[1].button("Rename", key=store_key(place, "rename")) and new_name.strip():
            try:
                store.rename_layer(info.name, new_name)
            except AtlasError as error:
                st.error(plain(str(error)))
            else:
                shown = stored_shown()
                st.session_state[Key.STORED_SHOWN] = [
                    new_name.strip() if x == info.name else x for x in shown
                ]
                _done(f"Renamed “{info.name}” to “{new_name.strip()}”.")
        if _confirmed_delete(place, f"“{info.name}” and all its versions"):
            try:
                count = store.delete_layer(info.name)
            except AtlasError as error:
                st.error(plain(str(error)))
            else:
                _done(f"Deleted “{info.name}” ({count} version{'s' * (count != 1)}).")


def _versions_table(versions: list[VersionInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "valid from": [v.valid_from.isoformat() for v in versions],
            "saved (UTC)": [f"{v.saved_at:%Y-%m-%d %H:%M}" for v in versions],
            "features": [v.features for v in versions],
            "saved by": [v.author for v in versions],
        }
    )


def _render_export(
    info: LayerInfo, versions: list[VersionInfo], place: str, state: ViewState
) -> None:
    if not versions:
        return
    chosen = st.selectbox(
        "Export the version valid from",
        range(len(versions)),
        index=len(versions) - 1,
        format_func=lambda i: versions[i].valid_from.isoformat() + f" (#{versions[i].id})",
        key=store_key(place, "version"),
    )
    version = versions[int(chosen)]
    formats = list(ExportFormat)
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        layer_id = f"store-{version.id}"
        col.download_button(
            fmt.label,
            data=_generator(fmt, info, version, state),
            file_name=export_filename([layer_id], version.valid_from, fmt),
            mime=fmt.media_type,
            key=store_key(place, f"export_{fmt.id}"),
            on_click="ignore",
        )


def _generator(
    fmt: ExportFormat, info: LayerInfo, version: VersionInfo, state: ViewState
) -> Callable[[], bytes]:
    def generate() -> bytes:
        base = get_base()
        about = (info.name, info.description, info.licence)
        store = library_store(st)
        location = store.location if store is not None else ""
        layer: MapLayer = get_stored_layer(
            location, version.id, version.saved_at, about, info, version
        )
        params = ViewParams(as_of=version.valid_from, belt_km=float(state.belt_km))
        return export_bytes(fmt, [layer], params, base.facts.sources, basemap_frame=base.basemap)

    return generate
