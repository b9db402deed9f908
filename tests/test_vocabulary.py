"""One test over every member of every vocabulary: label, colour, legend and tooltip agree."""

from __future__ import annotations

import re
from datetime import date

import pytest

from geo.facts import vocabulary
from geo.facts.vocabulary import NO_COLOR, EvidenceClass, Term, TreatyStatus
from layers.catalogue.base import load_base
from layers.catalogue.registry import get_spec
from layers.catalogue.spec import ViewParams
from layers.drawing.client_config import feature_props
from layers.drawing.layer import build_map_layers

VOCABULARIES = [
    cls
    for cls in vars(vocabulary).values()
    if isinstance(cls, type) and issubclass(cls, Term) and cls is not Term
]
MEMBERS = [member for cls in VOCABULARIES for member in cls]
#: Dates on which every treaty status occurs somewhere in the shipped data.
STATUS_DATES = (date(1998, 6, 1), date(2025, 6, 1), date(2025, 8, 1), date(2026, 3, 1))
#: Which layer shows which coloured vocabulary, and in which column.
COLOURED = {
    TreatyStatus: ("treaty-status", "status"),
    EvidenceClass: ("ua-contamination", "evidence"),
}


@pytest.fixture(scope="module")
def base():
    return load_base()


def test_every_vocabulary_is_found():
    names = {cls.__name__ for cls in VOCABULARIES}
    assert {"TreatyStatus", "TreatyEvent", "EvidenceClass", "Confidence"} <= names


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_member_has_label_colour_and_description(member: Term):
    cls = type(member)
    assert cls(member.value) is member
    assert member.label.strip() and member.label == member.label.strip()
    assert member.description.endswith(".")
    assert member.color == NO_COLOR or re.fullmatch(r"#[0-9A-F]{6}", member.color)
    if cls in COLOURED:
        assert member.color != NO_COLOR


@pytest.mark.parametrize("cls", VOCABULARIES, ids=lambda c: c.__name__)
def test_labels_and_colours_are_distinct(cls: type[Term]):
    labels = [m.label for m in cls]
    assert len(set(labels)) == len(labels)
    colours = [m.color for m in cls if m.color != NO_COLOR]
    assert len(set(colours)) == len(colours)


@pytest.mark.parametrize("member", [*TreatyStatus, *EvidenceClass], ids=lambda m: m.name)
def test_legend_style_and_tooltip_say_what_the_member_says(base, member: Term):
    layer_id, column = COLOURED[type(member)]
    spec = get_spec(layer_id)
    assert (member.label, member.color) in {(e.label, e.color) for e in spec.legend}
    assert spec.style.color_for(member.value) == member.color
    dates = STATUS_DATES if type(member) is TreatyStatus else (date(2026, 3, 1),)
    found = False
    for as_of in dates:
        layer = build_map_layers(base, [layer_id], ViewParams(as_of))[0]
        rows = layer.frame.loc[layer.frame[column] == member.value]
        if rows.empty:
            continue
        found = True
        label_column = f"{column}_label"
        assert set(rows[label_column]) == {member.label}
        position = [c for c, _ in layer.spec.tooltip_fields].index(label_column)
        texts = {props["t"][position] for props in feature_props(layer).values()}
        assert member.label in texts
    assert found, f"{member} occurs on none of {dates}"
