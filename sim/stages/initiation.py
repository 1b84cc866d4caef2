"""Initiation: once there is shared awareness, a capital (victim or not, with co-sponsors) or the
High Representative weighs the options of the Toolbox and may propose one. The Toolbox's measures
are options, not a ladder: what is proposed depends on the proposer's will and the case
(severity, evidence, attributions by capitals and partners), not on reaching the proportionate
rung, and nothing is proposed again unless the case changes (actors.negotiation).

The Union speaks with or after capitals: the initiative gives them ``attribution_wait`` to name
the actor (or to be ready to, the same day); what it may do without attribution (a text that
names no one, cooperative measures) it then does only under the public pressure of the case (its
visibility: a disruptive attack on many, not quiet espionage, on which the Union waits for the
capitals however long they take). A listing needs a national attribution, a file prepared for
``listing_preparation`` since the campaign began and, at HWPCI, an evidence package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.institutions import INITIATIVE_AT, drive, initiator
from actors.negotiation import OPTIONS, RENEWED_SEVERITY, choose_option
from actors.severity import rung_of

from ..world import Status
from . import ProcessGenerator, awareness
from .instructions import instructions

if TYPE_CHECKING:
    from ..engine import Engine

#: The High Representative's drive when she proposes (no capital has :data:`INITIATIVE_AT`):
#: she speaks for the Union on a grave case, rarely further (REG2019 lets her propose listings;
#: the record has capitals asking for them).
HR_DRIVE = 0.6


def initiative(ex: Engine) -> ProcessGenerator[None]:
    """Process: weigh the options once the Union is aware, and again only when the case changes
    (a graver incident or a new national attribution)."""
    yield ex.signal("awareness")
    aware = ex.env.now
    yield ex.env.timeout(ex.timing.initiation)
    weighed = 0
    while True:
        if not _may_speak(ex, aware):
            yield ex.signal("world") | ex.env.timeout(ex.timing.attribution_wait)
            continue
        case = _case(ex)
        weighed += 1
        # At a live table, whether a played state asks for measures is its people's call (they
        # use a propose inject); headless, the model's policy plays them like the others.
        by, cosponsors = initiator(_drives(ex))
        measure = _option(ex, by, weighed)
        if measure is not None and not _taken(ex, measure):
            proposal = ex.propose(measure, by, source="initiative", cosponsors=cosponsors)
            yield proposal.done
        # No ratchet: wait until the case has changed before weighing the options again.
        ready = listing_ready(ex)
        while not _changed(ex, case):
            if case[2] or ready > ex.horizon:
                yield ex.signal("world")
            else:  # the listing file becomes ready: a change of the case too
                yield ex.signal("world") | ex.until(ready)


def listing_ready(ex: Engine) -> float:
    """When a capital has a listing file to bring: ``listing_preparation`` after the campaign
    began (every cyber listing of the record came years after its campaign: docs/model.md)."""
    began = min((i.started for i in ex.world.incidents.values()), default=ex.env.now)
    return began + ex.timing.listing_preparation


def _may_speak(ex: Engine, aware: float) -> bool:
    """The Union speaks with or after capitals: wait (at most ``attribution_wait``) for a
    capital or partner to name the actor, or to be ready to the same day; after that the
    options are weighed on the case, those taken without attribution on its visibility."""
    return awareness.named_or_ready(ex) or ex.env.now >= aware + ex.timing.attribution_wait


def _case(ex: Engine) -> tuple[float, bool, bool]:
    """What a new initiative would answer: the severity, whether a capital has named, and
    whether a listing file could be ready (:func:`listing_ready`)."""
    return (
        ex.world.severity(),
        any(ex.world.attributed.values()),
        ex.env.now >= listing_ready(ex),
    )


def _changed(ex: Engine, case: tuple[float, bool, bool]) -> bool:
    """A graver case (by :data:`RENEWED_SEVERITY`), the first national attribution, or a
    listing file now ready."""
    severity, named, prepared = _case(ex)
    return (
        severity >= case[0] + RENEWED_SEVERITY
        or (named and not case[1])
        or (prepared and not case[2])
    )


def _option(ex: Engine, by: str, weighed: int) -> str | None:
    """The option ``by`` tables on the case as it stands (actors.negotiation.choose_option)."""
    rng = ex.rng("initiative", str(weighed))
    draws = tuple(rng.random() for _ in OPTIONS)
    assessment = ex.world.assessment
    evidence = assessment.confidence if assessment is not None else 0.0
    if by in ex.roster.codes and assessment is not None:
        evidence = max(evidence, ex.world.confidence.get(by, {}).get(assessment.actor, 0.0))
    measure = choose_option(
        draws,
        proposer_drive(ex, by),
        ex.world.severity(),
        evidence,
        any(ex.world.partners_attributed.values()),
        any(ex.world.attributed.values()),
        ex.world.visibility(),
        awareness.named_or_ready(ex),
        ex.env.now >= listing_ready(ex),
    )
    if measure == "listing" and by == "hr":
        return "hr_declaration"  # the HR speaks for the Union; capitals ask for listings
    return measure


def proposer_drive(ex: Engine, by: str) -> float:
    """The drive of ``by`` (a capital, or :data:`HR_DRIVE` for the High Representative and the
    chair) on the case as it stands (actors.institutions.drive)."""
    if by not in ex.roster.codes:
        return HR_DRIVE
    mine = instructions(ex, ex.roster[by])
    named = bool(ex.world.attributed.get(by))
    return drive(mine.stance, ex.world.severity(), by in ex.world.victims(), named)


def _drives(ex: Engine) -> list[tuple[str, float]]:
    victims = ex.world.victims()
    severity = ex.world.severity()
    drives = []
    for state in ex.roster:
        if ex.interactive and state.code in ex.players:
            continue
        mine = instructions(ex, state)
        named = bool(ex.world.attributed.get(state.code))
        drives.append((state.code, drive(mine.stance, severity, state.code in victims, named)))
    return drives


def _taken(ex: Engine, measure: str) -> bool:
    """Whether ``measure`` (or a stronger one) is already adopted or pending, or was blocked or
    dropped once: the model does not propose it again (people may, with a propose inject)."""
    for p in ex.world.proposals:
        if p.measure == measure and p.status in (Status.BLOCKED, Status.DROPPED):
            return True
        if (
            p.status not in (Status.BLOCKED, Status.DROPPED, Status.LAPSED)
            and rung_of(p.measure) >= rung_of(measure)
            and rung_of(p.measure) < 5
        ):
            return True
    return False


__all__ = ["HR_DRIVE", "INITIATIVE_AT", "initiative", "proposer_drive"]
