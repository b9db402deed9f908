"""Builders: one function per catalogue layer, ``builder(base, *, as_of, belt_km)``.

Each builder declares, as keyword-only parameters, just the view values it depends on (see
:func:`layers.catalogue.spec.builder_parameters`); the page rebuilds a layer only when one of
them changes.

Every frame is EPSG:4326 full-resolution geometry (the map simplifies where it draws, see
``LayerSpec.display``) plus attributes whose names are the analysts'
contract (README, "Attribute schema"); every feature carries ``source_ids``
(``;``-separated ids of ``data/sources.csv``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import geopandas as gpd
import pandas as pd

from geo.facts.currency import figure_age_label, latest_statements
from geo.facts.source_ids import join_source_ids
from geo.facts.status import EVENTS, status_table
from geo.facts.vocabulary import (
    BorderReference,
    EvidenceClass,
    TreatyEvent,
    TreatyStatus,
    TreatyStep,
)
from geo.language import N_, Language, language
from geo.units.belts import adversary_belts
from geo.units.countries import NE_SOURCE_ID
from geo.units.crs import WGS84
from geo.units.local_names import ENGLISH, local_names
from layers.catalogue.base import AtlasBase
from layers.catalogue.describe import plain_words

#: Words the builders write into the layers (translated: the ``lang`` view parameter).
KM_TEXT = N_("{km} km")
NO_OTHER_FIGURE = N_("none published in the sources read")


def _iso_date(value: object) -> str:
    """ISO date text of a date (or an ISO date string), ``""`` for anything else (None, NaN)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10]).isoformat()
    return ""


def _treaty_frame(
    base: AtlasBase, as_of: date, iso3s: Iterable[str] | None, lang: Language
) -> gpd.GeoDataFrame:
    table = status_table(
        as_of,
        milestones=base.facts.milestones,
        states=base.facts.states,
        disagreements=base.facts.milestone_disagreements,
    )
    if iso3s is not None:
        table = table.loc[table["iso3"].isin(list(iso3s))]
    shapes = base.region[["iso3", "geometry"]]
    frame = shapes.merge(table, on="iso3", how="inner")
    states = base.facts.states
    names = dict(zip(states["iso3"], local_names(states, lang.code), strict=True))
    frame["name"] = frame["iso3"].map(names).fillna(frame["name"])
    frame["status"] = frame["status"].astype(str)
    frame["status_label"] = [lang.gettext(TreatyStatus(s).label) for s in frame["status"]]
    for column in EVENTS:
        frame[column] = frame[column].map(_iso_date) if column in frame else ""
    frame["as_of"] = as_of.isoformat()
    frame["conflicts"] = frame.get("conflicts", "").fillna("") if "conflicts" in frame else ""
    frame["source_ids"] = frame["source_ids"].map(join_source_ids)
    columns = ["iso3", "name", "status", "status_label", *EVENTS]
    columns += ["as_of", "conflicts", "source_ids", "geometry"]
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=WGS84).reset_index(drop=True)


def build_treaty_status(base: AtlasBase, *, as_of: date, lang: str = "en") -> gpd.GeoDataFrame:
    """APMBC status of every state in the fact tables drawn on the map, as of ``as_of``.

    ``name`` and ``status_label`` are in language ``lang`` (the other columns are codes).
    """
    return _treaty_frame(base, as_of, None, language(lang))


def _steps_text(steps: pd.DataFrame, lang: Language) -> str:
    """``"Decree 2025-06-29 · … · Meeting of States Parties conclusion 2025-12-05"``."""
    return " · ".join(
        f"{lang.gettext(TreatyStep(event).label)} {day.isoformat()}"
        for event, day in zip(steps["event"], steps["date"], strict=True)
    )


def build_withdrawing_states(base: AtlasBase, *, as_of: date, lang: str = "en") -> gpd.GeoDataFrame:
    """The five withdrawing states and Ukraine's claimed suspension, with a timeline text.

    ``steps`` lists the state's dated steps of ``treaty_events.csv`` on or before the date
    (decree, law, depositary notice, the 22nd Meeting of States Parties' conclusion …); their
    sources join the feature's ``source_ids``. Words are in language ``lang``.
    """
    words = language(lang)
    leaving = base.facts.states_with(
        TreatyEvent.WITHDRAWAL_VOTE,
        TreatyEvent.WITHDRAWAL_DEPOSITED,
        TreatyEvent.SUSPENSION_CLAIMED,
    )
    frame = _treaty_frame(base, as_of, leaving, words)
    steps = (
        TreatyEvent.WITHDRAWAL_VOTE,
        TreatyEvent.WITHDRAWAL_DEPOSITED,
        TreatyEvent.WITHDRAWAL_EFFECTIVE,
        TreatyEvent.SUSPENSION_CLAIMED,
    )

    suspending = set(base.facts.suspending_iso3)

    def timeline(row: pd.Series) -> str:
        suspends = row["iso3"] in suspending  # a suspension law, not a withdrawal vote
        return " · ".join(
            f"{words.gettext(event.label_for(suspends=suspends))} {row[event]}"
            for event in steps
            if row[event]
        )

    frame.insert(4, "timeline", frame.apply(timeline, axis=1))
    events = base.facts.treaty_events
    dated = events.loc[events["date"].map(lambda d: d is not None and d <= as_of)]
    by_state = {str(iso3): rows for iso3, rows in dated.groupby("iso3", sort=False)}
    empty = dated.iloc[:0]
    frame.insert(5, "steps", [_steps_text(by_state.get(i, empty), words) for i in frame["iso3"]])
    frame["source_ids"] = [
        join_source_ids(ids, *by_state.get(iso3, empty)["source_ids"])
        for iso3, ids in zip(frame["iso3"], frame["source_ids"], strict=True)
    ]
    return frame


def build_flank_borders(base: AtlasBase, *, lang: str = "en") -> gpd.GeoDataFrame:
    """Land border segments NATO flank state ↔ Russia/Belarus with computed and reference km.

    ``name`` and ``other_reference_km`` are in language ``lang``.
    """
    words = language(lang)
    wanted = [f"{a}-{b}" for a, b in base.facts.flank_pairs]
    segments = base.segments.loc[base.segments["pair"].isin(wanted)].copy()
    refs = base.facts.border_lengths
    names = pd.Series(local_names(base.countries, lang, "name"), index=base.countries["iso3"])
    rows = []
    for _, seg in segments.iterrows():
        pair_refs = refs.loc[refs["pair"] == seg["pair"]]
        factbook = pair_refs.loc[pair_refs["reference"] == BorderReference.FACTBOOK]
        others = pair_refs.loc[pair_refs["reference"] != BorderReference.FACTBOOK]
        factbook_km = float(factbook["length_km"].iloc[0]) if len(factbook) else float("nan")
        other_text = "; ".join(
            words.tr(KM_TEXT, km=_km(float(r.length_km), words))
            + f" ({_reference(str(r.reference), words)})"
            for r in others.itertuples()
        )
        rows.append(
            {
                "pair": seg["pair"],
                "name": f"{names[seg['iso3_a']]} – {names[seg['iso3_b']]}",
                "iso3_a": seg["iso3_a"],
                "iso3_b": seg["iso3_b"],
                "length_km": round(float(seg["length_km"]), 1),
                "factbook_km": factbook_km,
                "length_ratio": round(float(seg["length_km"]) / factbook_km, 3),
                "other_reference_km": other_text or words.gettext(NO_OTHER_FIGURE),
                "source_ids": join_source_ids(NE_SOURCE_ID, *pair_refs["source_ids"]),
                "geometry": seg["geometry"],
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)


def _reference(reference: str, lang: Language) -> str:
    """Who published a border length: the code in English (as in the files), else the label."""
    if lang.code == ENGLISH:
        return reference
    return lang.gettext(BorderReference(reference).label)


def _km(km: float, lang: Language) -> str:
    """``1,234.5`` (one decimal, none when whole) in the language's number form."""
    return lang.number(km, 0 if km.is_integer() else 1)


def _belts(base: AtlasBase, iso3s: Iterable[str], depth_km: float, lang: str) -> gpd.GeoDataFrame:
    frame = adversary_belts(base.countries, iso3s, depth_km, adversaries=base.facts.adversary_iso3)
    names = pd.Series(local_names(base.countries, lang, "name"), index=base.countries["iso3"])
    frame.insert(1, "name", frame["iso3"].map(names))
    frame["belt_area_km2"] = frame["belt_area_km2"].round(1)
    frame["source_ids"] = NE_SOURCE_ID
    return frame.reset_index(drop=True)


def build_border_belt(base: AtlasBase, *, belt_km: float, lang: str = "en") -> gpd.GeoDataFrame:
    """Land inside the NATO flank states within ``belt_km`` km of the RU/BY border."""
    return _belts(base, base.facts.flank_iso3, belt_km, lang)


def build_ua_border_zone(base: AtlasBase, *, belt_km: float, lang: str = "en") -> gpd.GeoDataFrame:
    """Land inside Ukraine within ``belt_km`` km of the Russian and Belarusian border."""
    return _belts(base, ["UKR"], belt_km, lang)


def build_ua_contamination(base: AtlasBase, *, as_of: date, lang: str = "en") -> gpd.GeoDataFrame:
    """Ukrainian oblasts by the strength of public evidence of explosive contamination.

    ``latest_statement`` is the unit's newest dated statement on or before ``as_of`` with its
    date and basis (:func:`geo.facts.currency.latest_statements`); when it is older than 12 months
    on ``as_of`` the unit carries ``figure_age`` "latest public figure: N months old" (``""``
    otherwise). These are the parts of the layer that depend on the date. ``evidence_label``
    and ``figure_age`` are in language ``lang``; so are ``statement_label`` and
    ``latest_statement_label`` (the rows' ``statement_<lang>``, ``value_<lang>`` and
    ``basis_<lang>`` columns, else the English ones); ``statement`` and ``latest_statement``
    stay English.
    """
    words = language(lang)
    evidence = base.facts.contamination_oblast.drop(columns=["name_en", "search_ids"])
    frame = base.oblasts.merge(evidence, on="iso_3166_2", how="left")
    frame["evidence"] = frame["evidence"].fillna(EvidenceClass.NO_PUBLIC_FIGURE.value)
    frame["evidence_label"] = [words.gettext(EvidenceClass(e).label) for e in frame["evidence"]]
    latest = latest_statements(base.facts.oblast_statements, as_of, words)
    frame = frame.merge(latest, left_on="iso_3166_2", right_index=True, how="left")
    # "latest public figure": the age of the unit's newest dated statement, on any basis
    frame["figure_age"] = [
        figure_age_label(None if pd.isna(d) else d, as_of, words)
        for d in frame["latest_date"].where(frame["latest_date"].notna(), frame["figure_date"])
    ]
    frame["latest_statement"] = frame["latest_statement"].fillna("").map(plain_words)
    frame["latest_statement_label"] = frame["latest_statement_label"].fillna("").map(plain_words)
    frame["figure_date"] = frame["figure_date"].map(_iso_date)
    frame["statement"] = frame["statement"].fillna("").map(plain_words)
    # The statement in the chosen language: its own column of the same row (same sources).
    own = f"statement_{lang}"
    written = frame[own] if own in frame.columns else frame["statement"]
    frame["statement_label"] = written.fillna("").map(plain_words)
    frame["confidence"] = frame["confidence"].fillna("")
    frame["source_ids"] = [
        join_source_ids(ids, latest_ids, NE_SOURCE_ID)
        for ids, latest_ids in zip(frame["source_ids"], frame["latest_source_ids"], strict=True)
    ]
    if lang != ENGLISH:  # a label column in the chosen language (files keep name_en, name_uk)
        frame["name"] = local_names(frame, lang)
    columns = [
        "iso_3166_2",
        "katottg",
        *(["name"] if lang != ENGLISH else []),
        "name_en",
        "name_uk",
        "area_km2",
        "evidence",
        "evidence_label",
        "figure_km2",
        "figure_date",
        "figure_age",
        "latest_statement",
        "latest_statement_label",
        "statement",
        "statement_label",
        "confidence",
        "source_ids",
        "geometry",
    ]
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=WGS84)


def build_ua_hromadas(base: AtlasBase, *, lang: str = "en") -> gpd.GeoDataFrame:
    """Ukraine's 1,469 hromada-level units (OpenStreetMap, ODbL 1.0) with their codes.

    The committed units (:attr:`AtlasBase.hromadas`): 1,466 hromadas, Kyiv city, and Crimea
    and Sevastopol kept as first-level units (OpenStreetMap has no hromadas there).
    ``first_level_name`` is in language ``lang``.
    """
    frame = base.hromadas.copy()
    oblasts = base.oblasts
    names = dict(zip(oblasts["iso_3166_2"], local_names(oblasts, lang), strict=True))
    # People read the unit's name ("Kharkiv Oblast"), not its code ("UA-63").
    frame.insert(
        frame.columns.get_loc("iso_3166_2") + 1,
        "first_level_name",
        [names.get(code, code) for code in frame["iso_3166_2"]],
    )
    if lang != ENGLISH:  # a label column in the chosen language (files keep name_en, name_uk)
        frame.insert(1, "name", local_names(frame, lang))
    return frame
