"""Import and table refusals in Ukrainian: a template and its values, in the chosen language.

Each refusal is raised by the real reader (through the import or table worker where the reader
runs there), so the template and its values, translatable parts included, cross the process
boundary; the English sentence stays as it was.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pandas as pd
import pytest

from geo.analysis.join import join_table
from geo.errors import AtlasError, ImportRejectedError, TableError
from geo.importer import detect_format, import_bytes
from geo.importer.limits import ImportLimits
from geo.importer.tables import read_table
from geo.language import Detail, language

UK = language("uk")
#: Format names that stay as they are in Ukrainian.
FORMAT_NAMES = frozenset({"JSON", "GeoJSON", "XML", "KML"})


def _refusal(error: type[AtlasError], call: Any) -> AtlasError:
    with pytest.raises(error) as caught:
        call()
    return caught.value


def test_a_budget_refusal_in_ukrainian() -> None:
    rows = "".join(f"POINT (30 {50 + i})\n" for i in range(3))
    data = ("wkt\n" + rows).encode()
    error = _refusal(
        ImportRejectedError,
        lambda: import_bytes(data, "точки.csv", limits=ImportLimits(max_features=2)),
    )
    assert str(error).startswith("точки.csv has more than 2 features (found 3)")
    text = error.in_language(UK)
    assert text.startswith("точки.csv має забагато об’єктів: 3 (ліміт — 2)"), text


def test_a_crs_refusal_in_ukrainian() -> None:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4978"}},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [3.7e6, 2.1e6, 4.6e6]},
                "properties": {},
            }
        ],
    }
    error = _refusal(
        ImportRejectedError, lambda: import_bytes(json.dumps(doc).encode(), "ecef.geojson")
    )
    assert "uses the geocentric CRS EPSG:4978" in str(error)
    assert error.in_language(UK).startswith(
        "ecef.geojson використовує геоцентричну CRS EPSG:4978 (x/y/z у метрах від центру Землі)"
    )


def test_a_geometry_kind_refusal_in_ukrainian_with_its_translated_parts() -> None:
    data = b'name,wkt\narc,"CIRCULARSTRING (30 50, 31 51, 32 50)"\n'
    error = _refusal(ImportRejectedError, lambda: import_bytes(data, "дуги.csv"))
    assert "holds curved geometry (CIRCULARSTRING) in column 'wkt' on data row 1" in str(error)
    text = error.in_language(UK)
    assert text == (
        "дуги.csv містить криволінійну геометрію (CIRCULARSTRING) у стовпці 'wkt' у рядку "
        "даних 1, яку атлас не може намалювати; перетворіть її на геометрію з прямих "
        "відрізків (ogr2ogr -nlt CONVERT_TO_LINEAR або Segmentize у QGIS) та імпортуйте знову."
    )


def test_the_supported_formats_inside_a_refusal_in_ukrainian() -> None:
    error = _refusal(ImportRejectedError, lambda: detect_format(b"a,b\n", "notes.txt"))
    assert "zipped Shapefile (.zip)" in str(error)
    text = error.in_language(UK)
    assert "Shapefile у zip-архіві (.zip)" in text
    assert "KML (.kml) або CSV (.csv) зі стовпцями довготи/широти або WKT" in text
    assert "zipped" not in text and " or " not in text


def test_a_table_refusal_in_ukrainian() -> None:
    error = _refusal(TableError, lambda: read_table(b"code,code\n1,2\n", filename="дані.csv"))
    assert (
        str(error) == "дані.csv: the header names column 'code' twice (columns 1 and 2); rename one"
    )
    assert error.in_language(UK) == (
        "дані.csv: заголовок містить стовпець 'code' двічі (стовпці 1 і 2); перейменуйте один "
        "із них"
    )


def test_a_join_refusal_in_ukrainian() -> None:
    table = pd.DataFrame({"k": ["UA-05"]})
    error = _refusal(
        TableError,
        lambda: join_table(
            table, column="k", by="iso_3166_2", reference=cast(Any, None), level="hromada"
        ),
    )
    assert str(error).startswith("ISO 3166-2 codes name first-level units")
    assert error.in_language(UK).startswith("Коди ISO 3166-2 позначають одиниці першого рівня")


def test_summary_band_and_outside_names_in_ukrainian() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from geo.analysis.summary import border_band_units
    from geo.units.crs import WGS84

    states = gpd.GeoDataFrame(
        {"iso3": ["AAA", "RUS"], "name": ["Aland", "Russia"], "name_uk": ["Аланд", "Росія"]},
        geometry=[box(33.0, 49.5, 34.0, 50.5), box(32.0, 49.5, 33.0, 50.5)],
        crs=WGS84,
    )
    units = border_band_units(states, ["AAA"], adversaries=["RUS"])
    assert units.names[0] == "Aland, 0–5 km from the border with Russia"
    assert UK.phrase(units.names[0]) == "Аланд, 0–5 км від кордону, за яким Росія"
    assert UK.phrase(units.names[-1]).startswith("Аланд, 50+ км")
    assert units.no_unit_name == "outside Aland"
    assert UK.phrase(units.no_unit_name) == "за межами: Аланд"


def test_join_details_in_ukrainian() -> None:
    from geo.analysis.reference import load_join_reference

    table = pd.DataFrame({"k": ["UA-99", "UA-05", "UA 05"]})
    result = join_table(table, column="k", by="iso_3166_2", reference=load_join_reference())
    details = {u.key: u.detail for u in result.report.unmatched}
    assert details["UA-99"] == "no first-level unit has this code"
    assert UK.phrase(details["UA-99"]) == "жодна одиниця першого рівня не має цього коду"
    lines = "\n".join(result.report.lines(10, UK))
    assert "невідомий" in lines and "жодна одиниця першого рівня не має цього коду" in lines


def test_oblast_names_inside_join_details_in_ukrainian() -> None:
    from geo.analysis.reference import load_join_reference

    reference = load_join_reference()

    def details(key: str, by: str, oblast: str | None = None) -> tuple[str, str]:
        table = pd.DataFrame({"k": [key], "oblast": [oblast or ""]})
        within = "oblast" if oblast else None
        result = join_table(
            table, column="k", by=by, reference=reference, level="hromada", within=within
        )
        (unmatched,) = result.report.unmatched
        return unmatched.detail, UK.phrase(unmatched.detail)

    # A name not in the oblast given: the oblast is named.
    english, ukrainian = details("Козинська", "name", "Вінницька область")
    assert "Vinnytsia Oblast" in english and "Вінницьк" not in english
    assert "Вінницька область" in ukrainian and "Vinnytsia" not in ukrainian
    # A name two oblasts share: each candidate's oblast is named.
    english, ukrainian = details("Полтавська", "name")
    assert "UA-53 Poltava Oblast" in english and "UA-43 Autonomous Republic of Crimea" in english
    assert "UA-53 Полтавська область" in ukrainian
    assert "UA-43 Автономна Республіка Крим" in ukrainian
    assert "Poltava" not in ukrainian and "Crimea" not in ukrainian
    # A code of the wrong level (an oblast's code where hromadas are joined) names its oblast.
    english, ukrainian = details("UA05000000000010236", "katottg")
    assert "UA-05 Vinnytsia Oblast" in english
    assert "UA-05 Вінницька область" in ukrainian and "Vinnytsia" not in ukrainian


def test_a_duplicate_unit_is_named_in_the_reports_language() -> None:
    from geo.analysis.reference import load_join_reference

    table = pd.DataFrame({"k": ["Kyiv Oblast", "Київська обл.", "Vinnytsia Oblast"]})
    result = join_table(table, column="k", by="name", reference=load_join_reference())
    (duplicate,) = result.report.duplicates
    assert (duplicate.unit_code, duplicate.unit_name) == ("UA-32", "Kyiv Oblast")
    english = "\n".join(result.report.lines(10))
    ukrainian = "\n".join(result.report.lines(10, UK))
    assert "UA-32 Kyiv Oblast: rows 2, 3" in english
    assert "UA-32 Київська область: " in ukrainian and "UA-32 Kyiv Oblast" not in ukrainian


def test_an_import_summary_in_ukrainian() -> None:
    data = b"lon;lat\n30,5;50,4\n31,5;49,4\n"
    _frame, report = import_bytes(data, "точки.csv")
    assert report.summary().startswith("Read 2 features from точки.csv.")
    text = report.summary(UK)
    assert text.startswith("Прочитано 2 об’єкти з точки.csv.")
    assert "точки.csv не має CRS" in text
    assert "десяткові коми" in text
    assert report.summary(language("en")) == report.summary()


@pytest.mark.parametrize(
    ("data", "name", "english", "detail"),
    [
        (b'{"type": "FeatureCollection", "features": [', "cut.geojson", "(expecting value at",
         "expecting value"),
        (b"<kml><Placemark></kml>", "bad.kml", "(mismatched tag at line 1)", "mismatched tag"),
    ],
)  # fmt: skip
def test_a_library_message_is_quoted_inside_the_ukrainian_sentence(
    data: bytes, name: str, english: str, detail: str
) -> None:
    """The parser's own words (English) stay, marked as a quoted detail of a Ukrainian sentence."""
    error = _refusal(ImportRejectedError, lambda: import_bytes(data, name))
    assert english in str(error)  # English: the detail as it was, unmarked
    text = error.in_language(UK)
    assert f"(технічна деталь: «{detail}»" in text, text
    # Outside the quote, no English: the sentence says what happened and what to do.
    outside = text.replace(f"«{detail}»", "").replace(name, "")
    assert not [w for w in re.findall(r"[A-Za-z]{3,}", outside) if w not in FORMAT_NAMES], text


def test_a_library_detail_is_only_marked_outside_english() -> None:
    message = "{name} cannot be read ({error}); check permissions."
    values = {"name": "a.gpkg", "error": Detail("Permission denied")}
    assert language("en").tr(message, **values) == (
        "a.gpkg cannot be read (Permission denied); check permissions."
    )
    assert UK.tr(message, **values) == (
        "Не вдається прочитати a.gpkg (технічна деталь: «Permission denied»); перевірте права "
        "доступу."
    )
