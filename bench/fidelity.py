"""Fidelity benchmark: what the model does on its own, per built-in scenario.

For every built-in, with its MSEL and with the MSEL removed (the model alone), over N seeds:
adoption rate per measure, median stage times (days), vetoes and withdrawals the model made
itself (not from a scripted ``position`` inject), HR declarations naming an actor before any
national or partner attribution, the wording (naming level) of the declarations adopted, and the
P/S/M/U rates of each objective. docs/model.md argues the figures; issue 13 sets the targets.

    python bench/fidelity.py [--seeds 50] [--markdown] [SCENARIO ...]

``--markdown`` prints instead the tables of docs/scenarios.md (with the MSEL): P/S/M/U rates per
objective and median stage times.

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--markdown", action="store_true", help="the tables of docs/scenarios.md")
    parser.add_argument("--calendar", action="store_true",
                        help="Brussels' calendar and the threat actor's tempo (issue 22)")  # fmt: skip
    parser.add_argument("scenario", nargs="*")
    args = parser.parse_args(argv)
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
