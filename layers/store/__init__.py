"""The team store: layers (with dated versions) and views that outlive a session.

One interface (:class:`Store`), two backends: an embedded GeoPackage file (default; see
:func:`~layers.store.config.default_store_path`) and PostgreSQL + PostGIS when
``ATLAS_DATABASE_URL`` is set. :func:`open_store` picks one.
"""

from layers.store.base import Store
from layers.store.config import describe_store, open_store, store_path
from layers.store.editor import editor_token_ok, editor_token_required
from layers.store.model import (
    LayerInfo,
    LayerKind,
    NotFoundError,
    StoreInputError,
    StoreUnavailable,
    VersionInfo,
    ViewInfo,
    check_name,
)

__all__ = [
    "LayerInfo",
    "LayerKind",
    "NotFoundError",
    "Store",
    "StoreInputError",
    "StoreUnavailable",
    "VersionInfo",
    "ViewInfo",
    "check_name",
    "describe_store",
    "editor_token_ok",
    "editor_token_required",
    "open_store",
    "store_path",
]
