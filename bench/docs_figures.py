"""The figures of the shipped sweeps that docs/ quotes, computed afresh (issue 24).

    python bench/docs_figures.py            # print them, name = value
    python bench/docs_figures.py --write    # and store them in docs/figures.txt
    python bench/docs_figures.py --check    # exit 1 if docs/ or docs/figures.txt disagree

Each figure is computed from a run of a shipped sweep (``hu-ties``, ``crisis-vs-calendar``,
``unanimity-vs-qmv``, ``listing-drivers``, and docs/sweeps.md's ``veto-sobol`` example; about
25 s on one core), or of seeds 0-49 of each exercise built-in (docs/scenarios.md's *Typical
outcome*, ``typical-outcomes``: recomputed by tests/test_doc_figures.py). :data:`QUOTES` says where each
doc quotes which figure: ``tests/test_sweep_analysis.py`` checks that every quote in docs/ reads
as docs/figures.txt says (fast: text only) and recomputes the cheap sweeps' figures (:data:`FAST`:
``hu-ties``, ``unanimity-vs-qmv``, ``crisis-vs-calendar``, a quarter of ``listing-drivers``), so a model
change that moves them fails a test until this script is rerun with ``--write`` and the docs are
updated. docs/analysis.md's figures are its code blocks' output, checked by running them
(``test_docs_analysis_runs``).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from record import figures_main, read_figures, unsaid

ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "docs" / "figures.txt"
HEAD = "The figures docs/ quotes, as bench/docs_figures.py computes them (--write)."

#: (doc, text with {figure} placeholders): what each doc says, filled in from the figures.
QUOTES: list[tuple[str, str]] = [
    ("docs/sweeps.md", "with the model's defaults the listing passes in every run up to "
     "{hu_ties_all_up_to} and in {hu_ties_last_two} of runs at 0.75 and 1"),
    ("docs/calibration.md", "hu-ties: listing adopted in {hu_ties_listing}% of runs as "
     "Hungary's ties go 0, 0.25, 0.5, 0.75, 1"),
    ("docs/analysis.md", "shows the listing adopted in every run up to ties of "
     "{hu_ties_all_up_to}"),
    ("docs/calibration.md", "listing {crisis_calendar} in the calendar month, {crisis_listing}% "
     "at crisis pace"),
    ("docs/calibration.md", "listing {qmv_unanimity}% by unanimity and {qmv_qmv}% by QMV for "
     "Hungary's ties 0.5/0.95"),
    ("docs/model.md", "listing {qmv_unanimity}% by unanimity and {qmv_qmv}% by QMV for "
     "Hungary's ties 0.5/0.95"),
    ("docs/calibration.md", "{drivers_split} of its 320 points adopt the listing in one of "
     "their two runs"),
    ("docs/sweeps.md", "The listing is adopted in {veto_adopted} runs. The total-order index of "
     "listing_adopted is ST {veto_st_veto} for the veto threshold and ST {veto_st_ties} for "
     "Hungary's ties, status {veto_status}:"),
    ("docs/sweeps.md", "The densest box of inputs leading to the listing is {veto_box}."),
    # docs/scenarios.md, *Typical outcome* of each exercise built-in: seeds 0-49 with the MSEL
    # (the runs of its *Outcomes over 50 seeds*, bench/fidelity.py --markdown)
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): awareness after "
     "{gw_shared_awareness_d} days, the first PSC after {gw_first_psc_d} days, an HR declaration "
     "after {gw_hr_declaration_d} days ({gw_adopted_hr_declaration} of 50 runs); the listing the "
     "severity calls for is still in its evidence package when the 30 days end (proportionality "
     "gap open in {gw_gap_open} of 50 runs)"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): the PSC after "
     "{gwc_first_psc_h} h, awareness after {gwc_shared_awareness_h} h, the declaration after "
     "{gwc_hr_declaration_h} h ({gwc_adopted_hr_declaration} of 50 runs); Council conclusions "
     "within the 72 hours in {gwc_adopted_council_conclusions} of 50 runs (CR-6)"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): awareness after "
     "{rw_shared_awareness_d} days, the first PSC after {rw_first_psc_d} days; the cooperative "
     "measure agreed in {rw_adopted_cooperative} of 50 runs; an HR declaration (the model's own "
     "initiative) in {rw_adopted_hr_declaration} of 50 runs, after {rw_hr_declaration_d} days; "
     "the Council conclusions adopted within the horizon in {rw_adopted_council_conclusions} of "
     "50 runs"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): awareness after "
     "{el_shared_awareness_d} days, the Netherlands' attribution on day {el_first_attribution_d}; "
     "the model's delegations do not block the declaration, adopted in "
     "{el_adopted_hr_declaration} of 50 runs (EL-3), but only after {el_hr_declaration_d} days, "
     "after the vote on day 21"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): the declaration after "
     "{sw_hr_declaration_h} h; listings adopted in {sw_adopted_listing} of 50 runs, on day "
     "{sw_listing_d} (median of those runs; the crisis-mode evidence package is still days "
     "long)"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): detection on day "
     "{sc_first_detection_d}, shared awareness on day {sc_shared_awareness_d}, an HR declaration "
     "on day {sc_hr_declaration_d}; the Council conclusions are adopted in "
     "{sc_adopted_council_conclusions} of 50 runs and a listing in {sc_adopted_listing}; the "
     "proportionality gap stays open in {sc_gap_open}"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): awareness and first PSC "
     "after {eu_shared_awareness_d} and {eu_first_psc_d} days, the declaration after "
     "{eu_hr_declaration_d} days ({eu_adopted_hr_declaration} of 50 runs)"),
    ("docs/scenarios.md", "Typical outcome (medians over seeds 0-49): the first technical report "
     "after {bb_first_technical_report_h} h, CyCLONe's assessment after "
     "{bb_cyclone_assessment_d} days, IPCR after {bb_ipcr_activation_d} days "
     "({bb_ipcr_activation_runs} of 50 runs), the PSC's first ISAA report after "
     "{bb_psc_isaa_d} days (within the horizon in {bb_psc_isaa_runs} of 50 runs)"),
]  # fmt: skip


def _listing_shares(name: str, jobs: int, directory: Path, *, part: int = 1
                    ) -> list[tuple[dict, int]]:  # fmt: skip
    """(parameters, percent of runs that adopted the listing) per point of shipped sweep
    ``name``, in point order; ``part``: of its design with ``n`` divided by ``part``."""
    from sim import sweep as sw

    spec = sw.load_spec(name)
    spec = dataclasses.replace(spec, n=spec.n // part)
    out = directory / f"{name}-n{spec.n}.csv"
    sw.run_sweep(sw.Sweep(spec), out, jobs=jobs)
    points = sw.summarize(out)["points"]
    return [(p["params"], round(100 * p["metrics"]["t_listing"]["reached"]["share"]))
            for p in points]  # fmt: skip


def hu_ties(jobs: int, directory: Path) -> dict[str, str]:
    shares = _listing_shares("hu-ties", jobs, directory)
    percents = [pct for _, pct in shares]
    ties = [p["member_states.HU.ties.RU"] for p, _ in shares]
    all_up_to = max((t for t, pct in zip(ties, percents, strict=True) if pct == 100), default=None)
    last_two = percents[-2:]
    return {
        "hu_ties_listing": "/".join(str(p) for p in percents),
        "hu_ties_all_up_to": str(all_up_to),
        "hu_ties_last_two": f"{last_two[0]}% and {last_two[1]}%",
    }


def crisis_vs_calendar(jobs: int, directory: Path) -> dict[str, str]:
    shares = _listing_shares("crisis-vs-calendar", jobs, directory)
    calendar = [pct for p, pct in shares if p["procedure.mode"] == "calendar"]
    crisis = [pct for p, pct in shares if p["procedure.mode"] == "crisis"]
    never = "never" if not any(calendar) else "in " + "/".join(map(str, calendar)) + "%"
    return {"crisis_calendar": never, "crisis_listing": "/".join(map(str, crisis))}


def unanimity_vs_qmv(jobs: int, directory: Path) -> dict[str, str]:
    shares = _listing_shares("unanimity-vs-qmv", jobs, directory)
    by_rule: dict[str, list[int]] = {}
    for params, pct in shares:  # ties 0.5 then 0.95 under each rule
        by_rule.setdefault(params["decision_rule"], []).append(pct)
    return {"qmv_unanimity": "/".join(map(str, by_rule["unanimity"])),
            "qmv_qmv": "/".join(map(str, by_rule["qmv"]))}  # fmt: skip


def _split(shares: list[tuple[dict, int]]) -> str:
    """How many points adopt the listing in half their runs (one of listing-drivers' two)."""
    return str(sum(1 for _, pct in shares if pct == 50))


def listing_drivers(jobs: int, directory: Path) -> dict[str, str]:
    """The points split between their two runs (quoted), and among the first quarter of the
    points (not quoted: what :func:`listing_drivers_quarter` recomputes)."""
    shares = _listing_shares("listing-drivers", jobs, directory)
    return {"drivers_split": _split(shares),
            "drivers_split_first_quarter": _split(shares[: len(shares) // 4])}  # fmt: skip


def listing_drivers_quarter(jobs: int, directory: Path) -> dict[str, str]:
    """``drivers_split_first_quarter`` from listing-drivers' design of a quarter of its N: a
    Sobol' design of N/4 is the first quarter of the points of that of N, and a run's seed
    depends on its point and replication alone, so these are the same runs, at a quarter of the
    cost (the share of ``drivers_split`` the tests recompute)."""
    shares = _listing_shares("listing-drivers", jobs, directory, part=4)
    return {"drivers_split_first_quarter": _split(shares)}


#: docs/sweeps.md's worked example of an outcome of one's own: a Sobol' design over a model
#: constant and a scenario field (not a shipped sweep: the spec is here).
VETO_SOBOL = {
    "name": "veto-sobol",
    "title": "Listing veto threshold and Hungary's ties vs the Bundestag listing",
    "base": "calib-bundestag",
    "seed": 1,
    "seeds": 8,
    "sample": {"sobol": 32},
    "vary": {"model.listing_veto_at": {"uniform": [-0.9, -0.5]},
             "member_states.HU.ties.RU": {"uniform": [0.5, 0.95]}},
    "outcomes": {"listing_adopted": {"event": "adopted", "measure": "listing"}},
}  # fmt: skip


def veto_sobol(jobs: int, directory: Path) -> dict[str, str]:
    """The share of runs adopting the listing, each input's Sobol' ST for that outcome (with
    the status), and the densest box --discover finds for it."""
    from sim import sweep as sw
    from sim.sweep.discover import show_box
    from sim.sweep.summary import show_entry

    out = directory / "veto-sobol.parquet"
    sw.run_sweep(sw.Sweep(sw.spec_from_dict(VETO_SOBOL)), out, jobs=jobs)
    summary = sw.summarize(out, max_points=0)
    sens = summary["sensitivity"]
    st = sens["metrics"]["outcome.listing_adopted"]
    found = sw.discover(out, "listing_adopted")
    box = found["boxes"][0]
    return {
        "veto_adopted": f"{found['hits']:,} of {found['runs']:,}",
        "veto_st_veto": show_entry(st["model.listing_veto_at"], "ST"),
        "veto_st_ties": show_entry(st["member_states.HU.ties.RU"], "ST"),
        "veto_status": sens["status"]["outcome.listing_adopted"],
        "veto_box": f"{show_box(box)} (density {box['density']:.0%}, coverage "
        f"{box['coverage']:.0%})",
    }


#: The exercise built-ins whose *Typical outcome* docs/scenarios.md gives, and their figures'
#: prefix.
TYPICAL = {"grid-wiper": "gw", "grid-wiper-crisis": "gwc", "hospital-ransomware": "rw",
           "election-leak": "el", "satcom-war": "sw", "supply-chain-espionage": "sc",
           "eu-institution-intrusion": "eu", "baltic-blackout": "bb"}  # fmt: skip
TYPICAL_MEASURES = ("hr_declaration", "council_conclusions", "listing", "cooperative")


def typical_outcomes(jobs: int, directory: Path) -> dict[str, str]:
    """docs/scenarios.md's *Typical outcome* figures: over seeds 0-49 with the MSEL (as
    bench/fidelity.py --markdown), per exercise built-in, the median of each time metric in days
    (``PREFIX_METRIC_d``) and hours (``_h``) over the runs that reached it (``_runs``), the runs
    that adopted each measure (``PREFIX_adopted_MEASURE``) and those ending with the
    proportionality gap open (``PREFIX_gap_open``). Only the figures :data:`QUOTES` uses."""
    import statistics

    import scenarios
    from sim.exercise import Exercise

    out: dict[str, str] = {}
    for sid, key in TYPICAL.items():
        scenario = scenarios.load(sid)
        runs = [Exercise(scenario, seed=seed).run() for seed in range(50)]
        metrics = [r.metrics for r in runs]  # a fold over the events: once a run
        for name in metrics[0]:
            if not name.startswith("t_"):
                continue
            hours = [m[name] for m in metrics if m[name] is not None]
            out[f"{key}_{name[2:]}_runs"] = str(len(hours))
            if hours:
                median = statistics.median(hours)
                out[f"{key}_{name[2:]}_d"] = f"{median / 24:.1f}"
                out[f"{key}_{name[2:]}_h"] = f"{median:.0f}"
        adopted = [{e.data["measure"] for e in r.events if e.kind == "adopted"} for r in runs]
        for measure in TYPICAL_MEASURES:
            out[f"{key}_adopted_{measure}"] = str(sum(measure in a for a in adopted))
        out[f"{key}_gap_open"] = str(sum(m["proportionality_gap"] > 0 for m in metrics))
    used = {name for _, template in QUOTES for name in re.findall(r"{(\w+)}", template)}
    return {k: v for k, v in out.items() if k in used}


#: The sweeps, cheapest first; tests/test_sweep_analysis.py recomputes :data:`FAST` of them
#: (about 4 s of CPU in all: ``crisis-vs-calendar``'s 200 runs about 1 s). ``listing-drivers``
#: (640 runs) and ``veto-sobol`` (1,024 runs, SALib's analysis and the box search) take 4-5 s
#: each, and their figures count every point of the design; the tests recompute the first
#: quarter of listing-drivers' points instead (``listing-drivers-quarter``: 160 runs, about 1 s
#: with the design).
SWEEPS: dict[str, Callable[[int, Path], dict[str, str]]] = {
    "hu-ties": hu_ties,
    "unanimity-vs-qmv": unanimity_vs_qmv,
    "crisis-vs-calendar": crisis_vs_calendar,
    "listing-drivers-quarter": listing_drivers_quarter,
    "listing-drivers": listing_drivers,
    "veto-sobol": veto_sobol,
    "typical-outcomes": typical_outcomes,
}
FAST = ("hu-ties", "unanimity-vs-qmv", "crisis-vs-calendar", "listing-drivers-quarter")


def figures(names: tuple[str, ...] | None = None, jobs: int = 1) -> dict[str, str]:
    """The figures of the sweeps ``names`` (default: all), computed afresh."""
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="cdtx-docs-figures-") as tmp:
        for name in names or tuple(SWEEPS):
            got = SWEEPS[name](jobs, Path(tmp))
            # listing-drivers-quarter recomputes a figure of listing-drivers: the two must agree
            clash = {k: (out[k], v) for k, v in got.items() if out.get(k, v) != v}
            assert not clash, f"{name} gives other figures than before: {clash}"
            out.update(got)
    return out


def read_stored(path: Path = STORED) -> dict[str, str]:
    """The figures as docs/figures.txt stores them."""
    return read_figures(path)


def misquoted(values: dict[str, str], root: Path = ROOT) -> list[str]:
    """The quotes of :data:`QUOTES` that their doc does not say with ``values``."""
    return unsaid(QUOTES, values, root)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", "--jobs", type=int, default=1)
    return figures_main(ap, argv, lambda args: (figures(jobs=args.jobs), {}), stored=STORED,
                        head=HEAD, misquoted=misquoted)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

