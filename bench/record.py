"""Recorded benchmark figures: what a bench printed, when, on which commit and under what load.

Timings depend on the machine and on what else it runs, so docs/ never quotes a timing from
memory: a bench script run with ``--record`` writes the figures it printed to
``bench/results/NAME.txt`` (``name = value`` lines) with the date, the commit, the machine's
cores and its load average sampled while the bench ran, and the printed output as comments.
The docs quote those figures naming the file and the date; :data:`QUOTES` says where, and
``tests/test_doc_figures.py`` fails when a doc no longer says what the file holds (text only:
no bench runs in the tests). Re-measure with the command the file names, then ``python
bench/record.py`` prints every quote filled in from the files (``--check``: which docs differ).

In a bench script (bench/ is on the import path when it runs)::

    from record import add_option, fig, recording_if_asked

    add_option(parser, "sweep-cli")          # --record, its help naming the file
    args = parser.parse_args()
    with recording_if_asked(args, "sweep-cli"):
        print(f"2 vs 1 workers {fig('runs_ratio', ratio, '.2f')}x")

(``recording(name or None)`` is the same without the option: what ``recording_if_asked`` opens.)

The doc-figure scripts (bench/docs_figures.py, model_figures.py, calibration.py: model runs, not
timings) share the rest: a file of figures (:func:`read_figures`, :func:`render_figures`), the
quotes a doc must say (:func:`unsaid`), the tables between a doc's ``<!-- figures: NAME -->``
marks (:func:`blocks`, :func:`with_blocks`) and their ``--write``/``--check`` main
(:func:`figures_main`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

#: The figures of the recording under way (name -> the text printed).
_figures: dict[str, str] = {}


def fig(name: str, value: object, spec: str = "") -> str:
    """``value`` formatted with ``spec`` (as in an f-string), kept as figure ``name`` of the
    recording under way (if any) and returned for printing."""
    text = format(value, spec)
    _figures[name] = text
    return text


class _Tee(io.TextIOBase):
    """Writes to the real stdout and keeps a copy (the printed output goes into the file)."""

    def __init__(self, out) -> None:
        self.out, self.kept = out, io.StringIO()

    def write(self, s: str) -> int:
        self.kept.write(s)
        return self.out.write(s)

    def flush(self) -> None:
        self.out.flush()


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()  # fmt: skip

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    # the code measured and the benches (not the recorded files, written as parts finish)
    changed = git("status", "--porcelain", "--", "sim", "actors", "scenarios", "tui", "bench",
                  ":(exclude)bench/results")  # fmt: skip
    return sha + (" (with uncommitted changes)" if changed else "")


@contextlib.contextmanager
def recording(name: str | None) -> Iterator[None]:
    """Within the block, figures given to :func:`fig` and everything printed are kept; at its
    end they are written to ``bench/results/NAME.txt`` with the date, the commit, the machine
    and the 1-minute load average sampled every 2 s while the block ran. ``name`` None: nothing
    is kept or written (the bench prints as usual)."""
    if name is None:
        yield
        return
    _figures.clear()
    loads = [os.getloadavg()[0]]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(2.0):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = datetime.now(UTC)
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield
    done.set()
    sampler.join()
    loads.append(os.getloadavg()[0])
    seconds = (datetime.now(UTC) - started).total_seconds()
    header = {
        "date": started.strftime("%Y-%m-%d"),
        "time": started.strftime("%H:%M UTC"),
        "commit": _commit(),
        "cores": str(os.cpu_count()),
        "load": f"{min(loads):.1f}-{max(loads):.1f}",
        "seconds": f"{seconds:.0f}",
        "python": platform.python_version(),
    }
    lines = [
        f"# Recorded by: python {' '.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])}",
        "# The machine may be shared with other jobs: `load` is the least and the most 1-minute",
        "# load average seen while the bench ran (sampled every 2 s), against `cores` cores.",
        *(f"{k} = {v}" for k, v in header.items()),
        *(f"{k} = {v}" for k, v in _figures.items()),
        "# What the bench printed:",
        *(f"#   {line}" for line in tee.kept.getvalue().splitlines()),
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"recorded in {shown}", file=sys.stderr)
    _figures.clear()


def cli_seconds(*args: str, cwd: Path | None = None) -> float:
    """Wall seconds of ``cdtx ARGS`` in a fresh process, output discarded (``cwd``: where it
    runs, so that ``python -m`` takes the checkout on ``PYTHONPATH``)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui.cli", *args], check=True, cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=os.environ.copy())  # fmt: skip
    return time.perf_counter() - start


def add_option(parser: argparse.ArgumentParser, files: str) -> None:
    """Adds ``--record`` to a bench script's ``parser``: ``files`` names what it writes under
    bench/results/ (without ``.txt``), as its help shows it: ``"engine"``, ``"host[-web|-flood]"``,
    ``"inputs-PART"``."""
    parser.add_argument("--record", action="store_true",
                        help=f"write the figures to bench/results/{files}.txt with the date, "
                        "commit and load (bench/record.py; docs/ quotes them)")  # fmt: skip


def recording_if_asked(args: argparse.Namespace, name: str) -> AbstractContextManager[None]:
    """:func:`recording` of ``name`` when the script was given ``--record`` (:func:`add_option`),
    else a block that keeps and writes nothing."""
    return recording(name if args.record else None)


def read_figures(path: Path) -> dict[str, str]:
    """The figures a file stores as ``name = value`` lines (# comments): bench/results/, and
    docs/figures.txt and docs/model-figures.txt, which the doc-figure scripts write."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition(" = ")
            out[key.strip()] = value.strip()
    return out


def render_figures(head: str, values: dict[str, str]) -> str:
    """``values`` as :func:`read_figures` reads them back, in name order, under a # ``head``."""
    return f"# {head}\n" + "".join(f"{k} = {v}\n" for k, v in sorted(values.items()))


def says(text: str, quote: str) -> bool:
    """Whether ``text`` says ``quote``, whitespace and line breaks aside (docs wrap lines)."""
    return " ".join(quote.split()) in " ".join(text.split())


def unsaid(quotes: list[tuple[str, str]], values: dict[str, str], root: Path = ROOT) -> list[str]:
    """Each ``(doc, template)`` whose doc does not say the template filled with ``values``, as
    ``doc: does not say '...'`` (the doc-figure scripts' checks)."""
    texts: dict[str, str] = {}
    wrong = []
    for doc, template in quotes:
        if doc not in texts:
            texts[doc] = (root / doc).read_text(encoding="utf-8")
        quote = template.format(**values)
        if not says(texts[doc], quote):
            wrong.append(f"{doc}: does not say {quote!r}")
    return wrong


def read(name: str, root: Path = ROOT) -> dict[str, str]:
    """The figures of ``bench/results/NAME.txt``."""
    return read_figures(root / "bench" / "results" / f"{name}.txt")


#: (doc, recorded file under bench/results/, text with {figure} placeholders): every timing a
#: doc quotes, filled in from the file's figures.
QUOTES: list[tuple[str, str, str]] = [
    ("docs/sweeps.md", "sweep-outcomes",
     "**Cost** (`python bench/sweep.py --part outcomes`; recorded in "
     "bench/results/sweep-outcomes.txt on {date}, load average {load} on {cores} cores): the "
     "sweep of {runs} runs of grid-wiper with three outcomes (an event, a `blocked_by`, a Python "
     "function) and a daily series of four picture fields, against the same sweep without them "
     "(target: at most 1.10x). A worker's CPU per run, in one process and the least of "
     "{work_reps} repetitions: {work_custom_ms} ms against {work_plain_ms} ms plain, "
     "{work_ratio}x; taken apart, each run's parts timed one after the other: a run "
     "{part_run_ms} ms, its outcomes {part_outcomes_ms} ms, its series {part_series_ms} ms, "
     "{part_ratio}x. Whole sweeps on two workers, paired in turn (median of {pairs} pairs): "
     "{cpu_ratio}x in CPU (the parent's included: it writes the series' rows), {wall_ratio}x in "
     "wall time."),
    ("docs/sweeps.md", "sweep-cli",
     "**Scaling** (`python bench/sweep.py --part cli`, {runs} runs, `-j 2` against `-j 1`, "
     "{pairs} pairs taken in turn; recorded in bench/results/sweep-cli.txt on {date}, load "
     "average {load} on {cores} cores): the whole `cdtx sweep` command took {cli_j1_s} s on one "
     "worker and {cli_j2_s} s on two, {cli_ratio}x (target: 1.8x); the runs alone "
     "(`run_sweep`) {runs_j1_s} s and {runs_j2_s} s, {runs_ratio}x. Those wall-clock ratios "
     "measure what else the machine ran as much as cdtx. The CPU times depend on it less: the "
     "parent's share of a sweep is {parent_ms_per_run} ms a run (keys, seeds, writing "
     "rows: the base scenario is pickled once per sweep, not with each chunk, and each worker "
     "unpickles it once); the workers' CPU is {workers_cpu_j1_s} s at `-j 1` and "
     "{workers_cpu_j2_s} s at `-j 2` ({workers_cpu_ratio}x); the summary the command prints costs {summary_cpu_s} s of CPU "
     "in one process ({startup_cpu_s} s of it starting Python), which two workers do not share. "
     "From these CPU times, two idle cores would run the runs alone {runs_bound}x faster with "
     "two workers, and the whole command {cli_bound}x (Amdahl)."),
    ("docs/sweeps.md", "summary",
     "a summary of every point of a {runs}-run Sobol' sweep takes {summarize_s} s in one "
     "process, and `cdtx sweep --summary --plot` of it {summary_plot_s} s against {sweep_s} s "
     "for the sweep itself on two workers, {summary_plot_ratio}x (target: at most 0.5x; "
     "`python bench/summary.py`, recorded in bench/results/summary.txt on {date}, load average "
     "{load} on {cores} cores)"),
    ("docs/sweeps.md", "sweep-crn",
     "**CRN** (bench/results/sweep-crn.txt, recorded on {date}, load average {load} on {cores} "
     "cores): repetition i of both sweeps uses root seed i (a run's cost depends on what happens "
     "in it, which its seed decides, so one draw of seeds against another is no comparison), "
     "and the seed derivation itself is timed: {derive_crn_us} us per run with common random "
     "numbers, {derive_independent_us} us with independent seeds (CRN hashes one name fewer). "
     "Whole sweeps ({runs} runs, -j2, {pairs} pairs): {cpu_ratio} in CPU, {wall_ratio} wall "
     "(median {crn_s} s against {independent_s} s; the slowest run took {spread}x the fastest)."),
    ("docs/sweeps.md", "sweep-sobol",
     "**Sobol'** (bench/results/sweep-sobol.txt, recorded on {date}, load average {load} on "
     "{cores} cores; N={base_samples}, 3 parameters, {runs} runs): the Sobol' sweep's own work, "
     "timed apart (best of 5): its design and checks {design_and_checks_ms} ms against "
     "{same-size_checks_ms} ms for the checks of a plain sweep of as many points, its summary "
     "with indices (`SALib.analyze.sobol`) {summary_with_indices_ms} ms against "
     "{summary_without_ms} ms without: {own_ms} ms in all, {own_share} % of the plain sweep's "
     "{plain_s} s. The pairs of whole sweeps ({pairs}) give {cpu_overhead} % CPU and "
     "{wall_overhead} % wall (the wall figure is the noisy one). Not counted: importing SALib "
     "(scipy.stats, pandas), once per process, {import_salib_s} s."),
    ("docs/sweeps.md", "sweep-dask",
     "**Dask** (bench/results/sweep-dask.txt, recorded on {date}, load average {load} on {cores} "
     "cores): each cluster runs one sweep cold (each fresh worker imports cdtx on its first "
     "task), then {reps} warm sweeps in turn with a process pool of as many workers (the pool's "
     "speed-up at the same moments is what the machine gives two processes just then), with the "
     "CPU time of the scheduler, the workers and the client per run: {scheduler_ms_j2}, "
     "{workers_ms_j2} and {client_ms_j2} ms with two workers. Warm, {runs} runs: {dask_j1_s} s "
     "on 1 worker process, {dask_j2_s} s on 2, a speed-up of {dask_ratio}x (target 1.6x), the "
     "pool's at the same moments {pool_ratio}x; the CPU times allow {cpu_bound_ratio}x on two "
     "idle cores."),
    ("docs/hosting.md", "host",
     "`python bench/host.py` (30 seats on loopback: 27 delegations, a facilitator, an evaluator "
     "and an observer, the clock at 1,000 events/s, {events} events; host and seats in separate "
     "processes; recorded in bench/results/host.txt on {date}, load average {load} on {cores} "
     "cores, {rate} events/s reached): p95 latency from an event on the host to every seat's "
     "view model {p95_ms} ms (one seat: {p95_one_ms} ms; target <= 100 ms); host memory "
     "{mb_per_seat} MB per seat (each seat holds a reference per event it may see: the encoded "
     "event is shared among the seats that see the same fields); a facilitator rejoining after "
     "{events} events has its view back in {rejoin_facilitator_ms} ms (a delegation in "
     "{rejoin_de_ms} ms), {rejoin_vs_fold}x the console's own fold of its picture over the same "
     "events. The host's CPU: {host_cpu} of a core with 30 seats, {host_cpu_one} with one."),
    ("docs/hosting.md", "host-web",
     "The browser pages' figure (`python bench/host.py --web`: 300 seats, a Cyber Europe-sized "
     "table, 150 of them pages' WebSockets sent views, the clock at 1,000 events/s, {events} "
     "events; recorded in bench/results/host-web.txt on {date}, load average {load} on {cores} "
     "cores, {rate} events/s reached, the host getting {host_cpu} of a core): the host spends "
     "{cpu_ms_per_event} ms of CPU per event with {seats} seats, so 1,000 events/s need "
     "{core_share} of a core; host memory {mb_per_seat} MB per seat (target <= 2 MB; the pages "
     "of one role share one view); a page loads {page_kb} KB (HTML, scripts, styles, icon; "
     "target <= 200 KB); a page rejoining after {events} events has its view in "
     "{rejoin_page_ms} ms (target <= 1 s: it is sent one view, not the events). The latency from "
     "an event to every evaluator page's view was {p95_pages_ms} ms at p95, and to every event "
     "seat {p95_events_ms} ms (target <= 100 ms)."),
    ("docs/hosting.md", "host",
     "The flood figure (the end of `python bench/host.py`; `--flood-only` runs it alone; "
     "bench/results/host.txt, {date}): one delegation seat sends 60 KB messages as fast as it can "
     "for {flood_seconds} s, reading what it is sent and connecting again whenever it is closed, "
     "while another seat joins every half second. Host RSS {flood_rss_before_mb} MB before, "
     "{flood_rss_peak_mb} MB at its peak (target < 400 MB); {flood_refused} inputs refused, the "
     "seat disconnected {flood_disconnected} time(s) and held off for 30 s each time; the "
     "recording {flood_record_mb} MB at the end; the honest seat joined in "
     "{flood_join_median_ms} ms (median), {flood_join_worst_ms} ms at worst (target < 1 s)."),
    ("docs/security.md", "host",
     "Measured (`python bench/host.py`, bench/results/host.txt, {date}): a seat sending 60 KB "
     "messages as fast as it can for {flood_seconds} s leaves the host at {flood_rss_peak_mb} MB "
     "at its peak, and another seat still joins in {flood_join_worst_ms} ms at worst."),
    ("docs/sweeps.md", "inputs-report",
     "A results CSV of {points} points ({csv_mb} MB; `python bench/inputs.py --part report`, "
     "recorded in bench/results/inputs-report.txt on {date}, load average {load} on {cores} "
     "cores) is reported to HTML in {report_s} s with a peak of {report_mb} MB ({startup_mb} MB "
     "of it starting Python), a page of {page_kb} KB; `--summary` of the same file takes "
     "{summary_s} s and {summary_mb} MB."),
    ("docs/reports.md", "inputs-report",
     "so a 100,000-point sweep is reported in {report_s} s with a peak of {report_mb} MB "
     "(bench/results/inputs-report.txt, {date})."),
    ("docs/security.md", "inputs-report",
     "and a 100,000-point report is a page of {page_kb} KB (bench/results/inputs-report.txt, "
     "{date})."),
    ("docs/security.md", "inputs-yaml",
     "(a {yaml_mb} MB file of one-letter values is refused in {yaml_s} s with a peak of "
     "{yaml_rss_mb} MB: `python bench/inputs.py --part yaml`, bench/results/inputs-yaml.txt, "
     "{date}, load average {load} on {cores} cores; PyYAML's parser is pure Python)"),
    ("docs/security.md", "inputs-csv",
     "one line of {commas} commas is refused in {csv_s} s with a peak of {csv_rss_mb} MB, before "
     "it is split (`python bench/inputs.py --part csv`, bench/results/inputs-csv.txt, {date}, "
     "load average {load} on {cores} cores)."),
]  # fmt: skip


def misquoted(root: Path = ROOT, texts: dict[str, str] | None = None) -> list[str]:
    """The quotes of :data:`QUOTES` that their doc does not say with the recorded figures
    (whitespace and line breaks aside). ``texts``: a doc's text to use instead of its file."""
    wrong = []
    for doc, name, template in QUOTES:
        raw = (texts or {}).get(doc)
        text = " ".join((raw if raw is not None else (root / doc).read_text()).split())
        if not (root / "bench" / "results" / f"{name}.txt").exists():
            wrong.append(f"bench/results/{name}.txt: not there (quoted by {doc}); record it")
            continue
        try:
            quote = template.format(**read(name, root))
        except KeyError as missing:
            wrong.append(f"bench/results/{name}.txt: no figure {missing} (quoted by {doc})")
            continue
        if not says(text, quote):
            wrong.append(f"{doc}: does not say {quote!r} (bench/results/{name}.txt)")
    return wrong


# -- the doc-figure scripts (bench/docs_figures.py, model_figures.py, calibration.py) ------------

#: A block of a doc that a doc-figure script writes (a table): ``<!-- figures: NAME -->``, a line
#: break, the block's text, ``<!-- /figures -->``.
BLOCK = re.compile(r"<!-- figures: (?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /figures -->", re.S)


def blocks(text: str) -> dict[str, str]:
    """The marked blocks (:data:`BLOCK`) of a doc's ``text``: name -> the text between the marks."""
    return {m["name"]: m["body"] for m in BLOCK.finditer(text)}


def with_blocks(text: str, bodies: dict[str, str]) -> str:
    """``text`` with each marked block named in ``bodies`` holding that text instead (the other
    blocks as they are)."""

    def block(m: re.Match[str]) -> str:
        name = m["name"]
        return f"<!-- figures: {name} -->\n{bodies[name]}<!-- /figures -->" if name in bodies else m[0]

    return BLOCK.sub(block, text)


def _named(path: Path) -> str:
    """``path`` as the messages name it: from the repository's root."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def figures_main(
    ap: argparse.ArgumentParser,
    argv: list[str] | None,
    compute: Callable[[argparse.Namespace], tuple[dict[str, str], dict[str, str]]],
    *,
    stored: Path | None = None,
    head: str = "",
    doc: Path | None = None,
    misquoted: Callable[[dict[str, str]], list[str]] | None = None,
) -> int:
    """The main of a doc-figure script, with ``--write`` and ``--check`` added to its ``ap``.

    ``compute(args)`` gives ``(values, tables)``: figures as ``name = value`` lines, stored in
    ``stored`` under ``# head`` (:func:`render_figures`), and tables written into the marked
    blocks of ``doc`` (:data:`BLOCK`) by name. Both are printed; ``--write`` writes them;
    ``--check`` exits 1 naming each quote the docs do not say (``misquoted(values)``), each table
    ``doc`` shows otherwise and ``stored`` when it holds other figures. A block ``--write`` has
    nowhere to go is an error too (exit 1)."""
    where = " and ".join(_named(p) for p in (stored, doc) if p is not None)
    ap.add_argument("--write", action="store_true", help=f"store them in {where}")
    quotes = " or a quote in docs/" if misquoted is not None else ""
    ap.add_argument("--check", action="store_true",
                    help=f"exit 1 when {where}{quotes} disagree with them")  # fmt: skip
    args = ap.parse_args(argv)
    values, tables = compute(args)
    rendered = render_figures(head, values)
    shown = ([rendered] if stored is not None else []) + [f"{n}\n{t}" for n, t in tables.items()]
    sys.stdout.write("\n".join(shown))
    problems = []
    if tables and (args.write or args.check):  # each table needs its block in the doc
        assert doc is not None, "tables need the doc that shows them"
        missing = sorted(set(tables) - set(blocks(doc.read_text(encoding="utf-8"))))
        problems += [f"{_named(doc)}: no <!-- figures: {n} --> block" for n in missing]
    if args.write and not problems:
        if stored is not None:
            stored.write_text(rendered, encoding="utf-8")
        if doc is not None and tables:
            doc.write_text(with_blocks(doc.read_text(encoding="utf-8"), tables), encoding="utf-8")
    if args.check:
        if misquoted is not None:
            problems += misquoted(values)
        if doc is not None:
            now = blocks(doc.read_text(encoding="utf-8"))
            problems += [f"{_named(doc)}: table {n} differs; rerun with --write"
                         for n, table in tables.items() if n in now and now[n] != table]  # fmt: skip
        if stored is not None and (not stored.exists() or read_figures(stored) != values):
            problems.append(f"{_named(stored)}: stored figures differ; rerun with --write")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    """``python bench/record.py``: every quote of :data:`QUOTES` filled in from its recorded
    file (to paste into the doc after a bench was recorded again); ``--check``: exit 1 when a
    doc does not say it."""
    ap = argparse.ArgumentParser(description=main.__doc__.splitlines()[0] if main.__doc__ else "")
    ap.add_argument("--check", action="store_true", help="exit 1 when a doc does not say a quote")
    args = ap.parse_args()
    if args.check:
        problems = misquoted()
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    for doc, name, template in QUOTES:
        print(f"{doc} (bench/results/{name}.txt):\n  {template.format(**read(name))}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
