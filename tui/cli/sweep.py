"""``cdtx sweep``: run many seeded variations of a scenario and summarise their outcomes.

The sweep itself lives in :mod:`sim.sweep`; this module adds the command line, the progress bar
(rich) and the summary table.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import argtypes


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
        help="sweep spec file or shipped spec name (hu-ties, unanimity-vs-qmv, crisis-vs-calendar, "
        "listing-drivers)",
    )
    p.add_argument("-j", "--jobs", type=argtypes.positive_int, default=None, metavar="N",
                   help=f"worker processes (default: {os.cpu_count()})")  # fmt: skip
    p.add_argument("-o", "--output", metavar="FILE",
                   help="results file, .parquet or .csv (default: SPEC-NAME.csv)")  # fmt: skip
    p.add_argument("--dask", metavar="ADDR", help="'local' (LocalCluster) or tcp://HOST:PORT")
    p.add_argument("--resume", action="store_true",
                   help="run only the runs missing from -o FILE (refused if the base scenario, "
                   "the spec or the cdtx version changed since they were started)")  # fmt: skip
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw the distributions per point (.png, .svg or .pdf)")  # fmt: skip
    p.add_argument("--summary", metavar="RESULTS", help="summarise an existing results file")
    p.add_argument("--discover", metavar="OUTCOME",
                   help="scenario discovery on the results file given as SPEC: the boxes of "
                   "inputs that lead to OUTCOME (reached:t_x, never:t_x, blocked, blocked:XX, "
                   "rung>=N or a yes/no column); needs cdtx[discover]")  # fmt: skip
    p.add_argument("--method", choices=("tree", "prim"),
                   help="with --discover: a classification tree (the default; cdtx[discover]) "
                   "or PRIM (cdtx[prim]: EMA Workbench)")  # fmt: skip
    p.add_argument("--inputs", metavar="A,B",
                   help="with --discover: the parameters to explain it by (default: all)")  # fmt: skip
    p.add_argument(
        "--chunk", type=argtypes.positive_int, default=None, metavar="N", help="runs per task"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--parameters", action="store_true",
                   help="list the model constants a spec may vary (as cdtx model) and exit")  # fmt: skip
    p.add_argument("--force", action="store_true",
                   help="start over: replace -o FILE's results (without --resume) and replace "
                   "--plot FILE; never a link, a directory or an input")  # fmt: skip
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args) -> int:
    from scenarios.errors import UserError
    from scenarios.safe_read import printable
    from scenarios.safe_write import check_output
    from sim import sweep as sw

    if args.parameters:
        from .model import print_constants

        print_constants()
        return 0
    try:
        if args.plot is not None:  # checked before a sweep spends any time running
            check_output(args.plot, inputs=(args.summary, args.output, args.spec),
                         option="--plot", force=args.force)  # fmt: skip
            sw.check_plot_output(args.plot)
        if args.discover is not None:
            return _discover(args)
        if args.inputs is not None:
            raise UserError("--inputs goes with --discover")
        if args.method is not None:
            raise UserError("--method goes with --discover")
        if args.summary:
            if args.spec:
                raise UserError("give either a SPEC to run or --summary RESULTS, not both")
            summary = sw.summarize(args.summary, max_points=SUMMARY_POINTS)
            print_summary(summary, results=args.summary)
            if args.plot:
                _print_plot(sw.plot(args.summary, args.plot, force=args.force, summary=summary))
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
        if output.is_symlink():  # never written through, a dangling link too (run_sweep says so)
            sw.check_results_output(output)
        if sw.has_results(output) and not output.is_dir() and not args.resume and not args.force:
            what = "exists" if output.exists() else "has the finished runs of a stopped sweep"
            raise UserError(f"{output} {what}: add --resume to complete it, --force to start "
                            "over (replacing it), or choose another -o")  # fmt: skip
        if args.resume and not sw.has_results(output):
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
            + f" -> {printable(str(result.path))}"
        )
        summary = sw.summarize(result.path, max_points=SUMMARY_POINTS)
        print_summary(summary, results=result.path)
        if result.failed:  # say why, once: the rows hold every run's error
            _print_first_failure(result.path, result.failed)
        if args.plot:  # drawn from the summary just printed where it holds what the plot needs
            _print_plot(sw.plot(result.path, args.plot, force=args.force, summary=summary))
    except sw.SweepError as exc:
        raise UserError(str(exc)) from None
    return 0


def _print_first_failure(path: Path, failed: int) -> None:
    """The first failed run's error on stderr (a python outcome that raises, ...), so a person
    sees why without opening the file."""
    from scenarios.safe_read import printable
    from sim import sweep as sw

    for row in sw.read_rows(path):
        if row.get("status") == "failed":
            error = str(row.get("error") or "no error recorded")
            error = error if len(error) <= 300 else f"{error[:300]}..."
            print(f"cdtx: {failed} run(s) failed; the first (point {row['point']}, replication "
                  f"{row.get('replication')}): {printable(error)}", file=sys.stderr)  # fmt: skip
            return


def _discover(args) -> int:
    """``cdtx sweep --discover OUTCOME RESULTS``: the boxes of :func:`sim.sweep.discover`."""
    from scenarios.errors import UserError
    from sim import sweep as sw
    from sim.sweep.discover import show_box

    results = args.spec or args.summary
    if not results:
        raise UserError("--discover: name the results file, e.g. cdtx sweep --discover "
                        "never:t_listing listing.csv")  # fmt: skip
    if args.spec and args.summary:
        raise UserError("--discover: give one results file")
    if Path(results).suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise UserError(f"--discover: {results} is not a results file (.csv or .parquet)")
    if args.plot is not None or args.resume or args.dask:
        raise UserError("--discover reads a results file: no --plot, --resume or --dask")
    inputs = [i.strip() for i in args.inputs.split(",") if i.strip()] if args.inputs else None
    if args.inputs is not None and not inputs:  # --inputs "" or ",": not "every input"
        raise UserError("--inputs: give the parameters to explain it by, e.g. --inputs A,B")
    found = sw.discover(results, args.discover, inputs, method=args.method or "tree")
    print(f"{show_text(found['outcome'])}: {found['hits']:,} of {found['runs']:,} runs "
          f"({found['base_rate']:.0%}); {found['method']}")  # fmt: skip
    if not found["boxes"]:
        print("no box of inputs where it is more common than overall")
    for k, box in enumerate(found["boxes"], start=1):
        rest = " not in an earlier box" if box.get("after") else ""  # PRIM: found on the rest
        print(f"box {k}: {show_text(show_box(box))}\n"
              f"  coverage {box['coverage']:.0%} ({box['hits']:,} of the {found['hits']:,} runs "
              f"with the outcome), density {box['density']:.0%} ({box['hits']:,} of the "
              f"{box['runs']:,} runs in the box{rest})")  # fmt: skip
    return 0


def _print_plot(paths: list) -> None:
    from scenarios.safe_read import printable

    print("plot: " + ", ".join(printable(str(p)) for p in paths))


def show_text(value: object) -> str:
    """A value from a spec or a results file (a title, a parameter's name or value, a
    delegation code, a path) as the summary tables print it: control characters escaped
    (scenarios.safe_read.printable: no terminal escape sequence gets through) and rich's
    markup escaped (a ``[bold]`` or ``[/]`` in a title stays text, never style or an error)."""
    from rich.markup import escape

    from scenarios.safe_read import printable

    return escape(printable(str(value)))


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


#: Points shown in the summary tables; the rest are counted ("N more points not shown").
SUMMARY_POINTS = 40


def print_summary(summary: dict, results: str | Path | None = None) -> None:
    """The summary of :func:`sim.sweep.summarize` as tables that stay readable at 80 columns:
    points and their parameters, sensitivity indices (Sobol'/Morris sweeps), outcomes per point
    (cumulative rungs, blocked decisions, blockers, per run) and time metrics per point in days,
    each share and median with its 95 % interval. A Sobol'/Morris design's points come as one
    condensed table after the indices (its answer). ``results`` is the results file, named
    where the points left out are."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from sim.sweep.summary import (
        RUNGS,
        digits_of,
        metric_label,
        show_entry,
        show_median,
        show_rate,
        show_status,
    )

    if not summary["points"]:
        print("no runs")
        return

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich would exit with status 1; cli.main says 0
            self.quiet = True
            raise BrokenPipeError

    console = _Console()

    def table(title: str, *heads: str, caption: str | None = None) -> Table:
        t = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, title_justify="left",
                  caption_justify="left", pad_edge=False)  # fmt: skip
        for h in heads:
            t.add_column(h, justify="right" if h in ("point", "runs", "failed") else "left",
                         overflow="fold")  # fmt: skip
        return t

    title = show_text(summary["title"] or summary["name"])
    console.print(f"[bold]{title}[/bold]: {summary['runs']} runs at {summary['total_points']} "
                  "point(s); 95% intervals in brackets (Wilson for shares, bootstrap for "
                  "medians)", highlight=False)  # fmt: skip
    sens = summary["sensitivity"]
    # A Sobol'/Morris design has hundreds of points that mean little one by one: its answer is
    # the indices, then its points in one condensed table (a row each, no intervals: a point
    # of a design usually has one run).
    design = summary["sample"] in ("sobol", "morris")
    points = [] if design else summary["points"]
    omitted = summary["omitted"]
    t = table("Points", "point", "parameters", "runs", "failed")
    for s in points:
        params = (
            "\n".join(f"{show_text(k)} = {show_text(v)}" for k, v in s["params"].items()) or "-"
        )
        t.add_row(str(s["point"]), params, str(s["n"]), str(s["failed"]))
    if points:
        console.print(t)
    if sens:
        sobol = sens["method"] == "sobol"
        heads = ("first order S1", "total order ST") if sobol else ("mu*", "sigma")
        for m, result in sens["metrics"].items():
            t = table(f"Sensitivity of {metric_label(m)}", "parameter", *heads,
                      caption=f"{sens['label']}; {show_status(sens, m)}")  # fmt: skip
            for name, v in result.items():
                if sobol:
                    t.add_row(show_text(name), show_entry(v, "S1"), show_entry(v, "ST"))
                else:
                    t.add_row(show_text(name), show_entry(v, "mu_star"), f"{v['sigma']:.2f}")
            console.print(t)
            console.print(_convergence_table(table, sens, m))
    if design:
        console.print(_design_points_table(table, summary))
        if summary.get("outcomes") and summary["points"]:
            console.print(_design_outcomes_table(table, summary))
    t = table("Outcomes per point (share of runs)", "point", "outcome", "share (95% CI)",
              caption="rung >= r: the run's highest rung was r or more; blocked by X: runs in "
              "which X blocked at least one decision")  # fmt: skip
    for s in points:
        outcomes = []
        if s["rungs"]:
            outcomes += [(f"rung >= {r}", s["rungs"][r]) for r in RUNGS]
        if s["blocked"] is not None:
            outcomes.append(("any decision blocked", s["blocked"]))
            outcomes += [(f"blocked by {show_text(code)}", r)
                         for code, r in list(s["blockers"].items())[:3]]  # fmt: skip
        # the spec's own outcomes: yes/no as shares, numbers as medians (docs/sweeps.md)
        outcomes += [(show_text(name), r) for name, r in s.get("outcomes", {}).items()]
        for i, (label, r) in enumerate(outcomes):
            shown = show_rate(r) if "share" in r else f"median {show_median(r, 2)}"
            t.add_row(str(s["point"]) if i == 0 else "", label, shown)
        if s is not points[-1]:
            t.add_section()
    if points:
        console.print(t)
    metrics = [m for m in summary["metrics"]
               if any(s["metrics"][m]["median"] is not None for s in points)]  # fmt: skip
    if metrics:
        t = table("Time metrics per point (days; cohesion 0-1)", "point", "metric",
                  "median (95% CI)", "p10-p90", "reached")  # fmt: skip
        for s in points:
            for i, m in enumerate(metrics):
                d = s["metrics"][m]
                k = digits_of(m)
                spread = "-" if d["p10"] is None else f"{d['p10']:.{k}f}-{d['p90']:.{k}f}"
                t.add_row(str(s["point"]) if i == 0 else "", m, show_median(d, k), spread,
                          show_rate(d["reached"]))  # fmt: skip
            if s is not points[-1]:
                t.add_section()
        console.print(t)
    if omitted:
        left_out = f"{omitted:,} points not shown (of {summary['total_points']:,})"
        if results is None:
            console.print(f"{left_out}; more points: cdtx report RESULTS; every point: "
                          "sim.sweep.summarize in Python", highlight=False)  # fmt: skip
        else:
            # the path on a line of its own, never folded, so that it can be copied
            console.print(f"{left_out}; every run is a row of", highlight=False)
            console.print(show_text(results), highlight=False, soft_wrap=True)
            # cdtx report shows more points (sim.report.sweep.REPORT_POINTS), not every one
            console.print("more points: cdtx report on that file; every point: "
                          "sim.sweep.summarize in Python", highlight=False)  # fmt: skip
    for note in summary["notes"]:
        console.print(f"note: {show_text(note)}", highlight=False)


def _convergence_table(table, sens: dict, metric: str):
    """The indices of ``metric`` from the first N/4, N/2 and all N base samples (trajectories):
    indices that still move from N/2 to N are not to be ranked yet."""
    from sim.sweep.summary import metric_label

    sobol = sens["method"] == "sobol"
    key = "ST" if sobol else "mu_star"
    rows = sens["convergence"][metric]
    t = table(f"Convergence of {metric_label(metric)}", "parameter", *(f"N = {r['n']}" for r in rows),
              caption="S1 / ST from the first N base samples" if sobol
              else "mu* from the first N trajectories")  # fmt: skip
    for name in sens["metrics"][metric]:
        cells = ["-" if r[name][key] is None else
                 f"{r[name]['S1']:.2f} / {r[name]['ST']:.2f}" if sobol
                 else f"{r[name]['mu_star']:.2f}" for r in rows]  # fmt: skip
        t.add_row(show_text(name), *cells)
    return t


def _design_points_table(table, summary: dict):
    """The points of a Sobol'/Morris design, one row each: parameters, runs, the highest rung
    most runs reached, the share of runs with a blocked decision (and who blocked most), and
    the median cohesion."""
    from sim.sweep.summary import RUNGS, show_rate

    points = summary["points"]
    shown = len(points)
    heads = ["point", "parameters", "runs", "rung", "blocked"]
    failed = any(s["failed"] for s in points)
    if failed:
        heads.insert(3, "failed")
    cohesion = "cohesion" in summary["metrics"]
    if cohesion:
        heads.append("cohesion")
    t = table(f"Points ({shown:,} of {summary['total_points']:,})" if summary["omitted"]
              else "Points", *heads,
              caption="rung: the highest rung at least half the runs reached; blocked: runs "
              "in which a decision was blocked, and the delegation that blocked most")  # fmt: skip
    for s in points:
        params = (
            "\n".join(f"{show_text(k)} = {show_text(_short(v))}" for k, v in s["params"].items())
            or "-"
        )
        row = [str(s["point"]), params, str(s["n"])] + ([str(s["failed"])] if failed else [])
        ran = s["n"] > s["failed"]  # a point whose runs all failed has no outcome
        rung = "-"
        if s["rungs"] and ran:
            reached = [r for r in RUNGS if s["rungs"][r]["share"] >= 0.5]
            rung = str(reached[-1]) if reached else "0"
        row.append(rung)
        blocked = "-"
        if s["blocked"] is not None and ran:
            blocked = show_rate(s["blocked"], interval=False)
            if s["blockers"]:
                blocked += f" ({show_text(next(iter(s['blockers'])))})"
        row.append(blocked)
        if cohesion:
            d = s["metrics"]["cohesion"]
            row.append("-" if d["median"] is None else f"{d['median']:.2f}")
        t.add_row(*row)
    return t


def _design_outcomes_table(table, summary: dict):
    """The spec's own outcomes at the points of a Sobol'/Morris design, a column each: a yes/no
    as the share of the point's runs saying yes, a number as its median (no intervals: a point
    of a design has few runs)."""
    from sim.sweep.summary import show_rate

    own = list(summary["outcomes"])
    t = table("Outcomes per point", "point", *(show_text(n) for n in own),
              caption="yes/no: share of the point's runs saying yes; numbers: the median")  # fmt: skip
    for s in summary["points"]:
        cells = []
        for name in own:
            r = s["outcomes"].get(name)
            value = "-"
            if r is not None and "share" in r:
                value = show_rate(r, interval=False) if r["n"] else "-"
            elif r is not None and r["median"] is not None:
                value = f"{r['median']:.2f}"
            cells.append(value)
        t.add_row(str(s["point"]), *cells)
    return t


def _short(value) -> str:
    """A parameter value as the condensed table shows it: floats to 3 decimals."""
    return f"{value:.3f}" if isinstance(value, float) else str(value)
