"""Initiation: once there is shared awareness, a victim (or the High Representative) proposes
the proportionate measure; if what the Union adopts falls short of it, they try again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.institutions import initiator
from actors.severity import MEASURE_FOR_RUNG, rung_of

from ..world import Status
from . import ProcessGenerator

if TYPE_CHECKING:
    from ..exercise import Exercise

MAX_INITIATIVES = 4


def initiative(ex: Exercise) -> ProcessGenerator[None]:
    """Process: propose the recommended measure whenever nothing adopted or pending reaches it."""
    yield ex.signal("awareness")
    for _ in range(MAX_INITIATIVES):
        yield ex.env.timeout(ex.timing.initiation)
        while True:
            target = ex.world.recommended_rung()
            reached = max(
                [rung_of(m) for m in ex.world.adopted() if rung_of(m) < 5]
                + [rung_of(p.measure) for p in ex.world.pending()]
                + [0]
            )
            if reached < target and not _given_up(ex, MEASURE_FOR_RUNG[target]):
                break
            yield ex.signal("world")  # wait until something changes
        measure = MEASURE_FOR_RUNG[target]
        # At a live table, whether a played state asks for measures is its people's call (they
        # use a propose inject); headless, the model's policy plays them like the others.
        victims = [
            ex.roster[c] for c in ex.world.victims() if not (ex.interactive and c in ex.players)
        ]
        proposal = ex.propose(measure, initiator(victims, ex.world.severity()), source="initiative")
        yield proposal.done


def _given_up(ex: Exercise, measure: str) -> bool:
    """A measure blocked or dropped once is not re-proposed by the model (people may)."""
    return any(
        p.measure == measure and p.status in (Status.BLOCKED, Status.DROPPED)
        for p in ex.world.proposals
    )
