"""The crisis track's shared state and assumptions: what the Cyber Blueprint's three levels
(sim/stages/technical.py, operational.py, political.py) and the Cybersecurity Reserve
(reserve.py) know of each other, and the timings they run on (docs/model.md, *The crisis track*).

Every delay is drawn from its own named random stream as ``median * exp(N(0, DELAY_SIGMA))``, so
a scenario (``large_scale_incident``) or a sweep can move any median without shifting another's
draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import simpy

from actors import national

if TYPE_CHECKING:
    from scenarios.model import LargeScaleIncident

    from ..engine import Engine

DAY = 24.0

# == ASSUMPTIONS OF THE CRISIS TRACK =============================================================
# One block, for the constants registry: NAME = default  # range · source or why. Hours unless
# said otherwise. The documented ones cite their text; the others are named assumptions (the
# Blueprint, NIS2 and the IPCR arrangements set no deadline for them), to be swept.

#: Median, first detection -> the CSIRTs Network's first technical report. 6-72 h. NIS2
#: Art. 23(4)(a): an early warning within 24 h of becoming aware; the Network reports at that pace.
TECHNICAL_REPORT = 24.0
#: Median between technical reports. 24-168 h. NIS2 Art. 23(4)(b): the incident notification
#: within 72 h updates the early warning; the Network's updates follow it (assumption).
TECHNICAL_INTERVAL = 72.0
#: The most technical reports the model issues on its own (injects may add more). 1-10.
TECHNICAL_REPORTS = 4
#: Median notice, first technical report -> an EU-CyCLONe Officers' meeting. 2-48 h. Assumption:
#: CyCLONe's procedures are not public; Cyber Europe and CyCLES exercises convene it within the day.
CYCLONE_NOTICE = 12.0
#: Median, a CyCLONe meeting -> its operational assessment. 6-72 h. Assumption (NIS2
#: Art. 16(3)(c) asks CyCLONe to assess consequences and impact, with no deadline).
OPERATIONAL_ASSESSMENT = 24.0
#: Median, a level's product -> the next level has it (technical -> operational, operational
#: -> political). 1-24 h. Assumption: the Blueprint links the levels, without a deadline.
HANDOFF = 4.0
#: Median, the political level has the operational assessment -> the Presidency activates IPCR.
#: 2-72 h. Implementing Decision (EU) 2018/1993, Art. 3: the Presidency decides; no deadline.
IPCR_DECISION = 12.0
#: Median, activation (or a mode change) -> the first ISAA report, in full mode. 12-96 h. Assumption;
#: no ISAA report in monitoring mode (2018/1993: ISAA reports come with information sharing).
ISAA_FIRST_FULL = DAY
#: The same in information-sharing mode. 12-96 h. Assumption (half the pace of full activation).
ISAA_FIRST_INFORMATION = 2 * DAY
#: Median between ISAA reports, in full mode. 1-14 d. Assumption after IPCR practice (weekly reports,
#: more often in full activation).
ISAA_INTERVAL_FULL = 2 * DAY
#: The same in information-sharing mode. 1-14 d. Assumption (weekly reports).
ISAA_INTERVAL_INFORMATION = 7 * DAY
#: ``ipcr: auto``: full activation at this severity score or above. 0-1. Assumption.
AUTO_FULL = 0.7
#: ``ipcr: auto``: information-sharing mode at this score or above, else monitoring. 0-1.
AUTO_INFORMATION = 0.45
#: A victim asks for the Cybersecurity Reserve when the incident's severity score exceeds its
#: CSIRT's capability by more than this (both 0-1). -0.2-0.2. Assumption: the Reserve supplements
#: national capacity that an incident overwhelms (Regulation (EU) 2025/38, Art. 14).
RESERVE_MARGIN = 0.0
#: Median, the first operational assessment -> a victim's request to the Reserve. 2-72 h.
RESERVE_REQUEST = 12.0
#: Median, a request -> the Reserve deployed (the Commission's assessment with ENISA and the
#: providers' mobilisation). 12 h-7 d. Assumption: Regulation (EU) 2025/38 asks for no undue delay.
RESERVE_DEPLOY = 3 * DAY
#: Spread (sigma of the log) of every delay above. 0-1. Assumption.
DELAY_SIGMA = 0.5
#: Weight of an agency's contribution in the operational assessment's confidence.
CONTRIBUTION_WEIGHT = {"full": 1.0, "partial": 0.5, "withheld": 0.0}
# == end of the assumptions ======================================================================

#: The modes in which the Commission and the EEAS write ISAA reports.
ISAA_MODES = ("information_sharing", "full")
#: A played agency's answer from the stances of the decision dialog (support: share in full).
CONTRIBUTION_OF_STANCE = {"support": "full", "abstain": "partial",
                          "constructive_abstention": "partial", "oppose": "withheld"}  # fmt: skip
STANCE_OF_CONTRIBUTION = {"full": "support", "partial": "abstain", "withheld": "oppose"}
#: What a played agency is asked about (a DecisionRequest's ``measure``; body ``cyclone``).
QUESTION = "operational_assessment"


@dataclass
class Track:
    """What the crisis track knows and is waiting on (only sim/stages changes it)."""

    settings: LargeScaleIncident
    incidents: tuple[str, ...]  # the incidents of the large-scale incident; () = every incident
    first_detection: simpy.Event
    technical_at_operational: simpy.Event
    assessment_at_political: simpy.Event
    changed: simpy.Event  # fires when the IPCR mode changes (then replaced)
    technical_reports: int = 0
    technical_confidence: float = 0.0
    meetings: int = 0
    assessments: int = 0
    operational_confidence: float = 0.0
    mode: str = "none"
    isaa: int = 0
    isaa_running: bool = False
    requests: dict[str, float] = field(default_factory=dict)  # state -> when it asked
    deployed: list[str] = field(default_factory=list)
    fixed: dict[str, str] = field(default_factory=dict)  # agency contributions set by people

    def covers(self, incident: str) -> bool:
        """Whether ``incident`` is part of the large-scale incident (waves of it too)."""
        if not self.incidents:
            return True
        return any(incident == i or incident.startswith(f"{i}-W") for i in self.incidents)


def median(track: Track, name: str, default: float) -> float:
    """A timing's median: the scenario's ``large_scale_incident`` override, else ``default``."""
    value = getattr(track.settings, name, None)
    return default if value is None else value


def delay(ex: Engine, stream: str, median_hours: float, *names: object) -> float:
    """A delay around ``median_hours`` from the named stream, to the minute."""
    rng = ex.rng("crisis", stream, *names)
    return national.minutes(median_hours * math.exp(rng.gauss(0.0, DELAY_SIGMA)))


def victims(ex: Engine, track: Track) -> list[str]:
    """The member states the large-scale incident hits, in the order they were hit."""
    codes = (c for i in ex.world.incidents.values() if track.covers(i.id) for c, _ in i.targets)
    return list(dict.fromkeys(codes))


def severity(ex: Engine, track: Track) -> float:
    """The gravest covered incident's severity score."""
    scores = [i.score for i in ex.world.incidents.values() if track.covers(i.id)]
    return max(scores, default=0.0)


def fire(event: simpy.Event) -> None:
    """Succeed ``event`` once (a milestone other levels wait on)."""
    if not event.triggered:
        event.succeed()
