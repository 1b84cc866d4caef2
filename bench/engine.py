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
from sim.exercise import Exercise

TARGET_RUNS_PER_S = 50
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
    print(f"  cdtx run end to end       {cli:10.3f} s (target <= {TARGET_CLI_SECONDS} s)")
    print(f"  cdtx --help imports       {', '.join(leaked) or 'neither textual nor simpy'}")


if __name__ == "__main__":
    main()
