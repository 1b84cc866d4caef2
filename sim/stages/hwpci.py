"""HWPCI: the Horizontal Working Party on Cyber Issues prepares options for the PSC.

For a listing it first builds the evidence package, which took months in practice (106 days in
the Bundestag case from the request to the HWPCI discussion).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from actors.national import minutes
from scenarios.measures import MEASURE

from ..world import Status
from . import ProcessGenerator

if TYPE_CHECKING:
    from ..exercise import Exercise
    from ..world import Proposal

PACKAGE_SIGMA = 0.25


def prepare(ex: Exercise, proposal: Proposal) -> ProcessGenerator[None]:
    """Process step: the working party readies ``proposal`` for the PSC."""
    proposal.status = Status.PREPARING
    if MEASURE[proposal.measure].legal_acts:
        rng = ex.rng("hwpci-package", proposal.id)
        package = minutes(ex.timing.hwpci_package * math.exp(rng.gauss(0.0, PACKAGE_SIGMA)))
        ex.emit("evidence_package", proposal=proposal.id, measure=proposal.measure, phase="started",
                expected=round(package, 4))  # fmt: skip
        yield ex.env.timeout(package)
        ex.emit("evidence_package", proposal=proposal.id, measure=proposal.measure, phase="ready")
    yield ex.bodies["hwpci"].sitting(f"{proposal.id}: prepare {proposal.measure}")
    ex.emit("prepared", body="hwpci", proposal=proposal.id, measure=proposal.measure)
