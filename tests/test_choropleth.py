"""Choropleth classes: bounds, colours, legend and the "no data" class."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.drawing.choropleth import (
    MAX_CLASSES,
    MIN_CLASSES,
    NO_DATA_COLOR,
    NO_DATA_LABEL,
    RAMPS,
    Scheme,
    classify,
    numeric_values,
)

HEX = re.compile(r"#[0-9a-f]{6}")


def luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("ramp", sorted(RAMPS))
def test_ramps_run_light_to_dark_and_never_use_the_no_data_grey(ramp):
    for k in range(MIN_CLASSES, MAX_CLASSES + 1):
        colors = RAMPS[ramp][k]
        assert len(colors) == k and all(HEX.fullmatch(c) for c in colors)
        shades = [luminance(c) for c in colors]
        assert shades == sorted(shades, reverse=True), (ramp, k)
        assert NO_DATA_COLOR not in colors


def test_quantiles_put_equal_counts_in_each_class():
    values = list(range(1, 101))
    result = classify(values, "quantiles", 5)
    assert result.counts == (20, 20, 20, 20, 20)
    assert result.upper_bounds == (20.8, 40.6, 60.4, 80.2, 100.0)
    assert result.lower == 1.0 and result.no_data == 0


def test_equal_intervals_have_equal_widths():
    result = classify([0, 10, 20, 30, 40, 50, 100], "equal-interval", 4)
    assert result.upper_bounds == (25.0, 50.0, 75.0, 100.0)
    assert result.counts == (3, 3, 0, 1)


def test_natural_breaks_separate_clusters():
    values = [1, 2, 3, 50, 51, 52, 900, 901]
    result = classify(values, Scheme.NATURAL_BREAKS, 3)
    assert result.upper_bounds == (3.0, 52.0, 901.0)
    assert result.value_classes == (0, 0, 0, 1, 1, 1, 2, 2)


def test_no_data_is_its_own_class_with_a_legend_entry():
    values = [1.0, None, "n/a", "12,5", float("nan"), float("inf"), "4.5", 7]
    result = classify(values, "quantiles", 3)
    assert result.no_data == 5
    assert result.value_classes[1] == result.value_classes[2] == -1
    assert result.value_labels()[2] == NO_DATA_LABEL
    legend = result.legend()
    assert legend[-1].label == f"{NO_DATA_LABEL} (5)" and legend[-1].color == NO_DATA_COLOR
    assert [e.color for e in legend[:-1]] == list(RAMPS["viridis"][3])
    assert legend[0].label == "1.00 – 3.33 (1)"  # rounded to 1 % of the range
    style = result.style("cls")
    assert style.color_column == "cls" and NO_DATA_LABEL in style.hatched
    assert style.color_for(result.value_labels()[0]) == RAMPS["viridis"][3][0]


def test_numeric_values_are_strict():
    numbers, not_numbers = numeric_values(["1", " 2.5 ", "1e3", "12,5", "x", "", None, True])
    assert numbers[:3].tolist() == [1.0, 2.5, 1000.0]
    assert np.isnan(numbers[3:]).all()
    assert not_numbers == 3  # "12,5", "x" and True; empty cells are simply missing


def test_few_distinct_values_give_fewer_classes():
    result = classify([3, 3, 3, 5], "natural-breaks", 5)
    assert result.k == 2 and result.counts == (3, 1)
    single = classify([7, 7], "quantiles", 5)
    assert single.k == 1 and single.class_labels() == ("7 – 7",)
    empty = classify([None, "x"], "quantiles", 5)
    assert empty.k == 0 and [e.label for e in empty.legend()] == [f"{NO_DATA_LABEL} (2)"]


def test_labels_use_the_decimals_that_tell_bounds_apart():
    result = classify([0.11, 0.12, 0.13, 0.14], "equal-interval", 3)
    # 1 % of the 0.03 range is 0.0003: four decimals
    assert result.class_labels() == ("0.1100 – 0.1200", "0.1200 – 0.1300", "0.1300 – 0.1400")
    wide = classify([0, 2_500, 5_000, 10_000], "equal-interval", 4)
    assert wide.class_labels()[0] == "0 – 2,500"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "jenks"}, "unknown classification"),
        ({"k": 9}, "choose 3 to 7"),
        ({"ramp": "jet"}, "unknown colour ramp"),
    ],
)
def test_bad_choices_name_the_alternatives(kwargs, message):
    with pytest.raises(ValueError, match=message):
        classify([1, 2, 3], **kwargs)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=0, max_size=60
    ),
    scheme=st.sampled_from(list(Scheme)),
    k=st.integers(MIN_CLASSES, MAX_CLASSES),
)
def test_every_value_falls_in_the_class_its_bounds_say(values, scheme, k):
    result = classify(pd.Series(values, dtype=object), scheme, k)
    assert sum(result.counts) + result.no_data == len(values)
    assert list(result.upper_bounds) == sorted(set(result.upper_bounds))
    for value, cls in zip(values, result.value_classes, strict=True):
        if value is None:
            assert cls == -1
            continue
        assert result.lower <= value <= result.upper_bounds[cls]
        assert cls == 0 or value > result.upper_bounds[cls - 1]


def test_a_joined_table_becomes_a_classified_layer_citing_its_geometry():
    from geo.analysis.join import join_table
    from geo.analysis.reference import load_join_reference
    from layers.drawing.joined import CLASS_COLUMN, joined_layer
    from layers.export.provenance import export_metadata, feature_source_ids

    reference = load_join_reference()
    codes = list(reference.hromada_units["unit_katottg"][:4])
    table = pd.DataFrame({"code": codes, "value": [1, 5, None, 9], CLASS_COLUMN: "user's"})
    result = join_table(table, column="code", by="katottg", reference=reference)
    classes = classify(result.frame["value"], "equal-interval", 3)
    layer = joined_layer(result, "figures.csv", classification=classes)
    assert layer.frame[CLASS_COLUMN].tolist() == ["user's"] * 4  # the table's column stays
    labels = layer.frame[CLASS_COLUMN + "_"].tolist()
    assert labels[2] == NO_DATA_LABEL and layer.spec.style.color_column == CLASS_COLUMN + "_"
    assert layer.spec.legend == classes.legend() and layer.spec.user
    assert feature_source_ids(layer)[0].startswith("user-import;")
    metadata = export_metadata([layer], None, pd.DataFrame(columns=["source_id"]))
    assert set(metadata["layers"][0]["source_ids"]) >= {"user-import", "katottg"}
    assert result.source_ids == ("ne-5.1.1", "katottg", "osm-ukraine-geo-data")  # Crimea first
    assert metadata["attribution"] == ["© OpenStreetMap contributors"]
    assert "ODbL 1.0, © OpenStreetMap contributors" in layer.spec.licence
    with pytest.raises(ValueError, match="classify the joined frame"):
        joined_layer(result, "x", classification=classify([1, 2], "quantiles", 3))
