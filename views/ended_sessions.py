"""Sessions that have ended: collected, and their files released from the server's memory.

Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` (120 s) so that the
tab can reconnect, then drops it from its store (Streamlit 1.67: a TTL cache with no removal
hook). The session is shut down only when its object is freed (``AppSession.__del__``), and
the object is part of reference cycles, so it is freed only by a full run of Python's cycle
collector, which this server starts rarely: Streamlit's collection after every page run is
off (``runner.postScriptGC``, see :mod:`runtime.heap`) and the base geography is exempt from
it. Until then the session's state and the files the server keeps for it outside the state —
the bytes in its file uploaders (``UploadedFileManager``) and behind its download buttons
(``MediaFileManager``) — stay in memory: the 41.7 MiB zip the load test's attacker uploaded
last kept the server at 1.24× its starting memory after every session had expired (the
README's *Load test* section).

:func:`release_ended_sessions`, called at the start of every page run, looks for files held
for sessions that Streamlit's session manager no longer lists (connected or kept for a
reconnect). When there are, it runs the cycle collector once, which frees and shuts down those
sessions, releases whatever files are still held for them with the managers' own thread-safe
calls (``remove_session_files``, ``clear_session_refs``, ``remove_orphaned_files``), and gives
the freed heap back to the system. Which sessions hold files is read from the managers'
tables, which are not public API: a Streamlit upgrade that renames them makes this a no-op
(``tests/test_ended_sessions.py`` checks them against the installed Streamlit).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Collection, Mapping
from typing import Any

from streamlit import runtime

from runtime.heap import return_free_memory


def release_ended_sessions() -> int:
    """Shut down the sessions whose reconnect time is up, and release what they held.

    Returns
    -------
    int
        How many ended sessions were shut down or had files released (0 outside a server).
    """
    if not runtime.exists():
        return 0
    server = runtime.get_instance()
    manager = getattr(server, "_session_mgr", None)
    if manager is None:
        return 0
    return release(manager, server.uploaded_file_mgr, server.media_file_mgr)


def release(manager: Any, uploads: Any, media: Any) -> int:
    """:func:`release_ended_sessions` for the given Streamlit managers.

    Parameters
    ----------
    manager
        Streamlit's session manager (``WebsocketSessionManager``).
    uploads
        Its ``UploadedFileManager``.
    media
        Its ``MediaFileManager``.

    Returns
    -------
    int
        How many ended sessions were shut down or had files released.
    """
    shut_down = set()
    for session in _reap_expired(manager):
        session.shutdown()  # Streamlit's own release: uploads, downloads, data sources, caches
        shut_down.add(session.id)
    # Sessions reaped earlier (by a disconnect) but not yet freed: which hold files first,
    # which are live second, so that a session connecting in between keeps its files.
    holders = _session_ids(uploads, "file_storage") | _session_ids(
        media, "_files_by_session_and_coord"
    )
    ended = holders - {info.session.id for info in manager.list_sessions()} if holders else set()
    if not shut_down and not ended:
        return 0
    release_files(ended, uploads, media)
    gc.collect()  # the sessions' objects are in reference cycles: free their state now
    return_free_memory()
    return len(shut_down | ended)


def _reap_expired(manager: object) -> list[Any]:
    """Take the sessions whose reconnect time is up out of Streamlit's session store."""
    storage = getattr(manager, "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    expire = getattr(cache, "expire", None)
    if not callable(expire):
        return []
    with getattr(manager, "_storage_lock", contextlib.nullcontext()):
        removed = expire()
    return [info.session for _id, info in removed if getattr(info, "session", None) is not None]


def release_files(ended: Collection[str], uploads: Any, media: Any) -> int:
    """Drop the uploaded files and download files of the ``ended`` sessions.

    Parameters
    ----------
    ended
        Ids of sessions that will never run again.
    uploads
        Streamlit's ``UploadedFileManager``.
    media
        Streamlit's ``MediaFileManager``.

    Returns
    -------
    int
        How many of the ``ended`` sessions held files.
    """
    with_uploads = _session_ids(uploads, "file_storage") & set(ended)
    with_media = _session_ids(media, "_files_by_session_and_coord") & set(ended)
    for session_id in with_uploads:
        uploads.remove_session_files(session_id)
    for session_id in with_media:
        media.clear_session_refs(session_id)
    if with_media:
        media.remove_orphaned_files()
    return len(with_uploads | with_media)


def _session_ids(manager: object, table: str) -> set[str]:
    """The ids of the sessions a file manager holds files for (none if it has no such table).

    An empty entry (a ``defaultdict`` touched for a session) holds nothing and is not counted,
    so it never makes a page run collect.
    """
    files = getattr(manager, table, None)
    if not isinstance(files, Mapping):
        return set()
    return {session_id for session_id, held in tuple(files.items()) if held}


__all__ = ["release", "release_ended_sessions", "release_files"]
