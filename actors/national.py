"""What a member state's national authorities do: detect, share, gather evidence, attribute.

Plain functions of observations and a random stream; they know nothing of SimPy. Every constant
is documented in docs/model.md.
"""

from __future__ import annotations

import math
import random

from .roster import MemberState

DETECTION_SIGMA = 0.8  # log-normal spread of detection delays
FINDINGS_TO_CONCLUSIVE = 6  # findings a service typically needs for conclusive attribution
FINDING_GAIN = (0.08, 0.2)  # confidence added by one finding
CONFIDENCE_CAP = 0.95  # all-source attribution is never certain
VICTIM_RESOLVE = 0.3  # a victim's extra political will to name the attacker
PRESSURE_WEIGHT = 0.3
TIE_WEIGHT = 1.2


def minutes(hours: float) -> float:
    """Round a delay to whole minutes, so that times print cleanly and never carry libm noise."""
    return max(1.0, round(hours * 60.0)) / 60.0


def detection_delay(
    rng: random.Random,
    state: MemberState,
    sophistication: float,
    overtness: float,
    fast: float,
    slow: float,
) -> float:
    """Hours from the start of an incident until ``state`` detects it.

    The median grows geometrically from ``fast`` to ``slow`` with the actor's sophistication,
    less so when the attack is overt (destructive effects announce themselves), and shrinks with
    the state's CSIRT capability (a fully capable CSIRT halves it, a weak one adds half).
    """
    exponent = sophistication * (1.0 - overtness)
    median = fast * (slow / fast) ** exponent * (1.5 - state.csirt)
    return minutes(median * math.exp(rng.gauss(0.0, DETECTION_SIGMA)))


def sharing_delay(rng: random.Random, state: MemberState, mean: float) -> float:
    """Hours until ``state`` passes what it knows on; eager sharers are up to three times faster."""
    return minutes(rng.expovariate(1.0) * mean / (0.33 + 0.67 * state.sharing))


def finding_interval(
    rng: random.Random, state: MemberState, sophistication: float, evidence_time: float
) -> float:
    """Hours until the state's services make their next attribution finding."""
    mean = evidence_time * (0.5 + sophistication) / (0.5 + state.intel) / FINDINGS_TO_CONCLUSIVE
    return minutes(rng.expovariate(1.0) * mean)


def finding_gain(rng: random.Random) -> float:
    return rng.uniform(*FINDING_GAIN)


def add_confidence(confidence: float, delta: float) -> float:
    return min(CONFIDENCE_CAP, max(0.0, confidence + delta))


#: A capital joins a coordinated attribution with this much less confidence than it needs to
#: attribute alone: partners share the political exposure (docs/model.md, *Attribution*).
COORDINATION_MARGIN = 0.1


def political_will(
    state: MemberState, sponsor: str | None, victim: bool, pressure: float, instructions=None
) -> float:
    """Readiness to name the attacker publicly: stance, plus victimhood and pressure, minus ties.
    ``instructions`` (actors.delegation.Instructions) give this run's stance and ties."""
    source = state if instructions is None else instructions
    return (
        source.stance
        + (VICTIM_RESOLVE if victim else 0.0)
        + PRESSURE_WEIGHT * pressure
        - TIE_WEIGHT * source.tie(sponsor)
    )


def will_attribute(
    state: MemberState,
    confidence: float,
    sponsor: str | None,
    victim: bool,
    pressure: float,
    instructions=None,
    coordinated: bool = False,
) -> bool:
    """National attribution is a sovereign political choice: enough evidence AND the will to say
    it; ``coordinated``: alongside others, with :data:`COORDINATION_MARGIN` less evidence."""
    needed = state.attribution_threshold - (COORDINATION_MARGIN if coordinated else 0.0)
    return (
        confidence >= needed
        and political_will(state, sponsor, victim, pressure, instructions) > 0.0
    )
