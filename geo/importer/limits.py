"""Every budget an import runs under, in one place (:class:`ImportLimits`).

Each limit is checked before the step it protects (parsing, repair, display), and each
refusal names the limit and how to get under it. The defaults accept the benchmark's
100,000-polygon hazard files (``scripts/bench.py``: about 1.05 million vertices, 51 MB of
GeoJSON) with room to spare.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class ImportLimits:
    """Limits applied to one imported file.

    Attributes
    ----------
    max_bytes
        Largest accepted file, in bytes (default 50 MiB).
    max_features
        Most features (rows) accepted.
    max_seconds
        Wall-clock time for the whole import of one file, in seconds, worker start included
        (default 60 s); the worker is stopped when it runs out.
    max_memory_bytes
        Address space of the worker process, in bytes (default 2 GiB), set with
        ``resource.setrlimit(RLIMIT_AS)``.
    max_nesting_depth
        Deepest nesting of brackets in a JSON document, of elements in a KML document and of
        parentheses in one WKT geometry (default 32), counted before the text is parsed. A
        GeoJSON MultiPolygon feature nests 8 deep; every GeometryCollection level adds 2.
    max_vertices_per_geometry
        Most coordinates (vertices) in one geometry (default 250,000).
    max_vertices
        Most coordinates in the whole file (default 5,000,000).
    max_repair_crossings_per_geometry
        Most segment crossings in one invalid polygon that will be repaired (default 20,000);
        repair time grows faster than the number of crossings.
    max_repair_crossings
        Most segment crossings over all invalid polygons of the file (default 200,000).
    max_value_bytes
        Largest text or binary attribute value, in UTF-8 bytes (default 64 KiB).
    max_attribute_bytes
        Total size of all text and binary attribute values of the file, in bytes
        (default 64 MiB).
    max_attribute_columns
        Most attribute columns (default 1,000).
    max_zip_members
        Most members (files and folders) a zip may hold, read from the zip's end record before
        its directory is parsed.
    max_uncompressed_bytes
        Largest total uncompressed size of a zip's members, in bytes (default 500 MiB).
    max_compression_ratio
        Largest uncompressed/compressed size ratio of a zip member of 1 MiB or more.
    """

    max_bytes: int = 50 * MIB
    max_features: int = 200_000
    max_seconds: float = 60.0
    max_memory_bytes: int = 2 * GIB
    max_nesting_depth: int = 32
    max_vertices_per_geometry: int = 250_000
    max_vertices: int = 5_000_000
    max_repair_crossings_per_geometry: int = 20_000
    max_repair_crossings: int = 200_000
    max_value_bytes: int = 64 * 1024
    max_attribute_bytes: int = 64 * MIB
    max_attribute_columns: int = 1_000
    max_zip_members: int = 64
    max_uncompressed_bytes: int = 500 * MIB
    max_compression_ratio: float = 100.0

    def __post_init__(self) -> None:
        bad = [f.name for f in fields(self) if not getattr(self, f.name) > 0]
        if bad:
            raise ValueError(f"import limits must be positive: {', '.join(bad)}")


#: The default budgets (an immutable instance, shared safely).
DEFAULT_LIMITS = ImportLimits()
