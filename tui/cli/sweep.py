"""``cdtx sweep``: run many seeded variations of a scenario and summarise their outcomes.

The sweep itself lives in :mod:`sim.sweep`; this module adds the command line, the progress bar
(rich) and the summary table.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import argtypes
from .common import check_output


def register(sub) -> None:
    p = sub.add_parser(
        "sweep",
        help="run seeded variations of a scenario (local cores or Dask) and compare outcomes",
        description=(
            "Run a sweep spec (YAML: base, vary, sample, seeds, metrics; see docs/sweeps.md) "
            "or summarise a results file with --summary."
        ),
    )
    p.add_argument(
        "spec",
        nargs="?",
        metavar="SPEC",
        help="sweep spec file or shipped spec name (hu-ties, unanimity-vs-qmv, crisis-vs-calendar)",
    )
    p.add_argument("-j", "--jobs", type=argtypes.positive_int, default=None, metavar="N",
                   help=f"worker processes (default: {os.cpu_count()})")  # fmt: skip
    p.add_argument("-o", "--output", metavar="FILE",
                   help="results file, .parquet or .csv (default: SPEC-NAME.csv)")  # fmt: skip
    p.add_argument("--dask", metavar="ADDR", help="'local' (LocalCluster) or tcp://HOST:PORT")
    p.add_argument("--resume", action="store_true", help="run only the runs missing from -o FILE")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw the distributions per point (.png, .svg or .pdf)")  # fmt: skip
    p.add_argument("--summary", metavar="RESULTS", help="summarise an existing results file")
    p.add_argument(
        "--chunk", type=argtypes.positive_int, default=None, metavar="N", help="runs per task"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args) -> int:
    from scenarios.errors import UserError
    from sim import sweep as sw

    try:
        if args.plot is not None:  # checked before a sweep spends any time running
            check_output(args.plot, [i for i in (args.summary, args.output, args.spec) if i],
                         "--plot")  # fmt: skip
            sw.check_plot_output(args.plot)
        if args.summary:
            if args.spec:
                raise UserError("give either a SPEC to run or --summary RESULTS, not both")
            print_summary(sw.summarize(args.summary))
            if args.plot:
                print(f"plot: {sw.plot(args.summary, args.plot)}")
            return 0
        if not args.spec:
            shipped = ", ".join(sw.builtin_specs())
            raise UserError(f"name a sweep spec (a YAML file or one of: {shipped})")
        if args.output is not None and not args.output:
            raise UserError("-o: give a file name for the results")
        spec = sw.load_spec(args.spec)
        sweep = sw.Sweep(spec)
        output = Path(args.output or f"{spec.name}.csv")
        # Never overwrite results: -o names a new file, or one to --resume (a directory is
        # refused by the sweep itself).
        if output.exists() and not output.is_dir() and not args.resume:
            raise UserError(f"{output} exists: add --resume to complete it, or choose another -o")
        if args.resume and not output.exists():
            raise UserError(f"--resume: {output} does not exist yet")
        with _Progress(enabled=not args.quiet) as bar:
            result = sw.run_sweep(
                sweep, output, jobs=args.jobs, dask=args.dask, resume=args.resume,
                progress=bar.update, chunk_size=args.chunk,
            )  # fmt: skip
        print(
            f"{result.done} runs ({result.failed} failed) in {result.elapsed:.1f} s"
            + (f", {result.skipped} already done" if result.skipped else "")
            + (f", {result.retried} chunks retried after a worker died" if result.retried else "")
            + f" -> {result.path}"
        )
        print_summary(sw.summarize(result.path))
        if args.plot:
            print(f"plot: {sw.plot(result.path, args.plot)}")
    except sw.SweepError as exc:
        raise UserError(str(exc)) from None
    return 0


class _Progress:
    """A rich progress bar with ETA, runs/s and failures; silent when not a terminal."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty()
        self.progress = None
        self.task = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} runs/s"), TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(stderr=True),
            )  # fmt: skip
            self.progress.__enter__()
            self.task = self.progress.add_task("sweep", total=None, rate="-", failed=0)
        return self

    def update(self, done: int, total: int, failed: int) -> None:
        if self.progress is None:
            return
        speed = self.progress.tasks[0].speed
        rate = f"{speed:.0f}" if speed else "-"
        self.progress.update(self.task, completed=done, total=total, failed=failed, rate=rate)

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.__exit__(*exc)
        return False


def print_summary(summary: list[dict]) -> None:
    """Two tables: outcomes per point (n, rungs reached, share blocked, top blockers) and time
    metrics per point in days (median, p10, p90, share of runs that reached it)."""
    from rich.console import Console
    from rich.table import Table

    from scenarios.vocabulary import TIME_METRICS
    from sim.report.sweep import one_decimal

    if not summary:
        print("no runs")
        return

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich would exit with status 1; cli.main says 0
            self.quiet = True
            raise BrokenPipeError

    console = _Console()
    params = list(summary[0]["params"])
    table = Table(title="Outcomes per point")
    table.add_column("point", justify="right")
    for p in params:
        table.add_column(p, overflow="fold")
    for head in ("n", "failed", "rung>=2", ">=3", ">=4", ">=5", "blocked", "top blockers"):
        table.add_column(head, justify="left" if head == "top blockers" else "right")
    for s in summary:
        rungs = s["rungs"]
        table.add_row(
            str(s["point"]), *(str(s["params"].get(p)) for p in params), str(s["n"]),
            str(s["failed"]),
            *((f"{rungs[r]:.0%}" for r in (2, 3, 4, 5)) if rungs else ["-"] * 4),
            "-" if s["blocked"] is None else f"{s['blocked']:.0%}",
            ", ".join(f"{code} ({n})" for code, n in s["blockers"]) or "-",
        )  # fmt: skip
    console.print(table)
    times = [
        m for m in TIME_METRICS
        if any((s["times"].get(m) or {}).get("median") is not None for s in summary)
    ]  # fmt: skip
    if not times:
        return
    table = Table(title="Time metrics per point (days)")
    for head in ("point", "metric", "median", "p10", "p90", "reached"):
        table.add_column(head, justify="left" if head == "metric" else "right")
    for s in summary:
        for m in times:
            t = s["times"].get(m) or {}
            table.add_row(
                str(s["point"]), m, one_decimal(t.get("median")), one_decimal(t.get("p10")),
                one_decimal(t.get("p90")), f"{t.get('reached', 0):.0%}",
            )  # fmt: skip
        if s is not summary[-1]:
            table.add_section()
    console.print(table)
