"""The user's cache folder: results kept between runs, named by a digest of their inputs.

The page keeps its base geography there (``views/base_cache.py``), the command line its
summary units (:mod:`layers.units_cache`). A file is named by a digest of everything it is
made from (:func:`files_digest`: the Python and library versions and the input files), so a
changed input makes a new name and an old file is never read; it is written whole or not at
all (:func:`write_whole`). Files are written by this program into the user's own folder
(created readable and writable by the user only) and never taken from anywhere else.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from geo.units.countries import natural_earth_zip
from geo.units.data_files import DATA_DIR

#: The cache's folder under the user's cache directory.
CACHE_FOLDER = "eastern-flank-atlas"
#: Environment variable naming another cache folder (e.g. for a server's own account).
CACHE_ENV = "ATLAS_CACHE_DIR"
#: Libraries whose versions change what a pickled result holds or how it reads back.
LIBRARIES = ("geopandas", "shapely", "pandas", "numpy", "pyproj", "pyogrio", "pyarrow")
#: Where the geography code lives (its source and catalogs are inputs of what it builds).
GEO_DIR = Path(__file__).resolve().parents[1] / "geo"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The cache folder: ``$ATLAS_CACHE_DIR`` or ``$XDG_CACHE_HOME/…``.

    Parameters
    ----------
    env
        The environment (default ``os.environ``).

    Returns
    -------
    pathlib.Path
        E.g. ``~/.cache/eastern-flank-atlas``.
    """
    env = os.environ if env is None else env
    if env.get(CACHE_ENV, "").strip():
        return Path(env[CACHE_ENV].strip()).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "")
    root = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return root / CACHE_FOLDER


def geo_input_files(geo_dir: Path = GEO_DIR, data_dir: Path = DATA_DIR) -> list[Path]:
    """What the geography code builds from: ``data/``, the code and catalogs, Natural Earth."""
    sources = [*sorted(geo_dir.rglob("*.py")), *sorted(geo_dir.rglob("*.po"))]
    return [
        path
        for path in [*sorted(data_dir.iterdir()), *sources, natural_earth_zip()]
        if path.is_file()
    ]


def files_digest(paths: Iterable[Path], salt: str = "") -> str:
    """A digest of ``salt``, the Python and library versions and the files' names and bytes.

    Parameters
    ----------
    paths
        The input files, in a fixed order.
    salt
        What else names the result (e.g. which unit set); empty for none.

    Returns
    -------
    str
        Hex, 32 characters.
    """
    digest = hashlib.blake2b(salt.encode(), digest_size=16)
    digest.update(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"{library}={library_version(library)};".encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_whole(folder: Path, path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in ``folder`` whole or not at all (a temporary file renamed).

    The folder is created readable and writable by the user only.

    Raises
    ------
    OSError
        When the folder cannot be made or written.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".partial-", delete=False) as handle:
        partial = Path(handle.name)
        try:
            handle.write(data)
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
    partial.replace(path)


def library_version(library: str) -> str:
    """The installed version of ``library``, or ``"absent"``."""
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"
