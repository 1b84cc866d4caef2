"""What several ``cdtx`` commands share: loading a scenario or a recording, printing a run,
and writing outputs."""

from __future__ import annotations

import sys
import warnings
from argparse import Namespace
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

RUNS_DIR = Path("cdtx-runs")


def load_scenario(name: str | None):
    """``scenarios.load(name)``; an empty name (``cdtx run ""``) is refused as such."""
    import scenarios
    from scenarios.errors import UserError

    if name is not None and not name.strip():
        raise UserError("SCENARIO is empty: give a built-in id (cdtx scenarios) or a YAML file")
    return scenarios.load(name)


def load_exercise(args: Namespace, **options):
    from scenarios.errors import UserError
    from sim.exercise import Exercise, InjectError

    scenario = load_scenario(args.scenario)
    model = getattr(args, "model", None)
    if model:  # --model NAME=VALUE (cdtx run): the run's own model constants
        names = [name for name, _ in model]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:  # the last would silently win: say so rather than guess which was meant
            raise UserError(f"--model {twice[0]} is given twice; give each constant once")
        options = {**options, "model": dict(model)}
    try:
        return Exercise(scenario, seed=getattr(args, "seed", None), **options)
    except (InjectError, ValueError) as exc:
        raise UserError(str(exc)) from None


def print_result(args: Namespace, ex) -> None:
    """The output of ``cdtx run``: the timeline and summary, or one JSON object with --json."""
    import orjson

    if ex.pending:
        # A recording of a live session continues with its played delegations: a headless run
        # stops where their people must answer. Say so, rather than end as if at the horizon.
        from sim.clock import format_offset

        who = ", ".join(f"{r.state} on {r.proposal} ({r.measure})" for r in ex.pending)
        print(f"cdtx: stopped at {format_offset(ex.now)}: waiting for the people of a played "
              f"delegation ({who}); answer in the console: cdtx replay FILE, then b to branch",
              file=sys.stderr)  # fmt: skip
    if args.json:
        from sim.vocabulary_view import rating_so_far

        # Stopped before the horizon (--until): what has not happened yet is "pending", as the
        # text output, `cdtx replay --at` and the reports say (one rule: rating_so_far).
        ended = ex.finished
        metrics = dict(ex.metrics)
        metrics["objectives"] = {
            o.id: rating_so_far(o.metric, o.target, metrics, ended) for o in ex.scenario.objectives
        }
        result = {
            "scenario": ex.scenario.id,
            "seed": ex.seed,
            "digest": ex.digest,
            "event_count": len(ex.events),
            "events": len(ex.events),  # the same count, under its first name (DESIGN.md contract)
            "ended": ended,  # False: stopped before the horizon, the ratings are "so far"
            "awaiting": [
                {"state": r.state, "proposal": r.proposal, "measure": r.measure} for r in ex.pending
            ],  # fmt: skip
            "metrics": metrics,
        }
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    from ..timeline import print_run

    print_run(ex, show_positions=args.all)


def default_record_path(scenario_id: str, directory: Path = RUNS_DIR) -> Path:
    """Where a live run (``cdtx play``, ``cdtx host``) records without ``--record``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return directory / f"{scenario_id}-{stamp}.jsonl"


#: The suffixes of ``-o`` that choose a report's or a brief's format.
FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def output_format(args: Namespace, what: str) -> str:
    """``--format``, else the format of ``-o``'s suffix, else Markdown (standard output);
    UserError for another suffix (``what``: "report", "brief")."""
    from pathlib import Path

    from scenarios.errors import UserError

    if args.format:
        return args.format
    if not args.output:
        return "md"
    suffix = Path(args.output).suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"{args.output}: write a .md or .html {what} (or give --format)")
    return FORMATS[suffix]


def write_output(path: str | None, text: str, what: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` atomically (saying so on stderr), or to stdout when there is
    no path. A full disk leaves ``path`` as it was and exits 1 (scenarios.safe_write)."""
    from scenarios.safe_write import write_atomic

    if not path:
        sys.stdout.write(text)
        return
    write_atomic(path, text, force=force)
    print(f"{path}: {what}", file=sys.stderr)


def hours(value: float) -> str:
    """A sim time or duration in hours as people write it (``3d``, ``36h``)."""
    from scenarios.vocabulary import format_duration

    return format_duration(value)


@contextmanager
def _warnings_to_stderr():
    from scenarios.safe_read import printable  # warnings quote files: no terminal escapes

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        print(f"cdtx: warning: {printable(str(w.message))}", file=sys.stderr)


def open_recording(path: str, warn: bool = True):
    """``sim.recording.open(path)`` with its warnings on stderr (unless ``warn`` is false: the
    caller says it its own way) and its errors raised; the embedded scenario is
    checked too, so what it says is said once, here."""
    from sim.recording import reader

    with _warnings_to_stderr() if warn else warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore")
        recording = reader.open(path)
        recording.scenario  # noqa: B018 - validates the scenario and the event times
    return recording
