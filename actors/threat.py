"""The threat actor's reaction to what the Union adopts."""

from __future__ import annotations

import random

from scenarios.model import ThreatActor


def reaction(rng: random.Random, actor: ThreatActor, rung: int) -> str:
    """``cease``, ``continue`` or ``escalate`` after a measure of ``rung`` is adopted.

    A stronger signal makes ceasing likelier; resolve makes escalation likelier and ceasing rarer.
    """
    signal = min(1.0, rung / 4)
    p_cease = signal * (1.0 - actor.resolve) * 0.8
    p_escalate = actor.resolve * (1.0 - 0.5 * signal) * 0.4
    draw = rng.random()
    if draw < p_cease:
        return "cease"
    if draw < p_cease + p_escalate:
        return "escalate"
    return "continue"
