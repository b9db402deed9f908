"""Leaflet served locally: no CDN at run time, inlined for standalone HTML.

Leaflet 1.9.4 comes from the PyPI package ``django-js-lib-leaflet`` (BSD-2-Clause). The app
copies it under ``static/vendor/leaflet/`` next to ``app.py`` (Streamlit serves ``static/`` at
``/app/static/`` when ``server.enableStaticServing`` is on); the HTML export inlines it.
"""

from __future__ import annotations

import base64
import filecmp
import hashlib
import importlib.resources
import os
import shutil
import tempfile
from pathlib import Path

LEAFLET_PACKAGE = "js_lib_leaflet"
ASSET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png")
#: The map client (``client/*.js`` and ``atlas_map.css``), served from ``static/vendor/atlas``.
CLIENT_DIR = Path(__file__).resolve().parent / "client"
#: The client's scripts in the order a page loads them (no build step): shared constants and
#: helpers, the core (the AtlasMap object), then the parts that add its methods.
CLIENT_SCRIPTS = (
    "atlas_base.js",
    "atlas_events.js",
    "atlas_core.js",
    "atlas_controls.js",
    "atlas_present.js",
    "atlas_layers.js",
    "atlas_time.js",
    "atlas_measure.js",
    "atlas_access.js",
    "atlas_compare.js",
)
CLIENT_FILES = (*CLIENT_SCRIPTS, "atlas_map.css")
#: Folder under ``static/`` of the catalogue's layer files the live map fetches
#: (``static/layers/<sha256>.json``, public: they hold only shipped data). A user's layers are
#: never written there, nor anywhere else (``views/session_layers.py``).
DATA_FOLDER = "layers"
#: The URL prefix ``static/layers/`` is served at.
DATA_URL_PREFIX = f"/app/static/{DATA_FOLDER}"
#: Folders of layer files written by earlier versions, which published a user's imports and
#: joined tables there too: removed at start-up, nothing reads them.
LEGACY_DATA_FOLDERS = ("atlas",)


def leaflet_dir() -> Path:
    """Folder of the Leaflet build inside its PyPI package.

    Returns
    -------
    pathlib.Path
        Folder holding ``leaflet.js``, ``leaflet.css`` and ``images/``.
    """
    return Path(str(importlib.resources.files(LEAFLET_PACKAGE) / "static" / LEAFLET_PACKAGE))


def install_static_assets(app_dir: Path) -> Path:
    """Copy Leaflet into ``app_dir/static/vendor/leaflet`` unless an identical copy exists.

    Streamlit's static route resolves symlinks and refuses paths outside ``static/``, so the
    files are copied rather than linked.

    Parameters
    ----------
    app_dir
        Folder of ``app.py``.

    Returns
    -------
    pathlib.Path
        The folder the assets are in.
    """
    target = app_dir / "static" / "vendor" / "leaflet"
    copies = [(leaflet_dir() / name, target / name) for name in ASSET_FILES]
    copies += [
        (CLIENT_DIR / name, app_dir / "static" / "vendor" / "atlas" / name) for name in CLIENT_FILES
    ]
    for src, dst in copies:
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_suffix(dst.suffix + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    return target


def client_text(name: str) -> str:
    """The text of one map-client file (:data:`CLIENT_FILES`), for inlining into an export."""
    if name not in CLIENT_FILES:
        raise ValueError(f"unknown client file {name!r}; known: {', '.join(CLIENT_FILES)}")
    return (CLIENT_DIR / name).read_text(encoding="utf-8")


def remove_legacy_data(app_dir: Path) -> list[Path]:
    """Delete the layer folders earlier versions wrote (:data:`LEGACY_DATA_FOLDERS`).

    Those versions published each import and joined table as a public file there, kept
    forever; this version never writes or reads them.

    Parameters
    ----------
    app_dir
        Folder of ``app.py``.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed = []
    for name in LEGACY_DATA_FOLDERS:
        folder = app_dir / "static" / name
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def publish_json(text: str, app_dir: Path) -> str:
    """Write a catalogue layer's JSON text where the live map can fetch it, named by its content.

    Only for shipped data: the file is public (anyone with its address can fetch it) and is
    kept. A user's layer goes to its own session only (``views/session_layers.py``).

    The name is the SHA-256 of the text, so equal content is written once and a changed
    layer gets a new URL (the browser never meets a stale cached copy).

    Parameters
    ----------
    text
        JSON text (a layer's GeoJSON).
    app_dir
        Folder of ``app.py``; the file goes to ``static/layers/`` below it.

    Returns
    -------
    str
        The URL the app serves it at, e.g. ``/app/static/layers/3f…a1.json``.
    """
    data = text.encode("utf-8")
    name = hashlib.sha256(data).hexdigest() + ".json"
    folder = app_dir / "static" / DATA_FOLDER
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    return f"{DATA_URL_PREFIX}/{name}"


def published_path(url: str, app_dir: Path) -> Path | None:
    """The file :func:`publish_json` wrote for ``url``, or ``None`` for any other address.

    Parameters
    ----------
    url
        An address :func:`publish_json` returned.
    app_dir
        Folder of ``app.py``.

    Returns
    -------
    pathlib.Path or None
    """
    prefix = f"{DATA_URL_PREFIX}/"
    name = url.removeprefix(prefix)
    if not url.startswith(prefix) or "/" in name or not name.endswith(".json"):
        return None
    return app_dir / "static" / DATA_FOLDER / name


def client_script() -> str:
    """The client's scripts as one text, in load order, for inlining into an export."""
    return "\n".join(client_text(name) for name in CLIENT_SCRIPTS)


def leaflet_inline() -> tuple[str, str]:
    """Leaflet's JS and CSS as text to put inside a page (images as data URIs).

    Returns
    -------
    tuple of str
        ``(js, css)``; the JS cannot close the ``<script>`` element it is put in.
    """
    folder = leaflet_dir()
    js = (folder / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    for image in ("layers-2x.png", "layers.png"):
        data = base64.b64encode((folder / "images" / image).read_bytes()).decode("ascii")
        css = css.replace(f"images/{image}", f"data:image/png;base64,{data}")
    return js, css
