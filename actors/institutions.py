"""EU institutions: the INTCEN/SIAC assessment, who initiates, and the PSC chair's moves."""

from __future__ import annotations

from collections.abc import Sequence

from scenarios.measures import MEASURES_DECLARED

from .delegation import EVIDENCE_NEEDED
from .roster import MemberState

#: What the chair tables when a measure is blocked (the Ghostwriter and July 2021 pattern:
#: weaker wording rather than nothing).
COMPROMISE = {m.id: m.compromise for m in MEASURES_DECLARED if m.compromise}
MAX_DEFERRALS = 1
INITIATIVE_AT = 0.3  # a victim whose drive is below this leaves the initiative to the HR


def assessment_confidence(national: Sequence[float]) -> float:
    """INTCEN's fused confidence from the confidences of the states that reported.

    All-source fusion does better than the best single contributor, with diminishing returns:
    1 - prod(1 - 0.6 c_i), floored by a baseline of technical indicators.
    """
    miss = 1.0
    for c in national:
        miss *= 1.0 - 0.6 * c
    return round(min(0.95, max(0.25, 1.0 - miss)), 4)


def initiator(victims: Sequence[MemberState], severity: float) -> str:
    """The victim with the most drive proposes; if none has enough, the High Representative."""
    best, drive = None, -1.0
    for state in victims:
        d = state.stance + severity
        if d > drive:
            best, drive = state, d
    if best is not None and drive >= INITIATIVE_AT:
        return best.code
    return "hr"


def chair_move(
    measure: str, confidence: float, deferrals: int, adopted: Sequence[str]
) -> tuple[str, str | None]:
    """After a blocked decision: ``("defer", None)``, ``("compromise", measure)`` or ``("drop", None)``.

    The chair defers once when the evidence is short of what the measure needs, in the hope that
    more arrives; otherwise tables the weaker measure unless that was already adopted.
    """
    if deferrals < MAX_DEFERRALS and confidence < EVIDENCE_NEEDED[measure] + 0.1:
        return "defer", None
    weaker = COMPROMISE.get(measure)
    while weaker is not None and weaker in adopted:
        weaker = COMPROMISE.get(weaker)
    if weaker is not None:
        return "compromise", weaker
    return "drop", None
