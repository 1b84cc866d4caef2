"""The operational level: EU-CyCLONe (NIS2 Art. 16), the national cyber crisis agencies, meets
once it has the CSIRTs Network's first technical report (and again when the incident escalates
or an inject calls it); each victim's agency brings its national picture, in full, in part or
not at all; CyCLONe then assesses the impact and the assessment reaches the political level
(docs/model.md, *The crisis track*).

A delegation played at the table is played at CyCLONe too (its cyber crisis agency): in a live
exercise the clock stops until its people say what the agency brings (a ``decision_request``
with body ``cyclone``, answered by an ``agency`` inject); headless, the model answers for it
unless an ``agency`` inject fixed it beforehand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import event_kinds as K
from . import ProcessGenerator
from .blueprint import (
    CONTRIBUTION_WEIGHT,
    CYCLONE_NOTICE,
    HANDOFF,
    OPERATIONAL_ASSESSMENT,
    QUESTION,
    STANCE_OF_CONTRIBUTION,
    Track,
    delay,
    fire,
    median,
    severity,
    victims,
)

if TYPE_CHECKING:
    from ..engine import Engine


def cyclone(ex: Engine, track: Track) -> ProcessGenerator[None]:
    """Process: CyCLONe Officers meet after the first technical report reaches them."""
    yield track.technical_at_operational
    yield ex.env.timeout(delay(ex, "cyclone-notice", median(track, "cyclone_notice",
                                                            CYCLONE_NOTICE)))  # fmt: skip
    yield from meet(ex, track, level="officers", by="model")


def meet(ex: Engine, track: Track, level: str, by: str) -> ProcessGenerator[None]:
    """A CyCLONe meeting, the agencies' contributions and, after a while, its assessment."""
    yield from deliberate(ex, track, convene(ex, track, level, by))


def convene(ex: Engine, track: Track, level: str, by: str) -> int:
    """CyCLONe meets now; returns the meeting's number (for :func:`deliberate`)."""
    track.meetings += 1
    ex.emit(K.CYCLONE_MEETING, number=track.meetings, level=level, by=by)
    return track.meetings


def deliberate(ex: Engine, track: Track, number: int) -> ProcessGenerator[None]:
    """Process: the agencies' contributions to meeting ``number`` and, later, the assessment."""
    contributions = yield from _contributions(ex, track, number)
    wait = median(track, "operational_assessment", OPERATIONAL_ASSESSMENT)
    yield ex.env.timeout(delay(ex, "assessment", wait, number))
    weights = [CONTRIBUTION_WEIGHT[c] for c in contributions.values()]
    share = sum(weights) / len(weights) if weights else 0.0
    # What the agencies bring decides how much of the technical picture CyCLONe can stand by.
    confidence = round(track.technical_confidence * (0.5 + 0.5 * share), 4)
    track.assessments += 1
    track.operational_confidence = confidence
    ex.emit(K.OPERATIONAL_ASSESSMENT, number=track.assessments, confidence=confidence,
            impact=round(severity(ex, track), 4), contributions=contributions)  # fmt: skip
    ex.env.process(_to_political(ex, track, track.assessments, ex.env.now))


def _contributions(ex: Engine, track: Track, number: int) -> ProcessGenerator[dict[str, str]]:
    """Each victim's agency says what it brings: people (played, live), an inject, the model."""
    given: dict[str, str] = {}
    asked: list[str] = []
    for code in victims(ex, track):
        if code in track.fixed:
            given[code] = track.fixed[code]
            ex.emit(K.AGENCY_CONTRIBUTION, state=code, meeting=number, contribution=given[code],
                    by="inject")  # fmt: skip
        elif code in ex.players and ex.interactive:
            asked.append(code)
        else:
            given[code] = model_contribution(ex, code, number)
            ex.emit(K.AGENCY_CONTRIBUTION, state=code, meeting=number, contribution=given[code],
                    by="model")  # fmt: skip
    if asked:
        answers = yield ask(ex, asked, number)
        given.update(answers)
    return {code: given[code] for code in victims(ex, track) if code in given}


def model_contribution(ex: Engine, code: str, number: int) -> str:
    """The model's agency shares in full with its state's propensity to share, else in part,
    rarely not at all (a third of the rest)."""
    sharing = ex.roster[code].sharing
    u = ex.rng("crisis", "contribution", code, number).random()
    if u < sharing:
        return "full"
    return "partial" if u < sharing + (1.0 - sharing) * 2 / 3 else "withheld"


def ask(ex: Engine, codes: list[str], number: int):
    """Stop the clock until the played agencies of ``codes`` answer (``agency`` injects); the
    event fires with their contributions, code -> contribution."""
    for code in codes:
        advice = STANCE_OF_CONTRIBUTION[model_contribution(ex, code, number)]
        ex.emit(K.DECISION_REQUEST, state=code, proposal=f"CY-{number}", measure=QUESTION,
                body="cyclone", advice=advice, others={})  # fmt: skip
    return ex.await_answers(codes, f"CY-{number}", QUESTION, "cyclone")


def _to_political(ex: Engine, track: Track, number: int, issued: float) -> ProcessGenerator[None]:
    yield ex.env.timeout(delay(ex, "handoff-operational", HANDOFF, number))
    ex.emit(K.HANDOFF, product="operational_assessment", number=number, origin="operational",
            to="political", confidence=track.operational_confidence,
            delay=round(ex.env.now - issued, 4))  # fmt: skip
    fire(track.assessment_at_political)
