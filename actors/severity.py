"""Proportionality: from the seven criteria to a recommended rung of the ladder.

The 2017 Conclusions ask for a response proportionate to the scope, scale, duration, intensity,
complexity, sophistication and impact of the activity. cdtx scores each 0-4, averages them into a
severity in [0, 1] and maps that to a rung with fixed thresholds (docs/model.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from scenarios.measures import MEASURE, MEASURES_DECLARED
from scenarios.vocabulary import CRITERIA

#: Severity at or above each threshold moves the recommendation one rung up, from rung 1.
RUNG_THRESHOLDS: tuple[float, ...] = (0.3, 0.5, 0.7)

#: The measure normally proposed for each rung (rung 5 is invoked by a victim, never recommended).
MEASURE_FOR_RUNG: dict[int, str] = {m.rung: m.id for m in MEASURES_DECLARED if m.proposed_for_rung}


def severity_score(severity: Mapping[str, int]) -> float:
    """Mean of the seven criteria, scaled to [0, 1]."""
    return sum(min(4, max(0, severity[c])) for c in CRITERIA) / (4 * len(CRITERIA))


def recommended_rung(score: float) -> int:
    """The proportionate rung for a severity score; never decreases as the score grows."""
    return 1 + sum(score >= threshold for threshold in RUNG_THRESHOLDS)


def rung_of(measure: str) -> int:
    """The rung of the ladder ``measure`` stands on."""
    return MEASURE[measure].rung


def overtness(severity: Mapping[str, int]) -> float:
    """How visible the activity is to its victims: destructive attacks announce themselves."""
    return (severity["intensity"] + severity["impact"]) / 8
