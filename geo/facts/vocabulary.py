"""Every controlled vocabulary of the atlas, each term with its label, colour and description.

One enum per vocabulary: the fact tables store the member values, and the map, the legend,
tooltips, charts, exports and the method page read labels, colours and descriptions from the
members (nothing else spells them). Colours come from the Okabe–Ito palette, which stays
distinguishable under the common forms of colour-vision deficiency.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from geo.language import N_

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
    """A state's Mine Ban Treaty status on a date; declared in the order of a treaty life.

    The colours start from the Okabe–Ito palette and are adjusted so that every pair of legend
    colours, as drawn, stays apart under simulated colour-vision deficiency
    (``layers.catalogue.contrast``; tests/test_colours.py).
    """

    NEVER_JOINED = (
        "never_joined",
        "Never joined",
        "#4B4B4B",
        "Neither signed nor acceded to the Convention.",
    )
    SIGNATORY = (
        "signatory",
        "Signatory (not a party)",
        "#69B4FF",
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
        "#A569A5",
        "A State Party that declared it suspends the Convention; the Convention allows no "
        "suspension, so the state remains bound.",
    )
    WITHDRAWAL_NOTIFIED = (
        "withdrawal_notified",
        "Withdrawal notified (pending)",
        "#F08700",
        "Instrument of withdrawal deposited; still a party until it takes effect six months "
        "later (Art. 20(3)).",
    )
    WITHDRAWN = (
        "withdrawn",
        "Withdrawn (former party)",
        "#964B1E",
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
        OKABE_ITO["sky_blue"],
        "The national parliament approved leaving the Convention.",
    )
    WITHDRAWAL_DEPOSITED = (
        "withdrawal_deposited",
        "Withdrawal deposited",
        OKABE_ITO["orange"],
        "Instrument of withdrawal received by the UN Secretary-General (Art. 20(2)–(3)).",
    )
    WITHDRAWAL_EFFECTIVE = (
        "withdrawal_effective",
        "Withdrawal effective",
        OKABE_ITO["vermillion"],
        "Six months after the deposit, the withdrawal took effect (Art. 20(3)).",
    )
    SUSPENSION_CLAIMED = (
        "suspension_claimed",
        "Suspension claimed",
        OKABE_ITO["reddish_purple"],
        "The state declared it suspends the Convention (disputed; see the Method page).",
    )

    def label_for(self, *, suspends: bool) -> str:
        """The event's label for a state that claims a suspension (``suspends``) or leaves.

        A state that claims a suspension and deposits no withdrawal (Ukraine) voted a law
        suspending the Convention, not leaving it: its ``withdrawal_vote`` reads
        :data:`SUSPENSION_VOTE_LABEL`. Every other event keeps its :attr:`label`.
        """
        if suspends and self is TreatyEvent.WITHDRAWAL_VOTE:
            return SUSPENSION_VOTE_LABEL
        return self.label


#: The label of the parliament's vote of a state that claims a suspension instead of leaving.
SUSPENSION_VOTE_LABEL = N_("Suspension law adopted")


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
        "#E1690F",
        "An official source says the unit is contaminated or affected, without a figure.",
    )
    NO_PUBLIC_FIGURE = (
        "no_public_figure",
        "No public figure",
        "#E1FF96",
        "The searches made (Data page, data/searches.csv) found no figure or statement for "
        "the unit.",
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


class TreatyStep(Term):
    """A dated step on the way to a milestone (``treaty_events.csv:event``), never status."""

    GOVERNMENT_DECISION = (
        "government_decision",
        "Government decision",
        NO_COLOR,
        "The government decided to prepare the state's withdrawal.",
    )
    GOVERNMENT_PROPOSAL = (
        "government_proposal",
        "Government proposal",
        NO_COLOR,
        "The government sent parliament its proposal to withdraw.",
    )
    DECREE = (
        "decree",
        "Decree",
        NO_COLOR,
        "A head-of-state decree or security-council decision put into effect.",
    )
    BILL_REGISTERED = (
        "bill_registered",
        "Bill registered",
        NO_COLOR,
        "A bill was registered in parliament.",
    )
    LAW_ADOPTED_AND_SIGNED = (
        "law_adopted_and_signed",
        "Law adopted and signed",
        NO_COLOR,
        "Parliament adopted the law and the head of state signed it the same day.",
    )
    LAW_SIGNED = ("law_signed", "Law signed", NO_COLOR, "The head of state signed the law.")
    DENOUNCED = (
        "denounced",
        "Convention denounced",
        NO_COLOR,
        "The head of state denounced the Convention (the national act of withdrawal).",
    )
    NOTIFIED_DEPOSITARY = (
        "notified_depositary",
        "Depositary notified",
        NO_COLOR,
        "The UN Secretary-General (the depositary) was notified.",
    )
    NOTIFICATION_REPORTED = (
        "notification_reported",
        "Notification reported",
        NO_COLOR,
        "A meeting of the Convention reported that the state had notified the States Parties.",
    )
    GOVERNMENT_STATEMENT = (
        "government_statement",
        "Government statement",
        NO_COLOR,
        "The official journal published the government's statement on the Convention.",
    )
    MEETING_OF_STATES_PARTIES = (
        "meeting_of_states_parties",
        "Meeting of States Parties conclusion",
        NO_COLOR,
        "A conclusion of the Meeting of States Parties about the state.",
    )
    NO_PLANS_TO_LEAVE = (
        "no_plans_to_leave",
        "No plans to leave",
        NO_COLOR,
        "The government said the state has no (immediate) plans to leave the Convention.",
    )
    OBJECTIONS = (
        "objections",
        "Objections",
        NO_COLOR,
        "Other States Parties lodged formal objections with the depositary.",
    )


class SourceKind(Term):
    """What kind of publisher a source is (``source_meta.csv:kind``)."""

    OFFICIAL = (
        "official",
        "Official text",
        NO_COLOR,
        "Published by a government, parliament, agency or official journal.",
    )
    TREATY_BODY = (
        "treaty_body",
        "Treaty body",
        NO_COLOR,
        "The Convention's meetings and support unit, or the UN as depositary.",
    )
    MONITOR_NGO = (
        "monitor_ngo",
        "Monitor or NGO",
        NO_COLOR,
        "Landmine Monitor, the ICBL, Human Rights Watch and other organisations that follow "
        "the Convention.",
    )
    PRESS = ("press", "Press", NO_COLOR, "A news report: press only.")
    PRESS_REPOST = (
        "press_repost",
        "Press repost",
        NO_COLOR,
        "A copy of a news report on another site: press only, kept where no original was found.",
    )
    PRO_KREMLIN_AGGREGATOR = (
        "pro_kremlin_aggregator",
        "Pro-Kremlin aggregator",
        NO_COLOR,
        "A site of a pro-Kremlin aggregator network (e.g. the 'Pravda' network) that reposts "
        "other outlets: press only, kept where no original was found; treat with care.",
    )
    REFERENCE = (
        "reference",
        "Reference work",
        NO_COLOR,
        "An encyclopaedia, atlas or other reference work.",
    )
    DATASET = ("dataset", "Dataset", NO_COLOR, "A geographic or statistical dataset.")

    @property
    def press_only(self) -> bool:
        """Whether a source of this kind is only press (a report, not an official text)."""
        return self in (
            SourceKind.PRESS,
            SourceKind.PRESS_REPOST,
            SourceKind.PRO_KREMLIN_AGGREGATOR,
        )


class TitleBasis(Term):
    """How a source's title was obtained (``source_meta.csv:title_basis``)."""

    PAGE = ("page", "Page heading", NO_COLOR, "The heading seen on the page.")
    ADDRESS = (
        "address",
        "Rebuilt from the address",
        NO_COLOR,
        "The heading was not in the copy read; the title was rebuilt from the page address.",
    )
    DESCRIPTIVE = (
        "descriptive",
        "Descriptive",
        NO_COLOR,
        "Written by the project to describe the source, which has no usable heading.",
    )


class LandmineMeasure(Term):
    """What a Landmine Monitor figure counts (``landmine_monitor.csv:measure``)."""

    CASUALTIES = (
        "casualties",
        "Casualties (killed or injured)",
        NO_COLOR,
        "People killed or injured by mines and explosive remnants of war in the period.",
    )
    KILLED = ("killed", "Killed", NO_COLOR, "People killed in the period.")
    INJURED = ("injured", "Injured", NO_COLOR, "People injured in the period.")
    STATES_PARTIES = (
        "states_parties",
        "States Parties",
        NO_COLOR,
        "States bound by the Convention when the edition was launched.",
    )
    CONTAMINATED_STATES_AND_AREAS = (
        "contaminated_states_and_areas",
        "States and areas contaminated",
        NO_COLOR,
        "States and other areas known to be contaminated by anti-personnel mines.",
    )
    USE_FINDING = (
        "use_finding",
        "Finding on mine use",
        NO_COLOR,
        "What the Monitor reports about new use of anti-personnel mines (text, not a count).",
    )

    @property
    def is_count(self) -> bool:
        """Whether the figure is a whole number (every measure but a finding)."""
        return self is not LandmineMeasure.USE_FINDING


class ReviewScope(Term):
    """How much of a table a review re-checked (``reviews.csv:scope``)."""

    FULL = ("full", "Full review", NO_COLOR, "Every row was re-checked against its sources.")
    PARTIAL = (
        "partial",
        "Partial review",
        NO_COLOR,
        "Some rows were re-checked; the note says which were not.",
    )
