"""Synthetic hazard polygons for timing and budgets (never shown as data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HAZARD_TYPES = ("suspected hazardous area", "confirmed hazardous area", "battle area")
STATUSES = ("suspected", "confirmed", "in survey", "in clearance", "cleared")
OPERATORS = ("Operator A", "Operator B", "Operator C", "Operator D", "Operator E")


def synthetic_hazards(n: int, base: Any, seed: int = 7) -> Any:
    """``n`` irregular hazard polygons inside Ukraine, clustered near the RU/BY border zone.

    Cluster centres lie within ~120 km of the Ukraine–Russia/Belarus border (where most
    contamination is reported); polygons are star-shaped with 7–12 vertices and a
    log-uniform diameter of 0.2–5 km. Synthetic: for timing only.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    from geo.units.countries import country
    from geo.units.crs import area_km2

    rng = np.random.default_rng(seed)
    ukraine = country(base.countries, "UKR")
    shapely.prepare(ukraine)
    border = shapely.union_all(
        base.segments.loc[base.segments["iso3_a"] == "UKR", "geometry"].to_numpy()
    )
    n_clusters = max(5, n // 60)
    centres: list[tuple[float, float]] = []
    while len(centres) < n_clusters:
        along = rng.uniform(0, border.length, n_clusters * 2)
        points = shapely.line_interpolate_point(border, along)
        x = shapely.get_x(points) + rng.normal(0, 0.8, len(points))
        y = shapely.get_y(points) + rng.normal(0, 0.5, len(points))
        inside = shapely.contains_xy(ukraine, x, y)
        centres.extend(zip(x[inside], y[inside], strict=True))
    centres_arr = np.asarray(centres[:n_clusters])
    which = rng.integers(0, n_clusters, n)
    lon0 = centres_arr[which, 0] + rng.normal(0, 0.12, n)
    lat0 = centres_arr[which, 1] + rng.normal(0, 0.08, n)
    vertices = rng.integers(7, 13, n)
    radius_km = np.exp(rng.uniform(np.log(0.1), np.log(2.5), n))
    owner = np.repeat(np.arange(n), vertices)
    angles = np.concatenate([np.sort(rng.uniform(0, 2 * np.pi, k)) for k in vertices])
    radii = radius_km[owner] * rng.uniform(0.55, 1.0, len(owner))
    km_per_deg_lat = 111.32
    xs = lon0[owner] + radii * np.cos(angles) / (km_per_deg_lat * np.cos(np.radians(lat0[owner])))
    ys = lat0[owner] + radii * np.sin(angles) / km_per_deg_lat
    coords = np.round(np.column_stack([xs, ys]), 5)
    # close each ring: repeat its first vertex
    starts = np.concatenate([[0], np.cumsum(vertices)[:-1]])
    ring_coords = np.insert(coords, np.cumsum(vertices), coords[starts], axis=0)
    ring_index = np.repeat(np.arange(n), vertices + 1)
    rings = shapely.linearrings(ring_coords, indices=ring_index)
    polygons = shapely.polygons(rings)
    polygons = np.where(shapely.is_valid(polygons), polygons, shapely.make_valid(polygons))
    start = np.datetime64("2022-04-01")
    days = rng.integers(0, 1370, n)
    frame = gpd.GeoDataFrame(
        {
            "hazard_id": [f"SYN-{i:06d}" for i in range(1, n + 1)],
            "hazard_type": rng.choice(HAZARD_TYPES, n, p=[0.55, 0.3, 0.15]),
            "status": rng.choice(STATUSES, n, p=[0.35, 0.3, 0.1, 0.1, 0.15]),
            "survey_date": [str(start + int(d)) for d in days],
            "operator": rng.choice(OPERATORS, n),
        },
        geometry=polygons,
        crs="EPSG:4326",
    )
    frame.insert(4, "area_ha", (area_km2(frame) * 100).round(2))
    return frame


def write_hazards(frame: Any, folder: Path, n: int) -> dict[str, Path]:
    """Write the synthetic frame as GeoJSON (5 decimals, ~1 m) and GeoPackage."""
    import pyogrio

    paths = {"geojson": folder / f"hazards_{n}.geojson", "gpkg": folder / f"hazards_{n}.gpkg"}
    pyogrio.write_dataframe(
        frame, paths["geojson"], driver="GeoJSON", layer_options={"COORDINATE_PRECISION": 5}
    )
    pyogrio.write_dataframe(frame, paths["gpkg"], driver="GPKG", layer="hazard_areas")
    return paths
