"""EU institutions: the INTCEN/SIAC assessment, who initiates, and the PSC chair's moves."""

from __future__ import annotations

from collections.abc import Sequence

from scenarios.measures import MEASURES_DECLARED

from .delegation import EVIDENCE_NEEDED, NAMING, WORDED

#: What the chair tables when a measure is blocked and its wording cannot be weakened further
#: (scenarios/measures.py): a listing or conclusions become a declaration; a declaration becomes
#: a statement of the High Representative in her own name.
COMPROMISE = {m.id: m.compromise for m in MEASURES_DECLARED if m.compromise}
MAX_DEFERRALS = 1
INITIATIVE_AT = 0.3  # a capital whose drive is below this leaves the initiative to the HR
VICTIM_DRIVE = 0.3  # what being hit adds to a capital's drive to propose
ATTRIBUTED_DRIVE = 0.2  # ... and having named the attacker itself
COALITION_AT = 1.2  # capitals with this much drive co-sponsor the proposal (a push coalition)
COALITION_MAX = 5  # co-sponsors named (Oct 2018: five capitals asked for the sanctions regime)
NAME_STATE_AT = 0.6  # EU confidence needed before a text names the state rather than the territory
#: A veto with this many blockers or fewer leaves room for the HR to speak in her own name.
STATEMENT_MAX_BLOCKERS = 2


def assessment_confidence(national: Sequence[float]) -> float:
    """INTCEN's fused confidence from the confidences of the states that reported.

    All-source fusion does better than the best single contributor, with diminishing returns:
    1 - prod(1 - 0.6 c_i), floored by a baseline of technical indicators.
    """
    miss = 1.0
    for c in national:
        miss *= 1.0 - 0.6 * c
    return round(min(0.95, max(0.25, 1.0 - miss)), 4)


#: A listing's evidence package must stand legal review (REG2019; the Court reviews listings):
#: it holds when its strength reaches what delegations want before they back a listing.
PACKAGE_NEEDED = EVIDENCE_NEEDED["listing"]
#: What the High Representative's services (INTCEN's all-source work) bring as a proposer.
HR_CAPABILITY = 0.6


def evidence_package(capability: float, own: float, released: Sequence[float]) -> float:
    """Strength of a listing's evidence package, 0..1: what the proposer can put forward from
    its own services (its confidence, times 0.5 + 0.5 x its capability to turn intelligence into
    a file that stands review), fused with what partners release for the Union's use
    (``released``: each partner's confidence times its releasability). What an originator does
    not release does not count."""
    miss = 1.0 - own * (0.5 + 0.5 * capability)
    for c in released:
        miss *= 1.0 - c
    return round(1.0 - miss, 4)


def allowed_naming(attributed: bool, confidence: float) -> str:
    """The strongest wording the Union's text may use: no name until a capital or partner has
    named the actor (or does so the same day); the state itself only on firm evidence (the
    ``confidence`` the text can rest on: INTCEN's, or that of the capitals and partners that
    have named the actor, sim.stages.awareness.naming_confidence), otherwise "from the
    territory of". Within this ceiling the wording is negotiated (redrafts after a veto)."""
    if not attributed:
        return "none"
    return "state" if confidence >= NAME_STATE_AT else "territory"


def drafting_compromise(readings: Sequence[tuple[str, bool, int]]) -> tuple[str, int]:
    """The wording the drafters table at the PSC and the working-party sittings it takes.

    ``readings``: for each wording from the draft's down to naming no one, ``(naming, a
    delegation would not let it pass, sittings it needs)``, read from the delegations'
    instructions at the first HWPCI reading (sim.stages.psc.table_reading). Wording is the
    first compromise (Ghostwriter 2021: "some Member States have observed"; Exchange 2021:
    "from the territory of"; April 2018: no name at all): the drafters table the strongest
    wording every delegation can let pass and, of those, the one that needs the fewest sittings,
    rather than leave a foreseeable veto to the PSC or spend a week on a gap a weaker word
    closes. If every wording meets a veto, the draft stays as it is and the chair meets the red
    line at the PSC (:func:`after_veto`)."""
    clear = [(naming, sittings) for naming, blocked, sittings in readings if not blocked]
    if not clear:
        naming, _, sittings = readings[0]
        return naming, sittings
    fewest = min(sittings for _, sittings in clear)
    return next((naming, sittings) for naming, sittings in clear if sittings == fewest)


def initiator(
    drives: Sequence[tuple[str, float]],
) -> tuple[str, list[str]]:
    """Who proposes: the capital with the most drive (ties: roster order), with the capitals
    above :data:`COALITION_AT` as co-sponsors; the High Representative if no capital has
    :data:`INITIATIVE_AT`. ``drives`` are ``(code, drive)`` pairs in roster order."""
    best, drive = None, -1e9
    for code, d in drives:
        if d > drive:
            best, drive = code, d
    if best is None or drive < INITIATIVE_AT:
        return "hr", []
    keen = sorted(((d, c) for c, d in drives if c != best and d >= COALITION_AT), reverse=True)
    return best, sorted(c for _, c in keen[:COALITION_MAX])


def drive(stance: float, severity: float, victim: bool, attributed: bool) -> float:
    """A capital's drive to table a response: its instructed stance and the severity, more when
    it was hit or has named the attacker itself (initiators need not be victims)."""
    return (
        stance
        + severity
        + (VICTIM_DRIVE if victim else 0.0)
        + (ATTRIBUTED_DRIVE if attributed else 0.0)
    )


def after_veto(
    measure: str,
    naming: str,
    confidence: float,
    deferrals: int,
    blockers: int,
    adopted: Sequence[str],
) -> tuple[str, str | None]:
    """The chair's move after a blocked decision, weakest concession first:

    * ``("redraft", naming)``: the same measure with weaker wording (a declaration or
      conclusions naming the state or the territory);
    * ``("defer", None)``: once, when the evidence is short of what the measure needs;
    * ``("lower", measure)``: a listing or conclusions become a declaration;
    * ``("statement", "hr_statement")``: a blocked declaration becomes a statement of the HR in
      her own name (few blockers; no consensus needed);
    * ``("withdraw", None)``: the text is withdrawn.
    """
    if measure in WORDED and naming != NAMING[0]:
        return "redraft", NAMING[NAMING.index(naming) - 1]
    if deferrals < MAX_DEFERRALS and confidence < EVIDENCE_NEEDED[measure] + 0.1:
        return "defer", None
    lower = COMPROMISE.get(measure)
    if lower == "hr_statement":
        if blockers <= STATEMENT_MAX_BLOCKERS and lower not in adopted:
            return "statement", lower
    elif lower is not None and lower not in adopted:
        return "lower", lower
    return "withdraw", None
