"""Engine benchmark: the default scenario against a bare SimPy loop, in one process.

Prints runs/s, model events/s, SimPy kernel events/s, the ratio of kernel events/s to a bare
loop of timeouts, the end-to-end time of `cdtx run`, and whether `cdtx --help` imports textual
or simpy. Ratios measured in one run are what to compare: this machine is shared and noisy.

    python bench/engine.py [--runs 300]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import simpy

import scenarios
from sim.events import EventLog
from sim.exercise import Exercise

TARGET_RUNS_PER_S = 500  # issue 13: the default scenario at 500 runs/s or more, on a quiet machine
TARGET_KERNEL_RATIO = 0.25
TARGET_CLI_SECONDS = 0.5


def bare_simpy(n_events: int) -> float:
    """Kernel events/s of SimPy itself: processes doing nothing but timeouts."""
    env = simpy.Environment()

    def ticker(env, period):
        while True:
            yield env.timeout(period)

    for i in range(20):
        env.process(ticker(env, 1.0 + i / 20))
    start = time.perf_counter()
    for _ in range(n_events):
        env.step()
    return n_events / (time.perf_counter() - start)


def engine(scenario, runs: int) -> tuple[float, float, float]:
    events = steps = 0
    start = time.perf_counter()
    for seed in range(runs):
        ex = Exercise(scenario, seed=seed).run()
        events += len(ex.events)
        steps += ex.steps
    elapsed = time.perf_counter() - start
    return runs / elapsed, events / elapsed, steps / elapsed


def construction_seconds(scenario, runs: int) -> float:
    """Time to set up the runs (environment, streams, roster, processes) without running them."""
    start = time.perf_counter()
    for seed in range(runs):
        Exercise(scenario, seed=seed)
    return time.perf_counter() - start


def event_log_seconds(scenario, runs: int) -> float:
    """Time to log the events of ``runs`` runs again: event object, canonical JSON, chain link."""
    batches = [
        [(e.t, e.kind, e.source, e.data) for e in Exercise(scenario, seed=seed).run().events]
        for seed in range(runs)
    ]
    start = time.perf_counter()
    for batch in batches:
        log = EventLog()
        for t, kind, source, data in batch:
            log.append(t, kind, source, **data)
    return time.perf_counter() - start


def decomposition(scenario, runs: int, runs_s: float, kernel_s: float, bare: float) -> None:
    """Where the time of one run goes, and the kernel ratio each part leaves room for.

    The kernel share is the run's kernel steps at the bare loop's speed; the rest is measured
    (construction, event log) or the remainder (the model's own decisions and bookkeeping).
    """
    per_run = 1e6 / runs_s
    steps = kernel_s / runs_s
    kernel = steps * 1e6 / bare
    build = construction_seconds(scenario, runs) * 1e6 / runs
    sample = min(runs, 100)
    logging = event_log_seconds(scenario, sample) * 1e6 / sample
    model = max(0.0, per_run - kernel - build - logging)
    print(f"  one run, {steps:.0f} kernel steps  {per_run:8.0f} µs")
    for name, us in (
        ("SimPy kernel (bare speed)", kernel),
        ("construction", build),
        ("event log (JSON + chain)", logging),
        ("model decisions, the rest", model),
    ):
        print(f"    {name:28s}{us:8.0f} µs  {us / per_run:5.0%}")
    # The ratio if a part cost nothing: kernel time over what would remain.
    needed = steps * 1e6 / (TARGET_KERNEL_RATIO * bare)
    print(f"  the ratio target needs a run in           {needed:6.0f} µs")
    print(f"  kernel ratio with a free event log        {kernel / (per_run - logging):6.2f}")
    print(
        f"  ... and free construction                 {kernel / (per_run - logging - build):6.2f}"
    )


def cli_seconds(repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tui.cli", "run"], check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def help_imports() -> list[str]:
    code = (
        "import sys\nfrom tui.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('LEAKED=' + ','.join(m for m in ('textual', 'simpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    line = [x for x in out.stdout.splitlines() if x.startswith("LEAKED=")][-1]
    return [m for m in line.removeprefix("LEAKED=").split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    scenario = scenarios.load()
    Exercise(scenario).run()  # warm caches (roster, influence matrix)
    runs_s, events_s, kernel_s = engine(scenario, args.runs)
    bare = bare_simpy(200_000)
    ratio = kernel_s / bare
    cli = cli_seconds()
    leaked = help_imports()
    print(
        f"default scenario ({scenario.id}, horizon {scenario.horizon / 24:.0f} d), {args.runs} runs, one core"
    )
    print(f"  runs/s                    {runs_s:10.1f}   (target >= {TARGET_RUNS_PER_S})")
    print(f"  model events/s            {events_s:10.0f}")
    print(f"  SimPy kernel events/s     {kernel_s:10.0f}")
    print(f"  bare SimPy kernel ev/s    {bare:10.0f}")
    print(f"  kernel ratio              {ratio:10.2f}   (target >= {TARGET_KERNEL_RATIO})")
    decomposition(scenario, args.runs, runs_s, kernel_s, bare)
    print(f"  cdtx run end to end       {cli:10.3f} s (target <= {TARGET_CLI_SECONDS} s)")
    print(f"  cdtx --help imports       {', '.join(leaked) or 'neither textual nor simpy'}")


if __name__ == "__main__":
    main()
