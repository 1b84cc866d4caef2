"""What a member state's national authorities do: detect, share, gather evidence, attribute.

Plain functions of observations and a random stream; they know nothing of SimPy. Every constant
is documented in docs/model.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

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


#: Public attribution takes months, and often never comes (docs/model.md, *Public attribution
#: takes months*). From the first detection of a campaign, capitals and partners may name it
#: publicly only once its attribution clock has run: a log-normal delay with this median (days,
#: in calendar mode) and spread: the maximum-likelihood log-normal of the days from detection
#: or disclosure to the first public attribution in eleven cases of the record, from Albania 2022 (54 d) to
#: the Bundestag hack (about five years); bench/attribution_fit.py lists them and fits them, and
#: tests/test_attribution_fit.py checks these two values are its fit.
PUBLIC_ATTRIBUTION_MEDIAN_DAYS = 235.0
PUBLIC_ATTRIBUTION_SIGMA = 0.95
#: Share of campaigns no capital or partner ever names publicly ("many intrusions are never
#: attributed publicly": a judgement, the record counts only the cases that were).
NEVER_ATTRIBUTED = 0.25


def public_attribution_delay(rng: random.Random, scale: float = 1.0) -> float:
    """Hours from a campaign's first detection until capitals and partners may attribute it
    publicly (declassification, the political decision, allies' coordination); ``math.inf``:
    never. ``scale`` compresses it with the mode (crisis exercises). Two draws always, so the
    stream's use does not depend on the outcome."""
    never = rng.random() < NEVER_ATTRIBUTED
    spread = math.exp(PUBLIC_ATTRIBUTION_SIGMA * rng.gauss(0.0, 1.0))
    if never:
        return math.inf
    return minutes(PUBLIC_ATTRIBUTION_MEDIAN_DAYS * 24.0 * scale * spread)


#: Partners whose intelligence underpins most public attributions of state-linked campaigns
#: (WannaCry, NotPetya, SolarWinds, Exchange 2021, Viasat, Albania 2022): present by default
#: when a scenario names no partners and a threat actor has a sponsor (docs/model.md,
#: *Partners' intelligence*). (id, name, intel, attribution_threshold, stance, releasable):
#: the US and the UK attribute on their own and release part of what they know; NATO fuses
#: allies' intelligence, releases little and speaks after allies (solidarity statements of
#: July 2021 and May 2024 followed national attributions).
DEFAULT_PARTNERS: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("UK", "United Kingdom", 0.85, 0.7, 0.6, 0.5),
    ("US", "United States", 0.95, 0.7, 0.6, 0.4),
    ("NATO", "NATO", 0.6, 0.8, 0.2, 0.2),
)


@dataclass(frozen=True)
class PartnerProfile:
    """A partner of the Union as an attributor: ``state`` its profile in the form the member
    states' decision logic reads, ``releasable`` the share of its evidence it releases."""

    state: MemberState
    releasable: float


def partner_profiles(
    declared: Sequence[tuple[str, str, float, float, float, float]] | None,
    state_linked: bool,
) -> dict[str, PartnerProfile]:
    """The run's partners by code: those ``declared`` by the scenario as (id, name, intel,
    attribution_threshold, stance, releasable), or when it declares none (None) and a threat
    actor is ``state_linked``, :data:`DEFAULT_PARTNERS`."""
    rows = declared if declared is not None else (DEFAULT_PARTNERS if state_linked else ())
    return {
        code: PartnerProfile(
            MemberState(code, name, 0.0, (), 0.5, intel, 0.5, stance, 0.5, threshold), releasable
        )
        for code, name, intel, threshold, stance, releasable in rows
    }


#: Naming a state publicly is a costly act most capitals avoid: alone (or following another's
#: attribution) a capital needs more political will than this; in a coordinated attribution
#: with the Union any positive will does (partners share the exposure). The record's EU
#: attributors are few (EE, LT, NL, CZ, DE, BE; France first named APT28 in 2025): a victim
#: with a middling stance (IT, ES, AT) stays silent, a keen one (EE, PL, NL) speaks.
WILL_TO_SPEAK = 0.5


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
    it, more than :data:`WILL_TO_SPEAK` on its own; ``coordinated``: alongside others (the day
    the Union speaks), with :data:`COORDINATION_MARGIN` less evidence and any positive will."""
    needed = state.attribution_threshold - (COORDINATION_MARGIN if coordinated else 0.0)
    bar = 0.0 if coordinated else WILL_TO_SPEAK
    return (
        confidence >= needed
        and political_will(state, sponsor, victim, pressure, instructions) > bar
    )
