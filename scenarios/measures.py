"""The measures of the Cyber Diplomacy Toolbox, each declared once (docs/engine-api.md).

Everything else that knows a measure derives from :data:`MEASURES_DECLARED`: the scenario
format's ``MeasureId`` and ``LADDER``, the delegations' evidence, cost and ties weights
(actors/delegation.py), the chair's compromises (actors/institutions.py), the measure proposed
for each rung (actors/severity.py), the adoption procedure (sim/stages/), the time metrics
(sim/metrics.py) and the names in narrative lines and reports (sim/narrative.py).

It lives at the bottom of the package stack, with the rest of the vocabulary, so that the format
can check measure ids without the actor models; the weights are plain numbers the models read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How an agreed measure becomes adopted (sim/stages/council.py):
#: ``agreed``: adopted when the PSC agrees (or, without a vote, when tabled);
#: ``silence_procedure``: the PSC's agreement is confirmed by a silence procedure;
#: ``council``: COREPER prepares it and the Council adopts it (at a FAC or in writing);
#: ``invoked``: a victim invokes a treaty article; no EU decision is taken;
#: ``statement``: the High Representative speaks in her own name, without a vote.
Adoption = Literal["agreed", "silence_procedure", "council", "invoked", "statement"]


@dataclass(frozen=True)
class Measure:
    """One rung-placed response of the Toolbox, with what the model needs to know about it."""

    id: str
    rung: int  # 1..5, the ladder of docs/model.md
    category: str  # the Toolbox's own category
    name: str  # full name for narrative lines and reports
    short_name: str  # name that fits a console row
    #: Confidence in attribution a delegation wants before it backs the measure.
    evidence_needed: float
    #: Political and economic cost of the measure to a delegation, before ties.
    cost: float
    #: How much ties to the suspected sponsor weigh on it: fully on what names or punishes.
    ties_factor: float
    adoption: Adoption
    #: Who adopts it ("eeas", "psc", "council", or the invoking state for ``invoked``).
    adopting_body: str
    legal_basis: str
    #: Whether member states decide on it in the PSC (preventive measures need no vote).
    vote: bool = True
    #: Whether it needs legal acts: an HWPCI evidence package and RELEX drafting (listings).
    legal_acts: bool = False
    #: Whether it is a text that names the perpetrator (or not): EEAS drafting before HWPCI,
    #: delegations weigh its wording, a veto brings a redraft (actors/delegation.py, WORDED).
    worded: bool = False
    #: What the PSC chair tables instead when it is blocked (weaker wording, not nothing).
    compromise: str | None = None
    #: Whether the model proposes it as the proportionate measure of its rung.
    proposed_for_rung: bool = False
    #: The treaty article a victim invokes for it (rung 5), as written in inject params.
    article: str | None = None
    #: The time metric of its first adoption (``t_<id>``), if objectives may ask for one.
    time_metric: str | None = None


TOOLBOX = "Cyber Diplomacy Toolbox (Council Conclusions, 19 June 2017)"

MEASURES_DECLARED: tuple[Measure, ...] = (
    Measure(
        "preventive", 1, "preventive",
        name="preventive measures", short_name="preventive measures",
        evidence_needed=0.0, cost=0.0, ties_factor=0.0,
        adoption="agreed", adopting_body="eeas", vote=False, proposed_for_rung=True,
        legal_basis=TOOLBOX,
    ),
    Measure(
        "cooperative", 2, "cooperative",
        name="cooperative measures (dialogue, démarche)", short_name="cooperative measures",
        evidence_needed=0.2, cost=0.05, ties_factor=0.5,
        adoption="agreed", adopting_body="psc", proposed_for_rung=True,
        legal_basis=TOOLBOX,
    ),
    Measure(
        # What is left after a veto of a declaration: the High Representative speaks in her own
        # name, which needs no consensus (a Hong Kong FAC statement, spring 2021); a lower rung
        # than the declaration on behalf of the EU it replaces.
        "hr_statement", 2, "stability",
        name="a statement by the High Representative in her own name",
        short_name="HR statement",
        evidence_needed=0.3, cost=0.0, ties_factor=0.0,
        adoption="statement", adopting_body="hr", vote=False,
        legal_basis="the High Representative's own authority (no consensus needed)",
    ),
    Measure(
        "hr_declaration", 3, "stability",
        name="a declaration by the High Representative on behalf of the EU",
        short_name="HR declaration",
        evidence_needed=0.4, cost=0.15, ties_factor=1.0,
        adoption="silence_procedure", adopting_body="psc", compromise="hr_statement",
        proposed_for_rung=True, time_metric="t_hr_declaration", worded=True,
        legal_basis=TOOLBOX + ", agreed by consensus",
    ),
    Measure(
        "council_conclusions", 3, "stability",
        name="Council conclusions", short_name="Council conclusions",
        evidence_needed=0.45, cost=0.2, ties_factor=1.0,
        adoption="council", adopting_body="council", compromise="hr_declaration",
        time_metric="t_council_conclusions", worded=True,
        legal_basis=TOOLBOX + ", agreed by consensus",
    ),
    Measure(
        # Ties weigh less on a listing than on a text naming the state: it lists persons and
        # units, not the state, after months of preparation (every cyber listing brought to the
        # Council since 2019 was adopted; docs/model.md, *Positions*).
        "listing", 4, "restrictive",
        name="restrictive measures (listing: travel ban and asset freeze)",
        short_name="listing",
        evidence_needed=0.7, cost=0.35, ties_factor=0.7,
        adoption="council", adopting_body="council", legal_acts=True,
        compromise="hr_declaration", proposed_for_rung=True, time_metric="t_listing",
        legal_basis="Decision (CFSP) 2019/797 and Regulation (EU) 2019/796",
    ),
    Measure(
        "mutual_assistance", 5, "support to member states' lawful responses",
        name="mutual assistance (Art. 42(7) TEU)", short_name="mutual assistance",
        evidence_needed=0.3, cost=0.3, ties_factor=0.5,
        adoption="invoked", adopting_body="member state", article="42(7)",
        legal_basis="Art. 42(7) TEU",
    ),
    Measure(
        "solidarity_clause", 5, "support to member states' lawful responses",
        name="the solidarity clause (Art. 222 TFEU)", short_name="solidarity clause",
        evidence_needed=0.3, cost=0.3, ties_factor=0.5,
        adoption="invoked", adopting_body="member state", article="222",
        legal_basis="Art. 222 TFEU",
    ),
)  # fmt: skip

#: Measure id -> its declaration, in ladder order.
MEASURE: dict[str, Measure] = {m.id: m for m in MEASURES_DECLARED}
MEASURE_IDS: tuple[str, ...] = tuple(MEASURE)
