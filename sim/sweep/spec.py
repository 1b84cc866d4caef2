"""The sweep spec: what to vary, how to sample it, how many seeds, which metrics.

Everything people can get wrong is checked before any run starts and reported as one
:class:`SweepError` (docs/sweeps.md, "The spec").
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import Any

from pydantic import ValidationError

from scenarios.model import Scenario
from scenarios.safe_read import ScenarioError, read_yaml
from scenarios.vocabulary import METRICS

from .. import constants
from ..extras import need as need  # where every part of sim.sweep takes it from
from .errors import SweepError
from .outcomes import Outcome, Series, parse_outcomes, parse_series

KEEPABLE = METRICS + ("blocked", "objectives")

SEED_LIMIT = 2**63
#: Points are generated, held and validated as scenarios before anything runs, so a sweep has at
#: most this many (runs are streamed: ``seeds`` per point is not bounded).
MAX_POINTS = 100_000


SAMPLERS = ("random", "lhs", "sobol", "morris")
SAMPLE_FORMS = "grid, {random: N}, {lhs: N}, {sobol: N}, {morris: N}"


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
            mu, sigma = self.args
            u = min(max(u, 1e-12), 1 - 1e-12)
            return round(NormalDist(mu, sigma).inv_cdf(u), 6)
        values = self.args
        return values[min(int(u * len(values)), len(values) - 1)]


@dataclass
class SweepSpec:
    base: str
    vary: list[Dimension]
    sample: str = "grid"  # grid | random | lhs | sobol | morris
    n: int = 0  # points for random / lhs; base samples (sobol) or trajectories (morris)
    seeds: int = 1
    seed: int | None = None
    metrics: list[str] | None = None
    name: str = "sweep"
    origin: Path | None = None  # the spec file (relative base paths resolve against it)
    title: str = ""
    description: str = ""
    #: Common random numbers: replication r of every point runs with the same seed, so the
    #: differences between points are the parameters' (docs/sweeps.md, "Runs, seeds, rows").
    common: bool = True
    #: Outcomes of one's own (``outcome.NAME`` columns) and time series (sim.sweep.outcomes).
    outcomes: list[Outcome] = field(default_factory=list)
    series: Series | None = None

    def design(self, root: int) -> dict[str, Any]:
        """What a summary needs to know of this sweep beyond its rows (title, sampling design,
        seeding), as plain data: written beside the results file by ``run_sweep``."""
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "base": self.base, "sample": {"method": self.sample, "n": self.n},
            "vary": {d.path: {"kind": d.kind, "args": list(d.args)} for d in self.vary},
            "seeds": self.seeds, "common": self.common, "root": root,
            **({"outcomes": {o.name: o.design() for o in self.outcomes}} if self.outcomes else {}),
            **({"series": self.series.design()} if self.series else {}),
        }  # fmt: skip


def design_size(method: str, n: int, dims: int) -> int:
    """The points of a ``method`` sweep of ``dims`` parameters: N for random and lhs draws,
    N x (D + 2) for Sobol' (Saltelli's scheme, first and total order), N x (D + 1) for Morris
    (N trajectories)."""
    if method == "sobol":
        return n * (dims + 2)
    if method == "morris":
        return n * (dims + 1)
    return n


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


#: The scenario field that holds its ``model:`` block (varied one constant at a time instead).
BLOCK_FIELD = constants.PREFIX.rstrip(".")


def _dimension(path: Any, raw: Any) -> Dimension:
    where = f"vary.{path}"
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise SweepError(f"vary: {path!r} is not a dotted path such as member_states.HU.ties.RU")
    if path == BLOCK_FIELD:  # the scenario's model: block as a whole: its constants are model.X
        raise SweepError(f"{where}: vary a model constant as model.NAME, one per line (e.g. "
                         "model.listing_veto_at: [-0.9, -0.5]; cdtx model lists them)")  # fmt: skip
    dimension = _values(path, raw, where)
    if constants.is_constant(path):
        _check_constant(dimension, where)
    return dimension


def _check_constant(d: Dimension, where: str) -> None:
    """A varied model constant: a registered name, and values (or bounds) in its range (a
    normal's draws are checked point by point when the sweep is made)."""
    try:
        constant = constants.get(d.path, where)
        if d.kind in ("grid", "choice"):
            for value in d.args:
                constant.check(value, where)
        elif d.kind == "uniform":
            for value in d.args:
                constant.check(value, where)
            if constant.whole:
                raise SweepError(f"{where}: {d.path} is a count and takes whole numbers; vary "
                                 "it with a list or {choice: [...]}")  # fmt: skip
        else:
            constant.check(d.args[0], f"{where} (mu)")
            if constant.whole:  # a normal's draws are (almost) never whole: every point refused
                raise SweepError(f"{where}: {d.path} is a count and takes whole numbers; vary "
                                 "it with a list or {choice: [...]}")  # fmt: skip
    except constants.ConstantError as exc:
        raise SweepError(str(exc)) from None


def check_constants(params: Mapping[str, Any]) -> dict[str, float]:
    """The model constants of a point (its ``model.*`` values), checked; :class:`SweepError`."""
    try:
        return constants.checked({k: v for k, v in params.items() if constants.is_constant(k)},
                                 where="")  # fmt: skip
    except constants.ConstantError as exc:
        raise SweepError(str(exc)) from None


def _values(path: str, raw: Any, where: str) -> Dimension:
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
    known = {"name", "title", "description", "base", "vary", "sample", "seeds", "seed", "metrics",
             "outcomes", "series"}  # fmt: skip
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
        if sample not in SAMPLERS:
            raise SweepError(f"sample: unknown method {sample!r} ({SAMPLE_FORMS})")
        n = _count(n, f"sample.{sample}", minimum=2 if sample in ("sobol", "morris") else 1)
        if sample == "sobol" and n & (n - 1):
            raise SweepError(
                f"sample.sobol: N is the number of base samples and must be a power of 2 "
                f"(e.g. {1 << (n.bit_length() - 1)} or {1 << n.bit_length()}), not {n}"
            )
        points = design_size(sample, n, len(vary))
        if points > MAX_POINTS:
            raise SweepError(
                f"sample.{sample}: {points} points is more than a sweep takes ({MAX_POINTS:,}); "
                "use more seeds per point, or split the sweep"
            )
        if sample in ("sobol", "morris") and not vary:
            raise SweepError(f"sample.{sample}: vary at least one parameter")
    elif sample != "grid":
        raise SweepError(f"sample: {sample!r} is not one of {SAMPLE_FORMS}")
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
    seeds, common = _seeds(data.get("seeds", 1))
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
    outcomes = parse_outcomes(data.get("outcomes"))
    series = parse_series(data.get("series"))
    return SweepSpec(base, vary, sample, n, seeds, seed, metrics, str(name), origin_path,
                     str(data.get("title") or ""), str(data.get("description") or ""),
                     common, outcomes, series)  # fmt: skip


def _seeds(raw: Any) -> tuple[int, bool]:
    """``seeds: 20`` or ``seeds: {n: 20, common: false}``: (replications, common numbers)."""
    if isinstance(raw, Mapping):
        for key in raw:
            if key not in ("n", "common"):
                raise SweepError(f"seeds: unknown key {key!r} (seeds: {{n: 20, common: true}})")
        common = raw.get("common", True)
        if not isinstance(common, bool):
            raise SweepError(f"seeds.common must be true or false, not {common!r}")
        return _count(raw.get("n", 1), "seeds.n"), common
    return _count(raw, "seeds"), True


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
    data = read_spec_yaml(path)
    try:
        return spec_from_dict(data, path)
    except SweepError as exc:
        raise SweepError(f"{path}: {exc}") from None


def read_spec_yaml(path: Path) -> Any:
    """The YAML of a spec file as plain data, through the bounded reader every file cdtx takes
    from a person goes through (:func:`scenarios.safe_read.read_yaml`: a regular file of limited
    size, UTF-8, no duplicate keys, bounded alias expansion, depth and integers). The one place
    a spec file is parsed; raises :class:`SweepError` naming the file, line and column."""
    try:
        return read_yaml(path, what="a sweep spec", expected="a sweep spec mapping")
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None


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
                node[index] = node = _copied(node[index])
        elif isinstance(node, dict):
            if depth == 0 and part not in node:
                close = difflib.get_close_matches(part, list(node), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise SweepError(f"vary.{path}: the scenario has no field {part!r}{hint}")
            if last:
                node[part] = value
            else:
                node[part] = node = {} if node.get(part) is None else _copied(node[part])
        else:
            raise SweepError(f"vary.{path}: {where} is a single value, not a mapping or list")


def _copied(node: Any) -> Any:
    """A shallow copy of a container on the way down a path: a point copies only the path it
    changes, never the whole scenario (a deep copy per point was most of a sweep's set-up)."""
    if isinstance(node, dict):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    return node


def _validation_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if errors is None:
        return str(exc)
    error = errors(include_url=False)[0]
    loc = ".".join(str(p) for p in error["loc"])
    msg = error["msg"].removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        msg = "no such field in the scenario format"
    return f"{loc}: {msg}" if loc else msg


def build_scenario(base_data: Mapping, params: Mapping[str, Any]):
    """The scenario for one point: ``base_data`` with ``params`` set, validated (``model.*``
    params are model constants, set on the run rather than the scenario: :func:`check_constants`)."""
    data = dict(base_data)  # _set copies what it changes: base_data is left as it was
    for path, value in params.items():
        if not constants.is_constant(path):  # model constants are the run's, not the scenario's
            _set(data, path, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise SweepError(_validation_message(exc)) from None
