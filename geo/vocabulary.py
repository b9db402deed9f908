"""Every controlled vocabulary of the atlas, each term with its label, colour and description.

One enum per vocabulary: the fact tables store the member values, and the map, the legend,
tooltips, charts, exports and the method page read labels, colours and descriptions from the
members (nothing else spells them). Colours come from the Okabe–Ito palette, which stays
distinguishable under the common forms of colour-vision deficiency.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

#: Okabe–Ito colour-blind-safe palette (hex ``#RRGGBB``).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Colour of a term that has no colour of its own (a word in a table, never a fill).
NO_COLOR = ""


class Term(StrEnum):
    """A vocabulary term: its stored value plus ``label``, ``color`` and ``description``.

    Members are declared as ``NAME = (value, label, color, description)``; the member compares
    equal to ``value``, so a table cell can be looked up with ``Vocabulary(cell)``.
    """

    label: str
    color: str
    description: str

    def __new__(cls, value: str, label: str = "", color: str = "", description: str = "") -> Self:
        """Make a member whose value is ``value`` and which carries the other three fields."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.color = color
        member.description = description
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The stored values, in declaration order."""
        return tuple(member.value for member in cls)


class TreatyStatus(Term):
    """A state's APMBC status on a date; declared in the order of a treaty life."""

    NEVER_JOINED = (
        "never_joined",
        "Never joined",
        "#555555",
        "Neither signed nor acceded to the Convention.",
    )
    SIGNATORY = (
        "signatory",
        "Signatory (not a party)",
        OKABE_ITO["sky_blue"],
        "Signed, but the Convention is not (yet) in force for the state.",
    )
    PARTY = (
        "party",
        "State Party",
        OKABE_ITO["bluish_green"],
        "Bound by the Convention: it entered into force for the state (Art. 17).",
    )
    SUSPENSION_CLAIMED = (
        "suspension_claimed",
        "Suspension claimed (disputed)",
        OKABE_ITO["reddish_purple"],
        "A State Party that declared it suspends the Convention; the Convention allows no "
        "suspension, so the state remains bound.",
    )
    WITHDRAWAL_NOTIFIED = (
        "withdrawal_notified",
        "Withdrawal notified (pending)",
        OKABE_ITO["orange"],
        "Instrument of withdrawal deposited; still a party until it takes effect six months "
        "later (Art. 20(3)).",
    )
    WITHDRAWN = (
        "withdrawn",
        "Withdrawn (former party)",
        OKABE_ITO["vermillion"],
        "The withdrawal took effect: no longer bound by the Convention.",
    )

    @property
    def rank(self) -> int:
        """Position along a state's treaty life (0 = never joined … 5 = withdrawn)."""
        return list(TreatyStatus).index(self)


class TreatyEvent(Term):
    """A dated milestone of a state's treaty life (``treaty_milestones.csv:event``)."""

    SIGNATURE = ("signature", "Signature", NO_COLOR, "The state signed the Convention.")
    RATIFICATION = (
        "ratification",
        "Ratification deposited",
        NO_COLOR,
        "Instrument of ratification deposited with the UN Secretary-General.",
    )
    ACCESSION = (
        "accession",
        "Accession deposited",
        NO_COLOR,
        "Instrument of accession deposited (a state that did not sign).",
    )
    ENTRY_INTO_FORCE = (
        "entry_into_force",
        "Entry into force",
        NO_COLOR,
        "The Convention entered into force for the state (Art. 17).",
    )
    WITHDRAWAL_VOTE = (
        "withdrawal_vote",
        "Withdrawal vote",
        NO_COLOR,
        "The national parliament approved leaving the Convention.",
    )
    WITHDRAWAL_DEPOSITED = (
        "withdrawal_deposited",
        "Withdrawal deposited",
        NO_COLOR,
        "Instrument of withdrawal received by the UN Secretary-General (Art. 20(2)–(3)).",
    )
    WITHDRAWAL_EFFECTIVE = (
        "withdrawal_effective",
        "Withdrawal effective",
        NO_COLOR,
        "Six months after the deposit, the withdrawal took effect (Art. 20(3)).",
    )
    SUSPENSION_CLAIMED = (
        "suspension_claimed",
        "Suspension claimed",
        NO_COLOR,
        "The state declared it suspends the Convention (disputed; see the Method page).",
    )


class EvidenceClass(Term):
    """How strong the public evidence of contamination in a Ukrainian unit is."""

    FIGURE = (
        "figure",
        "Published figure (km²)",
        "#8C2D04",
        "A source publishes the unit's potentially contaminated area in km².",
    )
    STATEMENT = (
        "statement",
        "Official statement, no figure",
        "#EC7014",
        "An official source says the unit is contaminated or affected, without a figure.",
    )
    NO_PUBLIC_FIGURE = (
        "no_public_figure",
        "No public figure",
        "#FEE391",
        "No public source read gives a figure or a statement for the unit.",
    )


class Confidence(Term):
    """How well a fact is established (``confidence`` columns of the fact tables)."""

    HIGH = ("High", "High", NO_COLOR, "Official text or several independent sources agree.")
    MED = ("Med", "Medium", NO_COLOR, "One good source, or sources that differ in detail.")
    LOW = ("Low", "Low", NO_COLOR, "A single secondary source; treat with care.")
    DERIVED = ("DERIVED", "Derived", NO_COLOR, "Computed from other sourced facts.")
    UNCONFIRMED = (
        "UNCONFIRMED",
        "Unconfirmed",
        NO_COLOR,
        "Not confirmed by a source read; shown so that the gap is visible.",
    )


class BorderReference(Term):
    """Who published a reference border length (``border_lengths.csv:reference``)."""

    FACTBOOK = ("factbook", "CIA World Factbook", NO_COLOR, "The CIA World Factbook.")
    NATIONAL = ("national", "National figure", NO_COLOR, "A border guard or national agency.")
    OTHER = ("other", "Other figure", NO_COLOR, "Another published figure.")


class ContaminationKind(Term):
    """What a national contamination figure is (``contamination_national.csv:kind``)."""

    OFFICIAL_ESTIMATE = (
        "official_estimate",
        "Official estimate",
        NO_COLOR,
        "Stated by the Government of Ukraine or one of its agencies.",
    )
    TELETHON_CLAIM = (
        "telethon_claim",
        "Claim on national television",
        NO_COLOR,
        "Said on the national television marathon; not a published estimate.",
    )
    OTHER_ESTIMATE = (
        "other_estimate",
        "Other estimate",
        NO_COLOR,
        "An estimate by another organisation.",
    )
