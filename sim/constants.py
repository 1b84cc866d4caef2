"""The model's constants as a registry: each documented assumption has a name, a default, a valid
range, a source and a meaning, and can be set for one run (a sweep varies them:
``vary: {model.listing_veto_at: {uniform: [-0.9, -0.5]}}``; docs/sweeps.md, *Model constants*).

A constant stays where its meaning lives, as a module-level name in ``actors/`` or ``sim/``
(``actors.delegation.LISTING_VETO_AT``); registering it is one line in :data:`CONSTANTS` below.
Its default is the module's value when this module is imported.

:func:`applied` sets a run's values on the owning module (and on every cdtx module that
imported the name) and puts the defaults back afterwards, under one process-wide lock, so
runs in one worker process never see each other's values. :class:`sim.Exercise` applies its
``model`` values around everything that runs the model (``run``, ``step``, ``submit`` ...) and
records them in its ``started`` event (only when some are given, so default runs keep their
digests); a replay reads them back.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from actors import delegation, institutions, national, negotiation, threat
from scenarios.errors import CdtxError, cut_short
from scenarios.model import Scenario
from scenarios.safe_read import Problem, ScenarioError

from .stages import awareness, blueprint, hwpci, initiation, reaction

PREFIX = "model."
#: Packages whose modules may hold a copy of a constant (``from actors.x import NAME``).
_PACKAGES = ("actors", "sim", "scenarios")


class ConstantError(CdtxError, ValueError):
    """An unknown model constant, or a value outside its range; the message names it."""


@dataclass(frozen=True)
class Constant:
    """One model constant: ``name`` (``model.listing_veto_at``), where it lives, its default,
    its valid range [low, high], whether it takes whole numbers only, a source and a meaning."""

    name: str
    module: ModuleType
    attribute: str
    default: float
    low: float
    high: float
    source: str
    meaning: str
    whole: bool

    @property
    def where(self) -> str:
        """``module.ATTRIBUTE``, the name in the code."""
        return f"{self.module.__name__}.{self.attribute}"

    @property
    def range(self) -> str:
        return f"[{_show(self.low)}, {_show(self.high)}]"

    def check(self, value: Any, where: str = "") -> float:
        """``value`` as this constant takes it; :class:`ConstantError` naming ``where`` (or the
        constant) when it is not a number in range (or not whole, for a count)."""
        place = where or self.name
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value
        ):
            raise ConstantError(f"{place}: {self.name} takes a number, not {shown(repr(value))}")
        if self.whole and value != int(value):
            raise ConstantError(
                f"{place}: {self.name} is a count and takes whole numbers, not {value!r}"
            )
        if not self.low <= value <= self.high:
            raise ConstantError(
                f"{place}: {self.name} = {_show(value)} is outside its range {self.range} "
                f"(default {_show(self.default)})"
            )
        return int(value) if self.whole else float(value)


def _show(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _c(module: ModuleType, attribute: str, low: float, high: float, source: str, meaning: str):
    """Declare the constant ``module.attribute`` (named ``model.<attribute in lower case>``)."""
    default = getattr(module, attribute)
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        raise TypeError(f"{module.__name__}.{attribute} is not a number")
    if not low <= default <= high:
        raise ValueError(f"{module.__name__}.{attribute}: default {default} outside [{low}, {high}]")
    name = PREFIX + attribute.lower()
    return Constant(name, module, attribute, default, low, high, source, meaning,
                    isinstance(default, int))  # fmt: skip


_POS = "docs/model.md, *Positions*"
_ATT = "docs/model.md, *3. National analysis, sharing and attribution*"
_SA = "docs/model.md, *4. Shared situational awareness*"
_INIT = "docs/model.md, *5. Initiation*"
_TABLE = "docs/model.md, *6-8. HWPCI, PSC, adoption*"
_EFFECT = "docs/model.md, *9. Effect*"
_CRISIS = "docs/model.md, *The crisis track of a large-scale incident*"

#: Every registered constant, by name. One line each: module, attribute, low, high, source,
#: meaning.
CONSTANTS: dict[str, Constant] = {c.name: c for c in (
    # -- delegations: positions, salience, thresholds (actors/delegation.py)
    _c(delegation, "INSTRUCTION_SPREAD", 0, 1, _POS, "spread of each run's instructions (stance, ties) around a capital's profile"),
    _c(delegation, "W_STANCE", 0, 3, _POS, "weight of the capital's instructed stance in its position"),
    _c(delegation, "W_SEVERITY", 0, 3, _POS, "weight of the severity the Union suffers in a position"),
    _c(delegation, "W_EXPOSURE", 0, 3, _POS, "weight of what the capital itself suffers in its position"),
    _c(delegation, "W_EVIDENCE", 0, 3, _POS, "weight of the evidence (against what the measure needs) in a position"),
    _c(delegation, "W_PRESSURE", 0, 3, _POS, "weight of public pressure in a position"),
    _c(delegation, "W_TIES", 0, 3, _POS, "weight of ties to the suspected sponsor against a measure"),
    _c(delegation, "EVIDENCE_SURPLUS", 0, 1, _POS, "share of weight that evidence beyond what a measure needs counts for"),
    _c(delegation, "W_OWN_ATTRIBUTION", 0, 1, _POS, "what having named the actor itself adds to a capital's position on a naming text"),
    _c(delegation, "COMMITTED_POSITION", 0, 1, _POS, "how much lower a capital that vetoed a wording stands when it comes back"),
    _c(delegation, "SALIENCE_BASE", 0, 1, _POS, "salience every text has for every capital"),
    _c(delegation, "SALIENCE_EXPOSURE", 0, 1, _POS, "salience added by exposure x severity (the victim cares)"),
    _c(delegation, "SALIENCE_TIES", 0, 2, _POS, "salience added by ties to the sponsor as the text weighs them"),
    _c(delegation, "SALIENCE_STANCE", 0, 1, _POS, "salience added by firm instructions either way (|stance|)"),
    _c(delegation, "VETO_SALIENCE", 0, 1, _POS, "salience a text needs before a capital below its reservation point vetoes"),
    _c(delegation, "RED_LINE_SALIENCE", 0, 1, "docs/model.md, *Red lines*", "salience at which a reservation point is a red line (no move, holds through redrafts)"),
    _c(delegation, "CONSTRUCTIVE_SALIENCE", 0, 1, _POS, "salience a capital needs to abstain formally (Art. 31(1)) on a listing"),
    _c(delegation, "LISTING_VETO_AT", -1, 0, _POS, "stance below which a capital vetoes a listing rather than abstain"),
    _c(delegation, "SUPPORT_AT", -1, 1, _POS, "final stance above which a delegation supports"),
    _c(delegation, "ABSTAIN_AT", -1, 1, _POS, "final stance above which a delegation abstains (below: opposes)"),
    _c(delegation, "CONSTRUCTIVE_AT", -1, 1, _POS, "final stance threshold of a formal abstention"),
    # -- national attribution (actors/national.py)
    _c(national, "DETECTION_SIGMA", 0, 3, "docs/model.md, *2. Detection*", "log-normal spread of detection delays"),
    _c(national, "FINDINGS_TO_CONCLUSIVE", 1, 30, _ATT, "findings a service typically needs for conclusive attribution"),
    _c(national, "CONFIDENCE_CAP", 0.5, 1, _ATT, "highest confidence all-source attribution reaches"),
    _c(national, "VICTIM_RESOLVE", 0, 1, _ATT, "a victim's extra political will to name the attacker"),
    _c(national, "PRESSURE_WEIGHT", 0, 2, _ATT, "weight of public pressure in a capital's will to attribute"),
    _c(national, "TIE_WEIGHT", 0, 3, _ATT, "weight of ties to the sponsor against a capital's will to attribute"),
    _c(national, "PUBLIC_ATTRIBUTION_MEDIAN_DAYS", 1, 3650, "docs/model.md, *Public attribution takes months*", "median days from first detection before anyone may name a campaign publicly"),
    _c(national, "PUBLIC_ATTRIBUTION_SIGMA", 0, 3, "docs/model.md, *Public attribution takes months*", "log-normal spread of that attribution clock"),
    _c(national, "NEVER_ATTRIBUTED", 0, 1, "docs/model.md, *Public attribution takes months*", "share of campaigns no capital or partner ever names publicly"),
    _c(national, "WILL_TO_SPEAK", 0, 2, _ATT, "political will a capital needs to attribute alone"),
    _c(national, "COORDINATION_MARGIN", 0, 0.5, _ATT, "confidence a capital may lack and still join a coordinated attribution"),
    # -- INTCEN, initiative, chair (actors/institutions.py, sim/stages)
    _c(institutions, "MAX_DEFERRALS", 0, 5, _TABLE, "times the chair defers a proposal for more evidence"),
    _c(institutions, "INITIATIVE_AT", 0, 3, _INIT, "drive a capital needs to propose (below: the HR takes the initiative)"),
    _c(institutions, "VICTIM_DRIVE", 0, 2, _INIT, "what being hit adds to a capital's drive to propose"),
    _c(institutions, "ATTRIBUTED_DRIVE", 0, 2, _INIT, "what having named the attacker adds to a capital's drive"),
    _c(institutions, "COALITION_AT", 0, 5, _INIT, "drive at which capitals co-sponsor a proposal"),
    _c(institutions, "COALITION_MAX", 0, 27, _INIT, "co-sponsors named at most"),
    _c(institutions, "NAME_STATE_AT", 0, 1, "docs/model.md, *Wording*", "EU confidence before a text names the state rather than the territory"),
    _c(institutions, "STATEMENT_MAX_BLOCKERS", 0, 27, _TABLE, "blockers at most for the HR to speak in her own name after a veto"),
    _c(institutions, "HR_CAPABILITY", 0, 1, _TABLE, "what the HR's services bring to a listing's evidence package"),
    _c(initiation, "HR_DRIVE", 0, 3, _INIT, "the High Representative's drive when she proposes"),
    _c(awareness, "ASSESSMENT_SIGMA", 0, 3, _SA, "log-normal spread of INTCEN's assessment delay"),
    _c(awareness, "UPDATE_FRACTION", 0, 1, _SA, "share of a first assessment's time an update takes"),
    _c(awareness, "UPDATE_THRESHOLD", 0, 1, _SA, "confidence change at which INTCEN reissues its assessment"),
    _c(awareness, "GATHER_INTEL", 0, 1, _SA, "capability a bystander's services need to start attribution work from shared indicators"),
    _c(awareness, "NON_VICTIM_SLOWDOWN", 1, 10, _SA, "how much more slowly a bystander's services work"),
    _c(awareness, "NON_VICTIM_FINDINGS", 0, 30, _SA, "findings a bystander's services make from shared indicators"),
    _c(awareness, "PARTNER_PRODUCT", 1, 30, "docs/model.md, *Partners' intelligence is there by default*", "findings in each finished product a partner shares"),
    _c(hwpci, "PACKAGE_SIGMA", 0, 3, _TABLE, "log-normal spread of a listing's evidence-package time"),
    _c(hwpci, "SPREAD_PER_ROUND", 0.01, 10, _TABLE, "spread of initial stances that costs one more HWPCI sitting"),
    _c(hwpci, "MAX_ROUNDS", 1, 20, _TABLE, "HWPCI sittings at most on one proposal"),
    # -- options, pressure, linkage, re-tabling (actors/negotiation.py)
    _c(negotiation, "OPTION_SEVERITY", 0, 5, _INIT, "weight of severity in a proposer's will to table an option"),
    _c(negotiation, "OPTION_EVIDENCE", 0, 5, _INIT, "weight of evidence in a proposer's will to table an option"),
    _c(negotiation, "PARTNER_WILL", 0, 2, _INIT, "what a partner's public attribution adds to the will to table a declaration"),
    _c(negotiation, "OPTION_SCALE", 0.01, 2, _INIT, "spread of the proposer's logistic choice among options"),
    _c(negotiation, "VISIBLE_AT", 0, 1, _INIT, "visibility at which a campaign presses the Union in half the runs"),
    _c(negotiation, "VISIBILITY_SCALE", 0.001, 1, _INIT, "spread of public pressure around VISIBLE_AT"),
    _c(negotiation, "LISTING_VISIBILITY", 0, 20, _INIT, "will a listing loses per unit of visibility below VISIBLE_AT"),
    _c(negotiation, "RENEWED_SEVERITY", 0.01, 1, _INIT, "severity change that warrants a new initiative"),
    _c(negotiation, "LINKAGE_CHANCE", 0, 1, _TABLE, "chance that a vetoing capital with no ties trades its consent"),
    _c(negotiation, "LINKAGE_DAYS", 0, 365, _TABLE, "median days before a traded veto is lifted"),
    _c(negotiation, "LINKAGE_SIGMA", 0, 3, _TABLE, "log-normal spread of that delay"),
    _c(negotiation, "CRISIS_COMPRESSION", 1, 100, _TABLE, "how much crisis mode compresses linkage and re-tabling delays"),
    _c(negotiation, "NARROWER_PACKAGE", 0, 1, _TABLE, "how much narrower a re-tabled listing is for tied capitals"),
    _c(negotiation, "MAX_RETABLED", 0, 5, _TABLE, "times a vetoed listing is brought back"),
    _c(negotiation, "RETABLE_DRIVE", 0, 5, _TABLE, "drive a proposer needs to bring a vetoed listing back"),
    _c(negotiation, "RETABLE_AFTER", 0, 8760, _TABLE, "hours after a veto before a listing comes back"),
    # -- the adversary (actors/threat.py, sim/stages/reaction.py)
    _c(threat, "CEASE_SCALE", 0, 1, _EFFECT, "chance scale that an actor ceases after a measure"),
    _c(threat, "REACTION_MEDIAN", 0, 2000, _EFFECT, "median hours an actor takes to answer a measure"),
    _c(threat, "REACTION_SIGMA", 0, 3, _EFFECT, "log-normal spread of that delay"),
    _c(threat, "CAMPAIGN_MEAN_GAP", 24, 87600, _EFFECT, "mean hours between campaign moves of an actor of resolve 1"),
    _c(threat, "CAMPAIGN_ESCALATE", 0, 1, _EFFECT, "share of campaign moves that escalate rather than open a new wave"),
    _c(threat, "RETALIATION_SCALE", 0, 1, _EFFECT, "chance (x resolve) that the state behind a listed actor retaliates"),
    _c(threat, "RETALIATION_MEDIAN", 0, 8760, _EFFECT, "median hours before it retaliates"),
    _c(threat, "RETALIATION_SIGMA", 0, 3, _EFFECT, "log-normal spread of that delay"),
    _c(reaction, "MAX_WAVES", 0, 20, _EFFECT, "new waves an actor opens at most"),
    # -- the crisis track of a large-scale incident (sim/stages/blueprint.py); hours unless said
    _c(blueprint, "TECHNICAL_REPORT", 6, 72, _CRISIS, "median hours from first detection to the CSIRTs Network's first technical report"),
    _c(blueprint, "TECHNICAL_INTERVAL", 24, 168, _CRISIS, "median hours between technical reports"),
    _c(blueprint, "TECHNICAL_REPORTS", 1, 10, _CRISIS, "technical reports the model issues on its own at most"),
    _c(blueprint, "CYCLONE_NOTICE", 2, 48, _CRISIS, "median hours from the first technical report to an EU-CyCLONe meeting"),
    _c(blueprint, "OPERATIONAL_ASSESSMENT", 6, 72, _CRISIS, "median hours from a CyCLONe meeting to its operational assessment"),
    _c(blueprint, "HANDOFF", 1, 24, _CRISIS, "median hours before the next level has a level's product"),
    _c(blueprint, "IPCR_DECISION", 2, 72, _CRISIS, "median hours from the operational assessment to the Presidency's IPCR activation"),
    _c(blueprint, "ISAA_FIRST_FULL", 12, 96, _CRISIS, "median hours from full activation (or a change to it) to the first ISAA report"),
    _c(blueprint, "ISAA_FIRST_INFORMATION", 12, 96, _CRISIS, "the same in information-sharing mode"),
    _c(blueprint, "ISAA_INTERVAL_FULL", 24, 336, _CRISIS, "median hours between ISAA reports in full mode"),
    _c(blueprint, "ISAA_INTERVAL_INFORMATION", 24, 336, _CRISIS, "median hours between ISAA reports in information-sharing mode"),
    _c(blueprint, "AUTO_FULL", 0, 1, _CRISIS, "severity score at which `ipcr: auto` activates in full mode"),
    _c(blueprint, "AUTO_INFORMATION", 0, 1, _CRISIS, "severity score at which `ipcr: auto` activates in information-sharing mode"),
    _c(blueprint, "RESERVE_MARGIN", -0.2, 0.2, _CRISIS, "how far an incident's severity must exceed a victim CSIRT's capability before it asks for the Reserve"),
    _c(blueprint, "RESERVE_REQUEST", 2, 72, _CRISIS, "median hours from the operational assessment to a victim's request to the Reserve"),
    _c(blueprint, "RESERVE_DEPLOY", 12, 168, _CRISIS, "median hours from a request to the Reserve deployed"),
    _c(blueprint, "DELAY_SIGMA", 0, 1, _CRISIS, "log-normal spread of every crisis-track delay"),
)}  # fmt: skip


def get(name: str, where: str = "") -> Constant:
    """The constant ``name`` (``model.x``); :class:`ConstantError` with the closest names."""
    constant = CONSTANTS.get(name)
    if constant is None:
        raise ConstantError(
            f"{where or shown(name)}: no model constant {shown(name)!r}{_did_you_mean(name)}; "
            "`cdtx model` lists them"
        )
    return constant


def _did_you_mean(name: object, prefix: str = "") -> str:
    """`` (did you mean model.a or model.b?)``: the constants closest to ``name``, each named
    without ``prefix`` (``model.`` for a scenario's ``model:`` block, which leaves it out);
    empty when none is close."""
    close = difflib.get_close_matches(str(name)[:100], list(CONSTANTS), n=2)
    names = [c.removeprefix(prefix) for c in close]
    return f" (did you mean {' or '.join(names)}?)" if names else ""


def shown(name: object) -> str:
    """``name`` as a message shows it: a hostile or mistaken name of any length is cut short."""
    return cut_short(name, 60)


def checked(values: Mapping[str, Any] | None, where: str = "model") -> dict[str, float]:
    """``values`` (name -> value) checked against the registry, in name order; raises
    :class:`ConstantError` naming ``where.name`` for an unknown name or a value out of range."""
    out: dict[str, float] = {}
    if values is not None and not isinstance(values, Mapping):
        raise ConstantError(f"{where or 'model'}: a mapping of constant names to values, e.g. "
                            "{'model.listing_veto_at': -0.5}, not " + shown(repr(values)))  # fmt: skip
    for given in sorted(values or {}, key=str):
        # "listing_veto_at" is "model.listing_veto_at", as `cdtx run --model` and a scenario's
        # model: block take it
        name = given if not isinstance(given, str) or given.startswith(PREFIX) else PREFIX + given
        place = f"{where}: {shown(given)}" if where else shown(given)
        if name in out:
            raise ConstantError(f"{place}: {shown(name)} is given twice")
        out[name] = get(name, place).check(values[given], place)  # type: ignore[index]
    return dict(sorted(out.items()))


class ScenarioModelError(ScenarioError, ValueError):
    """A scenario's ``model:`` block names an unknown constant or sets one outside its range;
    one problem per entry, each at its place in the file (``path:line:col: model.x: ...``)."""


def of_scenario(scenario: Scenario) -> dict[str, float]:
    """The constants ``scenario``'s ``model:`` block sets (``{"model.listing_veto_at": -0.6}``),
    checked against the registry, in name order; :class:`ScenarioModelError` lists every entry
    that is not a known constant in its range, each at its place in the file."""
    block = scenario.model
    if not block:
        return {}
    problems: list[Problem] = []
    out: dict[str, float] = {}
    for key in block:
        name = PREFIX + key
        constant = CONSTANTS.get(name)
        if constant is None:
            hint = _did_you_mean(name, prefix=PREFIX)
            message = f"{name}: no such model constant{hint}; `cdtx model` lists them"
            problems.append(Problem(*scenario.model_place(key, key=True), message))
            continue
        try:
            out[name] = constant.check(block[key], name)
        except ConstantError as exc:
            # "model.x = 2 is outside its range ...": the constant's name once
            problems.append(Problem(*scenario.model_place(key), str(exc).removeprefix(f"{name}: ")))
    if problems:
        raise ScenarioModelError(problems)
    return dict(sorted(out.items()))


def for_run(scenario: Scenario, model: Mapping[str, Any] | None = None) -> dict[str, float]:
    """The constants a run of ``scenario`` sets: its ``model:`` block, with ``model`` (the run's
    own: ``Exercise(model=...)``, ``cdtx run --model``, a sweep's ``vary: {model.x: ...}``)
    overriding it name by name; checked, in name order. What the run records in ``started``,
    so a replay (which passes that back as ``model``) sets the same values."""
    return dict(sorted({**of_scenario(scenario), **checked(model)}.items()))


def described(values: Mapping[str, Any]) -> str:
    """``values`` (name -> value) as one line for people, each with its default:
    ``model.support_at 0.9 (default 0.1); ...``, in name order (what reports and the
    facilitator's brief show). A name the registry does not know (a recording of another cdtx)
    is shown without a default."""
    parts = []
    for name in sorted(values, key=str):
        value = values[name]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        text = f"{shown(name)} {_show(value) if number else shown(repr(value))}"
        known = CONSTANTS.get(name)
        parts.append(text if known is None else f"{text} (default {_show(known.default)})")
    return "; ".join(parts)


def is_constant(path: str) -> bool:
    """Whether a sweep path names a model constant (``model.x``) rather than a scenario field."""
    return path.startswith(PREFIX)


def current(name: str) -> float:
    """The value ``name`` has now in its module (the default unless a run applies another)."""
    c = get(name)
    return getattr(c.module, c.attribute)


_LOCK = threading.RLock()


_HOLDERS: dict[str, tuple[int, list[ModuleType]]] = {}


def _holders(c: Constant) -> list[ModuleType]:
    """The owning module and every loaded cdtx module that imported the name by value (looked
    up again only when modules were loaded since)."""
    known = _HOLDERS.get(c.name)
    if known is not None and known[0] == len(sys.modules):
        return known[1]
    holders = [c.module]
    for name, module in list(sys.modules.items()):
        if module is None or module is c.module or not name.startswith(_PACKAGES):
            continue
        if getattr(module, c.attribute, None) is c.default:
            holders.append(module)
    if getattr(c.module, c.attribute) is c.default:  # not in the middle of a run's values
        _HOLDERS[c.name] = (len(sys.modules), holders)
    return holders


@contextlib.contextmanager
def applied(values: Mapping[str, float] | None) -> Iterator[None]:
    """Run the model with ``values`` (checked, as :func:`checked` gives them) in place of the
    defaults, and put the defaults back afterwards, whatever happens. Held under one
    process-wide lock (re-entrant), taken by runs with no values too, so a thread that runs
    another exercise meanwhile waits rather than sees these values (one uncontended lock per
    call into the model: nothing a run notices)."""
    with _LOCK:
        if not values:
            yield
            return
        changed: list[tuple[ModuleType, str, Any]] = []
        try:
            for name, value in values.items():
                c = CONSTANTS[name]
                for module in _holders(c):
                    changed.append((module, c.attribute, getattr(module, c.attribute)))
                    setattr(module, c.attribute, value)
            yield
        finally:
            for module, attribute, old in reversed(changed):
                setattr(module, attribute, old)


def rows() -> list[dict[str, Any]]:
    """The registry as plain rows (name, default, low, high, whole, where, source, meaning),
    in name order: what ``cdtx model`` prints."""
    return [
        {"name": c.name, "default": c.default, "low": c.low, "high": c.high, "whole": c.whole,
         "where": c.where, "source": c.source, "meaning": c.meaning}
        for c in sorted(CONSTANTS.values(), key=lambda c: c.name)
    ]  # fmt: skip


def markdown() -> str:
    """The registry as the Markdown table in docs/model.md (*Model constants*); a test checks
    that the page holds it (``python -m sim.constants`` prints it)."""
    lines = ["| name | default | range | in the code | meaning (source) |",
             "|---|---|---|---|---|"]  # fmt: skip
    for r in rows():
        lines.append(
            f"| `{r['name']}` | {_show(r['default'])} | [{_show(r['low'])}, {_show(r['high'])}]"
            f" | `{r['where']}` | {r['meaning']} ({r['source']}) |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
