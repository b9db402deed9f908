"""The base geography kept on disk between server starts (a first map without rebuilding it).

:func:`~layers.catalogue.base.load_base` reads and checks every table, cuts the region and
simplifies the basemap: about 1 s of CPU on every ``streamlit run``, always with the same
result for the same inputs. :func:`load_base_cached` keeps that result in the user's cache
folder, named by a digest of everything it is made from (the files of ``data/``, the Natural
Earth file, the source of ``geo/`` and of the base module, the Python and library versions),
so a changed input makes a new name and the old file is never read. Reading it back takes
about 0.06 s. A cache that cannot be read or written is passed over: the base is built as
before, and the reason logged.

The file is a pickle written by this program into the user's own cache folder (readable and
writable by the user only); it is never taken from anywhere else.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd

from geo.units.data_files import DATA_DIR
from layers.cache_folder import (
    CACHE_ENV,
    CACHE_FOLDER,
    GEO_DIR,
    cache_dir,
    files_digest,
    geo_input_files,
    write_whole,
)
from layers.catalogue import base as base_module
from layers.catalogue.base import AtlasBase, load_base

#: ``CACHE_ENV``, ``CACHE_FOLDER`` and ``cache_dir`` are the cache folder's
#: (:mod:`layers.cache_folder`), named here too for the page's callers and tests.
__all__ = [
    "CACHE_ENV",
    "CACHE_FOLDER",
    "CACHE_PREFIX",
    "MEMO_PREFIX",
    "base_digest",
    "cache_dir",
    "inputs_digest",
    "load_base_cached",
    "remembered_text",
    "remembered_url",
]

#: File name prefix of a cached base.
CACHE_PREFIX = "base-"
#: File name prefix of a remembered address (:func:`remembered_url`).
MEMO_PREFIX = "url-"
#: File name prefix of a layer's remembered geometry file address.
GEOMETRY_MEMO_PREFIX = "geometry-url-"
LAYERS_DIR = Path(__file__).resolve().parents[1] / "layers"
VIEWS_DIR = Path(__file__).resolve().parent

_LOG = logging.getLogger(__name__)


def base_digest() -> str:
    """A digest of everything :func:`load_base` depends on (hex, 32 characters).

    The geography's inputs (:func:`~layers.cache_folder.geo_input_files`: ``data/``, the code
    and its catalogs, whose words a built layer or play-through holds, Natural Earth) and the
    base module's source.
    """
    return files_digest([*geo_input_files(GEO_DIR, DATA_DIR), Path(base_module.__file__)])


def inputs_digest() -> str:
    """:func:`base_digest` with the source of ``layers/`` and ``views/``.

    What a built layer, a play-through or a chart depends on.
    """
    digest = hashlib.blake2b(base_digest().encode(), digest_size=16)
    for path in [*sorted(LAYERS_DIR.rglob("*.py")), *sorted(VIEWS_DIR.glob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def remembered_url(
    key: str,
    present: Callable[[str], bool],
    compute: Callable[[], str],
    folder: Path | None = None,
    *,
    prefix: str = MEMO_PREFIX,
) -> str:
    """The address of a published file made from ``key``'s inputs, remembered between starts.

    For a file that is costly to make and named by its content (a play-through): the
    address is kept in the cache folder under a digest of ``key``, and returned while
    ``present(address)`` holds (the file is still there); otherwise ``compute()`` makes and
    publishes it and its address is kept. ``key`` must name every input (with
    :func:`inputs_digest` for the data and code).

    Parameters
    ----------
    key
        Every input of the file, as text.
    present
        Whether the file at an address still exists.
    compute
        Make and publish the file; returns its address.
    folder
        The cache folder (default :func:`cache_dir`).
    prefix
        The memo's file name prefix (what kind of file it remembers).

    Returns
    -------
    str
    """
    folder = cache_dir() if folder is None else folder
    memo = folder / f"{prefix}{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}.txt"
    try:
        url = memo.read_text(encoding="utf-8").strip()
        if url and present(url):
            return url
    except OSError:
        pass
    url = compute()
    try:
        _write_text(folder, memo, url)
    except OSError as error:
        _LOG.warning("could not remember %s in %s: %s", url, folder, error)
    return url


def remembered_text(
    key: str, family: str, compute: Callable[[], str], folder: Path | None = None
) -> str:
    """Text made from ``key``'s inputs, kept in the cache folder between server starts.

    The file is ``<family>-<digest of key>.txt``; writing it removes the family's other files
    (e.g. yesterday's charts). ``key`` must name every input (with :func:`inputs_digest`).

    Parameters
    ----------
    key
        Every input of the text, as text.
    family
        What the text is (a file name prefix: letters, digits and ``-``).
    compute
        Make the text.
    folder
        The cache folder (default :func:`cache_dir`).

    Returns
    -------
    str
    """
    folder = cache_dir() if folder is None else folder
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    path = folder / f"{family}-{digest}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = compute()
    try:
        _write_text(folder, path, text)
        for old in folder.glob(f"{family}-*.txt"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        _LOG.warning("could not keep %s in %s: %s", family, folder, error)
    return text


def remembered_frame(
    key: str, family: str, compute: Callable[[], gpd.GeoDataFrame], folder: Path | None = None
) -> gpd.GeoDataFrame:
    """A frame made from ``key``'s inputs, kept in the cache folder between server starts.

    As :func:`remembered_text`, for a GeoDataFrame (a pickle, like the base: written by this
    program into the user's own cache folder, never taken from anywhere else). The file is
    ``<family>-<digest of key>.pickle``; writing it removes the family's other files. A file
    that cannot be read is passed over (the frame is made again).

    Parameters
    ----------
    key
        Every input of the frame, as text (with :func:`inputs_digest`).
    family
        What the frame is (a file name prefix: letters, digits and ``-``); one file per
        family is kept.
    compute
        Make the frame.
    folder
        The cache folder (default :func:`cache_dir`).

    Returns
    -------
    geopandas.GeoDataFrame
        Treat it as read-only.
    """
    folder = cache_dir() if folder is None else folder
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    path = folder / f"{family}-{digest}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, gpd.GeoDataFrame):
                return cached
        except Exception as error:  # a damaged or foreign file: make it afresh
            _LOG.warning("cached frame %s could not be read (%s); making it again", path, error)
    frame = compute()
    try:
        _write(folder, path, frame, f"{family}-*.pickle")
    except OSError as error:
        _LOG.warning("could not keep %s in %s: %s", family, folder, error)
    return frame


def _write_text(folder: Path, path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in ``folder`` whole or not at all (a temporary file renamed).

    Raises
    ------
    OSError
        When the folder cannot be made or written.
    """
    write_whole(folder, path, text.encode("utf-8"))


def load_base_cached(folder: Path | None = None) -> AtlasBase:
    """:func:`load_base`, read from the cache when it holds this exact base, else built and kept.

    Parameters
    ----------
    folder
        The cache folder (default :func:`cache_dir`).

    Returns
    -------
    AtlasBase
        Equal to what :func:`load_base` returns; treat it as read-only.
    """
    folder = cache_dir() if folder is None else folder
    try:
        path = folder / f"{CACHE_PREFIX}{base_digest()}.pickle"
    except OSError as error:
        _LOG.warning("base cache passed over (its inputs could not be read): %s", error)
        return load_base()
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, AtlasBase):
                return cached
        except Exception as error:  # a damaged or foreign file: build afresh
            _LOG.warning("base cache %s could not be read (%s); building the base", path, error)
    base = load_base()
    try:
        _write(folder, path, base, f"{CACHE_PREFIX}*.pickle")
    except OSError as error:
        _LOG.warning("base cache %s could not be written: %s", path, error)
    return base


def _write(folder: Path, path: Path, value: object, older: str) -> None:
    """Pickle ``value`` to ``path`` whole or not at all; remove the folder's other ``older``.

    ``older`` is a glob pattern: the older versions of the same thing.
    """
    write_whole(folder, path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    for old in folder.glob(older):
        if old != path:
            old.unlink(missing_ok=True)
