"""Sweep benchmarks; prints ratios. Not part of the test run.

python bench/sweep.py            # 2 workers vs 1, Dask vs pool, overhead, memory at 1k / 20k
python bench/sweep.py --small    # smaller counts (CI smoke run)
"""

from __future__ import annotations

import argparse
import resource
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
        ex = Exercise(scenarios[point], seed=sw.run_seed(sweep.root, point, rep))
        ex.run()
        ex.metrics  # noqa: B018 (the sweep computes them too)
    return time.perf_counter() - start


def warm_dask(sweep: sw.Sweep, d: Path) -> None:
    """Throughput once the cluster is up (a long sweep pays the start-up once)."""
    from distributed import Client, LocalCluster

    pool = timed(sweep, d / "pool.csv", jobs=2)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="smaller counts")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    n = 200 if args.small else 1000
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
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
