"""Adoption: silence procedure for HR declarations; RELEX, COREPER and the Council for
conclusions and listings (at the next Foreign Affairs Council or by written procedure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.delegation import WORDED
from actors.severity import rung_of
from scenarios.measures import MEASURE
from scenarios.vocabulary import ASSISTANCE

from ..world import Status
from . import ProcessGenerator, awareness, psc, reaction

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
    if declared.adoption == "statement":
        return adopted(ex, proposal, body=declared.adopting_body,
                       how="statement of the High Representative in her own name")  # fmt: skip
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
    extra: dict[str, str] = {}
    if proposal.measure in WORDED or proposal.measure == "hr_statement":
        extra["naming"] = coordinate(ex, proposal)
    ex.emit("adopted", proposal=proposal.id, measure=proposal.measure, rung=rung_of(proposal.measure),
            body=body, how=how, **extra)  # fmt: skip
    ex.world_changed()
    if proposal.measure not in ASSISTANCE:
        # The adversary reads costs imposed, not the help member states give each other.
        ex.env.process(reaction.react(ex, proposal.measure))
    if proposal.measure == "listing":
        ex.env.process(review(ex, proposal))
    return True


def coordinate(ex: Exercise, proposal: Proposal) -> str:
    """Coordinated attribution: a text that names the actor goes out the day capitals ready to
    attribute do so (Viasat, 10 May 2022). Returns the naming the adopted text carries: none if,
    after all, no capital or partner has named the actor."""
    if proposal.naming == "none" or proposal.forced:
        return proposal.naming
    actor = ex.world.named_actor()  # INTCEN's suspect, or the actor capitals have named
    if actor is None:
        return "none"
    for code in awareness.ready_to_attribute(ex, actor):
        awareness.attribute(ex, code, actor, source="coordinated")
    return proposal.naming if ex.world.any_attribution(actor) else "none"


REVIEW_PERIOD = 365 * 24.0  # Decision (CFSP) 2019/797: listings are reviewed every 12 months


def review(ex: Exercise, proposal: Proposal) -> ProcessGenerator[None]:
    """Process: the yearly review of a listing, a unanimity point each time (renewals in May)."""
    number = 0
    while True:
        yield ex.env.timeout(REVIEW_PERIOD)
        number += 1
        outcome = yield from psc.decide(ex, proposal, body="council", wait=False)
        ex.emit("listing_review", proposal=proposal.id, review=number, renewed=outcome.adopted)
        proposal.status = Status.ADOPTED if outcome.adopted else Status.LAPSED
        if not outcome.adopted:
            return
