"""One validator for every GeoDataFrame the project builds or accepts."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pyproj

from geo.errors import LayerValidationError
from geo.units.crs import WGS84

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
LINEAR = frozenset({"LineString", "MultiLineString"})
PUNTAL = frozenset({"Point", "MultiPoint"})


def collect_problems(
    gdf: gpd.GeoDataFrame,
    *,
    geom_types: frozenset[str] | set[str] | None = None,
    required_columns: Sequence[str] = (),
    allow_empty: bool = False,
    require_wgs84: bool = True,
) -> list[str]:
    """List every problem of ``gdf`` without raising.

    Parameters
    ----------
    gdf
        The frame to check.
    geom_types
        Allowed geometry types (e.g. ``POLYGONAL``); ``None`` allows any type.
    required_columns
        Columns that must be present.
    allow_empty
        Whether a frame with no rows is acceptable.
    require_wgs84
        Whether the CRS must be EPSG:4326 (the storage and display CRS).

    Returns
    -------
    list of str
        One sentence per problem; empty when the frame is valid.
    """
    problems: list[str] = []
    if not isinstance(gdf, gpd.GeoDataFrame):
        return [f"expected a GeoDataFrame, got {type(gdf).__name__}"]
    if gdf.crs is None:
        problems.append("no CRS is set; set it with .set_crs(...) before using the data")
    elif require_wgs84 and not pyproj.CRS.from_user_input(gdf.crs).equals(
        pyproj.CRS.from_user_input(WGS84)
    ):
        problems.append(f"CRS is {gdf.crs.to_string()}, expected EPSG:4326; call .to_crs(4326)")
    missing = [c for c in required_columns if c not in gdf.columns]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if len(gdf) == 0:
        if not allow_empty:
            problems.append("has no features")
        return problems
    geoms = gdf.geometry
    n_null = int(geoms.isna().sum())
    if n_null:
        problems.append(f"{n_null} feature(s) have no geometry (null)")
    present = geoms[~geoms.isna()]
    n_empty = int(present.is_empty.sum())
    if n_empty:
        problems.append(f"{n_empty} feature(s) have an empty geometry")
    n_invalid = int((~present.is_valid).sum())
    if n_invalid:
        problems.append(f"{n_invalid} feature(s) have invalid geometry; repair with .make_valid()")
    if geom_types is not None:
        bad = sorted(set(present.geom_type.dropna()) - set(geom_types))
        if bad:
            problems.append(
                f"unexpected geometry type(s) {', '.join(bad)}; "
                f"expected {', '.join(sorted(geom_types))}"
            )
    return problems


def validate_frame(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    geom_types: frozenset[str] | set[str] | None = None,
    required_columns: Sequence[str] = (),
    allow_empty: bool = False,
    require_wgs84: bool = True,
) -> gpd.GeoDataFrame:
    """Check ``gdf`` and raise once with every problem found.

    Parameters
    ----------
    gdf
        The frame to check (EPSG:4326 expected unless ``require_wgs84`` is False).
    name
        Layer or file name used in the error message.
    geom_types, required_columns, allow_empty, require_wgs84
        See :func:`collect_problems`.

    Returns
    -------
    GeoDataFrame
        ``gdf`` itself, unchanged, so the call can be chained.

    Raises
    ------
    LayerValidationError
        Listing every problem, when there is at least one.
    """
    problems = collect_problems(
        gdf,
        geom_types=geom_types,
        required_columns=required_columns,
        allow_empty=allow_empty,
        require_wgs84=require_wgs84,
    )
    if problems:
        raise LayerValidationError(name, problems)
    return gdf
