"""Initiation: once there is shared awareness, a capital (victim or not, with co-sponsors) or the
High Representative proposes the proportionate measure; if what the Union adopts falls short
of it, they try again.

The Union speaks with or after capitals: an initiative for a declaration or conclusions waits
until a capital or partner has attributed (or is ready to, the same day), at most
``attribution_wait``; a listing needs a national attribution (and, at HWPCI, an evidence
package), so until there is one a declaration is asked for instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.institutions import drive, initiator
from actors.severity import MEASURE_FOR_RUNG, rung_of

from ..world import Status
from . import ProcessGenerator, awareness, psc

if TYPE_CHECKING:
    from ..exercise import Exercise

MAX_INITIATIVES = 4


def initiative(ex: Exercise) -> ProcessGenerator[None]:
    """Process: propose the recommended measure whenever nothing adopted or pending reaches it."""
    yield ex.signal("awareness")
    aware = ex.env.now
    for _ in range(MAX_INITIATIVES):
        yield ex.env.timeout(ex.timing.initiation)
        while True:
            measure = _wanted(ex, aware)
            if measure is not None:
                break
            yield ex.signal("world") | ex.env.timeout(ex.timing.attribution_wait)
        # At a live table, whether a played state asks for measures is its people's call (they
        # use a propose inject); headless, the model's policy plays them like the others.
        by, cosponsors = initiator(_drives(ex))
        proposal = ex.propose(measure, by, source="initiative", cosponsors=cosponsors)
        yield proposal.done


def _wanted(ex: Exercise, aware: float) -> str | None:
    """The measure to propose now, or None to wait for news."""
    target = ex.world.recommended_rung()
    reached = max(
        [rung_of(m) for m in ex.world.adopted() if rung_of(m) < 5]
        + [rung_of(p.measure) for p in ex.world.pending()]
        + [0]
    )
    if reached >= target:
        return None
    measure = MEASURE_FOR_RUNG[target]
    if measure == "listing" and not any(ex.world.attributed.values()):
        measure = "hr_declaration"  # no capital has named the actor: no listing yet
        if reached >= rung_of(measure):
            return None
    if _given_up(ex, measure):
        return None
    if (
        rung_of(measure) == 3
        and not awareness.named_or_ready(ex)
        and ex.env.now < aware + ex.timing.attribution_wait
    ):
        return None  # the Union speaks with or after capitals: wait for one to name
    return measure


def _drives(ex: Exercise) -> list[tuple[str, float]]:
    victims = ex.world.victims()
    severity = ex.world.severity()
    drives = []
    for state in ex.roster:
        if ex.interactive and state.code in ex.players:
            continue
        mine = psc.instructions(ex, state)
        named = bool(ex.world.attributed.get(state.code))
        drives.append((state.code, drive(mine.stance, severity, state.code in victims, named)))
    return drives


def _given_up(ex: Exercise, measure: str) -> bool:
    """A measure blocked or dropped once is not re-proposed by the model (people may)."""
    return any(
        p.measure == measure and p.status in (Status.BLOCKED, Status.DROPPED)
        for p in ex.world.proposals
    )
