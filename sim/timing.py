"""The procedure's timings: documented defaults per mode, overridden by the scenario.

Every value is in hours. docs/model.md gives the source of each default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from actors import delegation
from actors.delegation import INSTRUCTION_SPREAD
from scenarios.model import Procedure

DAY, WEEK = 24.0, 168.0


@dataclass(frozen=True)
class Timing:
    mode: str
    detection_fast: float  # median detection of a crude attack at a fully capable CSIRT
    detection_slow: float  # median detection of the most sophisticated campaign
    csirts_share: float  # mean delay to share over the CSIRTs Network
    intcen_report: float  # mean delay to report to EU INTCEN
    intcen_assessment: float  # median INTCEN/SIAC analysis time for a first assessment
    attribution_evidence: float  # mean time for a capable service to reach conclusive evidence
    initiation: float  # from shared awareness to a proposal
    hwpci_package: float  # median time to build the evidence package for a listing
    text_drafting: float  # EEAS drafting of a declaration or conclusions before HWPCI reads it
    psc_extraordinary: float  # notice for an extraordinary meeting of any body
    silence_procedure: float  # HR declaration: silence procedure
    relex_drafting: float  # RELEX drafting of listing legal acts
    coreper_preparation: float  # listing acts agreed in RELEX until COREPER can take them
    written_procedure: float  # Council written procedure
    extraordinary_meetings: bool  # bodies meet in extraordinary session when business waits
    deliberation_rounds: int  # Friedkin-Johnsen rounds per meeting
    instruction_spread: float  # spread of each delegation's per-run instructions (0 pins them)
    attribution_wait: float  # how long an initiative for a text waits for a capital to name
    coordinated_attribution: bool  # capitals attribute only together, the day the EU text comes
    listing_preparation: float  # from a campaign's start until a capital has a listing file


CALENDAR = Timing(
    mode="calendar",
    detection_fast=4.0,
    detection_slow=60 * DAY,
    csirts_share=8.0,
    intcen_report=1.5 * DAY,
    intcen_assessment=3 * DAY,
    attribution_evidence=45 * DAY,
    initiation=3 * DAY,
    hwpci_package=95 * DAY,
    text_drafting=10 * DAY,
    psc_extraordinary=DAY,
    silence_procedure=1.5 * DAY,
    relex_drafting=24 * DAY,
    coreper_preparation=10 * DAY,
    written_procedure=3 * DAY,
    extraordinary_meetings=False,
    deliberation_rounds=3,
    instruction_spread=INSTRUCTION_SPREAD,
    attribution_wait=30 * DAY,
    coordinated_attribution=False,
    listing_preparation=365 * DAY,
)

CRISIS = Timing(
    mode="crisis",
    detection_fast=1.0,
    detection_slow=20 * DAY,
    csirts_share=2.0,
    intcen_report=4.0,
    intcen_assessment=12.0,
    attribution_evidence=4 * DAY,
    initiation=4.0,
    hwpci_package=3 * DAY,
    text_drafting=12.0,
    psc_extraordinary=4.0,
    silence_procedure=12.0,
    relex_drafting=2 * DAY,
    coreper_preparation=DAY,
    written_procedure=2 * DAY,
    extraordinary_meetings=True,
    deliberation_rounds=2,
    instruction_spread=INSTRUCTION_SPREAD,
    attribution_wait=3 * DAY,
    coordinated_attribution=False,
    listing_preparation=DAY,
)

DEFAULTS = {"calendar": CALENDAR, "crisis": CRISIS}


def timing_for(procedure: Procedure) -> Timing:
    """The mode's defaults with the scenario's overrides applied."""
    base = DEFAULTS[procedure.mode]
    overrides = {
        f.name: getattr(procedure, f.name)
        for f in fields(Timing)
        if f.name != "mode" and getattr(procedure, f.name, None) is not None
    }
    # The spread is a model constant (model.instruction_spread) a run may set: read it now,
    # not as the module was imported, unless the scenario sets its own.
    overrides.setdefault("instruction_spread", delegation.INSTRUCTION_SPREAD)
    return replace(base, **overrides)
