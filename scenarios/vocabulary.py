"""The fixed vocabulary of the scenario format: state codes, measures, criteria, metrics.

These names are part of cdtx's public contract (docs/scenario-format.md, docs/recording-format.md). They live here, at the
bottom of the package stack, because the scenario format must check them without depending on
the actor models that give them meaning.
"""

from __future__ import annotations

import math
import re

from .measures import MEASURE_IDS, MEASURES_DECLARED

FORMAT_VERSION = 1

#: The 27 member states, ISO 3166-1 alpha-2 except Greece, which the EU writes "EL" but
#: Eurostat tables write "GR"; cdtx follows them and accepts no alias.
EU27: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip

#: The ladder of measures: id -> (rung, category), derived from scenarios/measures.py.
LADDER: dict[str, tuple[int, str]] = {m.id: (m.rung, m.category) for m in MEASURES_DECLARED}
MEASURES: tuple[str, ...] = MEASURE_IDS

#: The seven criteria of proportionality named by the 2017 Council Conclusions.
CRITERIA: tuple[str, ...] = (
    "scope", "scale", "duration", "intensity", "complexity", "sophistication", "impact",
)  # fmt: skip

#: Decision rules of the PSC and the Council; each is a function in sim/voting.py (RULES).
DECISION_RULES: tuple[str, ...] = ("unanimity", "qmv")
STANCES: tuple[str, ...] = ("support", "abstain", "constructive_abstention", "oppose")
BODIES: tuple[str, ...] = ("hwpci", "psc", "coreper", "council")
ADVERSARY_ACTIONS: tuple[str, ...] = ("cease", "continue", "escalate", "new_wave")
#: Inject types that are a played delegation's own answer (its position in a body; what its cyber
#: crisis agency brings to EU-CyCLONe): shown to that delegation only, delivered to nobody.
ANSWER_INJECTS = ("position", "agency")
#: Treaty article a victim invokes -> the measure it brings (rung 5).
ARTICLES: dict[str, str] = {m.article: m.id for m in MEASURES_DECLARED if m.article}
#: Measures outside the response ladder: invoked by the state attacked, they open an assistance
#: track (aid, the crisis arrangements) and are reported apart from the ladder.
ASSISTANCE: tuple[str, ...] = tuple(m.id for m in MEASURES_DECLARED if m.adoption == "invoked")
#: How a declaration or conclusions name the perpetrator, weakest first.
NAMING_LEVELS: tuple[str, ...] = ("none", "territory", "state")


#: The modes of the Integrated Political Crisis Response the Presidency may activate, lightest
#: first (Council Implementing Decision (EU) 2018/1993): monitoring, information sharing, full.
IPCR_MODES: tuple[str, ...] = ("monitoring", "information_sharing", "full")
#: What a national cyber crisis agency brings to EU-CyCLONe's operational assessment.
CONTRIBUTIONS: tuple[str, ...] = ("full", "partial", "withheld")

#: Milestones of the crisis track of a large-scale incident (the 2025 Cyber Blueprint's three
#: levels and the Cybersecurity Reserve): hours since the start, null when never reached.
CRISIS_METRICS: tuple[str, ...] = (
    "t_first_technical_report", "t_cyclone_assessment", "t_ipcr_activation", "t_first_isaa",
    "t_psc_isaa", "t_reserve_deployed",
)  # fmt: skip
#: Metrics an objective can be measured against. Times are hours since the scenario start.
TIME_METRICS: tuple[str, ...] = (
    (
        "t_first_detection", "t_shared_awareness", "t_first_attribution", "t_first_psc",
    )
    + tuple(m.time_metric for m in MEASURES_DECLARED if m.time_metric)
    + CRISIS_METRICS
)  # fmt: skip
COUNT_METRICS: tuple[str, ...] = ("psc_meetings", "extraordinary_meetings")
METRICS: tuple[str, ...] = TIME_METRICS + (
    "highest_measure", "highest_rung", "recommended_rung", "proportionality_gap",
    "cohesion",
) + COUNT_METRICS  # fmt: skip

#: The longest time cdtx represents, in hours (100 years): longer durations and times, and inf or
#: NaN, are refused wherever a person can write one (files, options, the console, the engine API).
MAX_HOURS = 100 * 8766.0
MAX_HOURS_SHOWN = "100 years"


def bounded_hours(hours: float, text: object) -> float:
    """``hours`` if it is a finite number of hours from 0 to :data:`MAX_HOURS`; ValueError with
    a message for people (naming ``text``, what was written) otherwise."""
    if hours != hours or hours < 0:  # NaN compares unequal to itself
        raise ValueError(f"bad time {text!r}: not a number of hours from 0 up")
    if hours > MAX_HOURS:
        raise ValueError(
            f"{_short(text)} is longer than {MAX_HOURS_SHOWN}, the longest time cdtx represents"
        )
    return hours


def _short(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 40 else shown[:30] + f"... ({len(shown)} characters)"


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([mhdw])")
DURATION_PATTERN = r"^(0|(\d+(\.\d+)?[mhdw])+)$"
_UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}


def parse_duration(text: str) -> float:
    """Parse a duration such as ``90m``, ``36h``, ``3d``, ``2w`` or ``1d12h`` into hours.

    Raises ValueError with a message meant for people on anything else.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise ValueError(f"expected a duration such as '90m', '36h', '3d' or '2w', got {text!r}")
    if text == 0 or text == "0":
        return 0.0
    if isinstance(text, int):
        raise ValueError(f"a duration needs a unit, e.g. '{text}h' or '{text}d' (got {text})")
    stripped = text.strip()
    if not re.fullmatch(DURATION_PATTERN, stripped):
        raise ValueError(
            f"bad duration {text!r}: use a number and a unit m, h, d or w, e.g. '90m', '36h', '3d', '2w'"
        )
    if len(stripped) > 64:  # no real duration is this long; spares float() 10,000 digits
        raise ValueError(f"{_short(text)} is not a duration cdtx can represent (too long)")
    hours = sum(float(n) * _UNIT_HOURS[u] for n, u in _DURATION_PART.findall(stripped))
    return bounded_hours(hours, text)


def format_duration(hours: float) -> str:
    """The shortest duration string that parses back to ``hours`` (to the minute)."""
    if not math.isfinite(hours):  # never from a valid input; shown rather than crashing
        return str(hours)
    minutes = round(hours * 60)
    if minutes == 0:
        return "0"
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
