"""Running a sweep: run seeds, chunks in workers, executors (process pool or Dask), retries,
resume, and the rows streamed to the results file as chunks finish."""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import pickle
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import scenarios
from scenarios.safe_read import ScenarioError, read_json
from scenarios.safe_write import OutputError, check_output, write_atomic
from scenarios.vocabulary import CRISIS_METRICS, TIME_METRICS

from .. import cdtx_version, constants
from ..exercise import Exercise, scenario_sha256
from ..streams import derive_seed
from . import outcomes as outcomes_
from . import provenance
from .results import (
    RECORD_BYTES,
    STATUS_FAILED,
    STATUS_OK,
    _ColumnsWriter,
    _CsvWriter,
    _end_on_a_whole_row,
    _format,
    _ParquetWriter,
    _read,
    check_results_output,
    has_results,
    parquet_record,
    partial_parts,
    spec_file,
)
from .sample import _design_points, _grid_points, _lhs_points, _random_points, design_seed
from .spec import (
    KEEPABLE,
    SEED_LIMIT,
    SweepError,
    SweepSpec,
    _number,
    build_scenario,
    check_constants,
    need,
)

RETRIES = 2  # times a chunk is retried after its worker died


def run_seed(root: int, point: int, replication: int, *, common: bool) -> int:
    """The seed of run (point, replication): independent of workers and order. With
    ``common`` (common random numbers) it depends on the replication alone, so replication r of
    every point draws from the same streams. ``common`` has no default: a sweep's own seeds come
    from :meth:`Sweep.run_seed` (common random numbers unless the spec says ``common: false``)."""
    if common:
        return derive_seed(root, "sweep-common", replication) % SEED_LIMIT
    return derive_seed(root, "sweep", point, replication) % SEED_LIMIT


class Sweep:
    """A checked sweep: its base scenario, its points and the columns of its rows."""

    def __init__(self, spec: SweepSpec):
        self.spec = spec
        base = spec.base
        if spec.origin is not None and not Path(base).is_absolute():
            beside = spec.origin.parent / base
            if beside.exists():
                base = str(beside)
        try:
            scenario = scenarios.load(base)
        except scenarios.ScenarioError as exc:
            problems = "; ".join(str(p) for p in exc.problems)
            raise SweepError(f"base: {problems}") from None
        try:  # its model: block, against the registry (every point's runs apply it)
            self.base_model = constants.of_scenario(scenario)
        except constants.ScenarioModelError as exc:
            problems = "; ".join(str(p) for p in exc.problems)
            raise SweepError(f"base: {problems}") from None
        self.scenario = scenario
        # the sha256 a recording of the base scenario carries (of its YAML source)
        self.base_sha256 = scenario_sha256(scenario)
        self.base_data = scenario.model_dump(mode="json", by_alias=True)
        self.root = spec.seed if spec.seed is not None else scenario.seed
        self.paths = [d.path for d in spec.vary]
        rng = random.Random(derive_seed(self.root, "sweep-sample"))
        if spec.sample == "grid":
            self.points = _grid_points(spec.vary)
        elif spec.sample == "random":
            self.points = _random_points(spec.vary, spec.n, rng)
        elif spec.sample == "lhs":
            self.points = _lhs_points(spec.vary, spec.n, rng)
        else:
            seed = design_seed(self.root, spec.sample)
            self.points = _design_points(spec.vary, spec.sample, spec.n, seed)
        for index, params in enumerate(self.points):
            try:
                build_scenario(self.base_data, params)
                check_constants(params)
            except SweepError as exc:
                shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
                raise SweepError(
                    f"point {index} ({shown}) is not a valid scenario: {exc}"
                ) from None
        # The crisis track's milestones are kept by default only where the scenario declares a
        # large-scale incident (elsewhere they are always null).
        default = [m for m in KEEPABLE
                   if scenario.large_scale_incident is not None or m not in CRISIS_METRICS]  # fmt: skip
        self.metrics = list(spec.metrics) if spec.metrics else default
        self.objectives = (
            [o.id for o in scenario.objectives] if "objectives" in self.metrics else []
        )
        self.outcomes = list(spec.outcomes)
        self.series = None
        if spec.series is not None:  # typed against a run of the base scenario at its seed
            base_run = Exercise(scenario, seed=self.root).run()
            self.series = outcomes_.typed(spec.series, base_run.picture)
            outcomes_.check_grid(self.series, base_run.horizon)
        self.columns = self._columns()

    def _columns(self) -> list[tuple[str, str]]:
        """(name, type) of each row column; types: int, float, str."""
        cols = [("point", "int"), ("replication", "int")]
        for d in self.spec.vary:
            cols.append((d.path, _value_type([p[d.path] for p in self.points])))
        cols += [("seed", "int"), ("digest", "str")]
        for m in self.metrics:
            if m == "blocked":
                cols += [("blocked", "str"), ("n_blocked", "int")]
            elif m == "objectives":
                cols += [(f"objective.{o}", "str") for o in self.objectives]
            elif m in TIME_METRICS or m == "cohesion":
                cols.append((m, "float"))
            elif m == "highest_measure":
                cols.append((m, "str"))
            else:
                cols.append((m, "int"))
        cols += [(o.column, o.type) for o in self.outcomes]
        cols += [("status", "str"), ("error", "str")]
        return cols

    def run_seed(self, point: int, replication: int) -> int:
        """The seed of run (point, replication) of this sweep (:func:`run_seed`)."""
        return run_seed(self.root, point, replication, common=self.spec.common)

    def design(self) -> dict[str, Any]:
        """The spec as written beside the results (:meth:`SweepSpec.design`), with the metrics
        its rows keep."""
        return {**self.spec.design(self.root), "metrics": list(self.metrics)}

    def record(self, *, dask: bool = False) -> dict[str, Any]:
        """The record of results of this sweep started now: its spec and where they come
        from (:func:`sim.sweep.provenance.record`); ``dask``: the sweep runs on Dask."""
        return provenance.record(self.design(), cdtx_version=cdtx_version(),
                                 base_sha256=self.base_sha256, dask=dask,
                                 base_model=self.base_model)  # fmt: skip

    @property
    def total(self) -> int:
        return len(self.points) * self.spec.seeds

    def run_keys(self) -> Iterator[tuple[int, int]]:
        for point in range(len(self.points)):
            for rep in range(self.spec.seeds):
                yield point, rep


def _value_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if all(_number(v) for v in values):
        return "float"
    return "str"


# -- runs (in workers) -------------------------------------------------------------------------


def default_run(scenario, seed: int) -> tuple[str, dict[str, Any]]:
    """Run one exercise to its horizon; returns (digest, metrics)."""
    ex = Exercise(scenario, seed=seed)
    ex.run()
    return ex.digest, ex.metrics


def _flatten(metrics: Mapping[str, Any], keep: list[str], objectives: list[str]) -> dict:
    row: dict[str, Any] = {}
    for m in keep:
        if m == "blocked":
            blocked = metrics.get("blocked") or []
            row["blocked"] = ";".join(f"{b['measure']}:{','.join(b['by'])}" for b in blocked)
            row["n_blocked"] = len(blocked)
        elif m == "objectives":
            ratings = metrics.get("objectives") or {}
            for o in objectives:
                row[f"objective.{o}"] = ratings.get(o)
        else:
            row[m] = metrics.get(m)
    return row


_CACHE: dict[Any, Any] = {}


def _scenario_for(base_data: Mapping, params: Mapping, token: Any):
    """The scenario of a point, kept for the next runs of the same point (model constants are
    not part of the scenario: points that differ only in them share one)."""
    key = (token, tuple(sorted((k, repr(v)) for k, v in params.items()
                               if not constants.is_constant(k))))  # fmt: skip
    scenario = _CACHE.get(key)
    if scenario is None:
        if len(_CACHE) > 64:
            _CACHE.clear()
        scenario = _CACHE[key] = build_scenario(base_data, params)
    return scenario


@dataclass(frozen=True)
class RunPlan:
    """What every run of a sweep shares: the base scenario's JSON form, what to keep of each
    run, the outcomes and series to take. Pickled once per sweep (:meth:`packed`) and unpickled
    once per worker process (:func:`_plan_of`), not with every chunk."""

    base_data: Mapping[str, Any]
    token: tuple
    keep: list[str]
    objectives: list[str]
    run_fn: Callable | None = None
    outcomes: tuple[outcomes_.Outcome, ...] = ()
    series: outcomes_.Series | None = None

    def packed(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


_PLANS: dict[tuple, RunPlan] = {}


def _plan_of(token: tuple, packed: bytes) -> RunPlan:
    plan = _PLANS.get(token)
    if plan is None:
        if len(_PLANS) > 8:
            _PLANS.clear()
        plan = _PLANS[token] = pickle.loads(packed)  # noqa: S301 - our own parent's bytes
    return plan


def run_one(plan: RunPlan, scenario, seed: int, model: Mapping[str, float]) -> dict[str, Any]:
    """One run of ``plan`` as the columns of its row (digest, metrics, outcomes) and, when the
    sweep takes series, ``_series``: the (t, values...) rows of the run's series."""
    if plan.run_fn is not None:  # a stand-in run (tests, experiments): no exercise to read
        with constants.applied(constants.for_run(scenario, model)):
            digest, metrics = plan.run_fn(scenario, seed)
        return {"digest": digest, **_flatten(metrics, plan.keep, plan.objectives)}
    ex = Exercise(scenario, seed=seed, model=model)
    ex.run()
    metrics = ex.metrics
    row = {"digest": ex.digest, **_flatten(metrics, plan.keep, plan.objectives)}
    if plan.outcomes:
        row.update(outcomes_.evaluate(list(plan.outcomes), ex, metrics))
    if plan.series is not None:
        row["_series"] = outcomes_.sample(plan.series, ex)
    return row


def dask_like(factory: Callable[[], Executor]) -> bool:
    """Whether an executor factory hands out Dask executors (bound methods of a Client)."""
    owner = getattr(factory, "__self__", None)
    return owner is not None and type(owner).__module__.startswith("distributed")


def parallelism(jobs: int, factory: Callable[[], Executor]) -> int:
    """How many runs the executors of ``factory`` run at once: ``jobs``, or on Dask the
    cluster's worker threads when there are more (``-j`` defaults to this machine's cores,
    and a scheduler elsewhere may have many more workers to keep busy)."""
    if not dask_like(factory):
        return jobs
    try:
        threads = sum(factory.__self__.nthreads().values())  # type: ignore[attr-defined]
    except Exception:  # a scheduler that cannot say: -j it is
        return jobs
    return max(jobs, threads)


def _run_row(point: int, replication: int, params: Mapping[str, Any], seed: int) -> dict:
    """The key columns of a run's row (its point, replication, parameters and seed)."""
    return {"point": point, "replication": replication, **params, "seed": seed}


def run_chunk(task: tuple) -> list[dict[str, Any]]:
    """Run a chunk of (point, replication, seed, params) in a worker; one row per run.

    ``task`` is (plan token, the packed :class:`RunPlan`, runs). A run that raises becomes a
    ``failed`` row; the chunk goes on.
    """
    token, packed, runs = task
    plan = _plan_of(token, packed)
    rows = []
    for point, rep, seed, params in runs:
        row = _run_row(point, rep, params, seed)
        try:
            scenario = _scenario_for(plan.base_data, params, plan.token)
            model = {k: v for k, v in params.items() if constants.is_constant(k)}
            row.update(run_one(plan, scenario, seed, model))
            row.update(status=STATUS_OK, error="")
        except Exception as exc:  # a failing run is data, not a crash of the sweep
            row.update(status=STATUS_FAILED, error=f"{type(exc).__name__}: {exc}")
        rows.append(row)
    return rows


def _worker_init() -> None:
    """Set up a pool worker: Ctrl-C is left to the parent, which stops cleanly; and the worker
    exits when its parent dies (kill -9 gives the parent no chance to stop it), rather than
    finishing its chunk and waiting on a queue nobody reads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="cdtx-parent-watch", daemon=True).start()


def _existing(path: Path, names: list[str], sweep: Sweep) -> set[tuple[int, int]]:
    """(point, replication) keys already in ``path``; checks that it belongs to this sweep:
    the same columns, and every row run with this spec's values and seed for its key (a spec
    edited since would otherwise mix two settings under one point)."""
    parquet = _format(path) == "parquet"

    def check(header: list[str]) -> None:
        same = sorted(header) == sorted(names) if parquet else header == names
        if not same:
            raise SweepError(f"{path}: cannot resume, its columns do not match this sweep")

    varied = sweep.paths
    key = ["point", "replication"]
    wanted = [*key, "seed", *varied]
    # A Parquet sweep that was killed outright left its finished row groups in parts
    sources = ([path] if path.exists() else []) + (partial_parts(path) if parquet else [])
    keys = set()
    for source in sources:
        rows = _read(source, check, required=tuple(key), columns=wanted if parquet else None)
        keys |= _check_resumed(source, rows, sweep, varied)
    return keys


def _check_resumed(path: Path, rows, sweep: Sweep, varied: list[str]) -> set[tuple[int, int]]:
    keys = set()
    for number, row in enumerate(rows, start=2):
        p, r = row["point"], row["replication"]
        where = f"{path}: cannot resume: row {number} (point {p}, replication {r})"
        if not (0 <= p < len(sweep.points) and 0 <= r < sweep.spec.seeds):
            raise SweepError(f"{where} is not a run of this spec (fewer points or seeds?)")
        if row.get("seed") != sweep.run_seed(p, r):
            raise SweepError(f"{where} was run with another seed (was the root seed changed?)")
        for name in varied:
            here, spec = row.get(name), sweep.points[p][name]
            if not _same_value(here, spec):
                raise SweepError(f"{where} has {name} = {here!r}, this spec {spec!r}")
        keys.add((p, r))
    return keys


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b or str(a) == str(b)


# -- executors -------------------------------------------------------------------------------


@dataclass
class SweepResult:
    path: Path
    total: int  # runs in the sweep
    done: int  # runs finished in this call
    failed: int  # of which failed
    skipped: int  # already in the file (resume)
    elapsed: float
    retried: int = 0  # chunks retried after a worker died


async def _identity(address: str, timeout: float) -> Any:
    from distributed.comm import connect  # cdtx[dask], optional: only a sweep on Dask gets here

    comm = await connect(address, timeout=timeout)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _check_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` who it is, all within ``timeout`` seconds. ``distributed.Client`` bounds
    the TCP connect but not the handshake after it: a port that accepts and never answers (not
    a scheduler) would hang it for minutes."""
    import asyncio  # start-up: the event loop only for a Dask scheduler's address, rarely used

    try:
        reply = asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout))
    except (OSError, TimeoutError) as exc:
        why = str(exc) or "no answer: is it a Dask scheduler?"
        raise SweepError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({why})"
        ) from None
    except Exception as exc:  # a peer that speaks another protocol: CommClosedError, decode
        raise SweepError(f"{address} is not a Dask scheduler ({type(exc).__name__})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        kind = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise SweepError(f"{address} is not a Dask scheduler (it answers as {kind})")


def _dask_executor_factory(address: str, jobs: int, timeout: float):
    """(factory, close) for a Dask executor; ``local`` starts a LocalCluster of processes."""
    distributed = need("distributed", "dask", "Running on Dask")
    state: dict[str, Any] = {}
    try:
        if address == "local":
            cluster = distributed.LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            state["cluster"] = cluster
            client = distributed.Client(cluster)
        else:
            if not address.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
                raise SweepError(f"--dask: {address!r} is not 'local' or tcp://HOST:PORT")
            _check_scheduler(address, timeout)
            client = distributed.Client(address, timeout=timeout)
    except SweepError:
        raise
    except (OSError, TimeoutError) as exc:
        raise SweepError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({exc})"
        ) from None
    state["client"] = client

    def close() -> None:
        client.close()
        if "cluster" in state:
            state["cluster"].close()

    return client.get_executor, close


def run_sweep(
    sweep: Sweep,
    output: str | Path,
    *,
    jobs: int | None = None,
    dask: str | None = None,
    executor_factory: Callable[[], Executor] | None = None,
    resume: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    chunk_size: int | None = None,
    run_fn: Callable | None = None,
    dask_timeout: float = 10.0,
) -> SweepResult:
    """Run ``sweep``, streaming one row per run to ``output`` (.csv or .parquet).

    ``progress(done, todo, failed)`` is called as chunks finish. ``executor_factory`` gives the
    executor (default: a process pool of ``jobs`` workers, or Dask with ``dask``); it is called
    again for a fresh pool when a worker process dies. ``run_fn(scenario, seed) -> (digest,
    metrics)`` replaces the default run (picklable; for tests and experiments).
    On KeyboardInterrupt the file keeps every finished run and is closed properly; then the
    interrupt propagates.
    """
    output = Path(output)
    if output.is_dir():
        raise SweepError(f"{output}: is a directory, not a results file")
    kind = _format(output)
    if not output.parent.exists():
        raise SweepError(f"{output}: no such directory {output.parent}")
    if not output.parent.is_dir():
        raise SweepError(f"{output}: {output.parent} is not a directory")
    check_results_output(output)  # never through a link, a dangling one too
    series = outcomes_.series_file(output) if sweep.series is not None else None
    if series is not None:
        need("pyarrow.parquet", "parquet", "A sweep's series (a Parquet file)")
        check_results_output(series)
    names = [c for c, _ in sweep.columns]
    if kind == "parquet":
        need("pyarrow.parquet", "parquet", "Parquet output")
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SweepError(f"-j must be at least 1, not {jobs!r}")
    uses_dask = bool(dask) or (executor_factory is not None and dask_like(executor_factory))
    record = sweep.record(dask=uses_dask)
    fresh = not (resume and has_results(output))
    done_keys: set[tuple[int, int]] = set()
    if not fresh:
        stored = _stored_record(output)
        changed = provenance.changes(stored, record)
        if changed or stored is None:
            raise SweepError(_cannot_resume(output, stored, changed))
        record = provenance.resumed(stored, record)
        if kind == "csv":
            _end_on_a_whole_row(output)
        done_keys = _existing(output, names, sweep)
    # The keys to run are streamed, never listed: memory stays flat however many seeds there
    # are (only the finished keys of a resumed file are held, and that file bounds them).
    todo_count = sweep.total - len(done_keys)  # _existing refuses keys not of this sweep
    todo = (k for k in sweep.run_keys() if k not in done_keys)
    close_executor: Callable[[], None] = lambda: None  # noqa: E731
    if executor_factory is None:
        if dask:
            executor_factory, close_executor = _dask_executor_factory(dask, jobs, dask_timeout)
        else:

            def executor_factory() -> Executor:
                return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init)

    writer: _CsvWriter | _ParquetWriter
    series_writer: _ColumnsWriter | None = None
    try:
        _write_record(output, record)
        try:
            writer = (
                _CsvWriter(output, sweep.columns, append=resume)
                if kind == "csv"
                else _ParquetWriter(output, sweep.columns, keep_existing=resume, metadata=record)
            )
            series_writer = (
                _ColumnsWriter(series, sweep.series.columns(), keep_existing=not fresh,
                               metadata=record, key=("point", "replication", "t"))
                if series is not None and sweep.series is not None
                else None
            )  # fmt: skip
        except BaseException:
            if fresh:  # nothing was started: no record of it either
                _remove(spec_file(output))
            raise
    except BaseException:
        close_executor()
        raise

    on_dask = dask_like(executor_factory)
    # One token per sweep made in this process and run: a worker keeps the plan it unpickled
    token = (sweep.spec.name, sweep.root, id(sweep), os.getpid(), time.monotonic_ns())
    plan = RunPlan(sweep.base_data, token, sweep.metrics, sweep.objectives, run_fn,
                   tuple(sweep.outcomes), sweep.series)  # fmt: skip
    packed = plan.packed()  # once: each chunk carries these bytes, never re-pickles the scenario

    def task_for(chunk: list[tuple[int, int]]) -> tuple:
        runs = [(p, r, sweep.run_seed(p, r), sweep.points[p]) for p, r in chunk]
        return (token, packed, runs)

    start = time.perf_counter()
    done = failed = retried = 0
    retry_queue: list[tuple[list, int]] = []
    inflight: dict[Future, tuple[list, int]] = {}
    executor = None
    interrupted = False
    try:
        executor = executor_factory()
        workers = parallelism(jobs, executor_factory)
        chunks = _chunks(todo, todo_count, workers, chunk_size, on_dask)
        window = max(2, workers * 3)
        if progress:
            progress(0, todo_count, 0)
        exhausted = False
        while True:
            while len(inflight) < window and (retry_queue or not exhausted):
                if retry_queue:
                    chunk, attempt = retry_queue.pop(0)
                else:
                    chunk = next(chunks, [])
                    if not chunk:
                        exhausted = True
                        break
                    attempt = 0
                try:
                    inflight[executor.submit(run_chunk, task_for(chunk))] = (chunk, attempt)
                except BrokenProcessPool:
                    retry_queue.insert(0, (chunk, attempt))
                    executor = _fresh(executor, executor_factory)
            if not inflight:
                break
            finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                chunk, attempt = inflight.pop(future)
                try:
                    rows = future.result()
                except Exception as exc:  # the worker died (or the cluster lost it)
                    broken = broken or isinstance(exc, BrokenProcessPool)
                    if attempt < RETRIES:
                        retried += 1
                        retry_queue.append((chunk, attempt + 1))
                        continue
                    lost = f"worker lost {RETRIES + 1} times: {type(exc).__name__}: {exc}"
                    rows = [
                        {**_run_row(p, r, sweep.points[p], sweep.run_seed(p, r)),
                         "status": STATUS_FAILED, "error": lost}
                        for p, r in chunk
                    ]  # fmt: skip
                if series_writer is not None and sweep.series is not None:
                    series_writer.write_columns(_series_columns(rows, sweep.series.fields))
                writer.write(rows)
                done += len(rows)
                failed += sum(1 for r in rows if r["status"] == STATUS_FAILED)
                if progress:
                    progress(done, todo_count, failed)
            if broken:
                # every chunk still in flight on the dead pool is lost too: retry them all
                for future, (chunk, attempt) in list(inflight.items()):
                    future.cancel()
                    retried += 1
                    retry_queue.append((chunk, attempt + 1 if attempt < RETRIES else attempt))
                inflight.clear()
                executor = _fresh(executor, executor_factory)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        for future in inflight:
            future.cancel()
        if executor is not None:
            with contextlib.suppress(Exception):
                executor.shutdown(wait=not interrupted, cancel_futures=True)
        try:
            writer.close()
            if series_writer is not None:
                series_writer.close()
        finally:
            close_executor()
            if fresh and writer.discarded:  # no run was kept: no record of them either
                _remove(spec_file(output))
    return SweepResult(
        output, sweep.total, done, failed, len(done_keys), time.perf_counter() - start, retried
    )  # fmt: skip


def _series_columns(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> dict[str, list]:
    """The series of a chunk's runs as columns (each run's ``_series``, taken off its row: t
    and a list per field), keyed by the run: point, replication, seed and t."""
    out: dict[str, list] = {name: [] for name in ("point", "replication", "seed", "t", *fields)}
    for row in rows:
        columns = row.pop("_series", None)
        if not columns:
            continue
        n = len(columns[0])
        out["point"] += [row["point"]] * n
        out["replication"] += [row["replication"]] * n
        out["seed"] += [row["seed"]] * n
        for name, values in zip(("t", *fields), columns, strict=True):
            out[name] += values
    return out


def chunk_sizes(todo: int, jobs: int, *, on_dask: bool) -> Iterator[int]:
    """The sizes of the chunks ``todo`` runs are cut into when no chunk size is given: large
    while much is left (few tasks: a Dask task costs milliseconds of scheduling, a pool task
    far less, so Dask's may be larger), then shrinking as the end nears (each chunk about
    1/(2 x jobs) of what is left), so that the workers finish together instead of one waiting
    for the other's last large chunk. Sums to ``todo``."""
    largest, smallest = (128, 8) if on_dask else (32, 2)
    left = todo
    while left > 0:
        size = max(smallest, min(largest, math.ceil(left / (2 * jobs))))
        size = min(size, left)
        yield size
        left -= size


def _chunks(
    todo: Iterator[tuple[int, int]], count: int, jobs: int, size: int | None, on_dask: bool
) -> Iterator[list[tuple[int, int]]]:
    """Cut the keys ``todo`` (``count`` of them) into chunks: of ``size`` each when given,
    else of :func:`chunk_sizes`."""
    sizes = (
        itertools.repeat(size) if size is not None else chunk_sizes(count, jobs, on_dask=on_dask)
    )
    for n in sizes:
        chunk = list(itertools.islice(todo, n))
        if not chunk:
            return
        yield chunk


def _write_record(output: Path, record: Mapping[str, Any]) -> None:
    """The sweep's record beside the results (``RESULTS.spec.json``): its spec and where the
    results come from (:mod:`sim.sweep.provenance`). Written whole or not at all, never through
    a symbolic link (scenarios.safe_write); ``--resume`` cannot do without it."""
    path = spec_file(output)
    try:
        check_output(path, force=True)
        write_atomic(path, json.dumps(record, indent=1), force=True)
    except OutputError as exc:
        raise SweepError(str(exc)) from None


def _stored_record(output: Path) -> dict[str, Any] | None:
    """The record the results in ``output`` were started with: the file beside them, else (a
    Parquet file, or the parts a killed Parquet sweep left) the schema metadata; None if
    there is none. A record that cannot be read is a SweepError naming it."""
    path = spec_file(output)
    if os.path.lexists(path):
        check_results_output(path)  # a link is refused, never followed
        try:
            data = read_json(path, what="a sweep's record", max_bytes=RECORD_BYTES)
        except ScenarioError as exc:
            raise SweepError(f"{output}: cannot resume: {exc.problems[0]}") from None
        return data if isinstance(data, dict) else None
    if _format(output) == "parquet":
        for source in ([output] if output.exists() else []) + partial_parts(output):
            stored = parquet_record(source)
            if stored is not None:
                return stored
    return None


def _cannot_resume(output: Path, stored: Mapping[str, Any] | None, changed: list[str]) -> str:
    """Why ``output`` cannot be resumed, and what to do instead."""
    then = (stored or {}).get("provenance")
    if stored is None:
        why = (f"{spec_file(output).name} is missing, so nothing records the scenario, spec and "
               "cdtx version they were started with")  # fmt: skip
    elif not isinstance(then, Mapping):
        why = (f"{spec_file(output).name} (written by an older cdtx) does not record the "
               "scenario, spec and cdtx version they were started with")  # fmt: skip
    else:
        why = (f"changed since the results were started ({then.get('started', '?')}): "
               + "; ".join(changed))  # fmt: skip
    return (
        f"{output}: cannot resume: {why}. Run without --resume and with --force to start "
        "over (replacing them), or choose another -o"
    )


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def _fresh(executor: Executor, factory: Callable[[], Executor]) -> Executor:
    with contextlib.suppress(Exception):
        executor.shutdown(wait=False, cancel_futures=True)
    return factory()
