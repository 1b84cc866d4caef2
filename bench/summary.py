"""What a summary of a large Sobol' sweep costs next to the sweep itself (issue 24).

    python bench/summary.py [--base-samples 512] [--seeds 2] [--dir DIR] [--grid]

Runs a Sobol' sweep of the Bundestag case (``listing-drivers``' inputs; N x 5 points x seeds
runs: 5,120 with the defaults) on 2 workers through the CLI, then, each as its own command
(Python's start-up included, as a user meets it): ``cdtx sweep --summary`` with ``--plot``,
and ``cdtx report``; and in one process ``summarize`` of every point and ``plot``. Prints each
time and its ratio to the sweep's (target for summary + plot: <= 0.5).

``--grid`` also times the summary ``cdtx sweep`` prints after a 3,000-run grid sweep (5 points of
600 runs, bench/sweep.py's scaling sweep): in the parent, after the workers are done, so it
dilutes the speed-up of 2 workers over 1.

Run it with ``PYTHONPATH`` at another checkout to measure that one (e.g. main, for "before").
With ``--dir`` an existing results file of the same spec there is reused (no sweep run).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from record import add_option, cli_seconds, fig, recording_if_asked

SPEC = """name: bench-summary
title: What decides a blocked listing - Hungary, Slovakia or the rule?
base: calib-bundestag
vary:
  member_states.HU.ties.RU: {{uniform: [0, 1]}}
  member_states.SK.ties.RU: {{uniform: [0, 1]}}
  decision_rule: [unanimity, qmv]
sample: {{sobol: {n}}}
seeds: {seeds}
seed: 3
metrics: [t_listing, highest_rung, blocked, cohesion]
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-samples", type=int, default=512)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--grid", action="store_true", help="also a 3,000-run grid's summary")
    add_option(ap, "summary")
    args = ap.parse_args()
    with recording_if_asked(args, "summary"):
        if args.dir is not None:
            measure(args, args.dir)
        else:  # a scratch directory, removed afterwards
            with tempfile.TemporaryDirectory(prefix="cdtx-bench-summary-") as tmp:
                measure(args, Path(tmp))


def measure(args: argparse.Namespace, d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    spec, results = d / "spec.yaml", d / "sobol.csv"
    spec.write_text(SPEC.format(n=args.base_samples, seeds=args.seeds))
    runs = args.base_samples * 5 * args.seeds
    sweep_s = None
    if not results.exists():
        sweep_s = cli_seconds("sweep", str(spec), "-j", "2", "-o", str(results), "--quiet", cwd=d)
        print(f"sweep, {fig('runs', runs, ',')} runs on 2 workers (CLI, with its summary): "
              f"{fig('sweep_s', sweep_s, '.2f')} s")  # fmt: skip
    else:
        print(f"reusing {results}")
    png = d / "plot.png"
    summary_plot = cli_seconds("sweep", "--summary", str(results), "--plot", str(png), "--force", cwd=d)
    report = cli_seconds("report", str(results), "-o", str(d / "report.md"), "--force", cwd=d)
    from sim import sweep as sw

    start = time.perf_counter()
    sw.summarize(results)
    every = time.perf_counter() - start
    start = time.perf_counter()
    sw.plot(results, png, force=True)
    plot = time.perf_counter() - start
    print(f"cdtx sweep --summary --plot: {fig('summary_plot_s', summary_plot, '.2f')} s")
    print(f"cdtx report:                 {fig('report_s', report, '.2f')} s")
    print(f"summarize (every point):     {fig('summarize_s', every, '.2f')} s (in process)")
    print(f"plot:                        {fig('plot_s', plot, '.2f')} s (in process)")
    if sweep_s:
        print(f"ratio summary+plot / sweep:  {fig('summary_plot_ratio', summary_plot / sweep_s, '.2f')}"
              " (target <= 0.5)")  # fmt: skip
        print(f"ratio report / sweep:        {fig('report_ratio', report / sweep_s, '.2f')}")
    if args.grid:
        grid = d / "grid.csv"
        if not grid.exists():
            s = sw.Sweep(sw.spec_from_dict({
                "base": "grid-wiper", "seed": 1, "seeds": 600,
                "vary": {"member_states.HU.ties.RU": [0.0, 0.25, 0.5, 0.75, 1.0]}}))  # fmt: skip
            start = time.perf_counter()
            sw.run_sweep(s, grid, jobs=2)
            print(f"grid sweep, 3,000 runs on 2 workers: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        sw.summarize(grid, max_points=40)
        grid_s = time.perf_counter() - start
        print(f"its summary (as cdtx sweep prints it): {fig('grid_summary_s', grid_s, '.2f')} s")


if __name__ == "__main__":
    main()
