"""Benchmark recordings: load-and-index, picture_at scrubbing, verify, peak memory.

    python bench/replay.py --events 1000000

Generates a long synthetic scenario (incidents against every member state over a long horizon:
the evidence processes of the states keep emitting events), runs it with a Recorder attached
until it has at least ``--events`` events, then measures in the same process:

* open (parse + build Event objects) in events/s, against plain ``json.loads`` of the same lines;
* the median time of ``picture_at(t)`` for random ``t`` (after the checkpoints are built);
* ``verify()`` speed against the speed of the original run;
* peak memory (``resource.getrusage`` max RSS, and tracemalloc peak of opening).

Prints ratios and figures; it is not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

from record import add_option, fig, recording_if_asked

CRITERIA = ("scope", "scale", "duration", "intensity", "complexity", "sophistication", "impact")


def synthetic(days: int, incidents: int = 20, seed: int = 1) -> str:
    from scenarios.vocabulary import EU27

    r = random.Random(seed)
    lines = [
        "cdtx: 1",
        "id: bench-long",
        "title: Benchmark campaign over a long horizon",
        "start: 2026-01-05T09:00:00+01:00",
        f"horizon: {days}d",
        f"seed: {seed}",
        "threat_actors:",
        "  - {id: apt-x, name: APT X, sponsor: RU, sophistication: 0.4, resolve: 0.9}",
        "procedure: {mode: crisis}",
        "incidents:",
    ]
    for i in range(incidents):
        at = r.uniform(0, 3650 * 24 * 0.95)
        targets = ", ".join(f"{{state: {c}, sector: energy}}" for c in r.sample(list(EU27), 3))
        severity = ", ".join(f"{k}: {r.randint(1, 4)}" for k in CRITERIA)
        lines += [f"  - id: INC-{i}", f"    at: {at:.2f}h", "    actor: apt-x",
                  f"    targets: [{targets}]", f"    severity: {{{severity}}}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss * (1 if sys.platform == "darwin" else 1024) / 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="at least this many events")
    parser.add_argument("--days", type=int, default=0, help="horizon (default: from --events)")
    parser.add_argument("--samples", type=int, default=200, help="picture_at samples")
    parser.add_argument("--keep", metavar="FILE", help="write the recording here and keep it")
    add_option(parser, "replay")
    args = parser.parse_args(argv)
    with recording_if_asked(args, "replay"):
        return measure(args)


def measure(args: argparse.Namespace) -> int:
    import scenarios
    from sim.exercise import Exercise
    from sim.recording import Recorder, reader

    # Calibrate: events per simulated day of this scenario shape.
    probe = Exercise(scenarios.load_text(synthetic(3650)))
    probe.run()
    per_day = max(0.1, len(probe.events) / 3650)
    # at most 100 years, the longest horizon a scenario may have (fewer events then)
    days = min(args.days or int(args.events / per_day * 2) + 3650, 36_500)
    del probe
    scenario = scenarios.load_text(synthetic(days))

    tmp = tempfile.TemporaryDirectory()
    path = Path(args.keep) if args.keep else Path(tmp.name) / "bench.jsonl"
    ex = Exercise(scenario)
    t0 = time.perf_counter()
    with Recorder(path, ex):
        while len(ex.events) < args.events and not ex.finished:
            ex.run(ex.now + 24 * 365)
    run_s = time.perf_counter() - t0
    n = len(ex.events)
    size = path.stat().st_size
    print(f"recorded {n:,} events ({size / 1e6:.1f} MB, horizon {days} d, sim to "
          f"{ex.now / 24:.0f} d) in {run_s:.1f} s: {n / run_s:,.0f} events/s with the recorder")  # fmt: skip
    del ex

    # Plain json.loads of the same lines (the floor for any JSON Lines reader).
    print(f"             peak RSS so far (recording run) {_rss_mb():,.0f} MB")

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    rec = reader.open(path)
    open_s = time.perf_counter() - t0
    print(f"open:        {fig('open_events_per_s', n / open_s, ',.0f')} events/s ({open_s:.2f} s); peak RSS {_rss_mb():,.0f} MB")

    # Plain json.loads of the same lines (the floor for any JSON Lines reader).
    data = path.read_bytes()
    t0 = time.perf_counter()
    lines = data.split(b"\n")
    plain = [json.loads(line) for line in lines if line]
    json_s = time.perf_counter() - t0
    del plain, lines, data
    print(f"json.loads:  {n / json_s:,.0f} lines/s ({json_s:.2f} s): open is "
          f"{json_s / open_s:.2f}x the speed of plain json.loads")  # fmt: skip

    del rec
    tracemalloc.start()  # a second open, traced (tracemalloc slows it down several times)
    rec = reader.open(path)
    _, open_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"             tracemalloc peak while opening {open_peak / 1e6:,.0f} MB "
          f"({open_peak / n:,.0f} B/event, including the file's bytes)")  # fmt: skip

    t0 = time.perf_counter()
    rec.picture_at(0)
    index_s = time.perf_counter() - t0
    r = random.Random(0)
    end = rec.end_time
    times = []
    for _ in range(args.samples):
        t = r.uniform(0, end)
        s0 = time.perf_counter()
        rec.picture_at(t)
        times.append(time.perf_counter() - s0)
    print(f"picture_at:  checkpoints built in {index_s:.2f} s (every {rec._every} events); "
          f"median {statistics.median(times) * 1e3:.2f} ms, max {max(times) * 1e3:.2f} ms "
          f"over {args.samples} random t")  # fmt: skip

    t0 = time.perf_counter()
    result = rec.verify()
    verify_s = time.perf_counter() - t0
    print(f"verify:      {'identical' if result.ok else 'DIFFERS ' + result.message} in "
          f"{verify_s:.1f} s: {n / verify_s:,.0f} events/s = {fig('verify_vs_run', run_s / verify_s, '.2f')}x the "
          "original run's speed")  # fmt: skip
    print(f"peak RSS:    {fig('peak_rss_mb', _rss_mb(), ',.0f')} MB (whole process: run, open, checkpoints, verify)")
    tmp.cleanup()
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
