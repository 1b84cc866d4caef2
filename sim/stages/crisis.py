"""The crisis track of a large-scale incident: the 2025 Cyber Blueprint (Council Recommendation
C/2025/3445) runs three levels beside the Toolbox (docs/model.md, *The crisis track*):

technical (sim/stages/technical.py) -> operational (operational.py) -> political (political.py)
-> the PSC's shared situational awareness; the Cybersecurity Reserve (reserve.py) beside them.

A scenario opens the track with ``large_scale_incident``; an inject at one of its levels opens it
too (with the defaults). The track listens to the procedure's events (:func:`heard`): the first
detection starts the technical level, an escalation or an invocation of Art. 222 raises IPCR.
Scenarios without it run exactly as before: nothing here is started, nothing is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scenarios.model import LargeScaleIncident

from .. import event_kinds as K
from . import ProcessGenerator, operational, political, reserve, technical
from .blueprint import AUTO_FULL, Track, fire, severity, victims

if TYPE_CHECKING:
    from ..engine import Engine


def open_track(ex: Engine, settings: LargeScaleIncident, by: str) -> Track:
    """Start the three levels and the Reserve; returns the track the exercise keeps."""
    env = ex.env
    track = Track(settings, tuple(settings.incidents), env.event(), env.event(), env.event(),
                  env.event())  # fmt: skip
    ex.emit(K.LARGE_SCALE, incidents=list(track.incidents), ipcr=settings.ipcr, by=by)
    env.process(technical.csirts_network(ex, track))
    env.process(operational.cyclone(ex, track))
    env.process(political.presidency(ex, track))
    if settings.reserve:
        env.process(reserve.requests(ex, track))
    # Detections made before the track opened (an inject opened it) start the technical level.
    if any(c in ex.world.detected for c in victims(ex, track)):
        fire(track.first_detection)
    return track


def ensure(ex: Engine) -> Track:
    """The exercise's track, opened by an inject with the defaults if the scenario has none."""
    if ex.crisis is None:
        ex.crisis = open_track(ex, LargeScaleIncident(), by="inject")
    return ex.crisis


def heard(ex: Engine, track: Track, kind: str, data: Mapping[str, Any]) -> None:
    """The procedure emitted ``kind``: what the crisis track makes of it. Only starts
    processes and fires events (never emits here, inside another event's emission)."""
    if kind == K.DETECTED:
        if track.covers(data["incident"]):
            fire(track.first_detection)
    elif kind == K.ESCALATION and track.covers(data["incident"]):
        if track.settings.ipcr == "auto" and severity(ex, track) >= AUTO_FULL:
            ex.env.process(_raise(ex, track, "full", f"{data['incident']} escalates"))
        if track.meetings:  # CyCLONe's Executives meet on an escalation once it is convened
            ex.env.process(operational.meet(ex, track, level="executives", by="escalation"))
    elif kind == K.INVOKED and data["article"] == "222":
        # Decision 2014/415/EU, Art. 5(2): the Presidency activates IPCR at once "if not already
        # activated"; Implementing Decision (EU) 2018/1993: in full mode. So an invocation
        # activates it even where the Presidency had not (ipcr: none, not yet, or deactivated).
        # Art. 42(7) TEU is intergovernmental (aid by the other states): no IPCR of its own.
        reason = f"{data['by']} invokes Art. 222 TFEU"
        ex.env.process(_raise(ex, track, "full", reason, activate=True))


def _raise(ex: Engine, track: Track, mode: str, reason: str,
           activate: bool = False) -> ProcessGenerator[None]:  # fmt: skip
    yield ex.env.timeout(0)  # after the event that caused it
    if activate and track.mode != mode:
        political.set_mode(ex, track, mode, by="presidency", reason=reason)
    else:
        political.raise_to(ex, track, mode, reason)


# -- the injects at each level (their declarations: scenarios/model.py; registered in
# sim/stages/injects.py) ---------------------------------------------------------------------


def technical_report(ex: Engine, confidence: float) -> None:
    """A ``csirts_report`` inject: the CSIRTs Network reports now, with this confidence."""
    technical.issue(ex, ensure(ex), by="inject", confidence=confidence)


def call_cyclone(ex: Engine, level: str) -> None:
    """A ``cyclone`` inject: a CyCLONe meeting now."""
    track = ensure(ex)
    number = operational.convene(ex, track, level, by="inject")
    ex.env.process(operational.deliberate(ex, track, number))


def ipcr(ex: Engine, mode: str) -> None:
    """An ``ipcr`` inject: the Presidency sets the mode now. Deactivating an IPCR that is not
    active ends nothing (Implementing Decision (EU) 2018/1993: the Presidency deactivates an
    activation): a scripted one is a no-op, a live one is refused (:meth:`Engine.submit`)."""
    if mode == "deactivated" and not ipcr_active(ex):
        return
    political.set_mode(ex, ensure(ex), mode, by="inject", reason="inject")


def ipcr_active(ex: Engine) -> bool:
    """Whether IPCR is activated (monitoring, information sharing or full) now."""
    return ex.crisis is not None and ex.crisis.mode not in ("none", "deactivated")


def reserve_inject(ex: Engine, state: str, action: str) -> None:
    """A ``reserve`` inject: ``state`` asks for the Reserve, or it deploys to ``state`` now."""
    track = ensure(ex)
    if action == "deploy":
        reserve.deploy(ex, track, state, by="inject")
    elif state not in track.requests:
        reserve.request(ex, track, state, by="inject")


def agency(ex: Engine, state: str, contribution: str, answering: bool) -> None:
    """An ``agency`` inject: ``state``'s agency brings ``contribution`` to CyCLONe: the answer
    awaited from a played agency (``answering``), or else from now on at every meeting."""
    track = ensure(ex)
    if answering:
        ex.emit(K.AGENCY_CONTRIBUTION, state=state, meeting=track.meetings,
                contribution=contribution, by="people")  # fmt: skip
    else:
        track.fixed[state] = contribution
