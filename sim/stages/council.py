"""Adoption: silence procedure for HR declarations; RELEX, COREPER and the Council for
conclusions and listings (at the next Foreign Affairs Council or by written procedure).

Brussels' calendar holds throughout (sim/clock.py): procedures end and measures are adopted on
working days only; a declaration agreed in advance is issued the day a capital or partner
attributes; all listings are reviewed together each May, with the framework."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.delegation import WORDED
from actors.severity import rung_of
from scenarios.measures import MEASURE
from scenarios.vocabulary import ASSISTANCE

from ..world import Status
from . import ProcessGenerator, awareness, psc, reaction

if TYPE_CHECKING:
    from ..engine import Engine
    from ..world import Proposal


def adopt(ex: Engine, proposal: Proposal) -> ProcessGenerator[bool]:
    """Process step: carry an agreed proposal through to adoption; returns True if adopted."""
    proposal.status = Status.ADOPTING
    measure = proposal.measure
    declared = MEASURE[measure]
    if declared.adoption == "silence_procedure":
        ex.emit("silence_procedure", proposal=proposal.id, phase="started")
        yield ex.until(ex.calendar.deadline(ex.env.now, ex.timing.silence_procedure))
        ex.emit("silence_procedure", proposal=proposal.id, phase="ended")
        yield from held_for_attribution(ex, proposal)
        yield ex.until(ex.calendar.working_time(ex.env.now))
        return adopted(ex, proposal, body=declared.adopting_body, how="silence procedure")
    if declared.adoption in ("statement", "agreed"):
        yield ex.until(ex.calendar.working_time(ex.env.now))  # adopted on a working day
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
    written = ex.calendar.deadline(ex.env.now, ex.timing.written_procedure)
    if fac <= written:
        how = "Foreign Affairs Council"
        yield ex.until(fac)
        ex.emit(
            "meeting", body="council", extraordinary=False, agenda=[f"{proposal.id}: {measure}"]
        )
    else:
        how = "written procedure"
        ex.emit("written_procedure", proposal=proposal.id, phase="started")
        yield ex.until(written)
        ex.emit("written_procedure", proposal=proposal.id, phase="ended")
    outcome = yield from psc.decide(ex, proposal, body="council", wait=False)
    if not outcome.adopted:
        proposal.status = Status.BLOCKED
        return False
    return adopted(ex, proposal, body="council", how=how)


def adopted(ex: Engine, proposal: Proposal, body: str, how: str) -> bool:
    proposal.status = Status.ADOPTED
    extra: dict[str, str] = {}
    if proposal.measure in WORDED or proposal.measure == "hr_statement":
        extra["naming"] = coordinate(ex, proposal)
    ex.emit("adopted", proposal=proposal.id, measure=proposal.measure, rung=rung_of(proposal.measure),
            body=body, how=how, **extra)  # fmt: skip
    ex.world_changed()
    if proposal.measure not in ASSISTANCE:
        # The adversary reads costs imposed, not the help member states give each other.
        reaction.react(ex, proposal.measure)
    if proposal.measure == "listing":
        reaction.start_retaliation(ex, proposal)
        if not any(p.measure == "listing" and p is not proposal and p.status in REVIEWED
                   for p in ex.world.proposals):  # fmt: skip
            ex.env.process(review(ex))  # the first listing: the yearly renewals begin
    return True


def held_for_attribution(ex: Engine, proposal: Proposal) -> ProcessGenerator[None]:
    """Process step: a declaration agreed in advance that names the actor is issued the day a
    capital or partner attributes it publicly, not before (SolarWinds, 15 April 2021; APT28,
    3 May 2024: the declaration came out with the capitals' announcements). It waits at most
    ``attribution_wait``; capitals ready to join a coordinated attribution need no wait (they
    attribute with the text, :func:`coordinate`)."""
    actor = ex.world.subject_actor()
    if proposal.naming == "none" or actor is None:
        return
    limit = ex.env.now + ex.timing.attribution_wait

    def named() -> bool:
        return ex.world.any_attribution(actor) or bool(awareness.ready_to_attribute(ex, actor))

    if named():
        return
    ex.emit("declaration_held", proposal=proposal.id, measure=proposal.measure, actor=actor,
            until=round(limit, 4))  # fmt: skip
    while not named() and ex.env.now < limit:
        # Waking on a world change it did not need costs nothing: adopted() announces the
        # change of the world once the declaration is out, for the stages that wait on it.
        yield ex.signal("world") | ex.until(limit)


#: A listing in force or lapsed: the yearly renewals have begun.
REVIEWED = (Status.ADOPTED, Status.LAPSED)


def coordinate(ex: Engine, proposal: Proposal) -> str:
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


def review(ex: Engine) -> ProcessGenerator[None]:
    """Process: the yearly renewal of the framework and of every listing under it, together, in
    May (Decision (CFSP) 2019/797; renewals of 14 May 2020, 17 May 2021, 16 May 2022, 12 May
    2025), a unanimity point each time. A listing not renewed lapses."""
    number = 0
    while True:
        yield ex.until(ex.calendar.next_renewal(ex.env.now))
        listed = [p for p in ex.world.proposals
                  if p.measure == "listing" and p.status == Status.ADOPTED]  # fmt: skip
        if not listed:
            continue
        number += 1
        # One Council decision renews the regime and its annex: the table votes once.
        outcome = yield from psc.decide(ex, listed[0], body="council", wait=False)
        for proposal in listed:
            ex.emit("listing_review", proposal=proposal.id, review=number, renewed=outcome.adopted)
            proposal.status = Status.ADOPTED if outcome.adopted else Status.LAPSED
