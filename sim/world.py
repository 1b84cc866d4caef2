"""The mutable state of a running exercise that the stages share.

Only the stages in sim/stages/ change it, and every change they make is also emitted as an
event; the situation picture shown to people is rebuilt from events, never read from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import simpy

from actors.delegation import Instructions
from actors.severity import overtness, recommended_rung, severity_score
from scenarios.model import ThreatActor


@dataclass
class IncidentState:
    id: str
    actor: ThreatActor
    targets: list[tuple[str, str]]  # (state code, sector)
    severity: dict[str, int]
    started: float
    description: str = ""
    wave: int = 1
    # third parties hit: (code, sector)
    outsiders: list[tuple[str, str]] = field(default_factory=list)

    # The score, kept: the table reads it for every decision (change the criteria only
    # through adjust_severity, which forgets it).
    _score: float | None = field(default=None, repr=False, compare=False)

    @property
    def score(self) -> float:
        if self._score is None:
            self._score = severity_score(self.severity)
        return self._score

    def adjust_severity(self, criterion: str, delta: int) -> None:
        """Move one criterion by ``delta``, within 0..4 (an escalation)."""
        self.severity[criterion] = max(0, min(4, self.severity[criterion] + delta))
        self._score = None

    @property
    def rung(self) -> int:
        return recommended_rung(self.score)

    @property
    def victims(self) -> list[str]:
        return list(dict.fromkeys(code for code, _ in self.targets))  # in order, once each


class Status(StrEnum):
    """Where a proposal stands; str-valued, so it reads and compares as the plain word."""

    TABLED = "tabled"
    PREPARING = "preparing"
    DELIBERATING = "deliberating"
    ADOPTING = "adopting"
    ADOPTED = "adopted"
    BLOCKED = "blocked"
    DROPPED = "dropped"
    LAPSED = "lapsed"  # a listing not renewed at its yearly review


#: The statuses a proposal ends in.
FINAL = (Status.ADOPTED, Status.BLOCKED, Status.DROPPED, Status.LAPSED)


@dataclass
class Proposal:
    id: str
    measure: str
    by: str
    tabled: float
    done: simpy.Event  # succeeded with the final status (see finish)
    parent: str | None = None
    naming: str = "state"  # the strongest wording the text may use (lowered by redrafts)
    forced: bool = False  # the wording was set by people (a propose inject), not drafted
    status: Status = Status.TABLED
    deferrals: int = 0
    #: Share of the ties term the listing package still touches: 1 as first tabled, less once
    #: re-tabled with a narrower package (actors/negotiation.py).
    package: float = 1.0
    retabled: int = 0  # times a vetoed listing was brought back
    #: Capitals whose veto of this text was traded away (linkage): they abstain on it from now.
    linked: list[str] = field(default_factory=list)
    #: (capital, wording) of each red line held on this text at a vote (memory across votes).
    red_lines: list[tuple[str, str]] = field(default_factory=list)

    def finish(self) -> None:
        """Tell whoever waits on the proposal that it has ended, with its final status."""
        assert self.status in FINAL, (self.id, self.status)
        self.done.succeed(self.status)


@dataclass(frozen=True)
class Assessment:
    """INTCEN/SIAC's current assessment: the suspected actor and the confidence in it."""

    actor: str
    sponsor: str | None
    confidence: float


@dataclass
class World:
    incidents: dict[str, IncidentState] = field(default_factory=dict)
    detected: dict[str, float] = field(default_factory=dict)  # state -> first detection time
    first_share: float | None = None  # first share over the CSIRTs Network: all states know
    reported: dict[str, float] = field(default_factory=dict)  # state -> first INTCEN report
    confidence: dict[str, dict[str, float]] = field(default_factory=dict)  # state -> actor -> c
    gathering: set[tuple[str, str]] = field(default_factory=set)  # (state, actor) at work
    attributed: dict[str, dict[str, float]] = field(default_factory=dict)  # state -> actor -> t
    pressure: dict[str, float] = field(default_factory=dict)
    assessment: Assessment | None = None
    awareness: float | None = None  # when the assessment became shared awareness
    proposals: list[Proposal] = field(default_factory=list)
    fixed_positions: dict[tuple[str, str], str] = field(default_factory=dict)
    ceased: list[str] = field(default_factory=list)  # actors that have stopped
    instructions: dict[str, Instructions] = field(default_factory=dict)  # this run's, per state
    # partner -> actor -> when it attributed
    partners_attributed: dict[str, dict[str, float]] = field(default_factory=dict)
    informed: dict[str, float] = field(default_factory=dict)  # state -> when the share reached it
    # actor -> from when capitals and partners may attribute it publicly (its attribution clock)
    public_from: dict[str, float] = field(default_factory=dict)
    # (state, actor) a played delegation was told its services could attribute (once each)
    ready_told: set[tuple[str, str]] = field(default_factory=set)

    def any_attribution(self, actor_id: str | None = None) -> bool:
        """Whether some member state or partner has publicly attributed (``actor_id``, or any)."""
        for table in (self.attributed, self.partners_attributed):
            for actors in table.values():
                if actors and (actor_id is None or actor_id in actors):
                    return True
        return False

    def named_actor(self) -> str | None:
        """The actor the table talks about: INTCEN's suspect, or before INTCEN has assessed,
        the first actor a capital or partner has publicly attributed."""
        if self.assessment is not None:
            return self.assessment.actor
        first: tuple[float, str] | None = None
        for table in (self.attributed, self.partners_attributed):
            for actors in table.values():
                for actor_id, t in actors.items():
                    if first is None or (t, actor_id) < first:
                        first = (t, actor_id)
        return first[1] if first is not None else None

    def subject_actor(self) -> str | None:
        """The actor a measure of the Union is about: :meth:`named_actor`, or before anyone
        has named one, the actor of the first incident (the one the table suspects)."""
        named = self.named_actor()
        if named is not None:
            return named
        suspected = self.suspected_actor()
        return suspected.id if suspected is not None else None

    def victims(self) -> list[str]:
        """Every state hit by some incident, in the order they were hit, once each."""
        return list(dict.fromkeys(c for i in self.incidents.values() for c, _ in i.targets))

    def severity(self) -> float:
        """The gravest incident's severity score (what the Union responds to)."""
        return max((i.score for i in self.incidents.values()), default=0.0)

    def visibility(self) -> float:
        """How visible the most visible incident is to the public (actors.severity.overtness):
        the pressure on the Union to speak or punish without waiting for the capitals."""
        return max((overtness(i.severity) for i in self.incidents.values()), default=0.0)

    def recommended_rung(self) -> int:
        return max((i.rung for i in self.incidents.values()), default=0)

    def suspected_actor(self) -> ThreatActor | None:
        for incident in self.incidents.values():
            return incident.actor
        return None

    def pending(self) -> list[Proposal]:
        return [p for p in self.proposals if p.status not in FINAL]

    def adopted(self) -> list[str]:
        """The measures adopted so far, in order."""
        return [p.measure for p in self.proposals if p.status == Status.ADOPTED]

    def assessed_confidence(self) -> float:
        """The assessment's confidence in attribution, 0 before there is one."""
        return self.assessment.confidence if self.assessment is not None else 0.0
