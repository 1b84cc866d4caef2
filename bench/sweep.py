"""Sweep benchmarks; prints ratios. Not part of the test run.

python bench/sweep.py              # every part below
python bench/sweep.py --part crn   # one part (repeatable): crn, sobol, dask, scaling, memory,
                                   # cli (2 workers vs 1 on a 3,000-run CLI sweep, and the runs
                                   # alone), outcomes (a custom outcome and a series vs plain)
python bench/sweep.py --small      # smaller counts (CI smoke run)

The three targets of issue 16 (crn, sobol, dask) are measured as pairs taken in turn (A B B A
...), several times, and reported as the median of the pairs' ratios, in wall-clock time and in
CPU time (the parent's and its reaped workers'): the machine is shared, and a ratio of two single
runs moved by 10% from one run to the next.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import add_option, fig, recording_if_asked

from sim import sweep as sw
from sim.exercise import Exercise


def spec(runs: int) -> sw.Sweep:
    points = 5
    return sw.Sweep(
        sw.spec_from_dict({
            "base": "grid-wiper", "seed": 1,
            "vary": {"member_states.HU.ties.RU": [i / (points - 1) for i in range(points)]},
            "seeds": max(1, runs // points),
        })
    )  # fmt: skip


def timed(sweep: sw.Sweep, out: Path, **kw) -> float:
    if out.exists():
        out.unlink()
    start = time.perf_counter()
    result = sw.run_sweep(sweep, out, **kw)
    elapsed = time.perf_counter() - start
    assert result.done == sweep.total
    if result.failed:
        print(f"  ({result.failed} failed runs: see the error column)")
    return elapsed


def plain_loop(sweep: sw.Sweep) -> float:
    scenarios = [sw.build_scenario(sweep.base_data, p) for p in sweep.points]
    start = time.perf_counter()
    for point, rep in sweep.run_keys():
        ex = Exercise(scenarios[point], seed=sweep.run_seed(point, rep))
        ex.run()
        ex.metrics  # noqa: B018 (the sweep computes them too)
    return time.perf_counter() - start


def warm_dask(sweep: sw.Sweep, d: Path) -> None:
    """Throughput once the cluster is up (a long sweep pays the start-up once)."""
    from distributed import Client, LocalCluster

    pool = timed(sweep, d / "pool.csv", jobs=2)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.submit(sum, [1]).result()  # workers up and warm
        dask = timed(sweep, d / "dask-warm.csv", executor_factory=client.get_executor)
    print(
        f"warm cluster, {sweep.total} runs: dask {sweep.total / dask:.0f} runs/s, pool "
        f"{sweep.total / pool:.0f} runs/s: dask throughput {pool / dask:.2f} of the pool's "
        "(target >= 0.75)"
    )


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have exited (pool workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def best_of(fn, times: int = 5) -> float:
    """The fastest of ``times`` calls of ``fn``, in seconds (the least disturbed by the load)."""
    best = math.inf
    for _ in range(times):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def paired(first, second, reps: int) -> dict[str, float]:
    """Run ``first`` and ``second`` (callables of a repetition number) ``reps`` times each, in
    turn (ABBA...: a drift in the machine's load hits both alike). Returns the medians of their
    wall and CPU times and the medians of the pairs' ratios (first / second)."""
    wall: dict[str, list[float]] = {"a": [], "b": []}
    cpu: dict[str, list[float]] = {"a": [], "b": []}
    for i in range(reps):
        order = (("a", first), ("b", second)) if i % 2 == 0 else (("b", second), ("a", first))
        for name, fn in order:
            c0, w0 = cpu_seconds(), time.perf_counter()
            fn(i)
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(cpu_seconds() - c0)
    ratio = statistics.median(a / b for a, b in zip(wall["a"], wall["b"], strict=True))
    cpu_ratio = statistics.median(a / b for a, b in zip(cpu["a"], cpu["b"], strict=True))
    return {"a": statistics.median(wall["a"]), "b": statistics.median(wall["b"]),
            "a_cpu": statistics.median(cpu["a"]), "b_cpu": statistics.median(cpu["b"]),
            "ratio": ratio, "cpu_ratio": cpu_ratio, "spread": max(wall["a"] + wall["b"])
            / min(wall["a"] + wall["b"])}  # fmt: skip


def crn_cost(runs: int, d: Path, reps: int) -> None:
    """Common random numbers (the default) vs independent seeds: the same points and runs, other
    seeds. Repetition i of both uses root seed i, so that the comparison is not one draw of seeds
    against another (a run's cost depends on what happens in it, which its seed decides)."""
    fields = {"base": "grid-wiper",
              "vary": {"decision_rule": ["unanimity", "qmv"],
                       "member_states.HU.ties.RU": [0.2, 0.5, 0.8]}}  # fmt: skip
    n = max(1, runs // 6)

    def sweep(i: int, common: bool) -> sw.Sweep:
        return sw.Sweep(sw.spec_from_dict({**fields, "seed": 1 + i,
                                           "seeds": {"n": n, "common": common}}))  # fmt: skip

    r = paired(lambda i: timed(sweep(i, True), d / "crn.csv", jobs=2),
               lambda i: timed(sweep(i, False), d / "independent.csv", jobs=2), reps)  # fmt: skip
    total = 6 * n
    # What CRN changes in the sweep itself: how each run's seed is derived (best of 5).
    keys = list(sweep(0, True).run_keys())

    def derivation(common: bool) -> None:
        for p, rep in keys:
            sw.run_seed(1, p, rep, common=common)

    t_common = best_of(lambda: derivation(True))
    t_independent = best_of(lambda: derivation(False))
    print(f"CRN vs independent seeds, {fig('runs', total, ',')} runs, -j2, {fig('pairs', reps)} pairs "
          f"(root seeds 1..{reps}): median {fig('crn_s', r['a'], '.2f')} s vs "
          f"{fig('independent_s', r['b'], '.2f')} s; ratio {fig('wall_ratio', r['ratio'], '.3f')} "
          f"wall, {fig('cpu_ratio', r['cpu_ratio'], '.3f')} CPU (target <= 1.05; slowest/fastest "
          f"run {fig('spread', r['spread'], '.2f')}x); seed derivation "
          f"{fig('derive_crn_us', t_common / total * 1e6, '.1f')} vs "
          f"{fig('derive_independent_us', t_independent / total * 1e6, '.1f')} us per run")  # fmt: skip


def sobol_overhead(base_samples: int, d: Path, reps: int) -> None:
    """A Sobol' sweep end to end (design, checks, runs, summary with indices) vs the same
    points run as a plain sweep (a same-size sweep's checks, the runs, a summary without
    indices)."""
    # The design of the shipped listing-drivers spec (the Bundestag case, where the parameters
    # move the listing), so that the summary has indices to compute.
    vary = {"member_states.HU.ties.RU": {"uniform": [0, 1]},
            "member_states.SK.ties.RU": {"uniform": [0, 1]},
            "decision_rule": ["unanimity", "qmv"]}  # fmt: skip
    spec = sw.spec_from_dict({"base": "calib-bundestag", "seed": 3, "vary": vary, "seeds": 1,
                              "sample": {"sobol": base_samples}})  # fmt: skip
    start = time.perf_counter()
    # SALib's design and analysis (with scipy.stats and pandas), imported once per process (a
    # session, or each `cdtx sweep`): shown apart, not counted as the sweep's cost.
    import SALib.analyze.sobol  # noqa: F401
    import SALib.sample.sobol  # noqa: F401

    t_import = time.perf_counter() - start
    points = sw.Sweep(spec).points

    def sobol(_: int) -> None:
        sweep = sw.Sweep(spec)
        timed(sweep, d / "sobol.csv", jobs=2)
        assert sw.summarize(d / "sobol.csv")["sensitivity"] is not None

    def plain(_: int) -> None:
        sweep = sw.Sweep(dataclasses.replace(spec, sample="random", n=len(points)))
        sweep.points = points  # the Sobol' points, run as a plain list of points
        timed(sweep, d / "plain.csv", jobs=2)
        sw.summarize(d / "plain.csv", spec={})

    r = paired(sobol, plain, reps)
    # Where a Sobol' sweep's own time goes (best of 5 each, in this process)
    parts = {}
    for name, fn in (
        ("design and checks", lambda: sw.Sweep(spec)),
        ("same-size checks", lambda: sw.Sweep(dataclasses.replace(spec, sample="random",
                                                                  n=len(points)))),
        ("summary with indices", lambda: sw.summarize(d / "sobol.csv")),
        ("summary without", lambda: sw.summarize(d / "plain.csv", spec={})),
    ):  # fmt: skip
        parts[name] = best_of(fn) * 1e3
    shown = ", ".join(f"{k} {fig(k.replace(' ', '_') + '_ms', v, '.0f')} ms"
                      for k, v in parts.items())  # fmt: skip
    # What only a Sobol' sweep does (its design, its indices), against the plain sweep's time:
    # the overhead without the noise of two sweeps' wall times.
    own = (parts["design and checks"] - parts["same-size checks"]
           + parts["summary with indices"] - parts["summary without"])  # fmt: skip
    print(f"Sobol' N={fig('base_samples', base_samples)}, {fig('runs', len(points), ',')} runs, "
          f"{fig('pairs', reps)} pairs: median {fig('sobol_s', r['a'], '.2f')} s vs the same "
          f"points as a plain sweep {fig('plain_s', r['b'], '.2f')} s: overhead "
          f"{fig('wall_overhead', (r['ratio'] - 1) * 100, '+.1f')}% wall, "
          f"{fig('cpu_overhead', (r['cpu_ratio'] - 1) * 100, '+.1f')}% CPU (target <= 10%; "
          f"slowest/fastest run {fig('spread', r['spread'], '.2f')}x); the Sobol' sweep's own "
          f"work {fig('own_ms', own, '.0f')} ms = {fig('own_share', own / 1e3 / r['b'] * 100, '+.1f')}% "
          f"of the plain sweep. Parts: {shown}; importing SALib (scipy.stats, pandas) once per "
          f"process {fig('import_salib_s', t_import, '.2f')} s")  # fmt: skip


def _cluster(workers: int, d: Path):
    """A scheduler and ``workers`` worker processes, started as separate programs."""
    file = d / f"scheduler-{workers}.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                               "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                               str(file)], **quiet)]  # fmt: skip
    while not file.exists():
        time.sleep(0.1)
    procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                   "--scheduler-file", str(file), "--nworkers", str(workers),
                                   "--nthreads", "1", "--no-dashboard"], **quiet))  # fmt: skip
    return json.loads(file.read_text())["address"], procs


def _cpu_of(procs) -> float:
    """CPU seconds used so far by ``procs`` and their children (a worker's processes)."""
    import psutil

    total = 0.0
    for proc in procs:
        try:
            parent = psutil.Process(proc.pid)
            for p in (parent, *parent.children(recursive=True)):
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            pass
    return total


def dask_processes(runs: int, d: Path, reps: int) -> None:
    """A sweep on a scheduler with 2 worker processes vs 1. Each cluster runs one sweep cold
    (its workers import cdtx on the first task), then ``reps`` sweeps warm, each in turn with the
    same sweep on a process pool of as many workers: the pool's speed-up, taken at the same
    moments, is what this machine gives two processes just then (it is shared). The CPU time of
    the scheduler, the workers and this client shows what Dask itself costs."""
    from distributed import Client

    sweep = spec(runs)
    cold: dict[int, float] = {}
    times: dict[tuple[str, int], list[float]] = {}
    cpu: dict[int, list[float]] = {}
    for workers in (1, 2):
        address, procs = _cluster(workers, d)
        try:
            with Client(address, timeout=30) as client:
                client.wait_for_workers(workers, timeout=60)
                client.submit(sum, [1]).result()

                def on_dask(name: str, workers: int = workers, client: Client = client) -> float:
                    return timed(sweep, d / f"dask-{workers}-{name}.csv", jobs=workers,
                                 executor_factory=client.get_executor)  # fmt: skip

                cold[workers] = on_dask("cold")
                used = [0.0, 0.0, 0.0]  # scheduler, workers, this client: during Dask sweeps
                for i in range(reps):
                    for kind in ("dask", "pool") if i % 2 == 0 else ("pool", "dask"):
                        if kind == "pool":
                            t = timed(sweep, d / f"pool-{workers}.csv", jobs=workers)
                        else:
                            before = (_cpu_of(procs[:1]), _cpu_of(procs[1:]), cpu_seconds())
                            t = on_dask(str(i))
                            after = (_cpu_of(procs[:1]), _cpu_of(procs[1:]), cpu_seconds())
                            for k in range(3):
                                used[k] += after[k] - before[k]
                        times.setdefault((kind, workers), []).append(t)
                cpu[workers] = [u / (reps * sweep.total) * 1e3 for u in used]
                client.shutdown()
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait()
    med = {k: statistics.median(v) for k, v in times.items()}
    dask_x = med["dask", 1] / med["dask", 2]
    pool_x = med["pool", 1] / med["pool", 2]
    print(f"Dask worker processes, {fig('runs', sweep.total, ',')} runs, warm, median of "
          f"{fig('reps', reps)}: 1 worker {fig('dask_j1_s', med['dask', 1], '.2f')} s, 2 workers "
          f"{fig('dask_j2_s', med['dask', 2], '.2f')} s: speed-up {fig('dask_ratio', dask_x, '.2f')}x "
          f"(target >= 1.6; {os.cpu_count()} cores here); the process pool in turn with it: "
          f"{med['pool', 1]:.2f} s vs {med['pool', 2]:.2f} s: {fig('pool_ratio', pool_x, '.2f')}x, "
          f"so Dask gives {dask_x / pool_x:.0%} of the pool's speed-up; first sweep on fresh "
          f"workers {cold[1]:.2f} s vs {cold[2]:.2f} s: {fig('cold_ratio', cold[1] / cold[2], '.2f')}x")  # fmt: skip
    for workers in (1, 2):
        sched, work, client = cpu[workers]
        line = (f"  {workers} worker(s), CPU ms per run: scheduler "
                f"{fig(f'scheduler_ms_j{workers}', sched, '.2f')}, workers "
                f"{fig(f'workers_ms_j{workers}', work, '.2f')}, this client "
                f"{fig(f'client_ms_j{workers}', client, '.2f')}")  # fmt: skip
        if workers == 2:
            # On two cores that run nothing else, one worker takes its CPU time (the scheduler
            # and the client have the other core); two cannot beat their CPU over both cores.
            bound = cpu[1][1] / ((sched + work + client) / 2)
            line += f"; CPU-bound speed-up on 2 idle cores {fig('cpu_bound_ratio', bound, '.2f')}x"
        print(line)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PARTS = ("crn", "sobol", "dask", "scaling", "memory", "cli", "outcomes")

#: The CLI scaling target (issue 24): a 3,000-run sweep as `cdtx sweep` runs it, 2 workers vs 1.
CLI_RUNS = 3000
CLI_SPEC = {"name": "scaling", "base": "grid-wiper", "seed": 1,
            "vary": {"member_states.HU.ties.RU": [0.0, 0.25, 0.5, 0.75, 1.0]}}  # fmt: skip


def cli_scaling(runs: int, d: Path, reps: int) -> None:
    """2 workers vs 1 on a ``runs``-run sweep: the whole ``cdtx sweep SPEC`` command (start-up,
    runs, file, the summary it prints), and the runs alone (``run_sweep`` in this process),
    paired in turn. Also the parts of the command that do not scale: its start-up (``cdtx
    --version``) and the summary of the same file (``cdtx sweep --summary``), which set the
    bound on what 2 workers can give (Amdahl)."""
    import yaml

    spec_path = d / "scaling.yaml"
    spec_path.write_text(yaml.safe_dump({**CLI_SPEC, "seeds": runs // 5}))
    cdtx = [str(Path(sys.executable).parent / "cdtx")]

    def command(jobs: int):
        def go(i: int) -> None:
            out = d / f"cli-j{jobs}-{i}.csv"
            subprocess.run([*cdtx, "sweep", str(spec_path), "-j", str(jobs), "-o", str(out),
                            "--quiet", "--force"], check=True, stdout=subprocess.DEVNULL)  # fmt: skip

        return go

    s = sw.Sweep(sw.spec_from_dict({**CLI_SPEC, "seeds": runs // 5}))

    def runs_only(jobs: int):
        return lambda i: timed(s, d / f"runs-j{jobs}-{i}.csv", jobs=jobs)

    r = paired(runs_only(1), runs_only(2), reps)
    print(f"runs alone ({fig('runs', s.total, ',')} runs, run_sweep): -j1 {fig('runs_j1_s', r['a'], '.2f')} s, "
          f"-j2 {fig('runs_j2_s', r['b'], '.2f')} s: 2 vs 1 workers "
          f"{fig('runs_ratio', r['ratio'], '.2f')}x wall (median of {fig('pairs', reps)} pairs; "
          f"spread {r['spread']:.2f})")  # fmt: skip
    c = paired(command(1), command(2), reps)
    print(f"cdtx sweep ({s.total} runs, whole command): -j1 {fig('cli_j1_s', c['a'], '.2f')} s, "
          f"-j2 {fig('cli_j2_s', c['b'], '.2f')} s: 2 vs 1 workers "
          f"{fig('cli_ratio', c['ratio'], '.2f')}x wall (target >= 1.8x; spread {c['spread']:.2f})")  # fmt: skip
    results = d / "runs-j2-0.csv"

    def child_cpu(args: list[str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    summary = child_cpu([*cdtx, "sweep", "--summary", str(results)])
    startup = child_cpu([*cdtx, "--version"])
    # CPU seconds do not depend on how loaded the machine is: the parent's share of a sweep
    # (keys, seeds, writing rows) and the workers' (the runs), at -j1 and -j2
    split = {}
    for jobs in (1, 2):
        me0, ch0 = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        timed(s, d / f"cpu-j{jobs}.csv", jobs=jobs)
        me1, ch1 = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        split[jobs] = (me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime,
                       ch1.ru_utime + ch1.ru_stime - ch0.ru_utime - ch0.ru_stime)  # fmt: skip
    (p1, w1), (p2, w2) = split[1], split[2]
    # On two idle cores the parent and its one worker overlap at -j1 (each on its own core), and
    # at -j2 the parent and two workers share the two cores; the summary follows the sweep.
    runs_one, runs_two = max(p1, w1), max(p2, w2 / 2, (p2 + w2) / 2)
    one, two = summary + runs_one, summary + runs_two
    print(f"  CPU: cdtx sweep --summary of the file {fig('summary_cpu_s', summary, '.2f')} s "
          f"(start-up alone {fig('startup_cpu_s', startup, '.2f')} s); the sweep's parent "
          f"{p1:.2f} s at -j1, {p2:.2f} s at -j2 ({fig('parent_ms_per_run', p2 / s.total * 1e3, '.2f')} "
          f"ms a run); its workers {fig('workers_cpu_j1_s', w1, '.2f')} s and "
          f"{fig('workers_cpu_j2_s', w2, '.2f')} s ({fig('workers_cpu_ratio', w2 / w1, '.2f')}x)")  # fmt: skip
    print(f"  on two idle cores these CPU times give the command {fig('cli_bound', one / two, '.2f')}x "
          f"and the runs alone {fig('runs_bound', runs_one / runs_two, '.2f')}x "
          "(2 workers vs 1)")  # fmt: skip


def outcomes_cost(runs: int, d: Path, reps: int) -> None:
    """A custom outcome (an event outcome and a Python one) and a series (4 picture fields,
    daily) vs the same sweep without them, paired in turn: target <= 1.10."""
    base = {**CLI_SPEC, "seeds": runs // 5}
    extra = {**base, "outcomes": {
        "declared": {"event": "adopted", "measure": "hr_declaration", "by": "20d"},
        "hu_blocked": {"blocked_by": "HU"},
        "declaration_day": {"python": "bench.sweep_outcomes:declaration_day"}},
        "series": {"fields": ["pressure", "meetings", "states.HU.position",
                              "assessment.confidence"], "every": "1d"}}  # fmt: skip
    plain, custom = sw.Sweep(sw.spec_from_dict(base)), sw.Sweep(sw.spec_from_dict(extra))
    r = paired(lambda i: timed(custom, d / f"custom-{i}.parquet", jobs=2),
               lambda i: timed(plain, d / f"plain-{i}.parquet", jobs=2), reps)
    print(f"outcomes + series ({fig('runs', plain.total, ',')} runs, -j2, Parquet): "
          f"{fig('custom_s', r['a'], '.2f')} s vs plain {fig('plain_s', r['b'], '.2f')} s: "
          f"{fig('wall_ratio', r['ratio'], '.3f')}x wall, {fig('cpu_ratio', r['cpu_ratio'], '.3f')}x "
          f"CPU (target <= 1.10; median of {fig('pairs', reps)} pairs)")  # fmt: skip
    # The work itself, in this process (no pool, no file): a worker's CPU per run, the least of
    # the repetitions (the one the machine's load disturbed least)
    from sim.sweep.execute import RunPlan, run_chunk

    def work(sweep: sw.Sweep) -> float:
        plan = RunPlan(sweep.base_data, ("bench", id(sweep), time.monotonic_ns()), sweep.metrics,
                       sweep.objectives, None, tuple(sweep.outcomes), sweep.series)  # fmt: skip
        runs = [(p, k, sweep.run_seed(p, k), sweep.points[p]) for p, k in sweep.run_keys()]
        start = time.process_time()
        run_chunk((plan.token, plan.packed(), runs[:200]))
        return (time.process_time() - start) / 200 * 1e3

    a, b = [], []
    for _ in range(max(reps, 5)):
        a.append(work(custom))
        b.append(work(plain))
    print(f"  a worker's CPU per run (least of {fig('work_reps', len(a))}): "
          f"{fig('work_custom_ms', min(a), '.2f')} ms with the outcomes and series, "
          f"{fig('work_plain_ms', min(b), '.2f')} ms plain: "
          f"{fig('work_ratio', min(a) / min(b), '.3f')}x")  # fmt: skip
    # The same work taken apart, each run's three parts timed one after the other: a load that
    # comes and goes slows a part and the run beside it alike, so their ratio holds still where
    # two 200-run loops taken in turn can drift apart
    from sim.sweep import outcomes as outcomes_

    keyed = [(sw.build_scenario(custom.base_data, custom.points[p]), custom.run_seed(p, k))
             for p, k in list(custom.run_keys())[:200]]  # fmt: skip
    best = [math.inf] * 3
    clock = time.process_time
    for _ in range(max(reps, 5)):
        spent = [0.0] * 3
        for scenario, seed in keyed:
            start = clock()
            ex = Exercise(scenario, seed=seed)
            ex.run()
            metrics = ex.metrics
            ran = clock()
            outcomes_.evaluate(list(custom.outcomes), ex, metrics)
            evaluated = clock()
            outcomes_.sample(custom.series, ex)
            sampled = clock()
            spent[0] += ran - start
            spent[1] += evaluated - ran
            spent[2] += sampled - evaluated
        best = [min(x, y) for x, y in zip(best, spent, strict=True)]
    run_ms, outcomes_ms, series_ms = (x / len(keyed) * 1e3 for x in best)
    print(f"  taken apart, each the least of {max(reps, 5)}: a run {fig('part_run_ms', run_ms, '.3f')} "
          f"ms, its outcomes {fig('part_outcomes_ms', outcomes_ms, '.3f')} ms, its series "
          f"{fig('part_series_ms', series_ms, '.3f')} ms: "
          f"{fig('part_ratio', (run_ms + outcomes_ms + series_ms) / run_ms, '.3f')}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="smaller counts")
    parser.add_argument("--no-dask", action="store_true", help="leave out every Dask part")
    parser.add_argument("--part", action="append", choices=PARTS,
                        help="run only this part (repeatable); default: all")  # fmt: skip
    parser.add_argument("--only", choices=["analysis"],
                        help="only the parts of issue 16's targets: crn, sobol, dask")  # fmt: skip
    parser.add_argument("--reps", type=int, default=None,
                        help="repetitions of each paired measurement "
                        "(default 5, --small 2)")  # fmt: skip
    add_option(parser, "sweep-PART")
    args = parser.parse_args()
    parts = args.part or (["crn", "sobol", "dask"] if args.only else list(PARTS))
    reps = args.reps or (2 if args.small else 5)
    n = 200 if args.small else 1000

    def part(name: str):
        return recording_if_asked(args, f"sweep-{name}")

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        if "crn" in parts:
            with part("crn"):
                crn_cost(n, d, reps)
        if "sobol" in parts:
            with part("sobol"):
                sobol_overhead(16 if args.small else 64, d, reps)
        if "dask" in parts and not args.no_dask:
            with part("dask"):
                dask_processes(n, d, reps)
        s = spec(n)
        if "scaling" in parts:
            with part("scaling"):
                t1 = timed(s, d / "j1.csv", jobs=1)
                t2 = timed(s, d / "j2.csv", jobs=2)
                print(f"runs={s.total}  -j1 {s.total / t1:.0f} runs/s  -j2 {s.total / t2:.0f} "
                      f"runs/s  speed-up 2 vs 1 workers: {fig('ratio', t1 / t2, '.2f')}x")  # fmt: skip
                if not args.no_dask:
                    td = timed(s, d / "dask.csv", jobs=2, dask="local")
                    print(f"dask LocalCluster(2) {s.total / td:.0f} runs/s (incl. cluster start)  "
                          f"process pool / dask time: {td / t2:.2f}x")  # fmt: skip
                    warm_dask(spec(4 * n), d)
                loop = plain_loop(s)
                print(f"plain loop {s.total / loop:.0f} runs/s  sweep -j1 overhead per run: "
                      f"{fig('overhead_ms', (t1 - loop) / s.total * 1e3, '.2f')} ms "
                      f"({t1 / loop:.2f}x of the loop)")  # fmt: skip
        if "cli" in parts:
            with part("cli"):
                cli_scaling(600 if args.small else CLI_RUNS, d, reps)
        if "outcomes" in parts:
            with part("outcomes"):
                outcomes_cost(n, d, reps)
        if "memory" in parts:
            with part("memory"):
                for runs in (1000, 20000) if not args.small else (200, 2000):
                    big = spec(runs)
                    before = peak_rss_mb()
                    t = timed(big, d / f"m{runs}.parquet", jobs=2)
                    print(f"{big.total} runs to Parquet in {t:.1f} s: parent peak RSS "
                          f"{fig(f'peak_rss_mb_{big.total}', peak_rss_mb(), '.0f')} MB (before "
                          f"{before:.0f} MB)")  # fmt: skip

if __name__ == "__main__":
    main()
