"""How measures, bodies and states are named in plain language (narrative lines, reports)."""

from __future__ import annotations

import re

from actors.roster import builtin_roster
from scenarios.measures import MEASURES_DECLARED

MEASURE_NAMES = {m.id: m.name for m in MEASURES_DECLARED}
#: Short names for lines that must fit a console row: the decision comes first, then the detail.
SHORT_MEASURE_NAMES = {m.id: m.short_name for m in MEASURES_DECLARED}
BODY_NAMES = {
    "hwpci": "HWPCI",
    "psc": "PSC",
    "coreper": "COREPER II",
    "council": "Council",
    "eeas": "EEAS",
    "cyclone": "EU-CyCLONe",  # a played cyber crisis agency is asked there
}
#: What a played cyber crisis agency is asked at EU-CyCLONe, read in a measure's place (the
#: decision dialog): the four positions answer it (sim/stages/blueprint.CONTRIBUTION_OF_STANCE).
MEASURE_NAMES["operational_assessment"] = (
    "its agency's national picture for the joint operational assessment "
    "(support: share it in full; abstain: in part; oppose: withhold it)"
)
SHORT_MEASURE_NAMES["operational_assessment"] = "CyCLONe picture"
PROPOSER_NAMES = {"hr": "the High Representative", "chair": "the PSC chair"}
#: How a declaration or conclusions name the perpetrator (docs/model.md, *Wording*).
NAMING_TEXT = {
    "none": "names no one",
    "territory": "activity 'from the territory of' the sponsor",
    "state": "names the state",
}


def naming(level: str | None) -> str:
    """How a text names the perpetrator, for people (empty when it carries no wording)."""
    return NAMING_TEXT.get(level, level) if level else ""


def measure(m: str) -> str:
    """A measure's full name (its id if it is not declared)."""
    return MEASURE_NAMES.get(m, m)


def short(m: str) -> str:
    """A measure's short name, for lines that must fit a console row."""
    return SHORT_MEASURE_NAMES.get(m, m)


#: A declared measure's id where a line carries it inside free text (an agenda item).
_MEASURE_ID = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SHORT_MEASURE_NAMES), key=len,
                                                    reverse=True)) + r")\b")  # fmt: skip


def with_measures_named(text: str) -> str:
    """``text`` with each measure id in it said by its short name (an agenda item, ``P-1:
    decide on hr_declaration`` -> ``P-1: decide on HR declaration``)."""
    return _MEASURE_ID.sub(lambda match: short(match.group(1)), text)


def sector(name: str) -> str:
    """A target's sector as people write it (``eu_institution`` -> ``eu institution``)."""
    return str(name).replace("_", " ")


def split_seat(seat_id: str) -> tuple[str, int | None] | None:
    """A seat's name as cdtx host gives it, apart: ``DE`` -> ``("DE", None)``, a shared
    delegation's ``DE-2`` -> ``("DE", 2)``, ``facilitator-3`` -> ``("facilitator", 3)``
    (numbered from 2, in ASCII digits); None for a name no host gives (``DE-1``, ``DE-²``)."""
    base, dash, number = seat_id.partition("-")
    if not dash:
        return base, None
    if number.isascii() and number.isdecimal() and int(number) > 1:
        return base, int(number)
    return None


def state_name(code: str) -> str:
    """``Croatia (HR)``: two letters alone read as the High Representative or a party."""
    roster = builtin_roster()
    return f"{roster[code].name} ({code})" if code in roster else code


def body(b: str) -> str:
    """A body's name as people write it (``COREPER II``)."""
    return BODY_NAMES.get(b, b.upper())


def pct(x: float | None) -> str:
    """A share as a percentage, ``n/a`` when unknown."""
    return "n/a" if x is None else f"{x:.0%}"
