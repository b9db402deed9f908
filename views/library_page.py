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
from geo.language import Language
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.formats import ExportFormat, export_bytes, export_filename
from layers.export.large import export_large
from layers.safe_text import markdown_text as plain
from layers.store import LayerInfo, LayerKind, Store, VersionInfo
from layers.store.by_view import drawn_by_view
from views.cache import get_base, get_stored_layer
from views.keys import Key, store_key
from views.language import current_language
from views.large_stored import export_sentence
from views.state import ViewState
from views.store import VIEW_PARAM, library_store, may_write, show_stored, stored_shown


def render_library_page(state: ViewState) -> None:
    """Draw the Library page (the map's date and belt depth are those of ``state``)."""
    lang = current_language()
    st.title(lang.gettext("Team library"))
    st.caption(
        lang.gettext(
            "Layers and views saved by everyone who uses this atlas's store. Opening a layer "
            "puts it on your map; on each date the map shows the version valid on that date."
        )
    )
    store = library_store(st)
    if store is None:
        return
    message = st.session_state.pop(Key.STORE_MESSAGE, None)
    if message:
        st.success(plain(str(message)))
    search = st.text_input(
        lang.gettext("Search"),
        key=Key.LIBRARY_SEARCH,
        placeholder=lang.gettext("name, description, author"),
    )
    needle = search.strip().casefold()
    try:
        layers = store.layers()
        views = store.views()
    except AtlasError as error:
        st.warning(plain(error.in_language(current_language())))
        return
    st.header(lang.gettext("Layers"))
    found = [x for x in layers if not needle or needle in _layer_text(x)]
    if not found:
        st.caption(
            lang.gettext("No stored layer matches.")
            if layers
            else lang.gettext("No layer saved yet.")
        )
    for number, info in enumerate(found):
        _render_layer(store, info, f"lib-{number}", state, lang)
    st.header(lang.gettext("Views"))
    shown = [v for v in views if not needle or needle in f"{v.name} {v.author}".casefold()]
    if not shown:
        st.caption(
            lang.gettext("No saved view matches.") if views else lang.gettext("No view saved yet.")
        )
    for number, view in enumerate(shown):
        cols = st.columns([4, 1])
        saved = lang.tr(
            "saved {day} {time} UTC",
            day=lang.date(view.created.date()),
            time=view.created.strftime("%H:%M"),
        )
        by = " · " + lang.tr("by {author}", author=view.author) if view.author else ""
        # A saved view opens in this page's language (the link's lang= wins over the saved one).
        link = f"./?{VIEW_PARAM}={view.slug}&lang={lang.code}"
        cols[0].markdown(
            plain(f"{view.name}{by} · {saved}")
            + " · ["
            + lang.gettext("open")
            + f"]({link}) · `?{VIEW_PARAM}={view.slug}`"
        )
        with cols[1]:
            if _confirmed_delete(
                f"view-{number}", lang.tr("Yes, delete the view “{name}”", name=view.name), lang
            ):
                try:
                    store.delete_view(view.slug)
                except AtlasError as error:
                    st.error(plain(error.in_language(current_language())))
                else:
                    _done(lang.tr("Deleted the view “{name}”.", name=view.name))


def _layer_text(info: LayerInfo) -> str:
    return " ".join((info.name, info.description, info.author, info.source_file)).casefold()


def _done(message: str) -> None:
    st.session_state[Key.STORE_MESSAGE] = message
    st.rerun()


def _confirmed_delete(place: str, question: str, lang: Language) -> bool:
    """A delete button behind a confirmation tick (and the editor token when one is set)."""
    if not may_write(st, place):
        return False
    sure = st.checkbox(question, key=store_key(place, "sure"))
    return st.button(lang.gettext("Delete"), key=store_key(place, "delete"), disabled=not sure)


def _render_layer(
    store: Store, info: LayerInfo, place: str, state: ViewState, lang: Language
) -> None:
    versions_words = lang.ntr("{n} version", "{n} versions", info.versions)
    with st.expander(f"{info.name} · {versions_words}"):
        kind = (
            lang.gettext("Joined table")
            if info.kind == LayerKind.JOINED
            else lang.gettext("Imported file")
        )
        st.markdown(
            plain(
                lang.tr(
                    "{kind} {file} · saved by {author} on {day}.",
                    kind=kind,
                    file=info.source_file,
                    author=info.author or lang.gettext("unnamed"),
                    day=lang.date(info.created.date()),
                )
            )
        )
        if info.description:
            st.markdown(plain(info.description))
        st.caption(
            plain(
                lang.tr(
                    "Licence and provenance: {text}",
                    text=info.licence or lang.gettext("not stated"),
                )
            )
        )
        try:
            versions = store.versions(info.name)
        except AtlasError as error:
            st.warning(plain(error.in_language(current_language())))
            return
        st.dataframe(_versions_table(versions, lang), hide_index=True, width="stretch")
        on_map = info.name in stored_shown()
        if st.button(
            lang.gettext("On your map") if on_map else lang.gettext("Open on the map"),
            key=store_key(place, "open"),
            disabled=on_map,
        ):
            show_stored(info.name)
            first = versions[0].valid_from if versions else None
            if first and first > state.as_of:
                _done(
                    lang.tr(
                        "“{name}” is on the map from {day} on (move the date to see it).",
                        name=info.name,
                        day=lang.date(first),
                    )
                )
            else:
                _done(lang.tr("“{name}” is on the map.", name=info.name))
        _render_export(info, versions, place, state, lang)
        if not may_write(st, place):
            return
        cols = st.columns([3, 1])
        new_name = cols[0].text_input(lang.gettext("New name"), key=store_key(place, "new_name"))
        if (
            cols[1].button(lang.gettext("Rename"), key=store_key(place, "rename"))
            and new_name.strip()
        ):
            try:
                store.rename_layer(info.name, new_name)
            except AtlasError as error:
                st.error(plain(error.in_language(current_language())))
            else:
                shown = stored_shown()
                st.session_state[Key.STORED_SHOWN] = [
                    new_name.strip() if x == info.name else x for x in shown
                ]
                _done(lang.tr("Renamed “{old}” to “{new}”.", old=info.name, new=new_name.strip()))
        question = lang.tr("Yes, delete “{name}” and all its versions", name=info.name)
        if _confirmed_delete(place, question, lang):
            try:
                count = store.delete_layer(info.name)
            except AtlasError as error:
                st.error(plain(error.in_language(current_language())))
            else:
                _done(
                    lang.ntr(
                        "Deleted “{name}” ({n} version).",
                        "Deleted “{name}” ({n} versions).",
                        count,
                        name=info.name,
                    )
                )


def _versions_table(versions: list[VersionInfo], lang: Language) -> pd.DataFrame:
    return pd.DataFrame(
        {
            lang.gettext("valid from"): [v.valid_from.isoformat() for v in versions],
            lang.gettext("saved (UTC)"): [f"{v.saved_at:%Y-%m-%d %H:%M}" for v in versions],
            lang.gettext("features"): [v.features for v in versions],
            lang.gettext("saved by"): [v.author for v in versions],
        }
    )


def _render_export(
    info: LayerInfo, versions: list[VersionInfo], place: str, state: ViewState, lang: Language
) -> None:
    if not versions:
        return
    chosen = st.selectbox(
        lang.gettext("Export the version valid from"),
        range(len(versions)),
        index=len(versions) - 1,
        format_func=lambda i: versions[i].valid_from.isoformat() + f" (#{versions[i].id})",
        key=store_key(place, "version"),
    )
    version = versions[int(chosen)]
    store = library_store(st)
    if store is not None and drawn_by_view(store, version):
        st.caption(export_sentence(info, version))
    formats = list(ExportFormat)
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        layer_id = f"store-{version.id}"
        col.download_button(
            lang.gettext(fmt.label),
            data=_generator(fmt, info, version, state),
            file_name=export_filename([layer_id], version.valid_from, fmt),
            mime=fmt.media_type,
            key=store_key(place, f"export_{fmt.id}"),
            on_click="ignore",
        )


def _generator(
    fmt: ExportFormat, info: LayerInfo, version: VersionInfo, state: ViewState
) -> Callable[[], bytes]:
    code = current_language().code

    def generate() -> bytes:
        base = get_base()
        about = (info.name, info.description, info.licence)
        store = library_store(st)
        params = ViewParams(as_of=version.valid_from, belt_km=float(state.belt_km), lang=code)
        if store is not None and drawn_by_view(store, version):  # never read whole
            return export_large(
                fmt, store, info, version, params, base.facts.sources, basemap_frame=base.basemap
            )
        location = store.location if store is not None else ""
        layer: MapLayer = get_stored_layer(
            location, version.id, version.saved_at, about, info, version
        )
        return export_bytes(fmt, [layer], params, base.facts.sources, basemap_frame=base.basemap)

    return generate
