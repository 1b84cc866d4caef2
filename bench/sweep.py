"""Sweep benchmarks; prints ratios. Not part of the test run.

python bench/sweep.py            # 2 workers vs 1, Dask vs pool, overhead, memory at 1k / 20k,
                                 # CRN cost, Sobol' overhead, Dask worker processes 2 vs 1
python bench/sweep.py --small    # smaller counts (CI smoke run)
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def crn_cost(runs: int, d: Path) -> None:
    """Common random numbers (the default) vs independent seeds: the same runs, other seeds."""
    fields = {"base": "grid-wiper", "seed": 1,
              "vary": {"decision_rule": ["unanimity", "qmv"],
                       "member_states.HU.ties.RU": [0.2, 0.5, 0.8]}}  # fmt: skip
    n = max(1, runs // 6)
    common = sw.Sweep(sw.spec_from_dict({**fields, "seeds": n}))
    independent = sw.Sweep(sw.spec_from_dict({**fields, "seeds": {"n": n, "common": False}}))
    best = {}
    for name, sweep in (("crn", common), ("independent", independent)) * 2:
        t = timed(sweep, d / f"{name}.csv", jobs=2)
        best[name] = min(best.get(name, t), t)
    print(f"CRN vs independent seeds, {common.total} runs, -j2: {best['crn']:.2f} s vs "
          f"{best['independent']:.2f} s: ratio {best['crn'] / best['independent']:.3f} "
          "(target <= 1.05)")  # fmt: skip


def sobol_overhead(base_samples: int, d: Path) -> None:
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
    import SALib.analyze.sobol  # noqa: F401  (imported once, as in a session: not the sweep's cost)
    import SALib.sample.sobol  # noqa: F401

    start = time.perf_counter()
    sobol = sw.Sweep(spec)
    timed(sobol, d / "sobol.csv", jobs=2)
    assert sw.summarize(d / "sobol.csv")["sensitivity"] is not None
    t_sobol = time.perf_counter() - start
    start = time.perf_counter()
    same_size = sw.Sweep(dataclasses.replace(spec, sample="random", n=len(sobol.points)))
    plain = copy.copy(same_size)  # the Sobol' points, run as a plain list of points
    plain.points = sobol.points
    timed(plain, d / "plain.csv", jobs=2)
    sw.summarize(d / "plain.csv", spec={})
    t_plain = time.perf_counter() - start
    print(f"Sobol' N={base_samples}, {sobol.total} runs: {t_sobol:.2f} s vs the same points as a "
          f"plain sweep {t_plain:.2f} s: overhead {(t_sobol / t_plain - 1) * 100:+.1f}% "
          "(target <= 10%)")  # fmt: skip


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


def dask_processes(runs: int, d: Path) -> None:
    """A sweep on a scheduler with 2 worker processes vs 1 (warm: the cluster is up)."""
    from distributed import Client

    sweep = spec(runs)
    times = {}
    for workers in (1, 2):
        address, procs = _cluster(workers, d)
        try:
            with Client(address, timeout=30) as client:
                client.wait_for_workers(workers, timeout=60)
                client.submit(sum, [1]).result()
                times[workers] = timed(sweep, d / f"dask-{workers}.csv", jobs=workers,
                                       executor_factory=client.get_executor)  # fmt: skip
                client.shutdown()
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait()
    print(f"Dask worker processes, {sweep.total} runs: 1 worker {times[1]:.2f} s, 2 workers "
          f"{times[2]:.2f} s: speed-up {times[1] / times[2]:.2f}x (target >= 1.6; "
          f"{os.cpu_count()} cores here)")  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="smaller counts")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--only", choices=["analysis"], help="only the analysis benchmarks")
    args = parser.parse_args()
    n = 200 if args.small else 1000
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        crn_cost(n, d)
        sobol_overhead(16 if args.small else 64, d)
        if not args.no_dask:
            dask_processes(n, d)
        if args.only:
            return
        s = spec(n)
        t1 = timed(s, d / "j1.csv", jobs=1)
        t2 = timed(s, d / "j2.csv", jobs=2)
        print(f"runs={s.total}  -j1 {s.total / t1:.0f} runs/s  -j2 {s.total / t2:.0f} runs/s  "
              f"speed-up 2 vs 1 workers: {t1 / t2:.2f}x")  # fmt: skip
        if not args.no_dask:
            td = timed(s, d / "dask.csv", jobs=2, dask="local")
            print(f"dask LocalCluster(2) {s.total / td:.0f} runs/s (incl. cluster start)  "
                  f"process pool / dask time: {td / t2:.2f}x")  # fmt: skip
            warm_dask(spec(4 * n), d)
        loop = plain_loop(s)
        print(f"plain loop {s.total / loop:.0f} runs/s  sweep -j1 overhead per run: "
              f"{(t1 - loop) / s.total * 1e3:.2f} ms ({t1 / loop:.2f}x of the loop)")  # fmt: skip
        for runs in (1000, 20000) if not args.small else (200, 2000):
            big = spec(runs)
            before = peak_rss_mb()
            t = timed(big, d / f"m{runs}.parquet", jobs=2)
            print(f"{big.total} runs to Parquet in {t:.1f} s: parent peak RSS {peak_rss_mb():.0f} "
                  f"MB (before {before:.0f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
