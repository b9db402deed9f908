"""Import of the user's own files; the layers live in this browser session only."""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.errors import ImportRejectedError
from geo.importer import (
    ImportLimits,
    format_for_filename,
    import_bytes,
    list_layers,
    supported_formats,
    upload_types,
)
from geo.language import Language
from layers.drawing.layer import MapLayer, user_layer
from layers.safe_text import markdown_text as plain
from runtime.heap import return_free_memory
from views.keys import Key, remove_key, store_key
from views.language import current_language
from views.memo import Refused, memo, refused_or
from views.progress import progress_line
from views.session_layers import forget_session_layer, replace_in_session
from views.store import hide_stored, render_save_layer, stored_shown

#: The file types the uploader accepts.
UPLOAD_TYPES = upload_types()


def session_user_layers() -> list[MapLayer]:
    """The layers this session imported (never shared with other sessions)."""
    return list(st.session_state.get(Key.USER_LAYERS, []))


def _layer_names(file_id: str, data: bytes, filename: str, box: Any) -> list[str]:
    """The layers of a multi-layer upload, listed once per uploaded file (per session).

    Raises
    ------
    ImportRejectedError
        When the file cannot be imported (the refusal is remembered too).
    """

    def listing() -> list[str]:
        # The progress line is where a closed tab stops the run (and kills the worker).
        line, on_wait = progress_line(
            current_language().tr("Opening {name}", name=filename), ImportLimits().max_seconds, box
        )
        try:
            return list_layers(data, filename, on_wait=on_wait)
        finally:
            line.empty()

    names = memo(Key.UPLOAD_LAYERS, (file_id,), lambda: refused_or(listing))
    if isinstance(names, Refused):
        raise ImportRejectedError(names.sentence)
    return list(names)


def render_import(container: st.delta_generator.DeltaGenerator) -> None:
    """File uploader; a rejected file gets one sentence, the page and other layers go on.

    For a format that can hold several layers (GeoPackage tables, KML folders, shapefiles in
    a zip) the user chooses the layer to add.

    Parameters
    ----------
    container
        Where to draw the uploader (the sidebar).
    """
    lang = current_language()
    box = container.expander(lang.gettext("Import your data"), expanded=False)
    box.caption(
        lang.phrase(supported_formats())
        + ". "
        + lang.gettext("Stays in this browser session; shipped data is never changed.")
    )
    upload = box.file_uploader(lang.gettext("File"), type=UPLOAD_TYPES, key=Key.UPLOAD)
    if upload is None:
        return
    data = upload.getvalue()
    fmt = format_for_filename(upload.name)
    layer = None
    if fmt is not None and fmt.multi_layer:
        try:
            names = _layer_names(upload.file_id, data, upload.name, box)
        except ImportRejectedError as error:
            box.error(plain(error.in_language(lang)))
            return
        if len(names) > 1:
            word = lang.gettext(fmt.layer_word).capitalize()
            layer = box.selectbox(word, names, key=Key.UPLOAD_LAYER)
    if not box.button(lang.gettext("Add to map"), key=Key.UPLOAD_ADD):
        return
    limits = ImportLimits()
    # The progress line is where a closed tab stops the run (and kills the import worker).
    line, on_wait = progress_line(
        lang.tr("Importing {name}", name=upload.name), limits.max_seconds, box
    )
    try:
        frame, report = import_bytes(data, upload.name, layer=layer, limits=limits, on_wait=on_wait)
    except ImportRejectedError as error:
        box.error(plain(error.in_language(lang)))
        return
    finally:
        del data
        line.empty()
        return_free_memory()
    layers = session_user_layers()
    title = upload.name if layer is None else f"{upload.name} ({layer})"
    if any(x.spec.title == title and len(x.frame) == len(frame) for x in layers):
        box.info(plain(lang.tr("{title} is already on the map.", title=title)))
        return
    number = max((int(x.spec.id.removeprefix("user-")) for x in layers), default=0) + 1
    st.session_state[Key.USER_LAYERS] = [*layers, user_layer(f"user-{number}", title, frame)]
    box.success(plain(report.summary(lang)))


def render_user_layer_list(container: st.delta_generator.DeltaGenerator) -> None:
    """List imported layers with a remove button and "Save to the team library" each.

    The team-library layers this session shows are listed too, each with a button that
    takes it off the map (the library keeps it).
    """
    lang = current_language()
    _render_stored_list(container, lang)
    layers = session_user_layers()
    if not layers:
        return
    container.markdown("**" + lang.gettext("Your layers") + "**")
    for layer in layers:
        cols = container.columns([4, 1])
        count = lang.ntr("{n} feature", "{n} features", len(layer.frame))
        cols[0].text(f"{layer.spec.title} ({count})")
        if cols[1].button(
            "✕",
            key=remove_key(layer.spec.id),
            help=lang.tr("Remove {title}", title=layer.spec.title),
        ):
            kept = [x for x in layers if x.spec.id != layer.spec.id]
            replace_in_session(Key.USER_LAYERS, kept)
            forget_session_layer(layer.spec.id)
            st.rerun()
        render_save_layer(container, layer, source_file=layer.spec.title)


def _render_stored_list(container: st.delta_generator.DeltaGenerator, lang: Language) -> None:
    names = stored_shown()
    if not names:
        return
    container.markdown("**" + lang.gettext("From the team library") + "**")
    for number, name in enumerate(names):
        cols = container.columns([4, 1])
        cols[0].text(name)
        if cols[1].button(
            "✕",
            key=store_key(f"shown-{number}", "hide"),
            help=lang.tr("Take {name} off the map", name=name),
        ):
            hide_stored(name)
            st.rerun()
