"""The EU Cybersecurity Reserve under the Cyber Emergency Mechanism (Cyber Solidarity Act,
Regulation (EU) 2025/38): a victim whose CSIRT the incident overwhelms asks for it once
EU-CyCLONe's assessment of the impact reaches the political level, and the Commission's trusted providers deploy after its assessment of the
request. Art. 42(7) TEU and Art. 222 TFEU stay as they are (sim/stages/injects.py, ``invoke``):
assistance, not a measure against the attacker (docs/model.md, *The crisis track*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import event_kinds as K
from . import ProcessGenerator
from .blueprint import (
    RESERVE_DEPLOY,
    RESERVE_MARGIN,
    RESERVE_REQUEST,
    Track,
    delay,
    severity,
    victims,
)

if TYPE_CHECKING:
    from ..engine import Engine


def requests(ex: Engine, track: Track) -> ProcessGenerator[None]:
    """Process: once the operational assessment reaches the political level, each victim the
    incident overwhelms (severity score above its CSIRT's capability) asks."""
    yield track.assessment_at_political
    score = severity(ex, track)
    for code in victims(ex, track):
        if score - ex.roster[code].csirt > RESERVE_MARGIN and code not in track.requests:
            ex.env.process(_ask_later(ex, track, code))


def _ask_later(ex: Engine, track: Track, code: str) -> ProcessGenerator[None]:
    yield ex.env.timeout(delay(ex, "reserve-request", RESERVE_REQUEST, code))
    if code not in track.requests:
        request(ex, track, code, by="model")


def request(ex: Engine, track: Track, code: str, by: str) -> None:
    """``code`` asks for the Reserve now; the providers deploy after the Commission's check."""
    track.requests[code] = ex.env.now
    ex.emit(K.RESERVE_REQUEST, state=code, by=by)
    ex.env.process(_deploy_later(ex, track, code))


def _deploy_later(ex: Engine, track: Track, code: str) -> ProcessGenerator[None]:
    yield ex.env.timeout(delay(ex, "reserve-deploy", RESERVE_DEPLOY, code))
    deploy(ex, track, code, by="commission")


def deploy(ex: Engine, track: Track, code: str, by: str) -> None:
    """The Reserve deploys to ``code`` now (once; a request is made first if none was)."""
    if code in track.deployed:
        return
    if code not in track.requests:
        track.requests[code] = ex.env.now
        ex.emit(K.RESERVE_REQUEST, state=code, by=by)
    track.deployed.append(code)
    ex.emit(K.RESERVE_DEPLOYED, state=code, by=by,
            delay=round(ex.env.now - track.requests[code], 4))  # fmt: skip
