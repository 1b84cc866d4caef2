"""The political level: once it has EU-CyCLONe's operational assessment, the Presidency
activates the Integrated Political Crisis Response (Council Implementing Decision (EU) 2018/1993)
in monitoring, information-sharing or full mode; in the last two the Commission and the EEAS write
ISAA reports, each put before the PSC at its next sitting (in full mode the first at an
extraordinary one), where it feeds the shared situational awareness the PSC works from. The mode
rises to full when the incident escalates past :data:`AUTO_FULL` (``ipcr: auto``) or a victim
invokes Art. 222 TFEU (Council Decision 2014/415/EU, Art. 5(2)) (docs/model.md, *The crisis
track*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import event_kinds as K
from . import ProcessGenerator
from .blueprint import (
    AUTO_FULL,
    AUTO_INFORMATION,
    IPCR_DECISION,
    ISAA_FIRST_FULL,
    ISAA_FIRST_INFORMATION,
    ISAA_INTERVAL_FULL,
    ISAA_INTERVAL_INFORMATION,
    ISAA_MODES,
    Track,
    delay,
    median,
    severity,
)

if TYPE_CHECKING:
    from ..engine import Engine

#: Lightest first: a mode change the model makes only ever goes up this list.
ORDER = ("none", "deactivated", "monitoring", "information_sharing", "full")


def presidency(ex: Engine, track: Track) -> ProcessGenerator[None]:
    """Process: the Presidency decides on IPCR once the operational assessment reaches it."""
    yield track.assessment_at_political
    setting = track.settings.ipcr
    if setting == "none" or track.mode != "none":
        return  # no activation planned, or an inject activated it already
    yield ex.env.timeout(delay(ex, "ipcr", median(track, "ipcr_decision", IPCR_DECISION)))
    if track.mode != "none":
        return
    mode = auto_mode(ex, track) if setting == "auto" else setting
    set_mode(ex, track, mode, by="presidency", reason="on EU-CyCLONe's operational assessment")


def auto_mode(ex: Engine, track: Track) -> str:
    """The mode for the incident's severity (``ipcr: auto``)."""
    score = severity(ex, track)
    if score >= AUTO_FULL:
        return "full"
    return "information_sharing" if score >= AUTO_INFORMATION else "monitoring"


def raise_to(ex: Engine, track: Track, mode: str, reason: str) -> None:
    """Move an active IPCR up to ``mode`` (never down: only an inject lowers it)."""
    if track.mode in ("none", "deactivated") or ORDER.index(mode) <= ORDER.index(track.mode):
        return
    set_mode(ex, track, mode, by="presidency", reason=reason)


def set_mode(ex: Engine, track: Track, mode: str, by: str, reason: str) -> None:
    """IPCR in ``mode`` from now (``deactivated`` ends it); ISAA reports follow the mode."""
    if mode == track.mode:
        return
    previous, track.mode = track.mode, mode
    presidency = track.settings.presidency
    extra = {"presidency": presidency} if presidency else {}
    ex.emit(K.IPCR, mode=mode, previous=previous, by=by, reason=reason, **extra)
    changed, track.changed = track.changed, ex.env.event()
    changed.succeed()
    if mode in ISAA_MODES and not track.isaa_running:
        track.isaa_running = True
        ex.env.process(_isaa_reports(ex, track))


def _isaa_reports(ex: Engine, track: Track) -> ProcessGenerator[None]:
    """Process: ISAA reports at the pace of the mode; a mode change restarts the wait."""
    while True:
        mode = track.mode
        if mode not in ISAA_MODES:
            yield track.changed
            continue
        first = track.isaa == 0
        full = mode == "full"
        # Read at each report, not at import, so a run's model constants apply (sim/constants.py).
        if first:
            pace = 1.0 if full else ISAA_FIRST_INFORMATION / ISAA_FIRST_FULL
            median_hours = median(track, "isaa_first", ISAA_FIRST_FULL) * pace
        else:
            median_hours = ISAA_INTERVAL_FULL if full else ISAA_INTERVAL_INFORMATION
        # One stream per report, whatever the mode: the same run in another mode draws the
        # same factor, so the modes' paces compare one to one (docs/model.md).
        due = ex.env.timeout(delay(ex, "isaa", median_hours, track.isaa + 1))
        fired = yield due | track.changed
        if due not in fired:
            continue  # the mode changed: the next report comes at the new mode's pace
        issue(ex, track)


def issue(ex: Engine, track: Track) -> None:
    """An ISAA report now: CyCLONe's assessment integrated with INTCEN's (each known part adds)."""
    track.isaa += 1
    intcen = ex.world.assessed_confidence()
    confidence = round(1.0 - (1.0 - track.operational_confidence) * (1.0 - 0.5 * intcen), 4)
    ex.emit(K.ISAA, number=track.isaa, mode=track.mode, confidence=confidence)
    ex.env.process(_to_psc(ex, track, track.isaa, confidence, ex.env.now))


def _to_psc(ex: Engine, track: Track, number: int, confidence: float,
            issued: float) -> ProcessGenerator[None]:  # fmt: skip
    """The report goes on the PSC's agenda; in full mode the first is worth an extraordinary
    sitting."""
    psc = ex.bodies["psc"]
    sitting = psc.sitting(f"ISAA report #{number}")
    if number == 1 and track.mode == "full":
        psc.request(True, by="ipcr")
    yield sitting
    ex.emit(K.HANDOFF, product="isaa", number=number, origin="political", to="psc",
            confidence=confidence, delay=round(ex.env.now - issued, 4))  # fmt: skip
