"""The life of one proposal: tabled, prepared at HWPCI, decided at PSC, adopted.

When the PSC blocks it, the negotiation remembers who blocked and on which wording. The chair
concedes step by step (actors.institutions.after_veto): weaker wording first (a red line holds
at every redraft that leaves the text below it), a deferral for evidence; before the text is
given up, a capital vetoing a Council decision may trade its consent (linkage: its veto is
lifted after a delay, actors.negotiation) or a vetoed listing is brought back once with a
narrower package; then a lower measure, a statement of the High Representative in her own
name, or the text is withdrawn.
Every new attempt waits for the next sitting: a failed round costs a sitting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors import negotiation
from actors.institutions import after_veto
from scenarios.measures import MEASURES_DECLARED

from ..world import Status
from . import ProcessGenerator, council, hwpci, initiation, psc
from .instructions import instructions

if TYPE_CHECKING:
    from ..engine import Engine
    from ..world import Proposal

#: Measures member states do not vote on (scenarios/measures.py).
NO_VOTE = tuple(m.id for m in MEASURES_DECLARED if not m.vote)
_ADOPTED_BY = {m.id: m.adopting_body for m in MEASURES_DECLARED}


def straight_to_psc(measure: str, by: str) -> bool:
    """Whether a proposal goes to the PSC without HWPCI's preparation: an HR declaration tabled
    by the HR is an EEAS text (Viasat 2022: agreed the day of the coordinated attributions).
    docs/calibration.md"""
    return measure == "hr_declaration" and by == "hr"


def tabled_at(measure: str, by: str, parent: str | None = None) -> str:
    """The body a proposal just tabled is before (its ``proposal`` event's fields): HWPCI, which
    prepares it; the PSC for a text already prepared (a compromise or a statement put in a
    vetoed text's place, ``parent``) or :func:`straight_to_psc`; a measure nobody votes on,
    the body that adopts it."""
    if measure in NO_VOTE:
        return _ADOPTED_BY[measure]
    return "psc" if parent is not None or straight_to_psc(measure, by) else "hwpci"


def lifecycle(ex: Engine, proposal: Proposal, prepared: bool = False) -> ProcessGenerator[None]:
    """Process: carry ``proposal`` from tabling to adoption, blocking or withdrawal."""
    if proposal.measure not in NO_VOTE:
        direct = prepared or straight_to_psc(proposal.measure, proposal.by)
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
            # Before the text is given up: a blocker may trade its consent, or the proposer
            # bring a vetoed listing back with a narrower package.
            wait = linkage(ex, proposal, outcome.blockers) or retabling(ex, proposal, naming)
            if wait is not None:
                yield ex.env.timeout(wait)
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
    if proposal.status == Status.BLOCKED and proposal.measure == "listing":
        # Vetoed at the Council itself: a trade or a narrower package brings it back.
        wait = linkage(ex, proposal, _last_blockers(ex, proposal)) or retabling(
            ex, proposal, "none"
        )
        if wait is not None:
            yield ex.env.timeout(wait)
            yield from lifecycle(ex, proposal, prepared=True)
            return
    if proposal.status != Status.ADOPTED:
        ex.emit("dropped", proposal=proposal.id, measure=proposal.measure)
    proposal.finish()


def linkage(ex: Engine, proposal: Proposal, blockers: tuple[str, ...]) -> float | None:
    """Every model delegation that vetoed ``proposal`` trades its consent (each once, with
    :func:`actors.negotiation.linkage_chance`): returns the hours until the last veto is lifted,
    or None if one of them holds out (or people fixed its position)."""
    if not blockers:
        return None
    sponsor = ex.world.assessment.sponsor if ex.world.assessment is not None else None
    fixed = ex.world.fixed_positions
    trades = []
    for code in blockers:
        if (code, proposal.measure) in fixed or code in ex.players and ex.interactive:
            return None  # people hold this veto: the model trades nothing for them
        rng = ex.rng("linkage", proposal.id, code)
        tie = instructions(ex, ex.roster[code]).tie(sponsor)
        if rng.random() >= negotiation.linkage_chance(
            proposal.measure, tie, code in proposal.linked
        ):
            return None
        trades.append((code, negotiation.linkage_delay(rng.gauss(0.0, 1.0)) / _compression(ex)))
    for code, delay in trades:
        proposal.linked.append(code)
        ex.emit("linkage", proposal=proposal.id, measure=proposal.measure, state=code,
                days=round(delay / 24.0, 1))  # fmt: skip
    return max(delay for _, delay in trades)


def _last_blockers(ex: Engine, proposal: Proposal) -> tuple[str, ...]:
    """Who blocked ``proposal`` at its last decision (the Council's vote, read from the log)."""
    for event in reversed(ex.events):
        if event.kind == "decision" and event.data["proposal"] == proposal.id:
            return tuple(event.data["blockers"])
    return ()


def retabling(ex: Engine, proposal: Proposal, naming: str) -> float | None:
    """A vetoed listing brought back with a narrower package (:func:`actors.negotiation.retable`):
    returns the hours until it comes back, or None."""
    if naming != "none" and proposal.measure in psc.WORDED:
        return None  # weaker wording comes first
    package = negotiation.retable(
        proposal.measure, proposal.retabled, initiation.proposer_drive(ex, proposal.by)
    )
    if package is None:
        return None
    proposal.retabled += 1
    proposal.package *= package
    after = negotiation.RETABLE_AFTER / _compression(ex)
    ex.emit("retabled", proposal=proposal.id, measure=proposal.measure,
            package=round(proposal.package, 4), days=round(after / 24.0, 1))  # fmt: skip
    return after


def _compression(ex: Engine) -> float:
    """How much faster than the record an exercise in crisis mode runs the negotiation."""
    return negotiation.CRISIS_COMPRESSION if ex.timing.mode == "crisis" else 1.0
