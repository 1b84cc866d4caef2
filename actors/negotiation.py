"""Negotiation with memory and options, not a ladder: pure decisions of proposers and the chair.

* **Options** (:func:`option_will`, :func:`choose_option`): who proposes what depends on the
  proposer's will and the case (severity, visibility, evidence, attributions by capitals and
  partners), not on reaching the proportionate rung. Most campaigns stopped at a declaration
  (Exchange 2021, SolarWinds 2021, Viasat 2022, APT28 2024); listings came for a few grave,
  well-evidenced cases, after long preparation (the first listings of 30 July 2020; the
  Bundestag listing); on quiet espionage the Union waited for the capitals and said nothing
  before they named the actor.
* **Linkage** (:func:`linkage_chance`): a capital vetoing a Council decision may trade its
  consent for something in another file and lift its veto after a delay (Cyprus held the
  Belarus listings of August 2020 until 2 October 2020, over Turkey).
* **Re-tabling** (:func:`retable`): a vetoed listing can be brought back to a later Council with
  a narrower package (every cyber listing brought since 2019 was adopted in the end).

docs/model.md (*Options, not a ladder*; *Negotiation with memory*) gives every constant.
"""

from __future__ import annotations

import math

from .delegation import EVIDENCE_NEEDED

#: How grave a case must be for each option to be worth a proposer's effort (severity 0..1).
OPTION_GRAVITY = {"cooperative": 0.2, "hr_declaration": 0.35, "council_conclusions": 0.5,
                  "listing": 0.6}  # fmt: skip
#: What each option costs a proposer to carry (capital, months of preparation): a listing needs
#: an evidence package, legal acts and unanimity twice.
OPTION_EFFORT = {"cooperative": 1.2, "hr_declaration": 1.6, "council_conclusions": 2.0,
                 "listing": 2.3}  # fmt: skip
#: Weights of the case in a proposer's will: severity counts more than for the table (the
#: proposer answers the harm), evidence as for the table.
OPTION_SEVERITY, OPTION_EVIDENCE = 2.0, 1.0
#: A partner's public attribution lends a declaration the coordinated-attribution pattern
#: (Exchange 2021 with the UK and US; Viasat 2022).
PARTNER_WILL = 0.2
#: Spread of the logistic choice: proposers differ in ways the model does not see.
OPTION_SCALE = 0.2
#: The options a proposer weighs, strongest first (conclusions come as the chair's compromise
#: or a scripted request, not as the model's own initiative).
OPTIONS = ("listing", "hr_declaration", "cooperative")

#: Public pressure (:func:`pressure_probability`): how visible a campaign is to the public
#: (actors.severity.overtness: its intensity and impact criteria, 0..1) at which it presses the
#: Union, in half the runs, to speak before the capitals have named anyone. A
#: disruptive attack on many does (WannaCry 0.75 and NotPetya 1.0 in calib-wannacry-notpetya:
#: conclusions without attribution, April 2018; listings, July 2020); quiet espionage does not
#: (SolarWinds 0.25, APT28 2024 0.38, Exchange 2021 0.5: no EU text before the capitals and
#: partners named the actor, 122, 139 and 337 days in, and no listing).
VISIBLE_AT = 0.75
#: Spread of the public's pressure around :data:`VISIBLE_AT` (logistic): a quarter of a step of
#: the criteria (one point of intensity or impact is 0.125) moves it from 1 in 4 to 3 in 4.
VISIBILITY_SCALE = 0.05
#: Before any capital or partner has named the actor, the Union acts on its own only under
#: public pressure: the options it then weighs (a declaration naming no one, cooperative
#: measures) need no attribution (CC2017: "not all measures require attribution"), but on quiet
#: espionage the Union waited for the capitals, however long they took.
UNNAMED_NEEDS_PRESSURE = ("hr_declaration", "council_conclusions", "cooperative")
#: A listing answers harm the public sees: its will loses this much per unit of visibility
#: below :data:`VISIBLE_AT` (a disruptive attack is weighed on its severity, as before). Listings came for WannaCry, NotPetya and the OPCW
#: attempt, for espionage rarely, years on and at a victim's request (Cloud Hopper; Bundestag:
#: a ``propose`` inject), and not for SolarWinds, Exchange 2021 or APT28 2024.
LISTING_VISIBILITY = 3.0


def option_will(
    measure: str,
    drive: float,
    severity: float,
    evidence: float,
    partners: bool,
    visibility: float,
) -> float:
    """A proposer's net will to table ``measure`` on this case (positive: more likely than not).

    ``drive``: the proposer's drive (actors.institutions.drive); ``evidence``: the best
    confidence it can rely on (its own or the assessment's); ``partners``: a partner has
    attributed publicly; ``visibility``: how visible the campaign is to the public
    (actors.severity.overtness; it counts for a listing only, :data:`LISTING_VISIBILITY`).
    Never lower for more drive, severity, evidence or visibility."""
    return (
        drive
        + OPTION_SEVERITY * (severity - OPTION_GRAVITY[measure])
        + OPTION_EVIDENCE * (evidence - EVIDENCE_NEEDED[measure])
        + (PARTNER_WILL if partners and measure != "listing" else 0.0)
        + (LISTING_VISIBILITY * min(0.0, visibility - VISIBLE_AT) if measure == "listing" else 0.0)
        - OPTION_EFFORT[measure]
    )


def _logistic(z: float) -> float:
    if z < -60.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def option_probability(will: float) -> float:
    """Probability that a proposer takes an option of net will ``will`` (logistic)."""
    return _logistic(will / OPTION_SCALE)


def pressure_probability(visibility: float) -> float:
    """Probability that a campaign of this ``visibility`` (actors.severity.overtness) presses
    the Union to act without the capitals, or to punish (logistic around :data:`VISIBLE_AT`)."""
    return _logistic((visibility - VISIBLE_AT) / VISIBILITY_SCALE)


def needs_pressure(measure: str, spoken: bool) -> bool:
    """Whether ``measure`` needs public pressure: while no capital or partner has named the
    actor (``spoken``), every option the Union may take without attribution."""
    return measure in UNNAMED_NEEDS_PRESSURE and not spoken


def choose_option(
    draws: tuple[float, ...],
    drive: float,
    severity: float,
    evidence: float,
    partners: bool,
    named: bool,
    visibility: float,
    spoken: bool,
    prepared: bool,
) -> str | None:
    """The option a proposer tables, or None: each option, strongest first, is taken with
    :func:`option_probability` of its will, times :func:`pressure_probability` of the case's
    ``visibility`` where it :func:`needs_pressure` (one uniform draw per option in ``draws``).
    A listing needs a national attribution (``named``: no capital lists whom none has named)
    and a prepared file (``prepared``: the procedure's ``listing_preparation`` since the
    campaign began, sim/timing.py). ``spoken``: a capital or partner has named the actor or is ready to the same day (a
    text may name it); before that the Union's text names no one."""
    pressure = pressure_probability(visibility)
    for measure, u in zip(OPTIONS, draws, strict=False):
        if measure == "listing" and not (named and prepared):
            continue
        will = option_will(measure, drive, severity, evidence, partners, visibility)
        chance = option_probability(will)
        if needs_pressure(measure, spoken):
            chance *= pressure
        if u < chance:
            return measure
    return None


#: A new initiative only when the case has changed this much (severity) or a new capital has
#: named the actor since the last one: no automatic re-proposal ratchet.
RENEWED_SEVERITY = 0.15

# -- linkage ------------------------------------------------------------------------------------

#: Chance that a capital vetoing a Council decision trades its consent instead of holding out,
#: for a capital with no ties to the sponsor (its veto is leverage in another file); less the
#: more its veto is about the sponsor itself.
LINKAGE_CHANCE = 0.5
#: Measures a consent can be traded on: Council decisions (the Belarus listings, 2020).
LINKAGE_MEASURES = ("listing", "council_conclusions")
#: Median delay before a traded veto is lifted (Cyprus: Belarus listings held from late August
#: to 2 October 2020, about six weeks), log-normal spread.
LINKAGE_DAYS, LINKAGE_SIGMA = 42.0, 0.4
#: An exercise in crisis mode compresses linkage and re-tabling delays this much.
CRISIS_COMPRESSION = 7.0


def linkage_chance(measure: str, tie: float, traded: int) -> float:
    """Chance that a capital vetoing ``measure`` trades its consent (``tie``: its tie to the
    sponsor; ``traded``: trades already made on this text: a capital trades once)."""
    if measure not in LINKAGE_MEASURES or traded:
        return 0.0
    return LINKAGE_CHANCE * (1.0 - tie)


def linkage_delay(u: float) -> float:
    """Hours until a traded veto is lifted, from a standard normal draw ``u``."""
    return LINKAGE_DAYS * 24.0 * math.exp(LINKAGE_SIGMA * u)


# -- re-tabling a vetoed listing ----------------------------------------------------------------

#: A vetoed listing is brought back once, with a package this much narrower in what it asks of
#: capitals tied to the sponsor (fewer names; the operators, not the state's entity).
NARROWER_PACKAGE = 0.75
MAX_RETABLED = 1
#: A proposer brings a vetoed listing back only with this much drive (actors.institutions.drive).
RETABLE_DRIVE = 1.2
#: Brought back at a Council at least this long after the veto (hours; a new package).
RETABLE_AFTER = 30 * 24.0


def retable(measure: str, retabled: int, drive: float) -> float | None:
    """The package share of a vetoed ``measure`` brought back to a later Council, or None: a
    listing, once, by a proposer with :data:`RETABLE_DRIVE`."""
    if measure != "listing" or retabled >= MAX_RETABLED or drive < RETABLE_DRIVE:
        return None
    return NARROWER_PACKAGE
