"""A session that has ended leaves nothing in the server's memory (views.ended_sessions).

Streamlit (1.67) drops a disconnected session from its store when its reconnect time is up
without shutting it down; its object is freed (and shut down) only by a full run of the cycle
collector, so its uploads and downloads stay in Streamlit's managers until then. These tests
use Streamlit's own session manager, sessions and file managers.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from typing import Any

import pytest
from streamlit.runtime import media_file_manager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.runtime import Runtime
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.session_manager import SessionClient
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from views.ended_sessions import _session_ids, release, release_ended_sessions, release_files

ZIP = b"PK" + b"\0" * 4096
#: Seconds a closed tab's session is kept for a reconnect in these tests.
TTL_S = 0.5


class Tab(SessionClient):
    """A browser tab as Streamlit's session manager sees it (its messages go nowhere)."""

    def write_forward_msg(self, msg: Any) -> None:
        del msg

    @property
    def client_context(self) -> None:
        return None


def _hold_files(
    session_id: str,
    uploads: MemoryUploadedFileManager,
    media: MediaFileManager,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An upload in the session's uploader and a download button's bytes of its last run."""
    uploads.add_file(session_id, UploadedFileRec(f"{session_id}-zip", "a.zip", "zip", ZIP))
    # Media files are registered under the session whose page run draws the button.
    monkeypatch.setattr(media_file_manager, "_get_session_id", lambda: session_id)
    media.add(session_id.encode() * 100, "application/geopackage+sqlite3", "coord", "x.gpkg")


def test_an_expired_session_is_shut_down_and_its_files_released(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        uploads = MemoryUploadedFileManager("/_stcore/upload_file")
        media = MediaFileManager(MemoryMediaFileStorage("/media"))
        manager = WebsocketSessionManager(
            MemorySessionStorage(ttl_seconds=TTL_S),
            uploads,
            ScriptCache(),
            None,  # type: ignore[arg-type]
        )
        closed = manager.connect_session(Tab(), ScriptData("app.py"), {})
        still_open = manager.connect_session(Tab(), ScriptData("app.py"), {})
        for session_id in (closed, still_open):
            _hold_files(session_id, uploads, media, monkeypatch)
        session = weakref.ref(manager.get_session_info(closed).session)  # type: ignore[union-attr]
        manager.disconnect_session(closed)
        # Kept for a reconnect: nothing is released.
        assert release(manager, uploads, media) == 0
        assert uploads.get_files(closed, [f"{closed}-zip"])
        await asyncio.sleep(TTL_S + 0.2)
        # Streamlit no longer lists it, but keeps it and its files (the leak fixed here).
        assert [info.session.id for info in manager.list_sessions()] == [still_open]
        assert uploads.get_files(closed, [f"{closed}-zip"]) and session() is not None

        assert release(manager, uploads, media) == 1

        assert uploads.get_files(closed, [f"{closed}-zip"]) == []
        assert set(media._files_by_session_and_coord) == {still_open}
        assert len(media._file_metadata) == 1  # the closed session's download bytes are gone
        assert session() is None  # the session and its state are freed
        assert [f.data for f in uploads.get_files(still_open, [f"{still_open}-zip"])] == [ZIP]
        assert release(manager, uploads, media) == 0
        manager.close_session(still_open)

    asyncio.run(scenario())


def test_files_of_a_session_no_longer_listed_are_released(monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = MemoryUploadedFileManager("/_stcore/upload_file")
    media = MediaFileManager(MemoryMediaFileStorage("/media"))
    for session_id in ("ended", "live"):
        _hold_files(session_id, uploads, media, monkeypatch)
    uploads.file_storage["touched"]  # an empty entry of the defaultdict: holds nothing
    assert _session_ids(uploads, "file_storage") == {"ended", "live"}
    assert release_files({"ended", "never-seen", "touched"}, uploads, media) == 1
    assert uploads.get_files("ended", ["ended-zip"]) == []
    assert _session_ids(uploads, "file_storage") == {"live"} and uploads._total_bytes == len(ZIP)
    assert set(media._files_by_session_and_coord) == {"live"}
    assert len(media._file_metadata) == 1


def test_outside_a_server_nothing_is_released() -> None:
    assert release_ended_sessions() == 0


def test_what_is_read_of_streamlit_is_there() -> None:
    """An upgrade that renames what is read fails here instead of silently keeping sessions."""
    assert "self._session_mgr =" in inspect.getsource(Runtime.__init__)
    assert "self._storage_lock =" in inspect.getsource(WebsocketSessionManager.__init__)
    assert "self._session_storage =" in inspect.getsource(WebsocketSessionManager.__init__)
    assert "self._cache" in inspect.getsource(MemorySessionStorage.__init__)
    assert "self._files_by_session_and_coord" in inspect.getsource(MediaFileManager.__init__)
