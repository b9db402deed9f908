"""The team library on the page: saving layers and views, who may write, stored layers drawn.

The store is opened once per server process (:func:`views.cache.get_store`); when it cannot be
used, its one sentence is said where the library is offered and the atlas works without it.
A stored layer on the map is the version valid on the map's date
(:meth:`~layers.store.base.Store.version_as_of`), drawn as a session layer keyed by its
version (:mod:`views.session_layers`): its features travel once per version, a date change
that stays within a version sends its key alone.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from geo.analysis.report import JoinResult
from geo.errors import AtlasError
from geo.importer.tables import Table
from geo.language import Language, language
from layers.drawing.aggregate import display_version
from layers.drawing.layer import MapLayer
from layers.drawing.stored import shows_on, version_windows
from layers.safe_text import markdown_text as plain
from layers.store import (
    LayerInfo,
    LayerKind,
    NotFoundError,
    Store,
    StoreUnavailable,
    VersionInfo,
    editor_token_ok,
    editor_token_required,
)
from layers.store.by_view import drawn_by_view, view_box
from views.cache import get_store, get_stored_layer, get_stored_view
from views.keys import Key, store_key
from views.language import current_language
from views.state import ViewState
from views.visibility import show_stored_again

#: Fields of a saved view's state (:func:`view_record`).
VIEW_QUERY, VIEW_STORED, VIEW_SELECTED = "query", "stored", "selected"
#: The URL parameter that opens a saved view.
VIEW_PARAM = "view"


def library_store(container: Any) -> Store | None:
    """The store, or ``None`` after saying in ``container`` why it cannot be used."""
    store = get_store()
    if isinstance(store, StoreUnavailable):
        lang = current_language()
        container.warning(
            plain(
                lang.tr(
                    "The team library is not available: {reason}. The atlas works without it.",
                    reason=store.in_language(lang),
                )
            ),
            icon="🗄️",
        )
        return None
    return store


def signed_in_author() -> str:
    """The signed-in user's name when Streamlit's sign-in (``st.login``) is set up, else ``""``."""
    try:
        if not st.user.is_logged_in:
            return ""
        name = st.user.get("name") or st.user.get("email") or ""
    except Exception:  # sign-in not configured: st.user may lack is_logged_in
        return ""
    return str(name)


def _check_token(place: str) -> None:
    """The token field's callback: remember whether the token is right, then clear the field."""
    field = store_key(place, "token")
    ok = editor_token_ok(st.session_state.get(field))
    st.session_state[Key.EDITOR_OK] = ok
    st.session_state[Key.EDITOR_REFUSED] = not ok
    st.session_state[field] = ""


def may_write(container: Any, place: str) -> bool:
    """Whether this session may save, rename and delete; else ask for the editor token.

    With ``ATLAS_EDITOR_TOKEN`` set, the token is asked for once per session (a password
    field, never in the URL; compared in constant time by
    :func:`~layers.store.editor.editor_token_ok`); everyone else can only open.
    """
    if not editor_token_required() or st.session_state.get(Key.EDITOR_OK):
        return True
    lang = current_language()
    container.text_input(
        lang.gettext("Editor token (to save, rename or delete)"),
        type="password",
        key=store_key(place, "token"),
        on_change=_check_token,
        args=(place,),
        help=lang.gettext(
            "This library is read-only without the editor token its administrator set."
        ),
    )
    if st.session_state.get(Key.EDITOR_REFUSED):
        container.error(lang.gettext("That is not the editor token: the library stays read-only."))
    return False


def _plain(value: object) -> object:
    """JSON-ready form of a report value: dataclasses by field, sequences as lists, else text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(x) for x in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _report_json(result: JoinResult) -> str:
    """The join report as JSON: its fields and its one-line summary."""
    record = _plain(result.report)
    assert isinstance(record, dict)
    record["summary"] = result.report.summary()
    return json.dumps(record, ensure_ascii=False)


def render_save_layer(
    container: Any,
    layer: MapLayer,
    *,
    source_file: str,
    table: Table | None = None,
    result: JoinResult | None = None,
) -> None:
    """The "Save to the team library" form for one imported layer, or the joined table.

    Parameters
    ----------
    container
        Where to draw (beside the layer).
    layer
        The layer as exported (every feature, EPSG:4326).
    source_file
        The original file name.
    table, result
        A joined layer's table and join: it is saved as :attr:`LayerKind.JOINED` with the
        table (JSON records) and the join report (JSON).
    """
    place = layer.spec.id
    lang = current_language()
    box = container.expander(lang.gettext("Save to the team library"))
    store = library_store(box)
    if store is None or not may_write(box, place):
        return
    form = box.form(store_key(place, "form"))
    name = form.text_input(
        lang.gettext("Name"), value=layer.spec.title, key=store_key(place, "name")
    )
    description = form.text_area(lang.gettext("Description"), key=store_key(place, "description"))
    valid_from = form.date_input(
        lang.gettext("Valid from"),
        value=date.today(),
        key=store_key(place, "valid_from"),
        help=lang.gettext(
            "The date this version describes (e.g. the survey date); saving again under the "
            "same name adds a version from its date on."
        ),
    )
    signed_in = signed_in_author()
    if signed_in:
        form.caption(plain(lang.tr("Saved as {author} (signed in).", author=signed_in)))
        author = signed_in
    else:
        author = form.text_input(lang.gettext("Your name"), key=store_key(place, "author"))
    licence = form.text_area(
        lang.gettext("Licence and provenance"),
        key=store_key(place, "licence"),
        help=lang.gettext("Who made it, its terms."),
    )
    if not form.form_submit_button(lang.gettext("Save"), key=store_key(place, "save")):
        return
    day = valid_from if isinstance(valid_from, date) else date.today()
    try:
        version = store.save_layer(
            name,
            layer.frame,
            valid_from=day,
            description=description,
            author=author,
            licence=licence,
            source_file=table.name if table is not None else source_file,
            kind=LayerKind.JOINED if result is not None else LayerKind.IMPORT,
            join_table=(
                table.frame.to_json(orient="records", force_ascii=False)
                if table is not None
                else None
            ),
            join_report=_report_json(result) if result is not None else None,
        )
    except AtlasError as error:
        box.error(plain(error.in_language(current_language())))
        return
    box.success(
        plain(
            lang.ntr(
                "Saved “{name}” ({n} feature), valid from {day}: open it from the Library page.",
                "Saved “{name}” ({n} features), valid from {day}: open it from the Library page.",
                version.features,
                name=version.layer,
                day=version.valid_from.isoformat(),
            )
        )
    )


def stored_shown() -> list[str]:
    """Names of the stored layers this session shows on the map, in the order opened."""
    return [str(x) for x in st.session_state.get(Key.STORED_SHOWN, [])]


def show_stored(name: str) -> None:
    """Put a stored layer on this session's map (once)."""
    names = stored_shown()
    show_stored_again(name)
    if name not in names:
        st.session_state[Key.STORED_SHOWN] = [*names, name]


def hide_stored(name: str) -> None:
    """Take a stored layer off this session's map (the library keeps it)."""
    st.session_state[Key.STORED_SHOWN] = [x for x in stored_shown() if x != name]


@dataclass(frozen=True)
class StoredOnMap:
    """The shown stored layers: the versions of the map's date, and every version with its days.

    Attributes
    ----------
    valid
        Each shown layer's version valid on the date (tables, downloads, details).
    versions
        Every version of each shown layer as the map draws it (a large one as a grid summary,
        or by view): each is drawn on its own days only, so stepping or playing through the
        dates shows the version of each step in the browser.
    windows
        Map layer id of each of ``versions`` → ``(first day, first day it no longer shows)``
        (``None``: the latest version).
    large
        Each shown layer's version valid on the date that is drawn by view (not in ``valid``).
    """

    valid: list[MapLayer]
    versions: list[MapLayer]
    windows: dict[str, tuple[date, date | None]]
    large: list[LargeVersion] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class LargeVersion:
    """A shown stored version valid on the map's date that is drawn by view, never read whole.

    Its details, table rows, downloads and summary are read from the store as asked for
    (:mod:`layers.store.by_rows`, :mod:`layers.export.large`,
    :mod:`layers.store.pg_summary`).

    Attributes
    ----------
    store
        The store it is in.
    info, version
        The layer and the version.
    layer_id
        Its map layer id (:func:`~layers.drawing.stored.stored_layer_id`).
    title
        Its title on the map ("name (from date)").
    """

    store: Store
    info: LayerInfo
    version: VersionInfo
    layer_id: str
    title: str


def stored_map_layers(
    as_of: date, container: Any, view: tuple[tuple[float, float], float]
) -> StoredOnMap:
    """The shown stored layers: the version valid on ``as_of``, and every version with its days.

    A layer with no version yet on that day gets a note in ``container`` (its later versions
    still wait on the map for their days); one deleted meanwhile is dropped from the
    session's list. Each version is read once (:func:`views.cache.get_stored_layer`) and
    drawn as :func:`~layers.drawing.aggregate.display_version` draws an import — except a
    large version in PostGIS, which the map draws by ``view`` (``(centre, zoom)``), read in
    the database for that view only (:func:`views.cache.get_stored_view`): counts in cells
    zoomed out, the features in the view zoomed in. It is then not read whole, and the
    tables, details, downloads and summaries read it from the store as asked for
    (:class:`LargeVersion`).
    """
    names = stored_shown()
    nothing = StoredOnMap([], [], {})
    if not names:
        return nothing
    store = library_store(container)
    if store is None:
        return nothing
    out, gone = StoredOnMap([], [], {}), []
    ids: dict[str, str] = {}
    for name in names:
        try:
            info = store.layer(name)
            versions = store.versions(name)
        except NotFoundError:
            gone.append(name)
            continue
        except AtlasError as error:
            container.warning(plain(error.in_language(current_language())))
            continue
        about = (info.name, info.description, info.licence)
        shown_today = False
        lang = current_language()
        for version, first, until in version_windows(versions):
            if drawn_by_view(store, version):
                center, zoom = view
                drawn = get_stored_view(
                    store.location, version.id, version.saved_at, about,
                    view_box(center, zoom), int(zoom), info, version,
                )  # fmt: skip
                layer = None
            else:
                layer = get_stored_layer(
                    store.location, version.id, version.saved_at, about, info, version
                )
                drawn = display_version(layer)
            out.versions.append(drawn)
            out.windows[drawn.spec.id] = (first, until)
            ids[drawn.spec.id] = name
            if shows_on((first, until), as_of):
                shown_today = True
                if layer is not None:
                    out.valid.append(layer)
                else:
                    out.large.append(
                        LargeVersion(store, info, version, drawn.spec.id, drawn.spec.title)
                    )
                    container.caption(
                        plain(
                            lang.ntr(
                                "“{name}” has {n} feature: the map draws it by view from the "
                                "database, and its details, table rows and downloads are read "
                                "from the database when asked for.",
                                "“{name}” has {n} features: the map draws it by view from the "
                                "database, and its details, table rows and downloads are read "
                                "from the database when asked for.",
                                version.features,
                                name=name,
                            )
                        )
                    )
        if not shown_today and versions:
            text = lang.tr(
                "“{name}” has no version valid on {day} (its first is from {first}).",
                name=name,
                day=lang.date(as_of),
                first=lang.date(versions[0].valid_from),
            )
            container.info(plain(text), icon="ℹ️")
    st.session_state[Key.STORED_MAP_NAMES] = ids
    if gone:
        st.session_state[Key.STORED_SHOWN] = [x for x in names if x not in gone]
        container.info(
            plain(
                current_language().tr("No longer in the library: {names}.", names=", ".join(gone))
            ),
            icon="ℹ️",
        )
    return out


def stored_version_days() -> tuple[tuple[date, str], ...]:
    """The dates the shown stored layers change version, with captions (for the play-through)."""
    names = stored_shown()
    if not names:  # the store is not opened for a page that shows none of its layers
        return ()
    store = get_store()
    if isinstance(store, StoreUnavailable):
        return ()
    days: dict[date, list[str]] = {}
    for name in names:
        try:
            versions = store.versions(name)
        except AtlasError:
            continue
        for version in versions:
            days.setdefault(version.valid_from, [])
            if name not in days[version.valid_from]:
                days[version.valid_from].append(name)
    lang = current_language()
    return tuple(
        (day, lang.tr("New version: {names}", names=", ".join(names_)))
        for day, names_ in sorted(days.items())
    )


def view_record(state: ViewState) -> dict[str, Any]:
    """What a saved view keeps: the URL state, the stored layers shown, the selection."""
    return {
        VIEW_QUERY: state.to_query(),
        VIEW_STORED: stored_shown(),
        VIEW_SELECTED: st.session_state.get(Key.SELECTED),
    }


def open_view(
    query: dict[str, str], lang: Language | None = None
) -> tuple[dict[str, str], list[str]]:
    """Resolve ``?view=<slug>``: the view's URL state and the notices to show.

    Sets the session's stored layers and selection from the view. An unknown slug or an
    unusable library gives a notice and the rest of the URL is used as it is (its ``lang=``
    included: a link's language wins over the one the view was saved in). ``lang`` is the
    language of the notices.

    Returns
    -------
    tuple
        ``(query, notices)``; ``query`` without the ``view`` parameter.
    """
    slug = query.get(VIEW_PARAM, "")
    rest = {k: v for k, v in query.items() if k != VIEW_PARAM}
    words = lang or language()
    store = get_store()
    if isinstance(store, StoreUnavailable):
        return rest, [
            words.tr(
                "Could not open the saved view {slug}: {reason}.",
                slug=repr(slug),
                reason=store.in_language(words),
            )
        ]
    try:
        view = store.view(slug)
    except AtlasError:
        return rest, [
            words.tr("There is no saved view {slug} (it may have been deleted).", slug=repr(slug))
        ]
    saved = view.state.get(VIEW_QUERY)
    opened = {str(k): str(v) for k, v in saved.items()} if isinstance(saved, dict) else {}
    stored = view.state.get(VIEW_STORED)
    names = [str(x) for x in stored if isinstance(x, str)] if isinstance(stored, list) else []
    st.session_state[Key.STORED_SHOWN] = names
    for name in names:
        show_stored_again(name)
    selected = view.state.get(VIEW_SELECTED)
    if isinstance(selected, str):
        st.session_state[Key.SELECTED] = selected
    return {**opened, **rest}, [words.tr("Opened the saved view “{name}”.", name=view.name)]


def render_save_view(container: Any, state: ViewState) -> None:
    """The "Save this view" form beside the map: a name, and a short link ``?view=<slug>`` back."""
    lang = current_language()
    box = container.expander(lang.gettext("Save this view"))
    store = library_store(box)
    if store is None or not may_write(box, "view"):
        return
    form = box.form(store_key("view", "form"))
    name = form.text_input(lang.gettext("Name of the view"), key=Key.VIEW_NAME)
    if not form.form_submit_button(lang.gettext("Save the view"), key=Key.VIEW_SAVE):
        return
    try:
        view = store.save_view(name, view_record(state), author=signed_in_author())
    except AtlasError as error:
        box.error(plain(error.in_language(current_language())))
        return
    box.success(plain(lang.tr("Saved “{name}”.", name=view.name)))
    link = f"[`?{VIEW_PARAM}={view.slug}`](./?{VIEW_PARAM}={view.slug})"
    box.markdown(lang.tr("Its link: {link}", link=link))
