"""Sweeps: many seeded variations of one scenario, run on local cores or a Dask cluster.

A sweep spec names a ``base`` scenario, the parameters to ``vary`` (dotted paths into the
scenario's JSON form), how to ``sample`` them, how many ``seeds`` (replications) per point and
which ``metrics`` to keep (docs/sweeps.md). Everything people can get wrong is checked before any
run starts and reported as one :class:`SweepError`.

Each run's seed is derived from the sweep's root seed and its (point, replication) key alone, so
results do not depend on the number of workers or the order in which runs finish. The core only
knows :class:`concurrent.futures.Executor`; runs travel in chunks, results are streamed to a CSV
or Parquet file as chunks finish, and memory stays flat however many runs there are.

Nothing here imports ``rich``, ``textual`` or the CLI; progress is reported through a callback.
Heavy dependencies (dask, pyarrow, matplotlib) are imported lazily.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import difflib
import itertools
import math
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from scenarios.errors import CdtxError
from scenarios.vocabulary import METRICS, TIME_METRICS

from .streams import derive_seed

__all__ = [
    "SweepError",
    "Dimension",
    "SweepSpec",
    "Sweep",
    "SweepResult",
    "load_spec",
    "spec_from_dict",
    "builtin_specs",
    "run_sweep",
    "read_rows",
    "summarize",
    "check_plot_output",
    "plot",
    "MAX_POINTS",
]

KEEPABLE = METRICS + ("blocked", "objectives")
STATUS_OK, STATUS_FAILED = "ok", "failed"
RETRIES = 2  # times a chunk is retried after its worker died
SEED_LIMIT = 2**63
#: Points are generated, held and validated as scenarios before anything runs, so a sweep has at
#: most this many (runs are streamed: ``seeds`` per point is not bounded).
MAX_POINTS = 100_000
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


class SweepError(CdtxError, ValueError):
    """A mistake in a sweep spec or its options; the message says what and where."""


def _need(module: str, extra: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise SweepError(f"{what} needs an extra: pip install 'cdtx[{extra}]'") from None


# -- the spec --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """One varied parameter: a grid of ``values`` or a distribution."""

    path: str
    kind: str  # grid | uniform | normal | choice
    args: tuple

    def draw(self, u: float) -> Any:
        """The value at quantile ``u`` in [0, 1)."""
        if self.kind == "uniform":
            a, b = self.args
            return round(a + (b - a) * u, 6)
        if self.kind == "normal":
            from statistics import NormalDist

            mu, sigma = self.args
            u = min(max(u, 1e-12), 1 - 1e-12)
            return round(NormalDist(mu, sigma).inv_cdf(u), 6)
        values = self.args
        return values[min(int(u * len(values)), len(values) - 1)]


@dataclass
class SweepSpec:
    base: str
    vary: list[Dimension]
    sample: str = "grid"  # grid | random | lhs
    n: int = 0  # points for random / lhs
    seeds: int = 1
    seed: int | None = None
    metrics: list[str] | None = None
    name: str = "sweep"
    origin: Path | None = None  # the spec file (relative base paths resolve against it)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _dimension(path: Any, raw: Any) -> Dimension:
    where = f"vary.{path}"
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise SweepError(f"vary: {path!r} is not a dotted path such as member_states.HU.ties.RU")
    if isinstance(raw, list):
        if not raw:
            raise SweepError(f"{where}: the list of values is empty")
        return Dimension(path, "grid", tuple(raw))
    if isinstance(raw, Mapping) and len(raw) == 1:
        kind, args = next(iter(raw.items()))
        if kind == "choice":
            if not isinstance(args, list) or not args:
                raise SweepError(f"{where}: choice needs a non-empty list of values")
            return Dimension(path, "choice", tuple(args))
        if kind in ("uniform", "normal"):
            if not isinstance(args, list) or len(args) != 2 or not all(map(_number, args)):
                raise SweepError(f"{where}: {kind} needs two numbers, e.g. {{{kind}: [0, 1]}}")
            a, b = (float(x) for x in args)
            if kind == "uniform" and not a < b:
                raise SweepError(f"{where}: uniform [{args[0]}, {args[1]}] needs low < high")
            if kind == "normal" and not b > 0:
                raise SweepError(f"{where}: normal [mu, sigma] needs sigma > 0, not {args[1]}")
            return Dimension(path, kind, (a, b))
    if not isinstance(raw, (list, Mapping)):
        return Dimension(path, "grid", (raw,))
    raise SweepError(
        f"{where}: give a list of values or one of {{uniform: [a, b]}}, {{normal: [mu, sigma]}}, "
        "{choice: [...]}"
    )


def _count(value: Any, where: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SweepError(f"{where} must be a whole number >= {minimum}, not {value!r}")
    return value


def spec_from_dict(data: Any, origin: str | Path | None = None) -> SweepSpec:
    """A :class:`SweepSpec` from plain data (the YAML form); raises :class:`SweepError`."""
    if not isinstance(data, Mapping):
        raise SweepError("a sweep spec is a mapping with base, vary, sample, seeds, metrics")
    known = {"name", "title", "description", "base", "vary", "sample", "seeds", "seed", "metrics"}
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SweepError(f"unknown key {key!r} in the sweep spec{hint}")
    base = data.get("base")
    if not isinstance(base, str) or not base:
        raise SweepError("base: name a built-in scenario id or a scenario file")
    vary_raw = data.get("vary") or {}
    if not isinstance(vary_raw, Mapping):
        raise SweepError("vary: a mapping from dotted paths to values or distributions")
    vary = [_dimension(path, raw) for path, raw in vary_raw.items()]
    sample, n = data.get("sample", "grid"), 0
    if isinstance(sample, Mapping) and len(sample) == 1:
        sample, n = next(iter(sample.items()))
        if sample not in ("random", "lhs"):
            raise SweepError(f"sample: unknown method {sample!r} (grid, {{random: N}}, {{lhs: N}})")
        n = _count(n, f"sample.{sample}")
        if n > MAX_POINTS:
            raise SweepError(
                f"sample.{sample}: {n} points is more than a sweep takes ({MAX_POINTS:,}); "
                "use more seeds per point, or split the sweep"
            )
    elif sample != "grid":
        raise SweepError(f"sample: {sample!r} is not grid, {{random: N}} or {{lhs: N}}")
    if sample == "grid":
        for d in vary:
            if d.kind != "grid":
                raise SweepError(
                    f"vary.{d.path}: a {d.kind} distribution needs sample: {{random: N}} or "
                    "{lhs: N}; grid sampling takes lists"
                )
        points = math.prod(len(d.args) for d in vary)
        if points > MAX_POINTS:
            sizes = " x ".join(str(len(d.args)) for d in vary)
            raise SweepError(
                f"vary: the grid has {sizes} = {points:,} points, more than a sweep takes "
                f"({MAX_POINTS:,}); use fewer values, or sample: {{random: N}} / {{lhs: N}}"
            )
    seeds = _count(data.get("seeds", 1), "seeds")
    seed = data.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT
    ):
        raise SweepError(f"seed must be a whole number between 0 and 2**63-1, not {seed!r}")
    metrics = data.get("metrics")
    if metrics is not None:
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, list) or not metrics:
            raise SweepError("metrics: a non-empty list of metric names")
        for m in metrics:
            if m not in KEEPABLE:
                close = difflib.get_close_matches(str(m), KEEPABLE, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise SweepError(
                    f"metrics: unknown metric {m!r}{hint}; known: {', '.join(KEEPABLE)}"
                )
    origin_path = Path(origin) if origin is not None else None
    name = data.get("name") or (origin_path.stem if origin_path else "sweep")
    return SweepSpec(base, vary, sample, n, seeds, seed, metrics, str(name), origin_path)


def _sweeps_dir():
    return resources.files("scenarios") / "builtin" / "sweeps"


def builtin_specs() -> list[str]:
    """Names of the example sweep specs shipped with cdtx."""
    try:
        entries = list(_sweeps_dir().iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(e.name[:-5] for e in entries if e.name.endswith(".yaml"))


def load_spec(name_or_path: str | Path) -> SweepSpec:
    """A sweep spec from a YAML file, or a shipped spec by name (e.g. ``hu-ties``)."""
    import yaml

    text = str(name_or_path)
    path = Path(text)
    if not path.exists() and text in builtin_specs():
        path = Path(str(_sweeps_dir() / f"{text}.yaml"))
    if not path.exists():
        close = difflib.get_close_matches(text, builtin_specs(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        shipped = ", ".join(builtin_specs()) or "none"
        raise SweepError(f"no sweep spec {text!r}{hint}; shipped specs: {shipped}")
    if path.is_dir():
        raise SweepError(f"{path}: is a directory, not a sweep spec")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SweepError(f"{path}: not a sweep spec (not UTF-8 text)") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise SweepError(f"{path}{place}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return spec_from_dict(data, path)
    except SweepError as exc:
        raise SweepError(f"{path}: {exc}") from None


# -- paths into the scenario's JSON form -----------------------------------------------------


def _set(data: dict, path: str, value: Any) -> None:
    """Set ``path`` in the scenario's JSON form; list items are addressed by ``id`` (or index).

    Missing mapping entries are created (e.g. ``member_states.HU.ties.RU``); whether they are
    allowed is up to the scenario format, which validates the result.
    """
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            ids = [item.get("id") for item in node if isinstance(item, Mapping)]
            if part in ids:
                index = ids.index(part)
            elif part.isdigit() and int(part) < len(node):
                index = int(part)
            else:
                have = ", ".join(str(i) for i in ids if i is not None) or "none"
                raise SweepError(f"vary.{path}: no item {part!r} in {where} (ids: {have})")
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if depth == 0 and part not in node:
                close = difflib.get_close_matches(part, list(node), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise SweepError(f"vary.{path}: the scenario has no field {part!r}{hint}")
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
        else:
            raise SweepError(f"vary.{path}: {where} is a single value, not a mapping or list")


def _validation_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if errors is None:
        return str(exc)
    error = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in error["loc"])
    msg = error["msg"].removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        msg = "no such field in the scenario format"
    return f"{loc}: {msg}" if loc else msg


def build_scenario(base_data: Mapping, params: Mapping[str, Any]):
    """The scenario for one point: ``base_data`` with ``params`` set, validated."""
    from pydantic import ValidationError

    from scenarios.model import Scenario

    data = copy.deepcopy(dict(base_data))
    for path, value in params.items():
        _set(data, path, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise SweepError(_validation_message(exc)) from None


# -- the sweep -------------------------------------------------------------------------------


def _grid_points(dims: list[Dimension]) -> list[dict[str, Any]]:
    combos = itertools.product(*(d.args for d in dims))
    return [dict(zip([d.path for d in dims], combo, strict=True)) for combo in combos]


def _random_points(dims: list[Dimension], n: int, rng: random.Random) -> list[dict[str, Any]]:
    return [{d.path: d.draw(rng.random()) for d in dims} for _ in range(n)]


def _lhs_points(dims: list[Dimension], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Latin hypercube: each dimension's N strata are each hit exactly once."""
    columns = []
    for d in dims:
        strata = list(range(n))
        rng.shuffle(strata)
        columns.append([d.draw((s + rng.random()) / n) for s in strata])
    return [{d.path: columns[j][i] for j, d in enumerate(dims)} for i in range(n)]


def run_seed(root: int, point: int, replication: int) -> int:
    """The seed of run (point, replication): independent of workers and order."""
    return derive_seed(root, "sweep", point, replication) % SEED_LIMIT


class Sweep:
    """A checked sweep: its base scenario, its points and the columns of its rows."""

    def __init__(self, spec: SweepSpec):
        import scenarios

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
        self.scenario = scenario
        self.base_data = scenario.model_dump(mode="json", by_alias=True)
        self.root = spec.seed if spec.seed is not None else scenario.seed
        self.paths = [d.path for d in spec.vary]
        rng = random.Random(derive_seed(self.root, "sweep-sample"))
        if spec.sample == "grid":
            self.points = _grid_points(spec.vary)
        elif spec.sample == "random":
            self.points = _random_points(spec.vary, spec.n, rng)
        else:
            self.points = _lhs_points(spec.vary, spec.n, rng)
        for index, params in enumerate(self.points):
            try:
                build_scenario(self.base_data, params)
            except SweepError as exc:
                shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
                raise SweepError(
                    f"point {index} ({shown}) is not a valid scenario: {exc}"
                ) from None
        self.metrics = list(spec.metrics) if spec.metrics else list(KEEPABLE)
        self.objectives = (
            [o.id for o in scenario.objectives] if "objectives" in self.metrics else []
        )
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
        cols += [("status", "str"), ("error", "str")]
        return cols

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
    from .exercise import Exercise

    ex = Exercise(scenario, seed=seed)
    ex.run()
    return ex.digest, ex.metrics


def blocking_states(blocked: str | None) -> list[str]:
    """The state codes of a ``blocked`` cell (``measure:CODE,CODE;...``, as :func:`_flatten`
    writes it), once per blocked decision."""
    codes = []
    for part in (blocked or "").split(";"):
        codes += [c for c in part.partition(":")[2].split(",") if c]
    return codes


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
    key = (token, tuple(sorted((k, repr(v)) for k, v in params.items())))
    scenario = _CACHE.get(key)
    if scenario is None:
        if len(_CACHE) > 64:
            _CACHE.clear()
        scenario = _CACHE[key] = build_scenario(base_data, params)
    return scenario


def dask_like(factory: Callable[[], Executor]) -> bool:
    """Whether an executor factory hands out Dask executors (bound methods of a Client)."""
    owner = getattr(factory, "__self__", None)
    return owner is not None and type(owner).__module__.startswith("distributed")


def run_chunk(task: tuple) -> list[dict[str, Any]]:
    """Run a chunk of (point, replication, seed, params) in a worker; one row per run.

    A run that raises becomes a ``failed`` row; the chunk goes on.
    """
    base_data, token, runs, keep, objectives, run_fn = task
    run_fn = run_fn or default_run
    rows = []
    for point, rep, seed, params in runs:
        row: dict[str, Any] = {"point": point, "replication": rep, **params, "seed": seed}
        try:
            scenario = _scenario_for(base_data, params, token)
            digest, metrics = run_fn(scenario, seed)
            row.update(digest=digest, **_flatten(metrics, keep, objectives))
            row.update(status=STATUS_OK, error="")
        except Exception as exc:  # a failing run is data, not a crash of the sweep
            row.update(status=STATUS_FAILED, error=f"{type(exc).__name__}: {exc}")
        rows.append(row)
    return rows


def _ignore_sigint() -> None:  # workers leave Ctrl-C to the parent, which stops cleanly
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# -- writers ---------------------------------------------------------------------------------


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise SweepError(f"{path}: results go to a .csv or .parquet file")


def _cannot_write(path: Path, exc: OSError) -> SweepError:
    return SweepError(f"{path}: cannot write the results: {exc.strerror or exc}")


def _end_on_a_whole_row(path: Path) -> None:
    """Drop a last line without its line break before appending to ``path``: it was being
    written when the sweep stopped (its last cell may be cut short), and appending to it would
    glue the next row on. Its run is simply run again."""
    try:
        with open(path, "rb+") as f:
            size = f.seek(0, 2)
            if size == 0:
                return
            f.seek(max(0, size - 65536))
            tail = f.read()
            if tail.endswith(b"\n"):
                return
            cut = tail.rfind(b"\n")
            if cut < 0 and size > len(tail):
                return  # one line longer than 64 KiB: leave it to the reader to refuse
            f.truncate(size - len(tail) + cut + 1)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


class _CsvWriter:
    def __init__(self, path: Path, columns: list[tuple[str, str]], append: bool):
        self.path = path
        self.names = [c for c, _ in columns]
        try:
            fresh = not append or not path.exists() or path.stat().st_size == 0
            self.file = open(path, "a" if append else "w", newline="", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        self.writer = csv.DictWriter(self.file, self.names, extrasaction="ignore")
        if fresh:
            try:
                self.writer.writeheader()
            except OSError as exc:
                self.file.close()
                raise _cannot_write(path, exc) from None

    def write(self, rows: list[dict]) -> None:
        try:
            self.writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
            self.file.flush()
        except OSError as exc:
            raise _cannot_write(self.path, exc) from None

    def close(self) -> None:
        self.file.close()


_ARROW = {"int": "int64", "float": "float64", "str": "string", "bool": "bool_"}


def _arrow_schema(columns: list[tuple[str, str]]):
    pa = _need("pyarrow", "parquet", "Parquet output")
    return pa.schema([(name, getattr(pa, _ARROW[t])()) for name, t in columns])


class _ParquetWriter:
    """Writes to a temporary file in row groups; the final file appears by atomic rename."""

    GROUP = 2000

    def __init__(self, path: Path, columns: list[tuple[str, str]], keep_existing: bool):
        self.pa = _need("pyarrow", "parquet", "Parquet output")
        pq = _need("pyarrow.parquet", "parquet", "Parquet output")
        self.path = path
        self.tmp = path.with_name(f".{path.name}.partial")
        self.schema = _arrow_schema(columns)
        self.names = [c for c, _ in columns]
        try:
            self.writer = pq.ParquetWriter(str(self.tmp), self.schema)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        self.buffer: list[dict] = []
        if keep_existing and path.exists():
            try:
                for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=self.GROUP):
                    self.writer.write_table(
                        self.pa.Table.from_batches([batch]).select(self.names).cast(self.schema)
                    )
            except Exception as exc:  # ArrowInvalid, OSError ...: the old file, not ours
                self.writer.close()
                with contextlib.suppress(OSError):
                    os.remove(self.tmp)
                raise SweepError(
                    f"{path}: cannot resume, not a readable results file ({exc})"
                ) from None

    def write(self, rows: list[dict]) -> None:
        self.buffer.extend(rows)
        if len(self.buffer) >= self.GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            columns = {n: [r.get(n) for r in self.buffer] for n in self.names}
            try:
                self.writer.write_table(self.pa.Table.from_pydict(columns, schema=self.schema))
            except OSError as exc:
                raise _cannot_write(self.tmp, exc) from None
            self.buffer = []

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self.writer.close()
        try:
            os.replace(self.tmp, self.path)
        except OSError as exc:
            raise SweepError(
                f"{self.path}: cannot write the results ({exc.strerror or exc}); they are in "
                f"{self.tmp}"
            ) from None


_INT_METRICS = ("highest_rung", "recommended_rung", "proportionality_gap", "psc_meetings",
                "extraordinary_meetings")  # fmt: skip
_INT_COLUMNS = ("point", "replication", "seed", "n_blocked") + _INT_METRICS
_FLOAT_COLUMNS = TIME_METRICS + ("cohesion",)
_STR_COLUMNS = ("digest", "status", "error", "blocked", "highest_measure")
_REQUIRED = ("point",)  # columns every results file has, never empty


def is_parameter(column: str) -> bool:
    """Whether a results column holds a varied parameter (not a key, status or metric)."""
    return _column_kind(column) == "param"


def run_ok(row: Mapping[str, Any]) -> bool:
    """Whether a results row is a run that finished (a file without a status column: all did)."""
    return row.get("status") in (None, "", STATUS_OK)


def _column_kind(name: str) -> str:
    """How a results column is read: int, float, str or param (a varied parameter)."""
    if name in _INT_COLUMNS:
        return "int"
    if name in _FLOAT_COLUMNS:
        return "float"
    if name in _STR_COLUMNS or name.startswith("objective."):
        return "str"
    return "param"


_EXPECTED = {"int": "a whole number", "float": "a number"}


def _cell(value: Any, kind: str, required: bool, typed: bool) -> Any:
    """A results cell as Python data; raises ValueError with a message for people. ``typed``:
    the value comes from a Parquet file (typed) rather than CSV text."""
    if value is None or value == "":
        if required:
            raise ValueError("empty")
        return None if kind in ("int", "float") else value
    if kind == "param":
        return value if typed else _guess(value)
    if kind == "str":
        return value
    try:
        if isinstance(value, bool):
            raise ValueError
        if kind == "int":
            if not isinstance(value, (int, str)):
                raise ValueError
            return int(value)
        if not isinstance(value, (int, float, str)):
            raise ValueError
        number = float(value)
        if not math.isfinite(number):  # nan and inf parse, but no run produces them
            raise ValueError
        return number
    except ValueError:
        raise ValueError(f"expected {_EXPECTED[kind]}, not {value!r}") from None


def _guess(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(value, value)


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The rows of a results file (CSV or Parquet), as dicts, streamed.

    Every cell is checked against its column (whole numbers for ``point``, ``seed``, rungs ...;
    numbers for time metrics and ``cohesion``): a file that is not a results file, or a cell a
    hand edit broke, raises :class:`SweepError` naming the file (and the row and column). A CSV
    line with too few or too many cells (the last line of a write that was cut off) is skipped.
    """
    yield from _read(Path(path))


def _read(
    path: Path,
    check: Callable[[list[str]], None] | None = None,
    required: tuple[str, ...] = _REQUIRED,
    columns: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """The rows of ``path``. ``check(header)`` may refuse the file before any row is read;
    ``required`` columns must be in the header and never empty; ``columns`` limits what is read
    of a Parquet file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise SweepError(f"{path}: not a results file (results are .csv or .parquet)")
    if not path.exists():
        raise SweepError(f"{path}: no such results file")
    if path.is_dir():
        raise SweepError(f"{path}: is a directory, not a results file")

    def start(header: list[str]) -> None:
        if check is not None:
            check(header)
        for name in required:
            if name not in header:
                raise SweepError(
                    f"{path}: missing column {name!r} (not a cdtx sweep results file?)"
                )

    if suffix == ".csv":
        yield from _read_csv(path, start, required)
    else:
        yield from _read_parquet(path, start, required, columns)


def _bad_cell(path: Path, row: int, name: str, exc: ValueError) -> SweepError:
    return SweepError(f"{path}: row {row}, column {name!r}: {exc}")


def _read_csv(path: Path, start: Callable[[list[str]], None], required: tuple[str, ...]):
    reader = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                return
            start(header)
            kinds = [(name, _column_kind(name), name in required) for name in header]
            for number, raw in enumerate(reader, start=2):  # the header is row 1
                if len(raw) != len(header):
                    continue  # a blank or cut-off line
                row: dict[str, Any] = {}
                for (name, kind, needed), value in zip(kinds, raw, strict=True):
                    try:
                        row[name] = _cell(value, kind, needed, typed=False)
                    except ValueError as exc:
                        raise _bad_cell(path, number, name, exc) from None
                yield row
    except UnicodeDecodeError:
        raise SweepError(f"{path}: not a results file (not UTF-8 text)") from None
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 1
        raise SweepError(f"{path}: not a results file (line {line}: {exc})") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read_parquet(
    path: Path,
    start: Callable[[list[str]], None],
    required: tuple[str, ...],
    columns: list[str] | None,
):
    pq = _need("pyarrow.parquet", "parquet", f"Reading {path}")

    def unreadable(exc: Exception) -> SweepError:
        return SweepError(f"{path}: not a readable Parquet file ({exc})")

    try:
        pf = pq.ParquetFile(str(path))
        header = list(pf.schema_arrow.names)
    except Exception as exc:  # ArrowInvalid, OSError ...
        raise unreadable(exc) from None
    start(header)
    kinds = {name: (_column_kind(name), name in required) for name in header}
    batches = pf.iter_batches(batch_size=4096, columns=columns)
    number = 0  # Parquet has no header row: row 1 is the first run
    while True:
        try:
            batch = next(batches, None)
        except Exception as exc:
            raise unreadable(exc) from None
        if batch is None:
            return
        for raw in batch.to_pylist():
            number += 1
            row: dict[str, Any] = {}
            for name, value in raw.items():
                kind, needed = kinds[name]
                try:
                    row[name] = _cell(value, kind, needed, typed=True)
                except ValueError as exc:
                    raise _bad_cell(path, number, name, exc) from None
            yield row


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
    rows = _read(path, check, required=tuple(key), columns=wanted if parquet else None)
    keys = set()
    for number, row in enumerate(rows, start=2):
        p, r = row["point"], row["replication"]
        where = f"{path}: cannot resume: row {number} (point {p}, replication {r})"
        if not (0 <= p < len(sweep.points) and 0 <= r < sweep.spec.seeds):
            raise SweepError(f"{where} is not a run of this spec (fewer points or seeds?)")
        if row.get("seed") != run_seed(sweep.root, p, r):
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


def _dask_executor_factory(address: str, jobs: int, timeout: float):
    """(factory, close) for a Dask executor; ``local`` starts a LocalCluster of processes."""
    distributed = _need("distributed", "dask", "Running on Dask")
    state: dict[str, Any] = {}
    try:
        if address == "local":
            cluster = distributed.LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            state["cluster"] = cluster
            client = distributed.Client(cluster)
        else:
            if not address.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
                raise SweepError(f"--dask: {address!r} is not 'local' or tcp://HOST:PORT")
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
    names = [c for c, _ in sweep.columns]
    if kind == "parquet":
        _need("pyarrow.parquet", "parquet", "Parquet output")
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SweepError(f"-j must be at least 1, not {jobs!r}")
    done_keys: set[tuple[int, int]] = set()
    if resume and output.exists():
        if kind == "csv":
            _end_on_a_whole_row(output)
        done_keys = _existing(output, names, sweep)
    # The keys to run are streamed, never listed: memory stays flat however many seeds there
    # are (only the finished keys of a resumed file are held, and that file bounds them).
    points, seeds = len(sweep.points), sweep.spec.seeds
    todo_count = sweep.total - sum(1 for p, r in done_keys if 0 <= p < points and 0 <= r < seeds)
    todo = (k for k in sweep.run_keys() if k not in done_keys)
    close_executor: Callable[[], None] = lambda: None  # noqa: E731
    if executor_factory is None:
        if dask:
            executor_factory, close_executor = _dask_executor_factory(dask, jobs, dask_timeout)
        else:

            def executor_factory() -> Executor:
                return ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)

    try:
        writer = (
            _CsvWriter(output, sweep.columns, append=resume)
            if kind == "csv"
            else _ParquetWriter(output, sweep.columns, keep_existing=resume)
        )
    except BaseException:
        close_executor()
        raise

    if chunk_size is None:
        # A Dask task costs milliseconds of scheduling where a pool task costs far less: give
        # Dask bigger chunks (still several per worker, so a lost worker costs little).
        largest = 32 if executor_factory is None or not dask_like(executor_factory) else 128
        chunk_size = max(1, min(largest, math.ceil(todo_count / (jobs * 4)) if todo_count else 1))
    token = (sweep.spec.name, sweep.root, id(sweep))
    keep, objectives = sweep.metrics, sweep.objectives

    def task_for(chunk: list[tuple[int, int]]) -> tuple:
        runs = [(p, r, run_seed(sweep.root, p, r), sweep.points[p]) for p, r in chunk]
        return (sweep.base_data, token, runs, keep, objectives, run_fn)

    chunks: Iterator[list[tuple[int, int]]] = iter(
        lambda: list(itertools.islice(todo, chunk_size)), []
    )
    start = time.perf_counter()
    done = failed = retried = 0
    retry_queue: list[tuple[list, int]] = []
    inflight: dict[Future, tuple[list, int]] = {}
    window = max(2, jobs * 3)
    executor = None
    interrupted = False
    try:
        executor = executor_factory()
        if progress:
            progress(0, todo_count, 0)
        exhausted = False
        while True:
            while len(inflight) < window and (retry_queue or not exhausted):
                if retry_queue:
                    chunk, attempt = retry_queue.pop(0)
                else:
                    chunk = next(chunks, None)
                    if chunk is None:
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
                    rows = [
                        {"point": p, "replication": r, **sweep.points[p],
                         "seed": run_seed(sweep.root, p, r), "status": STATUS_FAILED,
                         "error": f"worker lost {RETRIES + 1} times: {type(exc).__name__}: {exc}"}
                        for p, r in chunk
                    ]  # fmt: skip
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
        finally:
            close_executor()
    return SweepResult(
        output, sweep.total, done, failed, len(done_keys), time.perf_counter() - start, retried
    )  # fmt: skip


def _fresh(executor: Executor, factory: Callable[[], Executor]) -> Executor:
    with contextlib.suppress(Exception):
        executor.shutdown(wait=False, cancel_futures=True)
    return factory()


# -- reading results -------------------------------------------------------------------------


def quantile(values: Iterable[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default) of ``values``."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def distribution(values: list[float], runs: int) -> dict[str, float | None]:
    """Median, p10 and p90 of ``values`` (a metric where it happened) and the share of
    ``runs`` it happened in."""
    return {
        "reached": len(values) / runs if runs else 0.0,
        "median": quantile(values, 0.5) if values else None,
        "p10": quantile(values, 0.1) if values else None,
        "p90": quantile(values, 0.9) if values else None,
    }


def summarize(rows: Iterable[Mapping[str, Any]] | str | Path) -> list[dict[str, Any]]:
    """One summary per point: n, failures, time metrics in days (median, p10, p90, share
    reached), share of runs reaching each rung, share blocked and the most frequent blockers."""
    path = rows if isinstance(rows, (str, Path)) else None
    if path is not None:
        rows = read_rows(path)
    acc: dict[int, dict[str, Any]] = {}
    for row in rows:
        p = row["point"]
        a = acc.get(p)
        if a is None:
            params = {k: v for k, v in row.items() if is_parameter(k)}
            a = acc[p] = {"params": params, "n": 0, "failed": 0, "times": {}, "rungs": Counter(),
                          "blocked": 0, "blockers": Counter(), "has_blocked": "n_blocked" in row,
                          "has_rung": "highest_rung" in row}  # fmt: skip
        a["n"] += 1
        if not run_ok(row):
            a["failed"] += 1
            continue
        for m in TIME_METRICS:
            if m in row:
                a["times"].setdefault(m, []).append(row[m])
        if row.get("highest_rung") is not None:
            a["rungs"][int(row["highest_rung"])] += 1
        if row.get("n_blocked"):
            a["blocked"] += 1
            a["blockers"].update(blocking_states(row.get("blocked")))
    if path is not None and not acc:
        raise SweepError(f"{path}: no result rows")
    out = []
    for p in sorted(acc):
        a = acc[p]
        ok = a["n"] - a["failed"]
        times = {
            m: distribution([v / 24 for v in values if v is not None], ok)
            for m, values in a["times"].items()
        }
        rungs = None
        if a["has_rung"]:
            rungs = {
                r: (sum(c for k, c in a["rungs"].items() if k >= r) / ok if ok else 0.0)
                for r in range(1, 6)
            }
        out.append({
            "point": p, "params": a["params"], "n": a["n"], "failed": a["failed"],
            "times": times, "rungs": rungs,
            "blocked": (a["blocked"] / ok if ok else 0.0) if a["has_blocked"] else None,
            "blockers": a["blockers"].most_common(3),
        })  # fmt: skip
    return out


def check_plot_output(out: str | Path) -> Path:
    """``out`` as a path :func:`plot` can write: a .png, .svg or .pdf file in a directory that
    exists and is writable; raises :class:`SweepError` otherwise. Cheap: check before a sweep."""
    out = Path(out)
    if not str(out):
        raise SweepError("a plot needs a file name, e.g. sweep.png")
    if out.is_dir():
        raise SweepError(f"{out}: is a directory, not an image file")
    if out.suffix.lower() not in PLOT_SUFFIXES:
        raise SweepError(f"{out}: a plot is a .png, .svg or .pdf image")
    parent = out.parent
    if not parent.is_dir():
        raise SweepError(f"{out}: no such directory {parent}")
    if not os.access(parent, os.W_OK):
        raise SweepError(f"{out}: cannot write in {parent}")
    return out


def plot(results: str | Path, out: str | Path) -> Path:
    """Draw the distribution of each time metric (days) per point, and rung shares, to ``out``
    (.png, .svg or .pdf: :func:`check_plot_output`)."""
    out = check_plot_output(out)
    _need("matplotlib", "plot", "Plotting")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points: dict[int, dict[str, list[float]]] = {}
    labels: dict[int, str] = {}
    rows = list(read_rows(results))  # read the file once, for the summary and the boxes
    summary = summarize(rows)
    for s in summary:
        labels[s["point"]] = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in s["params"].items())
    for row in rows:
        if not run_ok(row):
            continue
        bucket = points.setdefault(row["point"], {})
        for m in TIME_METRICS:
            if row.get(m) is not None:
                bucket.setdefault(m, []).append(row[m] / 24)
    metrics = [m for m in TIME_METRICS if any(m in b for b in points.values())]
    order = sorted(points)
    if len(order) > 40:  # keep the figure readable
        order = order[:: math.ceil(len(order) / 40)]
    n = len(metrics) + 1
    fig, axes = plt.subplots(n, 1, figsize=(max(6, 0.5 * len(order) + 3), 2.6 * n), squeeze=False)
    for ax, m in zip(axes[:, 0], metrics, strict=False):
        data = [points[p].get(m, []) for p in order]
        ax.boxplot([d if d else [math.nan] for d in data], showfliers=False)
        ax.set_title(f"{m} (days; runs that reached it)")
        ax.set_xticks(range(1, len(order) + 1), [str(p) for p in order])
    ax = axes[-1, 0]
    by_point = {s["point"]: s for s in summary}
    for rung in range(1, 6):
        shares = [((by_point[p]["rungs"] or {}).get(rung, 0.0)) for p in order]
        ax.plot(range(1, len(order) + 1), shares, marker="o", label=f"rung >= {rung}")
    ax.set_title("share of runs reaching each rung")
    ax.set_xticks(range(1, len(order) + 1), [str(p) for p in order])
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize="small", ncol=5)
    ax.set_xlabel("point: " + "; ".join(f"{p}: {labels.get(p, '')}" for p in order[:6]))
    fig.tight_layout()
    try:
        fig.savefig(out, dpi=100)
    except OSError as exc:
        raise SweepError(f"{out}: cannot write the plot: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return out
