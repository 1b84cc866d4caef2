"""HWPCI: the Horizontal Working Party on Cyber Issues prepares options for the PSC.

For a listing it first builds the evidence package, which took months in practice (106 days in
the Bundestag case from the request to the HWPCI discussion). A text on which the delegations
start far apart takes more sittings to prepare (one more per :data:`SPREAD_PER_ROUND` of spread).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from actors.delegation import NAMING, WORDED
from actors.institutions import PACKAGE_NEEDED, drafting_compromise
from actors.national import minutes
from scenarios.measures import MEASURE

from ..world import Status
from . import ProcessGenerator, awareness, psc

if TYPE_CHECKING:
    from ..engine import Engine
    from ..world import Proposal

PACKAGE_SIGMA = 0.25
SPREAD_PER_ROUND = 1.0  # spread of initial stances that costs one more HWPCI sitting
MAX_ROUNDS = 4


def prepare(ex: Engine, proposal: Proposal) -> ProcessGenerator[bool]:
    """Process step: the working party readies ``proposal`` for the PSC; False when the
    evidence package of a listing does not hold (docs/model.md, *Evidence package*)."""
    proposal.status = Status.PREPARING
    if MEASURE[proposal.measure].legal_acts:
        rng = ex.rng("hwpci-package", proposal.id)
        package = minutes(ex.timing.hwpci_package * math.exp(rng.gauss(0.0, PACKAGE_SIGMA)))
        ex.emit("evidence_package", proposal=proposal.id, measure=proposal.measure, phase="started",
                expected=round(package, 4))  # fmt: skip
        yield ex.env.timeout(package)
        strength = awareness.package_strength(ex, proposal.by)
        holds = strength >= PACKAGE_NEEDED
        ex.emit("evidence_package", proposal=proposal.id, measure=proposal.measure,
                phase="ready" if holds else "failed", strength=strength)  # fmt: skip
        if not holds:
            return False
    if proposal.measure in WORDED:
        # The EEAS drafts the text before the working party reads it (calibrated on Ghostwriter:
        # 18 days from Poland's request to the declaration; docs/calibration.md).
        yield ex.env.timeout(ex.timing.text_drafting)
    yield ex.bodies["hwpci"].sitting(f"{proposal.id}: prepare {proposal.measure}")
    draft = psc.text_naming(ex, proposal)
    if proposal.measure not in WORDED or proposal.forced:
        naming, needed = draft, sittings(psc.table_spread(ex, proposal.measure, draft))
    else:
        # Wording is the first compromise, made by the drafters at the first reading
        # (actors.institutions.drafting_compromise), not a further sitting or a veto at the PSC.
        weaker = NAMING[: NAMING.index(draft) + 1][::-1]  # the draft's wording down to none
        readings = []
        for level in weaker:
            apart, blocked = psc.table_reading(ex, proposal.measure, level)
            readings.append((level, blocked, sittings(apart)))
        naming, needed = drafting_compromise(readings)
        if naming != draft:
            ex.emit("redrafted", proposal=proposal.id, measure=proposal.measure, naming=naming,
                    previous=draft, body="hwpci")  # fmt: skip
        proposal.naming = naming
    for _ in range(needed - 1):  # each further round of drafting is another sitting
        yield ex.bodies["hwpci"].sitting(f"{proposal.id}: prepare {proposal.measure}")
    extra = {"naming": naming} if proposal.measure in WORDED else {}
    ex.emit("prepared", body="hwpci", proposal=proposal.id, measure=proposal.measure,
            rounds=needed, **extra)  # fmt: skip
    return True


def sittings(apart: float) -> int:
    """Working-party sittings a text needs when the delegations start ``apart`` (spread)."""
    return min(MAX_ROUNDS, 1 + int(apart / SPREAD_PER_ROUND))
