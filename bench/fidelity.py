"""Fidelity benchmark: what the model does on its own, per built-in scenario.

For every built-in, with its MSEL and with the MSEL removed (the model alone), over N seeds:
adoption rate per measure, median stage times (days), vetoes and withdrawals the model made
itself (not from a scripted ``position`` inject), HR declarations naming an actor before any
national or partner attribution, the wording (naming level) of the declarations adopted, and the
P/S/M/U rates of each objective. docs/model.md argues the figures; issue 13 sets the targets.

    python bench/fidelity.py [--seeds 50] [--markdown] [--attribution] [--curves] [--calendar] [SCENARIO ...]

``--curves`` prints instead the outcome rates of three documented cases (a listing brought to the
Council, a declaration after a national attribution, the model's own initiative) against
Hungary's stance and ties, the severity and the evidence (issue 22: positions from more than ties),
then, per built-in scenario (with its MSEL), the highest measure adopted against the same inputs.

``--markdown`` prints instead the tables of docs/scenarios.md (with the MSEL): P/S/M/U rates per
objective and median stage times. ``--attribution`` prints instead the first public attribution
(by a capital or a partner) per built-in: median and quartiles in days and the share of runs with
none within a year, for the model alone (MSEL removed, horizon at least a year) and with the MSEL
(at the scenario's horizon); docs/model.md, *Public attribution takes months*, gives the record.

``--calendar`` prints instead, per built-in (with its MSEL and with the MSEL removed), Brussels'
calendar and the threat actor's tempo (issue 22): adoptions and procedure ends on a weekend or
holiday and regular sittings in the recess (all must be 0), the spread of the actor's reaction
delays, its moves of its own, and the retaliation rate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter

import scenarios
from sim.clock import in_recess, is_working_day
from sim.exercise import Exercise

STAGES = ("t_first_attribution", "t_shared_awareness", "t_first_psc", "t_hr_declaration",
          "t_council_conclusions", "t_listing")  # fmt: skip
NAMING_MEASURES = ("hr_declaration", "council_conclusions")


def run_summary(ex: Exercise) -> dict:
    """What one finished run says about the politics the model made."""
    first_attribution = None
    early_naming = False
    naming = []
    scripted = {
        (e.data["state"], e.data["measure"]) for e in ex.events if e.kind == "position_fixed"
    }
    model_vetoes = withdrawals = 0
    for e in ex.events:
        d = e.data
        if e.kind in ("attributed", "partner_attributed") and first_attribution is None:
            first_attribution = e.t
        elif e.kind == "adopted" and d["measure"] in NAMING_MEASURES:
            level = d.get("naming", "none")
            naming.append(level)
            if level != "none" and (first_attribution is None or first_attribution > e.t):
                early_naming = True
        elif e.kind == "decision" and not d["adopted"]:
            if any((b, d["measure"]) not in scripted for b in d["blockers"]):
                model_vetoes += 1
        elif e.kind == "withdrawn":
            withdrawals += 1
    return {
        "adopted": {e.data["measure"] for e in ex.events if e.kind == "adopted"},
        "metrics": ex.metrics,
        "early_naming": early_naming,
        "naming": naming,
        "model_vetoes": model_vetoes,
        "withdrawals": withdrawals,
        "redrafts": sum(e.kind == "redrafted" for e in ex.events),
    }


def table(scenario, seeds: int) -> dict:
    runs = [run_summary(Exercise(scenario, seed=s).run()) for s in range(seeds)]
    adoption = Counter(m for r in runs for m in r["adopted"])
    medians = {}
    for key in STAGES:
        values = [r["metrics"][key] for r in runs if r["metrics"][key] is not None]
        medians[key] = (statistics.median(values) / 24, len(values)) if values else (None, 0)
    ratings = {}
    for objective in scenario.objectives:
        counts = Counter(r["metrics"]["objectives"][objective.id] for r in runs)
        ratings[objective.id] = {g: counts[g] / seeds for g in "PSMU"}
    return {
        "adoption": {m: n / seeds for m, n in sorted(adoption.items())},
        "medians": medians,
        "vetoes": sum(r["model_vetoes"] > 0 for r in runs) / seeds,
        "withdrawals": sum(r["withdrawals"] > 0 for r in runs) / seeds,
        "redrafts": sum(r["redrafts"] > 0 for r in runs) / seeds,
        "early": sum(r["early_naming"] for r in runs) / seeds,
        "naming": Counter(level for r in runs for level in r["naming"]),
        "ratings": ratings,
    }


def show(title: str, t: dict) -> None:
    print(f"  {title}")
    print("    adopted:  " + ", ".join(f"{m} {v:.0%}" for m, v in t["adoption"].items()))
    print("    medians:  " + ", ".join(
        f"{k[2:]} {v:.1f}d ({n})" for k, (v, n) in t["medians"].items() if v is not None))  # fmt: skip
    print(f"    runs with model-made vetoes {t['vetoes']:.0%}, withdrawals {t['withdrawals']:.0%},"
          f" weaker redrafts {t['redrafts']:.0%}; naming before any attribution {t['early']:.0%}"
          f" (target <= 5% without MSEL)")  # fmt: skip
    print("    naming:   " + (", ".join(f"{k} {v}" for k, v in sorted(t["naming"].items())) or "-"))
    for oid, r in t["ratings"].items():
        print(f"    {oid:8s} " + " ".join(f"{g} {r[g]:4.0%}" for g in "PSMU"))


def markdown(ids: list[str], seeds: int) -> None:
    """The two tables of docs/scenarios.md, from runs with each scenario's MSEL."""
    loaded = {sid: scenarios.load(sid) for sid in ids}
    results = {sid: (sc, table(sc, seeds)) for sid, sc in loaded.items()}
    print("| scenario | objective | metric, target | P | S | M | U |")
    print("|---|---|---|---|---|---|---|")
    for sid, (sc, t) in results.items():
        for o in sc.objectives:
            r = t["ratings"][o.id]
            print(f"| `{sid}` | {o.id} | `{o.metric}` {o.target} | "
                  + " | ".join(f"{r[g]:.0%}" for g in "PSMU") + " |")  # fmt: skip
    print()
    print("| scenario | " + " | ".join(k[2:].replace("_", " ") for k in STAGES) + " |")
    print("|---|" + "---|" * len(STAGES))
    for sid, (_, t) in results.items():
        cells = []
        for key in STAGES:
            value, n = t["medians"][key]
            cells.append(
                "-" if value is None else f"{value:.1f} d" + ("" if n == seeds else f" ({n})")
            )
        print(f"| `{sid}` | " + " | ".join(cells) + " |")


YEAR = 365 * 24.0


def first_public_attribution(ex: Exercise) -> float | None:
    """Hours to the first public attribution by a capital or a partner (None: none)."""
    return next((e.t for e in ex.events if e.kind in ("attributed", "partner_attributed")), None)


def attribution_times(scenario, seeds: int) -> tuple[list[float], int]:
    """First public attribution (days) of the runs that had one within a year, and how many
    runs had none."""
    found = [first_public_attribution(Exercise(scenario, seed=s).run()) for s in range(seeds)]
    within = sorted(t / 24 for t in found if t is not None and t <= YEAR)
    return within, seeds - len(within)


def attribution(ids: list[str], seeds: int) -> None:
    """First public attribution per built-in, the model alone and with the MSEL."""
    print(f"first public attribution (capital or partner), days, {seeds} seeds;"
          " record: 54-75 d at the fastest, 168-233 d in 2017-18, years for some")  # fmt: skip
    print(f"{'scenario':28s} {'run':14s} {'q1':>7s} {'median':>7s} {'q3':>7s} {'none':>6s}")
    for sid in ids:
        scenario = scenarios.load(sid)
        alone = scenario.model_copy(update={"msel": [], "horizon": max(scenario.horizon, YEAR)})
        for label, variant in (("model alone", alone), ("with MSEL", scenario)):
            within, none = attribution_times(variant, seeds)
            if len(within) >= 2:
                q1, median, q3 = statistics.quantiles(within, n=4)
                cells = f"{q1:7.1f} {median:7.1f} {q3:7.1f}"
            elif within:
                cells = f"{'-':>7s} {within[0]:7.1f} {'-':>7s}"
            else:
                cells = f"{'-':>7s} {'-':>7s} {'-':>7s}"
            horizon = "" if variant.horizon >= YEAR else f" (horizon {variant.horizon / 24:.0f} d)"
            print(f"{sid:28s} {label:14s} {cells} {none / seeds:6.0%}{horizon}")


CURVE_CASE = """
cdtx: 1
id: curve
title: Curve case
start: 2026-03-02T09:00:00+01:00
horizon: 365d
member_states:
  HU: {{stance: {stance}, ties: {{RU: {tie}}}}}
threat_actors:
  - {{id: bear, name: BEAR, sponsor: RU, sophistication: 0.7, resolve: 0.6}}
incidents:
  - id: INC
    actor: bear
    targets: [{{state: PL, sector: energy}}, {{state: LT, sector: government}}]
    severity: {{scope: {sev}, scale: {sev}, duration: {sev}, intensity: {sev}, complexity: {sev},
               sophistication: {sev}, impact: {sev}}}
procedure: {{mode: calendar, initiation: {initiation}, attribution_evidence: {evidence}d}}
msel: {msel}
"""
#: The three cases: what is scripted, the outcomes counted.
CURVE_MSEL = {
    "listing brought": "[{{id: E, at: 20d, type: intel, to: [PL, LT, EE, DE], params: {{actor: bear, "
    "confidence: 0.3}}}}, {{id: A, at: 60d, type: attribute, params: {{states: [PL], "
    "actor: bear}}}}, {{id: L, at: 61d, type: propose, params: {{measure: listing, by: PL}}}}]",
    "declaration after attribution": "[{{id: E, at: 20d, type: intel, to: [PL, LT, EE, DE], "
    "params: {{actor: bear, confidence: 0.3}}}}, {{id: A, at: 60d, type: attribute, "
    "params: {{states: [PL], actor: bear}}}}, {{id: D, at: 61d, type: propose, "
    "params: {{measure: hr_declaration, by: hr}}}}]",
    "model alone": "[{{id: E, at: 20d, type: intel, to: [PL, LT, EE, DE], params: {{actor: bear, "
    "confidence: 0.3}}}}]",
}
CURVE_BASE = {"stance": -0.3, "tie": 0.6, "sev": 3, "evidence": 45}
CURVE_AXES = {
    "HU stance": ("stance", (-1.0, -0.5, 0.0, 0.5, 1.0)),
    "HU ties to RU": ("tie", (0.0, 0.25, 0.5, 0.75, 1.0)),
    "severity (each criterion)": ("sev", (1, 2, 3, 4)),
    "evidence (days to conclusive evidence: fewer is stronger)": (
        "evidence",
        (15, 45, 120, 365, 1000),
    ),
}


def curve_rates(case: str, params: dict, seeds: int) -> dict[str, float]:
    """Outcome rates of ``case`` at ``params`` over ``seeds`` runs: listing, declaration (any
    wording), naming the state, HR statement, nothing, a veto, linkage, withdrawal."""
    msel = CURVE_MSEL[case].format()
    initiation = "3d" if case == "model alone" else "900d"
    text = CURVE_CASE.format(msel=msel, initiation=initiation, **params)
    scenario = scenarios.load_text(text)
    counts: Counter[str] = Counter()
    for seed in range(seeds):
        ex = Exercise(scenario, seed=seed).run()
        adopted = {e.data["measure"]: e.data for e in ex.events if e.kind == "adopted"}
        counts["listing"] += "listing" in adopted
        counts["declaration"] += "hr_declaration" in adopted
        counts["names state"] += adopted.get("hr_declaration", {}).get("naming") == "state"
        counts["HR statement"] += "hr_statement" in adopted
        counts["nothing"] += not adopted
        counts["veto"] += any(e.kind == "decision" and not e.data["adopted"] for e in ex.events)
        counts["linkage"] += any(e.kind == "linkage" for e in ex.events)
        counts["withdrawn"] += any(e.kind == "withdrawn" for e in ex.events)
        counts["formal abstention"] += any(
            e.kind == "decision" and e.data["measure"] == "listing"
            and e.data["constructive_abstention"] for e in ex.events
        )  # fmt: skip
    return {k: v / seeds for k, v in counts.items()}


CURVE_SHOWN = {
    "listing brought": ("listing", "declaration", "veto", "linkage", "formal abstention"),
    "declaration after attribution": ("declaration", "names state", "HR statement", "withdrawn"),
    "model alone": ("listing", "declaration", "HR statement", "nothing"),
}


def curves(seeds: int) -> None:
    """Outcome rate against each input, one axis at a time around :data:`CURVE_BASE`."""
    for case, shown in CURVE_SHOWN.items():
        print(f"{case} ({seeds} seeds; base {CURVE_BASE})")
        for axis, (key, values) in CURVE_AXES.items():
            print(f"  {axis}")
            for value in values:
                rates = curve_rates(case, {**CURVE_BASE, key: value}, seeds)
                print(f"    {value!s:>5}: " + ", ".join(f"{k} {rates[k]:4.0%}" for k in shown))


#: Events that must fall on a working day (docs/model.md, *Calendar*): (kind, phase or None).
WORKING_DAY_EVENTS = {("adopted", None), ("silence_procedure", "ended"),
                      ("written_procedure", "ended"), ("listing_review", None)}  # fmt: skip


def calendar_summary(ex: Exercise) -> dict:
    """What one finished run says about the calendar and the adversary's tempo."""
    off_days = recess_sittings = 0
    adopted_at: dict[str, list[float]] = {}
    delays, campaign, retaliations = [], 0, 0
    for e in ex.events:
        d = e.data
        if (e.kind, d.get("phase")) in WORKING_DAY_EVENTS:
            off_days += not is_working_day(ex.calendar.to_datetime(e.t).date())
        if e.kind == "meeting" and not d["extraordinary"]:
            day = ex.calendar.to_datetime(e.t).date()
            recess_sittings += in_recess(day) or not is_working_day(day)
        if e.kind == "adopted":
            adopted_at.setdefault(d["measure"], []).append(e.t)
        elif e.kind == "adversary":
            if d["cause"] == "campaign":
                campaign += 1
            elif d["cause"] in adopted_at:
                delays.append(e.t - max(t for t in adopted_at[d["cause"]] if t <= e.t))
        elif e.kind == "retaliation":
            retaliations += 1
    listed = "listing" in adopted_at
    return {"off_days": off_days, "recess_sittings": recess_sittings, "delays": delays,
            "campaign": campaign, "retaliations": retaliations, "listed": listed}  # fmt: skip


def calendar_table(scenario, seeds: int) -> str:
    runs = [calendar_summary(Exercise(scenario, seed=s).run()) for s in range(seeds)]
    delays = sorted(d for r in runs for d in r["delays"])
    if len(delays) >= 2:
        q = statistics.quantiles(delays, n=10, method="inclusive")
        spread = (f"reaction delay h: n {len(delays)}, min {delays[0]:.0f}, p10 {q[0]:.0f}, "
                  f"median {statistics.median(delays):.0f}, p90 {q[-1]:.0f}, max {delays[-1]:.0f}, "
                  f"distinct {len({round(d, 2) for d in delays})}")  # fmt: skip
    else:
        spread = f"reaction delay h: n {len(delays)}"
    listed = [r for r in runs if r["listed"]]
    retaliated = sum(r["retaliations"] > 0 for r in listed)
    return (
        f"    weekend/holiday adoptions and procedure ends {sum(r['off_days'] for r in runs)}, "
        f"regular sittings in recess {sum(r['recess_sittings'] for r in runs)} (both must be 0)\n"
        f"    {spread}\n"
        f"    runs where the actor moved on its own {sum(r['campaign'] > 0 for r in runs) / seeds:.0%}; "
        f"retaliation in {retaliated} of {len(listed)} runs with a listing"
        + (f" ({retaliated / len(listed):.0%})" if listed else "")
    )


def calendar(ids: list[str], seeds: int) -> None:
    """Brussels' calendar and the adversary's tempo per built-in (``--calendar``)."""
    for sid in ids:
        scenario = scenarios.load(sid)
        print(f"{sid} ({seeds} seeds)")
        print("  with MSEL")
        print(calendar_table(scenario, seeds))
        print("  MSEL removed")
        print(calendar_table(scenario.model_copy(update={"msel": []}), seeds))


#: The inputs varied on each built-in, one at a time: (label, values, the parameters of a value).
BUILTIN_AXES = (
    ("HU stance", (-1.0, -0.3, 0.5, 1.0), lambda sc, v: {"member_states.HU.stance": v}),
    ("HU ties to the sponsor", (0.0, 0.5, 0.9),
     lambda sc, v: {f"member_states.HU.ties.{_sponsor(sc)}": v}),
    ("severity (every criterion)", (1, 2, 3, 4), lambda sc, v: _severity(sc, v)),
    ("evidence (x attribution_evidence)", (0.3, 1.0, 3.0),
     lambda sc, v: {"procedure.attribution_evidence": f"{_evidence_hours(sc) * v:.0f}h"}),
)  # fmt: skip
OUTCOMES = ("listing", "declaration", "HR statement", "less")


def _sponsor(scenario) -> str:
    return next((a.sponsor for a in scenario.threat_actors if a.sponsor), "RU")


def _severity(scenario, level: int) -> dict:
    from scenarios.vocabulary import CRITERIA

    return {f"incidents.{i.id}.severity.{c}": level for i in scenario.incidents for c in CRITERIA}


def _evidence_hours(scenario) -> float:
    from sim.timing import timing_for

    return timing_for(scenario.procedure).attribution_evidence


def _outcome(highest: str) -> str:
    if highest == "listing":
        return "listing"
    if highest in ("hr_declaration", "council_conclusions"):
        return "declaration"
    return "HR statement" if highest == "hr_statement" else "less"


def builtin_curves(ids: list[str], seeds: int) -> None:
    """Per built-in (with its MSEL): the highest measure adopted against each input."""
    from sim.sweep import build_scenario

    for sid in ids:
        scenario = scenarios.load(sid)
        base = scenario.model_dump(mode="json", by_alias=True)
        print(f"{sid} ({seeds} seeds, with its MSEL): highest measure adopted")
        for label, values, params in BUILTIN_AXES:
            print(f"  {label}")
            for value in values:
                varied = build_scenario(base, params(scenario, value))
                counts = Counter(
                    _outcome(Exercise(varied, seed=s).run().metrics["highest_measure"])
                    for s in range(seeds)
                )
                print(f"    {value!s:>5}: "
                      + ", ".join(f"{k} {counts[k] / seeds:4.0%}" for k in OUTCOMES))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--markdown", action="store_true", help="the tables of docs/scenarios.md")
    parser.add_argument("--attribution", action="store_true",
                        help="first public attribution times per built-in")  # fmt: skip
    parser.add_argument("--curves", action="store_true", help="outcome rates against inputs")
    parser.add_argument("--calendar", action="store_true",
                        help="Brussels' calendar and the threat actor's tempo (issue 22)")  # fmt: skip
    parser.add_argument("scenario", nargs="*")
    args = parser.parse_args(argv)
    if args.attribution:
        attribution(args.scenario or scenarios.builtin_ids(), args.seeds)
        return 0
    if args.curves:
        if not args.scenario:
            curves(args.seeds)
        builtin_curves(args.scenario or scenarios.builtin_ids(), args.seeds)
        return 0
    if args.calendar:
        start = time.perf_counter()
        calendar(args.scenario or scenarios.builtin_ids(), args.seeds)
        print(f"({time.perf_counter() - start:.1f} s)")
        return 0
    if args.markdown:
        markdown(args.scenario or scenarios.builtin_ids(), args.seeds)
        return 0
    start = time.perf_counter()
    for sid in args.scenario or scenarios.builtin_ids():
        scenario = scenarios.load(sid)
        print(f"{sid} ({args.seeds} seeds)")
        show("with MSEL", table(scenario, args.seeds))
        show("MSEL removed", table(scenario.model_copy(update={"msel": []}), args.seeds))
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
