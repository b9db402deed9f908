"""Summary units kept in the cache folder between runs of the command line.

Building a unit set (:func:`geo.analysis.summary.summary_units`: reading the hromada file,
cutting 1,469 units and their complement into tiles, indexing them) takes about 0.5 s of CPU
and always gives the same set for the same inputs. :func:`keep_summary_units` keeps it in
the cache folder (:mod:`layers.cache_folder`) under a digest of everything it is made from
(``data/``, the geography code and catalogs, Natural Earth, the Python and library versions,
the set itself); :func:`read_summary_units` reads it back in about 0.03 s (the tiles are
prepared again as the set is unpickled). A file that cannot be read or written is passed
over (the set is built as before) and the reason logged. The file is a pickle this program
wrote into the user's own folder.
"""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

from geo.analysis.summary import BandStates, SummaryBy, SummaryUnits
from layers.cache_folder import cache_dir, files_digest, geo_input_files, write_whole

#: File name prefix of a kept unit set.
UNITS_PREFIX = "units-"

_LOG = logging.getLogger(__name__)


def units_path(by: SummaryBy, states: BandStates, folder: Path | None = None) -> Path:
    """Where the unit set ``by`` (``states``: border distance only) is kept.

    Parameters
    ----------
    by, states
        The unit set (``states`` names the banded states; ignored for oblasts and hromadas).
    folder
        The cache folder (default :func:`~layers.cache_folder.cache_dir`).

    Returns
    -------
    pathlib.Path
        ``units-<set>-<digest of its inputs>.pickle`` in the folder.

    Raises
    ------
    OSError
        When an input file cannot be read.
    """
    folder = cache_dir() if folder is None else folder
    family = _family(by, states)
    digest = files_digest(geo_input_files(), salt=f"summary-{family}")
    return folder / f"{family}-{digest}.pickle"


def _family(by: SummaryBy, states: BandStates) -> str:
    """``units-hromada``, ``units-border-distance-flank``: the set, without its digest."""
    name = f"{by.value}-{states.value}" if by is SummaryBy.BORDER_DISTANCE else by.value
    return f"{UNITS_PREFIX}{name}"


def read_summary_units(
    by: SummaryBy, states: BandStates, folder: Path | None = None
) -> SummaryUnits | None:
    """The kept unit set ``by`` (tiles prepared); ``None`` when none is kept for these inputs.

    Parameters
    ----------
    by, states, folder
        As for :func:`units_path`.

    Returns
    -------
    SummaryUnits or None
        Equal to a freshly built set; treat it as read-only.
    """
    try:
        path = units_path(by, states, folder)
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            units = pickle.load(handle)
    except Exception as error:  # a damaged or foreign file, or unreadable inputs: build afresh
        _LOG.warning("summary units cache passed over (%s); building the units", error)
        return None
    if not isinstance(units, SummaryUnits) or units.by is not by:
        return None
    return units


def keep_summary_units(units: SummaryUnits, states: BandStates, folder: Path | None = None) -> None:
    """Keep ``units`` for :func:`read_summary_units`; remove older files of the same set.

    Parameters
    ----------
    units
        A freshly built set.
    states, folder
        As for :func:`units_path`.
    """
    try:
        path = units_path(units.by, states, folder)
        write_whole(path.parent, path, pickle.dumps(units, protocol=pickle.HIGHEST_PROTOCOL))
        family = _family(units.by, states)
        for old in path.parent.glob(f"{family}-*.pickle"):
            if old != path and old.stem.rsplit("-", 1)[0] == family:
                old.unlink(missing_ok=True)
    except OSError as error:
        _LOG.warning("summary units could not be kept: %s", error)
