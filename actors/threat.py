"""The threat actor: its reaction to what the Union adopts, its own campaign tempo, and the
retaliation of the state behind it (docs/model.md, *9. Effect*).

Pure functions of a random stream and the actor's profile; sim/stages/reaction.py owns time.
"""

from __future__ import annotations

import math
import random

from scenarios.model import ThreatActor

DAY = 24.0

#: Scale of the chance to cease (at most 12% for a listing against an actor of no resolve).
CEASE_SCALE = 0.12

#: How long an actor takes to read a measure and answer it: log-normal, median 72 h (the old
#: fixed delay), σ = 0.6 (half the answers between 48 h and 108 h, 90% between 27 h and 193 h),
#: cut to [12 h, 14 d].
REACTION_MEDIAN = 72.0
REACTION_SIGMA = 0.6
REACTION_BOUNDS = (12.0, 14 * DAY)

#: Its own campaign: moves (a new wave or an escalation) come as a Poisson process, with or
#: without measures, at rate ``resolve / CAMPAIGN_MEAN_GAP`` (an actor of resolve 1 moves about
#: every 120 days; APT28 went on after its 2020 listing; Ghostwriter came in waves, 2017-2021).
CAMPAIGN_MEAN_GAP = 120 * DAY
#: Share of campaign moves that escalate the running incidents rather than open a new wave.
CAMPAIGN_ESCALATE = 0.35

#: Retaliation by the state behind a listed actor (counter-sanctions: China on 22 March 2021,
#: the same day as the EU's listings, against MEPs and the PSC; Russia on 30 April 2021, eight
#: EU officials, about eight weeks after the EU's listings of 2 March): with probability
#: ``RETALIATION_SCALE x resolve``, after a log-normal delay of median 7 days, σ = 1.3
#: (5% within a day, 95% within eight weeks), cut to [2 h, 90 d].
RETALIATION_SCALE = 0.6
RETALIATION_MEDIAN = 7 * DAY
RETALIATION_SIGMA = 1.3
RETALIATION_BOUNDS = (2.0, 90 * DAY)
#: What a state answers with, and the share of each (counter-sanctions in both documented cases).
RETALIATION_ACTIONS = (("counter_sanctions", 0.75), ("expulsion", 0.25))
#: Who counter-sanctions hit: the EU's own officials and bodies (China, 2021: the PSC, MEPs and
#: the European Parliament's human-rights subcommittee; Russia, 2021: the President of the
#: European Parliament and other officials).
COUNTER_SANCTIONED = ("Political and Security Committee", "members of the European Parliament",
                      "EU officials")  # fmt: skip


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


def _lognormal(
    rng: random.Random, median: float, sigma: float, bounds: tuple[float, float]
) -> float:
    low, high = bounds
    return min(high, max(low, median * math.exp(rng.gauss(0.0, sigma))))


def reaction_delay(rng: random.Random) -> float:
    """Hours before the actor answers an adopted measure (:data:`REACTION_MEDIAN`)."""
    return _lognormal(rng, REACTION_MEDIAN, REACTION_SIGMA, REACTION_BOUNDS)


def campaign_gap(rng: random.Random, actor: ThreatActor) -> float:
    """Hours to the actor's next move of its own (:data:`CAMPAIGN_MEAN_GAP`); inf for no resolve."""
    if actor.resolve <= 0.0:
        return math.inf
    return rng.expovariate(actor.resolve / CAMPAIGN_MEAN_GAP)


def campaign_move(rng: random.Random) -> str:
    """``escalate`` or ``new_wave``: what the actor's campaign does next."""
    return "escalate" if rng.random() < CAMPAIGN_ESCALATE else "new_wave"


def retaliation(rng: random.Random, actor: ThreatActor) -> tuple[str, float] | None:
    """Whether the state behind ``actor`` retaliates for a listing: (action, delay in hours), or
    None (no state behind the actor, or it lets it pass). Always two draws, so the stream's
    later draws do not depend on the answer."""
    draw, delay = rng.random(), _lognormal(rng, RETALIATION_MEDIAN, RETALIATION_SIGMA,
                                           RETALIATION_BOUNDS)  # fmt: skip
    pick = rng.random()
    if not actor.sponsor or draw >= RETALIATION_SCALE * actor.resolve:
        return None
    for action, share in RETALIATION_ACTIONS:
        if pick < share:
            return action, delay
        pick -= share
    return RETALIATION_ACTIONS[-1][0], delay
