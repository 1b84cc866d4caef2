"""Metrics of a run (docs/model.md, *Metrics and objective ratings*) and objective ratings, as a fold over events.

Objective ratings follow HSEEP's P/S/M/U. The rule, documented in docs/model.md:
- time metrics: P when reached by the target, S by 1.5 x the target, M later, U never;
- rungs and measures: P at or above the target rung, S one rung short, M two short, U otherwise;
- proportionality gap: P at or below the target, S one above, M two above, U otherwise;
- cohesion: rated on the LOWEST cohesion of any decision of the run, the vetoed ones included
  (``cohesion_min``), so a veto followed by an easy lesser decision does not rate P: P at or
  above the target and no decision vetoed, S within 0.1 (or at the target with a veto), M
  within 0.25, U otherwise or no decision;
- meeting counts: P at or above the target, S at half of it, M above zero, U at zero.
"""

from __future__ import annotations

from typing import Any

from scenarios.measures import MEASURE, MEASURES_DECLARED
from scenarios.model import Scenario
from scenarios.vocabulary import ASSISTANCE, NAMING_LEVELS, TIME_METRICS, parse_duration

from .event_kinds import (
    ADOPTED,
    ATTRIBUTED,
    COMPROMISE,
    DECISION,
    DETECTED,
    DROPPED,
    ESCALATION,
    EVIDENCE_PACKAGE,
    HANDOFF,
    INCIDENT,
    IPCR,
    ISAA,
    MEETING,
    OPERATIONAL_ASSESSMENT,
    PARTNER_ATTRIBUTED,
    PROPOSAL,
    RESERVE_DEPLOYED,
    RETALIATION,
    SHARED_AWARENESS,
    TECHNICAL_REPORT,
    WITHDRAWN,
)  # fmt: skip
from .event_kinds import ASSISTANCE as ASSISTANCE_EVENT
from .events import Event

_TIME_OF: dict[str, str] = {
    DETECTED: "t_first_detection",
    SHARED_AWARENESS: "t_shared_awareness",
    ATTRIBUTED: "t_first_attribution",
    # the crisis track of a large-scale incident (sim/stages/crisis.py)
    TECHNICAL_REPORT: "t_first_technical_report",
    OPERATIONAL_ASSESSMENT: "t_cyclone_assessment",
    ISAA: "t_first_isaa",
    RESERVE_DEPLOYED: "t_reserve_deployed",
}
_ADOPTED_TIME = {m.id: m.time_metric for m in MEASURES_DECLARED if m.time_metric}


class Metrics:
    """Folds events into the metrics; ``catch_up`` may be called as often as wanted."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.seen = 0
        self.times: dict[str, float | None] = dict.fromkeys(TIME_METRICS)
        self.highest: str | None = None
        self.recommended = 0
        self.blocked: list[dict[str, Any]] = []
        self.psc_meetings = 0
        self.extraordinary = 0
        self.cohesion: float | None = None
        self.decisions: list[dict[str, Any]] = []
        self.assistance: list[dict[str, Any]] = []
        self.withdrawn: list[dict[str, Any]] = []
        self.naming: str | None = None
        self.t_partner: float | None = None
        self.retaliations = 0
        self.t_retaliation: float | None = None
        self.open: dict[str, dict[str, Any]] = {}  # proposal -> what is still under way
        # result() as of the last event folded: a sweep's row and each outcome of one's own
        # read ex.metrics in turn, and a finished run's metrics do not change
        self._result: dict[str, Any] | None = None

    def catch_up(self, events: list[Event]) -> None:
        for event in events[self.seen :]:
            self.apply(event)
        self.seen = len(events)

    def apply(self, e: Event) -> None:
        self._result = None
        kind = e.kind
        key = _TIME_OF.get(kind)
        if key and self.times[key] is None:
            self.times[key] = e.t
        elif kind == MEETING:
            if e.data["body"] == "psc":
                self.psc_meetings += 1
                if self.times["t_first_psc"] is None:
                    self.times["t_first_psc"] = e.t
            if e.data["extraordinary"]:
                self.extraordinary += 1
        elif kind in (INCIDENT, ESCALATION):
            self.recommended = max(self.recommended, e.data["recommended_rung"])
        elif kind == ADOPTED:
            measure = e.data["measure"]
            self.open.pop(e.data["proposal"], None)
            tkey = _ADOPTED_TIME.get(measure)
            if tkey and self.times[tkey] is None:
                self.times[tkey] = e.t
            if measure in ASSISTANCE:  # recordings made before the assistance track
                return
            if self.highest is None or MEASURE[measure].rung >= MEASURE[self.highest].rung:
                self.highest = measure
            level = e.data.get("naming")
            if level is not None and (
                self.naming is None or NAMING_LEVELS.index(level) > NAMING_LEVELS.index(self.naming)
            ):
                self.naming = level
        elif kind == DECISION:
            d = e.data
            self.cohesion = d["cohesion"]  # the decision's own, rounded as emitted
            self.decisions.append({"measure": d["measure"], "body": d["body"], "adopted": d["adopted"],
                                   "cohesion": d["cohesion"], "naming": d.get("naming")})  # fmt: skip
            if not d["adopted"]:
                self.blocked.append({"measure": d["measure"], "by": list(d["blockers"])})
            elif d["proposal"] in self.open:
                self.open[d["proposal"]]["stage"] = f"agreed at {d['body']}, in adoption"
        elif kind == ASSISTANCE_EVENT:
            self.assistance.append({"article": e.data["article"], "by": e.data["by"], "t": e.t})
        elif kind == WITHDRAWN:
            self.withdrawn.append({"measure": e.data["measure"], "reason": e.data["reason"]})
            self.open.pop(e.data["proposal"], None)
        elif kind == RETALIATION:
            self.retaliations += 1
            if self.t_retaliation is None:
                self.t_retaliation = e.t
        elif kind == PARTNER_ATTRIBUTED and self.t_partner is None:
            self.t_partner = e.t
        elif kind == PROPOSAL:
            self.open[e.data["proposal"]] = {"proposal": e.data["proposal"],
                                             "measure": e.data["measure"], "stage": "tabled",
                                             "since": e.t}  # fmt: skip
        elif kind == EVIDENCE_PACKAGE and e.data["proposal"] in self.open:
            stage = "evidence package" if e.data["phase"] == "started" else "prepared"
            self.open[e.data["proposal"]].update(stage=stage)
        elif kind in (DROPPED, COMPROMISE) and e.data.get("proposal") in self.open:
            self.open.pop(e.data["proposal"])
        elif kind == IPCR:
            if e.data["mode"] != "deactivated" and self.times["t_ipcr_activation"] is None:
                self.times["t_ipcr_activation"] = e.t
        elif kind == HANDOFF:
            self._handoff(e)

    def _handoff(self, e: Event) -> None:
        # The PSC first has an ISAA report: the political level's hand-off to the diplomats.
        if e.data["to"] == "psc" and self.times["t_psc_isaa"] is None:
            self.times["t_psc_isaa"] = e.t

    def result(self) -> dict[str, Any]:
        """The metrics as of the events folded so far (a new dict each call; computed once
        until another event is folded)."""
        if self._result is None:
            self._result = self._compute()
        # every container fresh, down to each entry: one caller's edit (an outcome function
        # sorting the decisions) must not reach the next caller, nor the fold
        out = dict(self._result)
        for key in ("decisions", "withdrawn", "assistance", "open_business"):
            out[key] = [dict(entry) for entry in out[key]]
        out["blocked"] = [dict(entry, by=list(entry["by"])) for entry in out["blocked"]]
        out["objectives"] = dict(out["objectives"])
        return out

    def _compute(self) -> dict[str, Any]:
        highest_rung = MEASURE[self.highest].rung if self.highest else 0
        values: dict[str, Any] = {
            k: (round(v, 4) if v is not None else None) for k, v in self.times.items()
        }
        values.update(
            highest_measure=self.highest or "none",
            highest_rung=highest_rung,
            recommended_rung=self.recommended,
            proportionality_gap=self.recommended - highest_rung,
            blocked=[dict(entry, by=list(entry["by"])) for entry in self.blocked],
            psc_meetings=self.psc_meetings,
            extraordinary_meetings=self.extraordinary,
            cohesion=self.cohesion,
            cohesion_min=min((d["cohesion"] for d in self.decisions), default=None),
            decisions=list(self.decisions),
            naming=self.naming or "none",
            withdrawn=list(self.withdrawn),
            assistance=list(self.assistance),
            t_first_partner_attribution=self.t_partner,
            open_business=[dict(v, since=round(v["since"], 4)) for v in self.open.values()],
            retaliations=self.retaliations,
            t_first_retaliation=(
                round(self.t_retaliation, 4) if self.t_retaliation is not None else None
            ),
        )
        values["objectives"] = {
            o.id: rate(o.metric, o.target, values) for o in self.scenario.objectives
        }
        return values


def rate(metric: str, target: Any, values: dict[str, Any]) -> str:
    """The P/S/M/U rating of one objective (rule in the module docstring)."""
    value: Any = values.get(metric)
    if metric in TIME_METRICS:
        limit = parse_duration(target)
        if value is None:
            return "U"
        return _grade(value <= limit, value <= 1.5 * limit, True)
    if metric in ("highest_rung", "recommended_rung", "highest_measure"):
        wanted = MEASURE[target].rung if metric == "highest_measure" else target
        got = values["highest_rung"] if metric == "highest_measure" else value
        short = wanted - got
        return _grade(short <= 0, short <= 1, short <= 2)
    if metric == "proportionality_gap":
        over = value - target
        return _grade(over <= 0, over <= 1, over <= 2)
    if metric == "cohesion":
        value = values.get("cohesion_min")
        if value is None:
            return "U"
        vetoed = any(not d["adopted"] for d in values.get("decisions", []))
        return _grade(value >= target and not vetoed, value >= target - 0.1, value >= target - 0.25)
    # meeting counts
    return _grade(value >= target, value >= target / 2, value > 0)


def _grade(passed: bool, satisfactory: bool, marginal: bool) -> str:
    """The first of P, S, M whose condition holds; U when none does."""
    return "P" if passed else "S" if satisfactory else "M" if marginal else "U"
