"""Adoption: silence procedure for HR declarations; RELEX, COREPER and the Council for
conclusions and listings (at the next Foreign Affairs Council or by written procedure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.severity import rung_of
from scenarios.measures import MEASURE

from ..world import Status
from . import ProcessGenerator, psc, reaction

if TYPE_CHECKING:
    from ..exercise import Exercise
    from ..world import Proposal


def adopt(ex: Exercise, proposal: Proposal) -> ProcessGenerator[bool]:
    """Process step: carry an agreed proposal through to adoption; returns True if adopted."""
    proposal.status = Status.ADOPTING
    measure = proposal.measure
    declared = MEASURE[measure]
    if declared.adoption == "silence_procedure":
        ex.emit("silence_procedure", proposal=proposal.id, phase="started")
        yield ex.env.timeout(ex.timing.silence_procedure)
        ex.emit("silence_procedure", proposal=proposal.id, phase="ended")
        return adopted(ex, proposal, body=declared.adopting_body, how="silence procedure")
    if declared.adoption == "agreed":
        return adopted(ex, proposal, body=declared.adopting_body, how="agreed")
    # Council measures, and a rung-5 measure tabled as a proposal rather than invoked.
    if declared.legal_acts:
        ex.emit("relex", proposal=proposal.id, phase="started")
        yield ex.env.timeout(ex.timing.relex_drafting)
        ex.emit("relex", proposal=proposal.id, phase="ended")
        yield ex.env.timeout(ex.timing.coreper_preparation)
    yield ex.bodies["coreper"].sitting(f"{proposal.id}: {measure} for the Council")
    ex.emit("coreper", proposal=proposal.id, measure=measure)
    fac = ex.calendar.next_fac(ex.env.now)
    written = ex.env.now + ex.timing.written_procedure
    if fac <= written:
        how = "Foreign Affairs Council"
        yield ex.until(fac)
        ex.emit(
            "meeting", body="council", extraordinary=False, agenda=[f"{proposal.id}: {measure}"]
        )
    else:
        how = "written procedure"
        ex.emit("written_procedure", proposal=proposal.id, phase="started")
        yield ex.env.timeout(ex.timing.written_procedure)
        ex.emit("written_procedure", proposal=proposal.id, phase="ended")
    outcome = yield from psc.decide(ex, proposal, body="council", wait=False)
    if not outcome.adopted:
        proposal.status = Status.BLOCKED
        return False
    return adopted(ex, proposal, body="council", how=how)


def adopted(ex: Exercise, proposal: Proposal, body: str, how: str) -> bool:
    proposal.status = Status.ADOPTED
    ex.emit("adopted", proposal=proposal.id, measure=proposal.measure, rung=rung_of(proposal.measure),
            body=body, how=how)  # fmt: skip
    ex.world_changed()
    ex.env.process(reaction.react(ex, proposal.measure))
    return True
