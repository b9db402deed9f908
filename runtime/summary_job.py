"""A layer's summary by unit (:func:`geo.analysis.summary.summarize`) made in a worker process.

A summary of a large accepted import takes seconds and hundreds of MiB (issue 18: 2.3 million
vertices, 9.4 s and 632 MiB per click). The page makes it in a disposable worker
(:mod:`geo.importer.isolation`) under the budgets of :class:`SummaryLimits`, so the shared page
process
only sends the layer's geometry (WKB) and the prepared unit set, and receives the small table.
The numbers are those of :func:`~geo.analysis.summary.summarize` itself: the worker runs it on the
same
geometry and units.

The page makes one summary at a time per session: a page run waits for its worker, and a new
run of the same session (another click, a closed tab) stops the wait and kills the worker.

The join needs no worker: its table is already bounded by the table budgets
(:class:`geo.importer.tables.TableLimits`: 50,000 rows, 1 million cells) and it matches keys in
dictionaries, without geometry operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.analysis.summary import Summary, SummaryUnits, summarize
from geo.errors import AtlasError
from geo.importer.isolation import JobBudget, JobWords, run_job
from geo.importer.messages import human_size

#: Wall-clock time of one summary, worker start included, in seconds.
SUMMARY_SECONDS = 60.0
#: Address space of the worker that makes a summary, in bytes (2 GiB; the README's Performance
#: section has the peaks measured).
SUMMARY_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
#: Largest file the summary worker may write, in bytes (it writes only its answer).
SUMMARY_FILE_BYTES = 64 * 1024 * 1024


class SummaryStoppedError(AtlasError, RuntimeError):
    """A summary the worker could not finish within its budgets; the message is one sentence."""


@dataclass(frozen=True)
class SummaryLimits:
    """Budgets of one summary; the defaults are the module constants.

    Attributes
    ----------
    max_seconds
        Wall-clock time, seconds.
    max_memory_bytes
        Address space of the worker, bytes.
    """

    max_seconds: float = SUMMARY_SECONDS
    max_memory_bytes: int = SUMMARY_MEMORY_BYTES


@dataclass(frozen=True)
class SummaryJob:
    """What the worker summarises (plain data and the prepared units).

    Attributes
    ----------
    wkb
        The layer's geometries as WKB (``None`` for a missing geometry).
    crs
        The layer's CRS (reprojected to EPSG:4326 by the summary).
    units
        The unit set.
    """

    wkb: np.ndarray
    crs: pyproj.CRS
    units: SummaryUnits


def summarize_task(job: SummaryJob) -> Summary:
    """Worker task: the summary of ``job``'s geometry by its units.

    Parameters
    ----------
    job
        The layer and units.

    Returns
    -------
    Summary
    """
    geometry = gpd.GeoSeries(shapely.from_wkb(job.wkb), crs=job.crs)
    try:
        return summarize(geometry, job.units)
    except shapely.errors.GEOSException as exc:
        # GEOS reports an allocation the memory budget refused as its own error.
        if "alloc" in str(exc).lower():
            raise MemoryError from exc
        raise


def summarize_in_worker(
    layer: gpd.GeoDataFrame | gpd.GeoSeries,
    units: SummaryUnits,
    *,
    title: str,
    limits: SummaryLimits | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> Summary:
    """:func:`geo.analysis.summary.summarize` in a worker process, under ``limits``.

    Parameters
    ----------
    layer
        Any polygons, lines and/or points with a CRS.
    units
        The unit set.
    title
        The layer's title, for messages.
    limits
        Budgets (default :class:`SummaryLimits`).
    on_wait
        Called with the elapsed seconds while the worker runs (a progress line); whatever it
        raises stops the summary and kills the worker.

    Returns
    -------
    Summary
        As :func:`~geo.analysis.summary.summarize` returns it.

    Raises
    ------
    SummaryStoppedError
        When the worker runs out of time or memory, or fails; one sentence naming the limit.
    LayerValidationError
        When the layer has no CRS (checked here, before the worker starts).
    """
    limits = limits or SummaryLimits()
    series = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
    if series.crs is None:
        summarize(series.iloc[:0], units)  # raises the summary's own missing-CRS error
    job = SummaryJob(
        wkb=shapely.to_wkb(np.asarray(series.to_numpy(), dtype=object)),
        crs=series.crs,
        units=units,
    )
    fix = "summarise by oblast, or import a smaller or simplified layer"
    words = JobWords(
        too_slow=f"The summary of {title} took longer than the summary time limit of "
        f"{limits.max_seconds:g} s and was stopped; {fix}",
        too_big=f"The summary of {title} needs more than the summary memory limit of "
        f"{human_size(limits.max_memory_bytes)}; {fix}",
        failed=f"The summary of {title} failed ({{error}}); {fix}",
    )
    budget = JobBudget(limits.max_seconds, limits.max_memory_bytes, SUMMARY_FILE_BYTES)
    summary: Summary = run_job(
        summarize_task,
        job,
        budget=budget,
        words=words,
        error=SummaryStoppedError,
        on_wait=on_wait,
    )
    return summary


__all__ = [
    "SUMMARY_MEMORY_BYTES",
    "SUMMARY_SECONDS",
    "SummaryJob",
    "SummaryLimits",
    "SummaryStoppedError",
    "summarize_in_worker",
    "summarize_task",
]
