"""The threat actor's reaction to what the Union adopts."""

from __future__ import annotations

import random

from scenarios.model import ThreatActor

#: Scale of the chance to cease (at most 12% for a listing against an actor of no resolve).
CEASE_SCALE = 0.12


def reaction(rng: random.Random, actor: ThreatActor, rung: int) -> str:
    """``cease``, ``continue`` or ``escalate`` after a measure of ``rung`` is adopted.

    A stronger signal makes ceasing likelier; resolve makes escalation likelier and ceasing rarer.
    Ceasing is rare (:data:`CEASE_SCALE`): threat actors persist after measures (APT28 went on
    after its 2020 listing; HR declaration of 3 May 2024). Only costs imposed count: the caller
    never asks about Art. 42(7) / 222, which are assistance, not a signal to the attacker.
    """
    signal = min(1.0, rung / 4)
    p_cease = signal * (1.0 - actor.resolve) * CEASE_SCALE
    p_escalate = actor.resolve * (1.0 - 0.5 * signal) * 0.4
    draw = rng.random()
    if draw < p_cease:
        return "cease"
    if draw < p_cease + p_escalate:
        return "escalate"
    return "continue"
