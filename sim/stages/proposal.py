"""The life of one proposal: tabled, prepared at HWPCI, decided at PSC, adopted.

When the PSC blocks it, the chair concedes step by step (actors.institutions.after_veto):
weaker wording first, then a deferral for evidence, a lower measure, a statement of the High
Representative in her own name, or the text is withdrawn. Every new attempt waits for the next
sitting: a failed round costs a sitting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.institutions import after_veto
from scenarios.measures import MEASURES_DECLARED

from ..world import Status
from . import ProcessGenerator, council, hwpci, psc

if TYPE_CHECKING:
    from ..exercise import Exercise
    from ..world import Proposal

#: Measures member states do not vote on (scenarios/measures.py).
NO_VOTE = tuple(m.id for m in MEASURES_DECLARED if not m.vote)


def lifecycle(ex: Exercise, proposal: Proposal, prepared: bool = False) -> ProcessGenerator[None]:
    """Process: carry ``proposal`` from tabling to adoption, blocking or withdrawal."""
    if proposal.measure not in NO_VOTE:
        # An HR declaration tabled by the HR is an EEAS text: it goes straight to the PSC
        # (Viasat 2022: agreed the day of the coordinated attributions). docs/calibration.md
        direct = prepared or (proposal.measure == "hr_declaration" and proposal.by == "hr")
        if not direct and not (yield from hwpci.prepare(ex, proposal)):
            proposal.status = Status.DROPPED
            ex.emit("withdrawn", proposal=proposal.id, measure=proposal.measure,
                    reason="the evidence package does not hold")  # fmt: skip
            proposal.finish()
            return
        while True:
            outcome = yield from psc.decide(ex, proposal, wait=True)
            if outcome.adopted:
                break
            naming = psc.text_naming(ex, proposal)  # the wording the table just vetoed
            move, arg = after_veto(
                proposal.measure,
                naming,
                ex.world.assessed_confidence(),
                proposal.deferrals,
                len(outcome.blockers),
                ex.world.adopted(),
            )
            if move == "redraft" and arg is not None:
                ex.emit("redrafted", proposal=proposal.id, measure=proposal.measure,
                        naming=arg, previous=naming)  # fmt: skip
                proposal.naming = arg
                continue
            if move == "defer":
                proposal.deferrals += 1
                ex.emit("deferred", proposal=proposal.id, measure=proposal.measure,
                        reason="the chair seeks more evidence before a new round")  # fmt: skip
                continue
            proposal.status = Status.BLOCKED
            if move == "lower" and arg is not None:
                ex.emit("compromise", proposal=proposal.id, measure=proposal.measure, instead=arg)
                compromise = ex.propose(arg, "chair", parent=proposal.id, prepared=True)
                proposal.finish()
                yield compromise.done
                return
            if move == "statement" and arg is not None:
                ex.emit("withdrawn", proposal=proposal.id, measure=proposal.measure,
                        reason="vetoed; the High Representative speaks in her own name")  # fmt: skip
                statement = ex.propose(arg, "hr", parent=proposal.id, prepared=True)
                statement.naming = naming
                proposal.finish()
                yield statement.done
                return
            ex.emit("withdrawn", proposal=proposal.id, measure=proposal.measure,
                    reason="vetoed; the proposer withdraws the text")  # fmt: skip
            proposal.finish()
            return
    yield from council.adopt(ex, proposal)
    if proposal.status != Status.ADOPTED:
        ex.emit("dropped", proposal=proposal.id, measure=proposal.measure)
    proposal.finish()
