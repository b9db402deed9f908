"""Which store the atlas uses.

``ATLAS_DATABASE_URL`` (PostGIS), else the GeoPackage at ``ATLAS_STORE``, else the per-user
default file (:func:`default_store_path`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from layers.store.base import Store
from layers.store.model import StoreUnavailable

STORE_ENV = "ATLAS_STORE"
DATABASE_ENV = "ATLAS_DATABASE_URL"
#: The folder (under the user's data folder) and file of the default store.
APP_FOLDER = "eastern-flank-atlas"
STORE_FILE = "store.gpkg"
#: The repository checkout, where a store file must never be (it would be committed).
REPOSITORY = Path(__file__).resolve().parents[2]


def default_store_path(env: Mapping[str, str] | None = None) -> Path:
    r"""The per-user default store file.

    ``$XDG_DATA_HOME/eastern-flank-atlas/store.gpkg`` (default ``~/.local/share``) on Linux and
    other Unix systems, ``~/Library/Application Support/…`` on macOS and
    ``%LOCALAPPDATA%\eastern-flank-atlas\store.gpkg`` on Windows.
    """
    env = os.environ if env is None else env
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        base = Path(env["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / APP_FOLDER / STORE_FILE


def store_path(env: Mapping[str, str] | None = None) -> Path:
    """The GeoPackage file the embedded store uses (``ATLAS_STORE`` or the default).

    Raises
    ------
    StoreUnavailable
        The path lies inside the repository checkout.
    """
    env = os.environ if env is None else env
    text = env.get(STORE_ENV, "").strip()
    path = Path(text).expanduser().absolute() if text else default_store_path(env)
    if path.resolve().is_relative_to(REPOSITORY):
        raise StoreUnavailable(
            f"{STORE_ENV} points inside the atlas's repository ({path}); keep the store "
            "outside it, e.g. in ~/.local/share/eastern-flank-atlas/store.gpkg"
        )
    return path


def describe_store(env: Mapping[str, str] | None = None) -> str:
    """Where :func:`open_store` would open, without connecting (no password shown)."""
    env = os.environ if env is None else env
    url = env.get(DATABASE_ENV, "").strip()
    if url:
        from layers.store.postgis import database_url

        return database_url(url).render_as_string(hide_password=True)
    return str(store_path(env))


def open_store(env: Mapping[str, str] | None = None) -> Store:
    """Open the configured store.

    Parameters
    ----------
    env
        The environment to read (default: the process's).

    Raises
    ------
    StoreUnavailable
        One sentence: the store cannot be reached or used.
    """
    env = os.environ if env is None else env
    url = env.get(DATABASE_ENV, "").strip()
    if url:
        from layers.store.postgis import open_postgis

        return open_postgis(url)
    from layers.store.embedded import open_embedded

    return open_embedded(store_path(env))
