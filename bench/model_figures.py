"""The figures of model runs that docs/model.md quotes, computed afresh (issue 24).

    python bench/model_figures.py            # print them, name = value, and the table
    python bench/model_figures.py --write    # store them in docs/model-figures.txt, the table in docs/model.md
    python bench/model_figures.py --check    # exit 1 if docs/model.md or the stored figures disagree

Two kinds, as their cost allows:

- the table *What the model makes on its own* (every built-in, 50 seeds, MSEL removed), between
  ``<!-- figures: model-alone -->`` and ``<!-- /figures -->`` in docs/model.md, the crisis
  track of ``baltic-blackout`` (50 seeds) and what the model's constants make of its
  distributions (public pressure, reaction, retaliation and attribution delays): cheap, so
  tests/test_calibration.py recomputes them (the table from the runs without MSEL it already
  makes for its own check);
- the curves of bench/fidelity.py ``--curves``, the first public attributions of ``--attribution``
  and the calendar and tempo figures of ``--calendar``: thousands of runs (about 30 s on one
  core), so they are stored in docs/model-figures.txt; :data:`QUOTES` says where docs/model.md
  quotes each, tests/test_calibration.py checks every quote against the stored file (text only),
  and ``--check`` recomputes them.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from statistics import NormalDist

import fidelity
from record import blocks, figures_main, read_figures, unsaid

import scenarios
from actors import national, negotiation, threat
from actors.severity import overtness
from sim import Exercise

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"
STORED = ROOT / "docs" / "model-figures.txt"
HEAD = "The model-run figures docs/model.md quotes, as bench/model_figures.py computes them."
SEEDS = range(50)
DAY = 24.0


# -- what the model makes on its own (cheap: recomputed by the tests) ----------------------------


def alone_runs(scenario_id: str, seeds: Iterable[int] = SEEDS) -> list[Exercise]:
    """The runs of built-in ``scenario_id`` with its MSEL removed (the model alone)."""
    scenario = scenarios.load(scenario_id).model_copy(update={"msel": []})
    return [Exercise(scenario, seed=seed).run() for seed in seeds]


def alone_row(scenario_id: str, ran: list[Exercise]) -> str:
    """One row of the table *What the model makes on its own*: the share of runs with a veto the
    model made, a weaker redraft, a withdrawal, a declaration, a listing, other measures, and a
    declaration naming the actor before any attribution."""
    found = [fidelity.run_summary(ex) for ex in ran]

    def pct(n: int) -> str:
        return f"{n / len(ran):.0%}"

    adopted = Counter(m for r in found for m in r["adopted"])
    main = ("hr_declaration", "council_conclusions", "listing")
    others = ", ".join(f"{m} {pct(n)}" for m, n in sorted(adopted.items()) if m not in main)
    cells = [
        pct(sum(r["model_vetoes"] > 0 for r in found)),
        pct(sum(r["redrafts"] > 0 for r in found)),
        pct(sum(r["withdrawals"] > 0 for r in found)),
        pct(sum(bool(r["adopted"] & {"hr_declaration", "council_conclusions"}) for r in found)),
        pct(adopted["listing"]),
        others or "-",
        pct(sum(r["early_naming"] for r in found)),
    ]
    return f"| `{scenario_id}` | " + " | ".join(cells) + " |"


ALONE_HEAD = (
    "| scenario | runs with a model-made veto | weaker redraft | withdrawn | declaration or "
    "conclusions adopted | listing adopted | other measures adopted | declarations naming "
    "before any attribution |\n|---|---|---|---|---|---|---|---|\n"
)


def alone_table(rows: dict[str, str]) -> str:
    """The table from its rows (scenario -> row), in the library's order."""
    return ALONE_HEAD + "".join(rows[sid] + "\n" for sid in scenarios.builtin_ids())


# -- the crisis track of baltic-blackout (cheap: recomputed by the tests) ------------------------

CRISIS = {"crisis_technical": "t_first_technical_report", "crisis_cyclone": "t_cyclone_assessment",
          "crisis_ipcr": "t_ipcr_activation", "crisis_isaa": "t_psc_isaa",
          "crisis_awareness": "t_shared_awareness"}  # fmt: skip


def crisis_track(ran: list[Exercise]) -> dict[str, str]:
    """Median days to each level's first product in ``baltic-blackout`` (the runs reaching it),
    and how many runs have no ISAA report at the PSC within the scenario."""
    out = {}
    for name, metric in CRISIS.items():
        times = [ex.metrics[metric] / DAY for ex in ran if ex.metrics[metric] is not None]
        out[name] = f"{statistics.median(times):.1f}"
    none = sum(ex.metrics["t_psc_isaa"] is None for ex in ran)
    out["crisis_isaa_none"] = f"{none} of {len(ran)}"
    return out


# -- the model's distributions, from its constants (cheap: recomputed by the tests) -------------


def distributions() -> dict[str, str]:
    """What docs/model.md says of the model's distributions, from the constants themselves: the
    public pressure at the calibration cases' visibilities, the spread of an actor's reaction
    and retaliation delays, and where the public-attribution delay puts the record's times."""
    def pressure(v: float) -> str:
        p = 1 / (1 + math.exp(-(v - negotiation.VISIBLE_AT) / negotiation.VISIBILITY_SCALE))
        return "under 0.001" if p < 0.001 else f"{p:.2g}"

    z = NormalDist()

    def lognormal(median: float, sigma: float, q: float) -> float:
        return median * math.exp(sigma * z.inv_cdf(q))

    reaction = (threat.REACTION_MEDIAN, threat.REACTION_SIGMA)
    retaliation = (threat.RETALIATION_MEDIAN, threat.RETALIATION_SIGMA)
    days, sigma = national.PUBLIC_ATTRIBUTION_MEDIAN_DAYS, national.PUBLIC_ATTRIBUTION_SIGMA

    def within(d: float) -> str:
        return f"{z.cdf(math.log(d / days) / sigma):.0%}"

    return {
        **{f"pressure_{round(100 * v):03d}": pressure(v) for v in (0.38, 0.5, 0.75, 1.0)},
        "reaction_median": f"{reaction[0]:.0f}",
        "reaction_sigma": f"{reaction[1]:g}",
        "reaction_q1": f"{lognormal(*reaction, 0.25):.0f}",
        "reaction_q3": f"{lognormal(*reaction, 0.75):.0f}",
        "reaction_p05": f"{lognormal(*reaction, 0.05):.0f}",
        "reaction_p95": f"{lognormal(*reaction, 0.95):.0f}",
        "retaliation_median": f"{retaliation[0] / DAY:.0f}",
        "retaliation_sigma": f"{retaliation[1]:g}",
        "retaliation_p05": f"{lognormal(*retaliation, 0.05) / DAY:.1f}",
        "retaliation_p95": f"{lognormal(*retaliation, 0.95) / DAY / 7:.1f}",
        "attribution_median": f"{days:.0f}",
        "attribution_sigma": f"{sigma:g}",
        "attribution_54": within(54),
        "attribution_75": within(75),
        "attribution_year": within(365),
    }


# -- the expensive figures (stored in docs/model-figures.txt) ------------------------------------

#: The curves docs/model.md shows: (figure, fidelity.py case, outcome).
CURVE_COLUMNS = (("listing", "listing brought", "listing"),
                 ("names", "declaration after attribution", "names state"),
                 ("alone_declaration", "model alone", "declaration"),
                 ("alone_listing", "model alone", "listing"))  # fmt: skip
#: The points shown per axis of fidelity.CURVE_AXES: (figure, axis, values).
CURVE_ROWS = (("stance", "HU stance", (-1.0, -0.5, 0.0, 1.0)),
              ("ties", "HU ties to RU", (0.0, 0.5, 0.75, 1.0)),
              ("severity", "severity (each criterion)", (1, 2, 3, 4)),
              ("evidence", "evidence (days to conclusive evidence: fewer is stronger)",
               (15, 120, 365, 1000)))  # fmt: skip
CURVE_SEEDS = 40


def curves(seeds: int = CURVE_SEEDS) -> dict[str, str]:
    """Each cell of docs/model.md's curves: ``curve_<row>_<column>`` = ``50 / 100 / 100 / 100%``."""
    out = {}
    for row, axis, values in CURVE_ROWS:
        key, _ = fidelity.CURVE_AXES[axis]
        rates = {case: [fidelity.curve_rates(case, {**fidelity.CURVE_BASE, key: v}, seeds)
                        for v in values] for case in {c for _, c, _ in CURVE_COLUMNS}}  # fmt: skip
        for column, case, outcome in CURVE_COLUMNS:
            cells = " / ".join(f"{100 * r[outcome]:.0f}" for r in rates[case])
            out[f"curve_{row}_{column}"] = cells + "%"
    return out


def attribution(seeds: int = 50) -> dict[str, str]:
    """First public attribution, the model alone (MSEL removed, horizon at least a year), over the
    calendar-mode built-ins: the range of the medians and of the share with none in a year."""
    medians, nones = [], []
    for sid in scenarios.builtin_ids():
        scenario = scenarios.load(sid)
        if scenario.procedure.mode != "calendar":
            continue
        alone = scenario.model_copy(
            update={"msel": [], "horizon": max(scenario.horizon, fidelity.YEAR)}
        )
        within, none = fidelity.attribution_times(alone, seeds)
        if within:
            medians.append(statistics.median(within))
        nones.append(none / seeds)
    return {"attribution_medians": f"{min(medians):.0f}-{max(medians):.0f}",
            "attribution_none": f"{min(nones):.0%}-{max(nones):.0%}"}  # fmt: skip


def calendar(seeds: int = 50) -> dict[str, str]:
    """``--calendar`` over every built-in, with and without its MSEL: weekend or holiday
    adoptions and recess sittings, the spread of the actor's reaction delays, how often it moves
    on its own (built-ins of a year or more and shorter ones), and retaliation after a listing."""
    off = 0
    delays: list[float] = []
    moves: dict[str, list[float]] = {"short": [], "long": []}
    retaliated: dict[str, tuple[int, int]] = {}
    for sid in scenarios.builtin_ids():
        scenario = scenarios.load(sid)
        for variant, label in ((scenario, "with"), (scenario.model_copy(update={"msel": []}), "")):
            ran = [fidelity.calendar_summary(Exercise(variant, seed=s).run()) for s in range(seeds)]
            off += sum(r["off_days"] + r["recess_sittings"] for r in ran)
            delays += [d for r in ran for d in r["delays"]]
            length = "long" if scenario.horizon >= 365 * DAY else "short"
            moves[length].append(sum(r["campaign"] > 0 for r in ran) / seeds)
            if label:
                listed = [r for r in ran if r["listed"]]
                retaliated[sid] = (sum(r["retaliations"] > 0 for r in listed), len(listed))
    delays.sort()
    q = statistics.quantiles(delays, n=10, method="inclusive")

    def share(sid: str) -> str:
        n, of = retaliated[sid]
        return f"{n} of {of}"

    return {
        "calendar_off_days": str(off),
        "reaction_min_h": f"{delays[0]:.0f}",
        "reaction_max_d": f"{delays[-1] / DAY:.1f}",
        "reaction_p10_h": f"{q[0]:.0f}",
        "reaction_median_h": f"{statistics.median(delays):.0f}",
        "reaction_p90_h": f"{q[-1]:.0f}",
        "moves_short": f"{min(moves['short']):.0%}-{max(moves['short']):.0%}",
        "moves_long": f"{min(moves['long']):.0%}-{max(moves['long']):.0%}",
        "retaliation_bundestag": share("calib-bundestag"),
        "retaliation_satcom": share("satcom-war"),
    }  # fmt: skip


#: The expensive sources, stored in docs/model-figures.txt.
STORED_SOURCES: dict[str, Callable[[], dict[str, str]]] = {
    "curves": curves,
    "attribution": attribution,
    "calendar": calendar,
}


def crisis() -> dict[str, str]:
    return crisis_track([Exercise(scenarios.load("baltic-blackout"), seed=s).run() for s in SEEDS])


#: The calibration scenarios' incidents docs/model.md gives the visibility of: figure ->
#: (scenario, incident).
VISIBILITY = {"visibility_solarwinds": ("calib-solarwinds", "ORION"),
              "visibility_apt28": ("calib-apt28-2024", "OUTLOOK"),
              "visibility_exchange": ("calib-exchange-apt31", "EXCH"),
              "visibility_wannacry": ("calib-wannacry-notpetya", "WANNACRY"),
              "visibility_notpetya": ("calib-wannacry-notpetya", "NOTPETYA")}  # fmt: skip


def visibilities() -> dict[str, str]:
    """The visibility (actors.severity.overtness) of the calibration cases' incidents."""
    out = {}
    for name, (sid, incident) in VISIBILITY.items():
        found = next(i for i in scenarios.load(sid).incidents if i.id == incident)
        shown = f"{overtness(found.severity.model_dump()):.2f}".rstrip("0")
        out[name] = shown + "0" if shown.endswith(".") else shown
    return out


def cheap() -> dict[str, str]:
    """The figures the tests recompute (under a second)."""
    return {**crisis(), **distributions(), **visibilities()}


#: (text with {figure} placeholders): what docs/model.md says, filled in from the figures.
QUOTES: list[str] = [
    "pressure {pressure_075} at `v` 0.75, {pressure_100} at 1.0);",
    "(SolarWinds {visibility_solarwinds}, APT28 2024 {visibility_apt28}, Exchange 2021 "
    "{visibility_exchange}; WannaCry {visibility_wannacry}, NotPetya {visibility_notpetya} in the "
    "calibration scenarios)",
    "(pressure {pressure_050} at `v` 0.5, {pressure_038} at 0.38)",
    "log-normal with median {reaction_median} h and σ = {reaction_sigma} (half the answers between "
    "{reaction_q1} h and {reaction_q3} h, 90% between {reaction_p05} h and {reaction_p95} h)",
    "log-normal delay of median {retaliation_median} days and σ = {retaliation_sigma} (5% within "
    "{retaliation_p05} d, 95% within {retaliation_p95} weeks)",
    "The model's delay (median {attribution_median} d, σ {attribution_sigma}) puts about "
    "{attribution_54} of attributed campaigns at 54 d or less, {attribution_75} at 75 d or less, "
    "{attribution_year} within a year.",
    "(the model alone, horizon a year, partners included: medians {attribution_medians} d in "
    "calendar mode, {attribution_none} of runs with none within a year;",
    "| HU stance −1 / −0.5 / 0 / 1 | {curve_stance_listing} | {curve_stance_names} | "
    "{curve_stance_alone_declaration} | {curve_stance_alone_listing} |",
    "| HU ties 0 / 0.5 / 0.75 / 1 | {curve_ties_listing} | {curve_ties_names} | "
    "{curve_ties_alone_declaration} | {curve_ties_alone_listing} |",
    "| severity 1 / 2 / 3 / 4 | {curve_severity_listing} | {curve_severity_names} | "
    "{curve_severity_alone_declaration} | {curve_severity_alone_listing} |",
    "| evidence 15 / 120 / 365 / 1000 d | {curve_evidence_listing} | {curve_evidence_names} | "
    "{curve_evidence_alone_declaration} | {curve_evidence_alone_listing} |",
    "adoptions and procedure ends on a weekend or holiday and regular sittings in the recess: "
    "{calendar_off_days} in all;",
    "reaction delays spread from {reaction_min_h} h to {reaction_max_d} d (p10 {reaction_p10_h} h, "
    "median {reaction_median_h} h, p90 {reaction_p90_h} h);",
    "the actor moves on its own in {moves_short} of the runs of the built-ins shorter than a year "
    "and in {moves_long} of those of a year or more",
    "the state behind the actor retaliates in {retaliation_bundestag} runs of `calib-bundestag` "
    "that list it, and in {retaliation_satcom} of `satcom-war` within its ten days",
    "`baltic-blackout` has its first technical report after {crisis_technical} days in the "
    "median, CyCLONe's assessment after {crisis_cyclone}, IPCR after {crisis_ipcr} and the PSC's "
    "first ISAA report after {crisis_isaa} (none within its six days in {crisis_isaa_none} runs), "
    "while the PSC endorses INTCEN's assessment after {crisis_awareness} days",
]  # fmt: skip


def figures() -> dict[str, str]:
    """Every quoted figure, computed afresh."""
    out = cheap()
    for source in STORED_SOURCES.values():
        out.update(source())
    return out


def read_stored(path: Path = STORED) -> dict[str, str]:
    """The figures as docs/model-figures.txt stores them."""
    return read_figures(path)


def misquoted(values: dict[str, str], doc: Path = DOC) -> list[str]:
    """The quotes of :data:`QUOTES` that docs/model.md does not say with ``values``."""
    return unsaid([(doc.name, t) for t in QUOTES], values, doc.parent)


def shown_alone(text: str) -> str:
    """The table *What the model makes on its own* as docs/model.md shows it."""
    shown = blocks(text)
    assert "model-alone" in shown, "docs/model.md: no <!-- figures: model-alone --> block"
    return shown["model-alone"]


def main(argv: list[str] | None = None) -> int:
    def compute(args: argparse.Namespace) -> tuple[dict[str, str], dict[str, str]]:
        runs = {sid: alone_row(sid, alone_runs(sid)) for sid in scenarios.builtin_ids()}
        return figures(), {"model-alone": alone_table(runs)}

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    return figures_main(ap, argv, compute, stored=STORED, head=HEAD, doc=DOC, misquoted=misquoted)


if __name__ == "__main__":
    sys.exit(main())
