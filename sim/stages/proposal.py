"""The life of one proposal: tabled, prepared at HWPCI, decided at PSC, adopted.

When the PSC blocks it, the chair defers for more evidence or tables a weaker compromise
(actors.institutions.chair_move).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.institutions import chair_move
from scenarios.measures import MEASURES_DECLARED

from ..world import Status
from . import ProcessGenerator, council, hwpci, psc

if TYPE_CHECKING:
    from ..exercise import Exercise
    from ..world import Proposal

#: Measures member states do not vote on (scenarios/measures.py).
NO_VOTE = tuple(m.id for m in MEASURES_DECLARED if not m.vote)


def lifecycle(ex: Exercise, proposal: Proposal, prepared: bool = False) -> ProcessGenerator[None]:
    """Process: carry ``proposal`` from tabling to adoption, blocking or dropping."""
    if proposal.measure not in NO_VOTE:
        # An HR declaration tabled by the HR is an EEAS text: it goes straight to the PSC
        # (Viasat 2022: agreed the day of the coordinated attributions). docs/calibration.md
        if not prepared and not (proposal.measure == "hr_declaration" and proposal.by == "hr"):
            yield from hwpci.prepare(ex, proposal)
        wait = not prepared
        while True:
            outcome = yield from psc.decide(ex, proposal, wait=wait)
            wait = True
            if outcome.adopted:
                break
            move, weaker = chair_move(
                proposal.measure,
                ex.world.assessed_confidence(),
                proposal.deferrals,
                ex.world.adopted(),
            )
            if move == "defer":
                proposal.deferrals += 1
                ex.emit("deferred", proposal=proposal.id, measure=proposal.measure,
                        reason="the chair seeks more evidence before a new round")  # fmt: skip
                continue
            proposal.status = Status.BLOCKED
            if move == "compromise" and weaker is not None:
                ex.emit(
                    "compromise", proposal=proposal.id, measure=proposal.measure, instead=weaker
                )
                compromise = ex.propose(weaker, "chair", parent=proposal.id, prepared=True)
                proposal.finish()
                yield compromise.done
                return
            ex.emit("dropped", proposal=proposal.id, measure=proposal.measure)
            proposal.finish()
            return
    yield from council.adopt(ex, proposal)
    if proposal.status != Status.ADOPTED:
        ex.emit("dropped", proposal=proposal.id, measure=proposal.measure)
    proposal.finish()
