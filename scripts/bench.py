"""Performance bench of the atlas against what a user would otherwise write (``explore()``).

Run from the repository root::

    python scripts/bench.py            # full run (a few minutes on 2 cores)
    python scripts/bench.py --quick    # < 2 minutes: no 100k import, one page run

Prints one table (metric, ours, baseline, ratio, target, met) and writes
``bench/results.json`` with every figure, its baseline and their ratio under plain keys
(``payload_ratio``, ``warm_build_ratio``…). Every figure is the median of several runs after a
warm-up, and its baseline is measured in the same run:

* baseline map = ``GeoDataFrame.explore()`` of the same layers at full resolution (Natural
  Earth 10m countries, full-resolution border lines and belts, the oblast file as is), one
  ``explore(m=m)`` call per layer onto one map;
* server time = building the map plus the serialisation ``st_folium`` does on every rerun
  (called in bare mode, no browser), ours with the page's per-cache-key layer and GeoJSON
  caches, the baseline with its date-independent frames kept in memory;
* page = ``streamlit run`` in a subprocess and headless Chromium with every non-localhost
  request aborted; the baseline page is a one-file Streamlit app calling ``explore()``;
* large imports = synthetic hazard areas written to a temp dir, each import in a fresh
  subprocess so its peak resident memory (``ru_maxrss``) is its own.

Synthetic hazard data are generated here with a fixed seed; they are not real survey data.
"""

from __future__ import annotations

import time

T_PROCESS = time.perf_counter()  # before any heavy import, for the cold-start figure

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results.json"
#: Date of the default view in the bench (fixed so runs compare) and the warm-rerun dates.
BENCH_DATE = date(2026, 2, 1)
MB = 1024 * 1024
IMPORT_SIZES = (1_000, 10_000, 100_000)
HAZARD_TYPES = ("suspected hazardous area", "confirmed hazardous area", "battle area")
STATUSES = ("suspected", "confirmed", "in survey", "in clearance", "cleared")
OPERATORS = ("Operator A", "Operator B", "Operator C", "Operator D", "Operator E")

# ---------------------------------------------------------------------------- helpers


def median_time(func: Callable[[], object], runs: int, warmup: int = 1) -> float:
    """Median wall time of ``func()`` in seconds over ``runs`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_worker(*args: str, timeout_s: float = 600.0) -> dict[str, Any]:
    """Run ``bench.py --worker ARGS`` in a fresh interpreter; parse its last stdout line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def maxrss_mb() -> float:
    """Peak resident set size of this process so far, MiB.

    Linux's ``VmHWM`` (high-water mark of this address space, reset by ``exec``) is used:
    ``getrusage().ru_maxrss`` survives ``exec`` and would report the parent's peak.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quiet_streamlit() -> None:
    """Silence Streamlit's bare-mode warnings (``st_folium`` is called without a server)."""
    import logging

    import streamlit_folium  # noqa: F401  (creates the streamlit loggers)
    from streamlit.runtime.scriptrunner_utils import script_run_context  # noqa: F401

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def serialise_like_page(fmap: Any) -> None:
    """What ``st_folium`` does with a map on every rerun (render, bounds, JS), bare mode."""
    from streamlit_folium import st_folium

    st_folium(
        fmap,
        key="map",
        height=620,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )


# ---------------------------------------------------------------------------- our map


class PageCache:
    """The page's caches (``views/cache.py``) without Streamlit: layer and GeoJSON per key."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self.layers: dict[tuple, Any] = {}
        self.collections: dict[tuple, Any] = {}

    def view(self, layer_ids: tuple[str, ...], params: Any) -> tuple[list, dict]:
        """Layers and display GeoJSON for a view, reusing entries whose key is unchanged."""
        from layers.catalogue.registry import build_layer, get_spec
        from layers.drawing.display import display_collection
        from layers.drawing.layer import MapLayer

        layers, collections = [], {}
        for layer_id in layer_ids:
            spec = get_spec(layer_id)
            key = (spec.id, spec.view_args(params))
            if key not in self.layers:
                self.layers[key] = MapLayer(spec, build_layer(spec, self.base, key[1]))
            if key not in self.collections:
                self.collections[key] = display_collection(self.layers[key])
            layers.append(self.layers[key])
            collections[layer_id] = self.collections[key]
        return layers, collections


def our_map(base: Any, layers: list, collections: dict | None = None) -> Any:
    """Our default-view map (as ``views/map_page.py`` builds it)."""
    from layers.drawing.render import build_map

    return build_map(layers, basemap_frame=base.basemap_geojson, collections=collections)


def our_default_layers(base: Any, as_of: date = BENCH_DATE) -> list:
    """The default layers of the catalogue for ``as_of``."""
    from layers.catalogue.registry import DEFAULT_LAYER_IDS
    from layers.catalogue.spec import ViewParams
    from layers.drawing.layer import build_map_layers

    return build_map_layers(base, DEFAULT_LAYER_IDS, ViewParams(as_of=as_of))


# ---------------------------------------------------------------------------- baseline


def baseline_static_frames(base: Any, belt_km: float) -> dict[str, Any]:
    """Full-resolution geometry of the date-independent default layers (id → frame)."""
    import geopandas as gpd
    import pandas as pd

    from geo.belts import adversary_belts
    from geo.borders import border_segments
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

    from geo.oblasts import oblasts_path
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


# ---------------------------------------------------------------------------- synthetic data


def synthetic_hazards(n: int, base: Any, seed: int = 7) -> Any:
    """``n`` irregular hazard polygons inside Ukraine, clustered near the RU/BY border zone.

    Cluster centres lie within ~120 km of the Ukraine–Russia/Belarus border (where most
    contamination is reported); polygons are star-shaped with 7–12 vertices and a
    log-uniform diameter of 0.2–5 km. Synthetic: for timing only.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    from geo.countries import country
    from geo.crs import area_km2

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


# ---------------------------------------------------------------------------- workers


def worker_cold_ours() -> dict[str, Any]:
    """Fresh process: load the base, build the default map, serialise as the page does."""
    quiet_streamlit()
    from layers.catalogue.base import load_base

    base = load_base()
    fmap = our_map(base, our_default_layers(base))
    serialise_like_page(fmap)
    return {"seconds": time.perf_counter() - T_PROCESS}


def worker_cold_baseline() -> dict[str, Any]:
    """Fresh process: same inputs, full-resolution frames, ``explore()``, serialise."""
    quiet_streamlit()
    from layers.catalogue.base import load_base

    base = load_base()
    frames = baseline_static_frames(base, 20.0) | baseline_dated_frames(base, BENCH_DATE)
    serialise_like_page(baseline_map(frames))
    return {"seconds": time.perf_counter() - T_PROCESS}


def worker_import(path: str, with_map: str) -> dict[str, Any]:
    """Import one file with ``geo.importer.import_path``; time, peak RSS, map payload."""
    quiet_streamlit()
    from geo.importer import import_path
    from layers.drawing.aggregate import display_version
    from layers.drawing.layer import user_layer

    rss_before = maxrss_mb()
    start = time.perf_counter()
    frame, report = import_path(path)
    seconds = time.perf_counter() - start
    rss_after = maxrss_mb()
    out: dict[str, Any] = {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": rss_after,
        "features": report.features_kept,
    }
    if with_map == "1":
        from layers.catalogue.base import load_base

        base = load_base()
        start = time.perf_counter()
        layer = display_version(user_layer("user-1", Path(path).name, frame))
        out["display_version_s"] = time.perf_counter() - start
        html = our_map(base, [layer]).get_root().render()
        out["payload_bytes"] = len(html.encode("utf-8"))
        html = our_map(base, [*our_default_layers(base), layer]).get_root().render()
        out["payload_page_bytes"] = len(html.encode("utf-8"))
        out["cells"] = len(layer.frame)
        out["peak_rss_with_map_mb"] = maxrss_mb()
    return out


def worker_import_baseline(path: str, with_map: str) -> dict[str, Any]:
    """What a user would write: ``gpd.read_file`` and ``explore()`` of everything."""
    import geopandas as gpd

    rss_before = maxrss_mb()
    start = time.perf_counter()
    frame = gpd.read_file(path)
    seconds = time.perf_counter() - start
    out: dict[str, Any] = {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": maxrss_mb(),
    }
    if with_map == "1":
        html = frame.explore().get_root().render()
        out["payload_bytes"] = len(html.encode("utf-8"))
    return out


BASELINE_APP = """
\"\"\"Baseline page: the default layers drawn with GeoDataFrame.explore() (bench only).\"\"\"
import sys
from datetime import date
sys.path.insert(0, {repo!r})
sys.path.insert(0, {scripts!r})
import streamlit as st
from streamlit_folium import st_folium
import bench
from layers.catalogue.base import load_base
from layers.drawing.offline import leaflet_urls

@st.cache_resource
def base():
    return load_base()

@st.cache_resource
def static():
    return bench.baseline_static_frames(base(), 20.0)

as_of = st.sidebar.slider("As of", min_value=date(2024, 1, 1), max_value=date.today(),
                          value=bench.BENCH_DATE, format="YYYY-MM-DD")
fmap = bench.baseline_map(static() | bench.baseline_dated_frames(base(), as_of))
# the network is blocked: load Leaflet from this app's static copy instead of the CDNs
js_url, css_url = leaflet_urls()
fmap.default_js, fmap.default_css = [("leaflet", js_url)], [("leaflet_css", css_url)]
st_folium(fmap, key="map", height=620, use_container_width=True,
          returned_objects=["last_active_drawing"])
"""


# ---------------------------------------------------------------------------- page timing


@contextlib.contextmanager
def streamlit_process(script: Path, port: int) -> Iterator[subprocess.Popen]:
    """``streamlit run script`` in its own process group, killed (by group id) on exit."""
    from tests.browser_support import stop_process_group

    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        stop_process_group(process)


_COUNT_PATHS = """(sel) => {
  const el = document.querySelector('.folium-map, .leaflet-container');
  if (!el || window.__benchOld) { return 0; }
  return document.querySelectorAll(sel).length;
}"""


def map_paths(page: Any, selector: str) -> int:
    """Largest number of ``selector`` paths drawn in a not-yet-marked map frame of ``page``."""
    best = 0
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        with contextlib.suppress(Exception):
            best = max(best, int(frame.evaluate(_COUNT_PATHS, selector)))
    return best


def wait_until(page: Any, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` every 25 ms (letting the browser run) until true or the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(25)
    raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def page_timings(script: Path, selector: str, runs: int, warmup: bool) -> dict[str, Any]:
    """Median seconds from ``streamlit run`` to paths on screen, and date change to redraw."""
    from tests.browser_support import chromium, free_port, open_page, wait_for_health

    healths, firsts, changes = [], [], []
    with chromium() as browser:
        for _ in range(runs + warmup):  # warm-up: disk cache, bytecode
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page, _log = open_page(context)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            start = time.perf_counter()
            with streamlit_process(script, port) as process:
                wait_for_health(url, process, 60)
                health = time.perf_counter() - start
                page.goto(f"{url}/?date={BENCH_DATE.isoformat()}")
                wait_until(
                    page, lambda page=page: map_paths(page, selector) > 0, 60, "the first map paths"
                )
                first = time.perf_counter() - start
                for frame in page.frames:
                    if frame != page.main_frame:
                        with contextlib.suppress(Exception):
                            frame.evaluate("() => { window.__benchOld = true; }")
                slider = page.locator(
                    '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
                ).first
                slider.focus()
                start = time.perf_counter()
                slider.press("ArrowLeft")
                wait_until(
                    page, lambda page=page: map_paths(page, selector) > 0, 30, "the redrawn map"
                )
                change = time.perf_counter() - start
            context.close()
            healths.append(health)
            firsts.append(first)
            changes.append(change)
    return {
        "server_up_s": statistics.median(healths[warmup:]),
        "first_map_s": statistics.median(firsts[warmup:]),
        "date_change_s": statistics.median(changes[warmup:]),
        "runs": runs,
    }


# ---------------------------------------------------------------------------- the bench


def row(
    metric: str, ours: float | None, baseline: float | None, target: str, met: bool | None,
    unit: str,
) -> dict[str, Any]:  # fmt: skip
    """One table row."""
    ratio = ours / baseline if ours is not None and baseline else None
    return {"metric": metric, "ours": ours, "baseline": baseline, "ratio": ratio,
            "target": target, "met": met, "unit": unit}  # fmt: skip


def fmt_value(value: float | None, unit: str) -> str:
    """Text of one figure with its unit."""
    if value is None:
        return "n/a"
    if unit == "B":
        return f"{value / MB:,.2f} MiB" if value >= 0.1 * MB else f"{value / 1024:,.0f} KiB"
    if unit == "s":
        return f"{value:,.3f} s" if value < 10 else f"{value:,.1f} s"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value:,.0f}"


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print one aligned table."""
    header = ("metric", "ours", "baseline", "ratio", "target", "met")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r["metric"],
                fmt_value(r["ours"], r["unit"]),
                fmt_value(r["baseline"], r["unit"]),
                "n/a" if r["ratio"] is None else f"{r['ratio']:.3f}×",
                r["target"],
                "—" if r["met"] is None else ("yes" if r["met"] else "NO"),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for i, line in enumerate(lines):
        cells = [
            cell.ljust(widths[j]) if j in (0, 4) else cell.rjust(widths[j])
            for j, cell in enumerate(line)
        ]
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def bench_map(runs: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Payload and server time of the default view, ours vs ``explore()``."""
    quiet_streamlit()
    from layers.catalogue.base import load_base
    from layers.catalogue.registry import DEFAULT_LAYER_IDS
    from layers.catalogue.spec import ViewParams

    base = load_base()
    ours_html = our_map(base, our_default_layers(base)).get_root().render()
    static = baseline_static_frames(base, 20.0)
    frames = static | baseline_dated_frames(base, BENCH_DATE)
    base_html = baseline_map(frames).get_root().render()
    payload, payload_base = len(ours_html.encode()), len(base_html.encode())

    # warm: the date moves one day per run; only date-dependent layers are rebuilt
    cache = PageCache(base)
    dates = iter(BENCH_DATE - timedelta(days=i) for i in range(1, 1000))

    def ours_warm() -> None:
        layers, collections = cache.view(DEFAULT_LAYER_IDS, ViewParams(as_of=next(dates)))
        serialise_like_page(our_map(base, layers, collections))

    def base_warm() -> None:
        dated = baseline_dated_frames(base, next(dates))
        serialise_like_page(baseline_map(static | dated))

    cache.view(DEFAULT_LAYER_IDS, ViewParams(as_of=BENCH_DATE))
    warm = median_time(ours_warm, runs)
    warm_base = median_time(base_warm, max(3, runs // 2))
    colds = [run_worker("cold-ours")["seconds"] for _ in range(max(2, runs // 2))]
    colds_base = [run_worker("cold-baseline")["seconds"] for _ in range(max(2, runs // 2))]
    cold, cold_base = statistics.median(colds), statistics.median(colds_base)
    rows = [
        row("payload, default view", payload, payload_base, "≤ 0.2× baseline",
            payload <= 0.2 * payload_base, "B"),
        row("server build, warm (date change)", warm, warm_base, "≤ 0.3 s and ≤ 0.25×",
            warm <= 0.3 and warm <= 0.25 * warm_base, "s"),
        row("server build, cold (fresh process)", cold, cold_base, "— (none set)", None, "s"),
    ]  # fmt: skip
    plain = {
        "payload_bytes": payload,
        "payload_baseline_bytes": payload_base,
        "payload_ratio": payload / payload_base,
        "warm_build_s": warm,
        "warm_build_baseline_s": warm_base,
        "warm_build_ratio": warm / warm_base,
        "cold_build_s": cold,
        "cold_build_baseline_s": cold_base,
        "cold_build_ratio": cold / cold_base,
    }
    return rows, plain


def bench_export(runs: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """All catalogue layers to GeoJSON and GeoPackage, ours vs ``to_file`` per layer."""
    from layers.catalogue.base import load_base
    from layers.catalogue.registry import LAYER_IDS
    from layers.catalogue.spec import ViewParams
    from layers.drawing.layer import build_map_layers
    from layers.export.data_formats import to_geojson, to_geopackage

    base = load_base()
    params = ViewParams(as_of=BENCH_DATE)
    layers = build_map_layers(base, LAYER_IDS, params)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        folder = Path(tmp)

        def plain_to_file(driver: str, suffix: str) -> None:
            for layer in layers:
                layer.frame.to_file(folder / f"{layer.spec.id}{suffix}", driver=driver)

        gj = median_time(lambda: to_geojson(layers, params, base.facts.sources), runs)
        gj_base = median_time(lambda: plain_to_file("GeoJSON", ".geojson"), runs)
        gp = median_time(lambda: to_geopackage(layers, params, base.facts.sources), runs)
        gp_base = median_time(lambda: plain_to_file("GPKG", ".gpkg"), runs)
    rows = [
        row("export all layers, GeoJSON", gj, gj_base, "≤ 1 s", gj <= 1.0, "s"),
        row("export all layers, GeoPackage", gp, gp_base, "≤ 1 s", gp <= 1.0, "s"),
    ]
    plain = {
        "export_geojson_s": gj,
        "export_geojson_baseline_s": gj_base,
        "export_geojson_ratio": gj / gj_base,
        "export_gpkg_s": gp,
        "export_gpkg_baseline_s": gp_base,
        "export_gpkg_ratio": gp / gp_base,
    }
    return rows, plain


def bench_page(runs: int, warmup: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Browser timings: ours (``app.py``) and the one-file ``explore()`` app."""
    try:
        import tests.browser_support  # noqa: F401
    except ImportError as error:
        print(f"page timings skipped: {error}", file=sys.stderr)
        return [], {}
    ours = page_timings(REPO / "app.py", "path.atlas-layer", runs, warmup)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-app-") as tmp:
        from layers.drawing.offline import install_static_assets

        install_static_assets(Path(tmp))
        script = Path(tmp) / "baseline_app.py"
        script.write_text(
            BASELINE_APP.format(repo=str(REPO), scripts=str(REPO / "scripts")), encoding="utf-8"
        )
        base = page_timings(script, "path.leaflet-interactive", max(1, runs // 2), warmup)
    first, change = ours["first_map_s"], ours["date_change_s"]
    rows = [
        row("page: streamlit run → first map drawn", first, base["first_map_s"], "≤ 3 s",
            first <= 3.0, "s"),
        row("  of which: streamlit run → server answers", ours["server_up_s"],
            base["server_up_s"], "— (part of the above)", None, "s"),
        row("page: date change (slider) → map redrawn", change, base["date_change_s"], "≤ 1 s",
            change <= 1.0, "s"),
    ]  # fmt: skip
    plain = {
        "page_first_map_s": first,
        "page_first_map_baseline_s": base["first_map_s"],
        "page_first_map_ratio": first / base["first_map_s"],
        "page_server_up_s": ours["server_up_s"],
        "page_server_up_baseline_s": base["server_up_s"],
        "page_date_change_s": change,
        "page_date_change_baseline_s": base["date_change_s"],
        "page_date_change_ratio": change / base["date_change_s"],
        "page_runs": runs,
        "page_date_change_method": "sidebar slider, one ArrowLeft key press (one day back)",
    }
    return rows, plain


def bench_imports(sizes: tuple[int, ...], runs: int) -> tuple[list[dict[str, Any]], dict]:
    """Synthetic hazard files: import time, peak RSS and map payload per size and format."""
    from layers.catalogue.base import load_base

    base = load_base()
    rows, plain = [], {}
    with tempfile.TemporaryDirectory(prefix="atlas-bench-hazards-") as tmp:
        folder = Path(tmp)
        warm_paths = write_hazards(synthetic_hazards(50, base), folder, 50)
        for path in warm_paths.values():  # warm-up: page cache, bytecode
            run_worker("import", str(path), "0")
            run_worker("import-baseline", str(path), "0")
        for n in sizes:
            paths = write_hazards(synthetic_hazards(n, base), folder, n)
            for fmt, path in paths.items():
                size_mb = path.stat().st_size / MB
                ours = [run_worker("import", str(path), "1" if i == 0 else "0")
                        for i in range(runs)]  # fmt: skip
                theirs = [run_worker("import-baseline", str(path), "1" if i == 0 else "0")
                          for i in range(runs)]  # fmt: skip
                secs = statistics.median(r["seconds"] for r in ours)
                secs_base = statistics.median(r["seconds"] for r in theirs)
                rss = statistics.median(r["peak_rss_mb"] for r in ours)
                rss_base = statistics.median(r["peak_rss_mb"] for r in theirs)
                payload = ours[0]["payload_bytes"]
                payload_base = theirs[0]["payload_bytes"]
                page_bytes = ours[0]["payload_page_bytes"]
                big = n >= 100_000
                label = f"import {n // 1000}k polygons, {fmt} ({size_mb:.1f} MiB)"
                rows += [
                    row(f"{label}: time", secs, secs_base, "≤ 20 s" if big else "—",
                        secs <= 20 if big else None, "s"),
                    row(f"{label}: peak RSS", rss, rss_base, "≤ 2 GiB" if big else "—",
                        rss <= 2048 if big else None, "MiB"),
                    row(f"{label}: map payload, layer alone", payload, payload_base, "—", None,
                        "B"),
                    row(f"{label}: map payload, default view + layer", page_bytes, None,
                        "≤ 5 MiB" if big else "—", page_bytes <= 5 * MB if big else None, "B"),
                ]  # fmt: skip
                key = f"import_{n}_{fmt}"
                plain |= {
                    f"{key}_s": secs,
                    f"{key}_baseline_s": secs_base,
                    f"{key}_ratio": secs / secs_base,
                    f"{key}_peak_rss_mb": rss,
                    f"{key}_peak_rss_baseline_mb": rss_base,
                    f"{key}_peak_rss_ratio": rss / rss_base,
                    f"{key}_payload_bytes": payload,
                    f"{key}_payload_baseline_bytes": payload_base,
                    f"{key}_payload_ratio": payload / payload_base,
                    f"{key}_payload_with_default_layers_bytes": page_bytes,
                    f"{key}_file_mb": size_mb,
                    f"{key}_cells": ours[0]["cells"],
                    f"{key}_display_version_s": ours[0]["display_version_s"],
                    f"{key}_rss_before_import_mb": ours[0]["rss_before_mb"],
                }
    return rows, plain


def main(argv: list[str] | None = None) -> int:
    """Run the bench; print the table; write ``bench/results.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the 100k import and run the page once (< 2 minutes)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="timed runs per figure (default 7, or 3 with --quick)",
    )
    parser.add_argument("--no-page", action="store_true", help="skip the browser timings")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results JSON path")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)  # fmt: skip

    if args.worker:
        kind, *rest = args.worker
        workers = {
            "cold-ours": worker_cold_ours,
            "cold-baseline": worker_cold_baseline,
            "import": worker_import,
            "import-baseline": worker_import_baseline,
        }
        print(json.dumps(workers[kind](*rest)))
        return 0

    runs = args.runs or (3 if args.quick else 7)
    started = time.perf_counter()
    rows, plain = [], {}
    for part in (
        lambda: bench_map(runs),
        lambda: bench_export(runs),
        lambda: ([], {}) if args.no_page else bench_page(1 if args.quick else 3, not args.quick),
        lambda: bench_imports(IMPORT_SIZES[:2] if args.quick else IMPORT_SIZES,
                              1 if args.quick else 3),
    ):  # fmt: skip
        part_rows, part_plain = part()
        rows += part_rows
        plain |= part_plain
    print_table(rows)
    elapsed = time.perf_counter() - started
    print(f"\n{'quick' if args.quick else 'full'} run, {runs} timed runs per figure, "
          f"{os.cpu_count()} CPUs, {elapsed:.0f} s")  # fmt: skip
    result = {
        "mode": "quick" if args.quick else "full",
        "date": BENCH_DATE.isoformat(),
        "runs": runs,
        "cpus": os.cpu_count(),
        "elapsed_s": elapsed,
        **plain,
        "rows": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
