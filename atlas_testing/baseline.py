"""The baseline the atlas is measured against: ``GeoDataFrame.explore()`` of the same layers.

What a user would otherwise write: one ``explore(m=m)`` call per layer onto one Folium map, at
full resolution (Natural Earth 10m countries, full-resolution borders and belts, the oblast
file as it is). Used by ``tests/test_performance.py`` and ``scripts/bench.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

#: The date of the benchmark and budget views.
BENCH_DATE = date(2026, 2, 1)


def baseline_static_frames(base: Any, belt_km: float) -> dict[str, Any]:
    """Full-resolution geometry of the date-independent default layers (id → frame)."""
    import geopandas as gpd
    import pandas as pd

    from geo.units.belts import adversary_belts
    from geo.units.borders import border_segments
    from layers.catalogue.spec import ViewParams
    from layers.drawing.layer import build_map_layers

    ours = {
        x.spec.id: x
        for x in build_map_layers(
            base, ("flank-borders",), ViewParams(as_of=BENCH_DATE, belt_km=belt_km)
        )
    }
    full_lines = border_segments(base.countries, base.facts.flank_pairs)[["pair", "geometry"]]
    attrs = pd.DataFrame(ours["flank-borders"].frame.drop(columns="geometry"))
    borders = gpd.GeoDataFrame(
        attrs.merge(full_lines, on="pair"), geometry="geometry", crs="EPSG:4326"
    )
    belts = adversary_belts(
        base.countries, base.facts.flank_iso3, belt_km, adversaries=base.facts.adversary_iso3
    )
    belts.insert(1, "name", belts["iso3"].map(base.countries.set_index("iso3")["name"]))
    return {"flank-borders": borders, "border-belt": belts}


def baseline_dated_frames(base: Any, as_of: date) -> dict[str, Any]:
    """The date-dependent default layers for ``as_of`` on full-resolution geometry.

    Treaty status on ``base.countries``; the oblasts (whose figures say how old they are on
    the date) on the committed ``data/ua_oblasts.geojson``.
    """
    import geopandas as gpd
    import pandas as pd

    from geo.units.oblasts import oblasts_path
    from layers.catalogue.spec import ViewParams
    from layers.drawing.layer import build_map_layers

    full = base.countries[["iso3", "geometry"]]
    frames = {}
    for layer in build_map_layers(
        base, ("treaty-status", "withdrawing-states"), ViewParams(as_of=as_of)
    ):
        attrs = pd.DataFrame(layer.frame.drop(columns="geometry"))
        frames[layer.spec.id] = gpd.GeoDataFrame(
            full.merge(attrs, on="iso3"), geometry="geometry", crs="EPSG:4326"
        )
    (oblasts,) = build_map_layers(base, ("ua-contamination",), ViewParams(as_of=as_of))
    oblast_file = gpd.read_file(oblasts_path())[["iso_3166_2", "geometry"]]
    attrs = pd.DataFrame(oblasts.frame.drop(columns="geometry"))
    frames["ua-contamination"] = gpd.GeoDataFrame(
        oblast_file.merge(attrs, on="iso_3166_2"), geometry="geometry", crs="EPSG:4326"
    )
    return frames


def baseline_map(frames: dict[str, Any]) -> Any:
    """``explore()`` of each layer onto one map, as a user would write it."""
    from layers.catalogue.registry import DEFAULT_LAYER_IDS, get_spec

    fmap = None
    for layer_id in DEFAULT_LAYER_IDS:
        spec = get_spec(layer_id)
        frame = frames[layer_id]
        fmap = frame.explore(
            m=fmap,
            column=spec.style.color_column,
            tooltip=[c for c, _ in spec.tooltip_fields if c in frame.columns],
            name=spec.title,
        )
    return fmap
