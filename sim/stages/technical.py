"""The technical level: the CSIRTs Network (NIS2 Art. 15) shares technical reports on the
large-scale incident from its first detection; the first reaches EU-CyCLONe (docs/model.md,
*The crisis track*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import event_kinds as K
from . import ProcessGenerator
from .blueprint import (
    HANDOFF,
    TECHNICAL_INTERVAL,
    TECHNICAL_REPORT,
    TECHNICAL_REPORTS,
    Track,
    delay,
    fire,
    median,
    victims,
)

if TYPE_CHECKING:
    from ..engine import Engine


def csirts_network(ex: Engine, track: Track) -> ProcessGenerator[None]:
    """Process: from the first detection, up to :data:`TECHNICAL_REPORTS` reports."""
    yield track.first_detection
    for n in range(1, TECHNICAL_REPORTS + 1):
        wait = median(track, "technical_report", TECHNICAL_REPORT) if n == 1 else TECHNICAL_INTERVAL
        yield ex.env.timeout(delay(ex, "technical", wait, n))
        issue(ex, track, by="csirts_network")


def picture(ex: Engine, track: Track) -> tuple[list[str], float]:
    """The victims that have detected, and the confidence of the technical picture: the share of
    victims that have detected times their CSIRTs' mean capability."""
    hit = victims(ex, track)
    seen = [c for c in hit if c in ex.world.detected]
    if not hit or not seen:
        return seen, 0.0
    capability = sum(ex.roster[c].csirt for c in seen) / len(seen)
    return seen, round(len(seen) / len(hit) * capability, 4)


def issue(ex: Engine, track: Track, by: str, confidence: float | None = None) -> None:
    """A technical report now (``confidence`` given by an inject, else the model's picture)."""
    states, modelled = picture(ex, track)
    track.technical_reports += 1
    track.technical_confidence = modelled if confidence is None else confidence
    ex.emit(K.TECHNICAL_REPORT, number=track.technical_reports, states=states,
            confidence=track.technical_confidence, by=by)  # fmt: skip
    ex.env.process(_to_cyclone(ex, track, track.technical_reports, ex.env.now))


def _to_cyclone(ex: Engine, track: Track, number: int, issued: float) -> ProcessGenerator[None]:
    yield ex.env.timeout(delay(ex, "handoff-technical", HANDOFF, number))
    ex.emit(K.HANDOFF, product="technical_report", number=number, origin="technical",
            to="operational", confidence=track.technical_confidence,
            delay=round(ex.env.now - issued, 4))  # fmt: skip
    fire(track.technical_at_operational)
