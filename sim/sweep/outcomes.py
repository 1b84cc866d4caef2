"""Outcomes of one's own and time series (docs/sweeps.md, *Outcomes* and *Series*).

A spec's ``outcomes`` are extra columns of every row (``outcome.NAME``), each one of:

- ``{event: KIND, FIELD: VALUE, ..., by: DURATION}``: yes when the run has an event of that kind
  (sim/event_kinds.py) whose fields have those values (a list: any of them), at or before
  ``by`` (hours since the start; default: any time). ``{event: adopted, measure: listing}``.
- ``{blocked_by: CODE}`` (or ``any``), with an optional ``measure``: yes when that delegation
  blocked a decision (on that measure), as the ``blocked`` column counts it.
- ``{python: "module:function"}``: a number, the function of the finished
  :class:`sim.Exercise`; with ``yes_no: true`` a yes/no.

``series: {fields: [...], every: 1d}`` samples fields of the situation picture (sim/picture.py:
``pressure``, ``meetings``, ``states.HU.position``, ``stages.PSC.status``, ``assessment.confidence``;
a list or mapping gives its length) on a fixed grid, t = 0, every, 2 x every ... up to the
horizon, each value as the picture stood after every event at or before t. They go to a second
Parquet file beside the results (:func:`series_file`), one row per run and t, keyed by
``point``, ``replication`` and ``seed``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios.vocabulary import CONTRIBUTIONS, EU27, IPCR_MODES, MEASURES, parse_duration

from ..event_kinds import EVENT_KINDS
from ..picture import Picture
from .errors import SweepError

PREFIX = "outcome."
EVENT, BLOCKED, PYTHON = "event", "blocked_by", "python"
FORMS = ("{event: KIND, FIELD: VALUE, by: 90d}, {blocked_by: CODE, measure: M}, "
         "{python: 'module:function'}")  # fmt: skip
#: Picture fields a series can sample: its top-level attributes a person reads.
SERIES_ROOTS = ("t", "pressure", "meetings", "adversary", "current", "ended", "states", "stages",
                "assessment", "incidents", "proposals", "adopted", "retaliations",
                "partners_attributed", "assistance")  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """One outcome of a spec: its ``name`` (column ``outcome.NAME``), its ``kind`` (event,
    blocked_by, python), what it matches and its column type (bool or float)."""

    name: str
    kind: str
    target: str  # the event kind, the delegation code (or "any"), or module:function
    match: tuple[tuple[str, tuple], ...] = ()  # (field, accepted values) of an event outcome
    by: float | None = None  # hours since the start
    yes_no: bool = True

    @property
    def column(self) -> str:
        return PREFIX + self.name

    @property
    def type(self) -> str:
        return "bool" if self.yes_no else "float"

    def design(self) -> dict[str, Any]:
        """The outcome as plain data (the sweep's record)."""
        out: dict[str, Any] = {self.kind: self.target}
        out.update({k: list(v) for k, v in self.match})
        if self.by is not None:
            out["by"] = self.by
        if self.kind == PYTHON and self.yes_no:
            out["yes_no"] = True
        return out


def parse_outcomes(raw: Any) -> list[Outcome]:
    """The ``outcomes`` of a spec, checked; :class:`SweepError` naming the outcome."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping) or not raw:
        raise SweepError(f"outcomes: a mapping from names to outcomes ({FORMS})")
    out = []
    for name, body in raw.items():
        where = f"outcomes.{name}"
        if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
            raise SweepError(f"outcomes: {name!r} is not a name (letters, digits, _ and -)")
        if not isinstance(body, Mapping):
            raise SweepError(f"{where}: give one of {FORMS}")
        kinds = [k for k in (EVENT, BLOCKED, PYTHON) if k in body]
        if len(kinds) != 1:
            raise SweepError(f"{where}: give exactly one of event, blocked_by, python ({FORMS})")
        kind = kinds[0]
        target = body[kind]
        by = _by(body.get("by"), where)
        if kind == EVENT:
            declared = EVENT_KINDS.get(target) if isinstance(target, str) else None
            if declared is None:
                close = difflib.get_close_matches(str(target), list(EVENT_KINDS), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise SweepError(f"{where}.event: no event kind {target!r}{hint}; the kinds are "
                                 "in docs/recording-format.md")  # fmt: skip
            fields = declared.fields + declared.optional
            match: list[tuple[str, tuple]] = []
            for key, value in body.items():
                if key in (EVENT, "by"):
                    continue
                if key not in fields:
                    raise SweepError(f"{where}.{key}: a {target} event has no field {key!r} "
                                     f"(fields: {', '.join(fields)})")  # fmt: skip
                values = tuple(value) if isinstance(value, list) else (value,)
                _check_values(key, values, f"{where}.{key}", target)
                match.append((key, values))
            out.append(Outcome(name, kind, target, tuple(match), by))
        elif kind == BLOCKED:
            if target != "any" and target not in EU27:
                raise SweepError(f"{where}.blocked_by: {target!r} is not a member state code "
                                 "(or any)")  # fmt: skip
            extra = [k for k in body if k not in (BLOCKED, "measure")]
            if extra:
                raise SweepError(f"{where}: blocked_by takes measure only, not {extra[0]!r}")
            measure = body.get("measure")
            if measure is not None:
                _check_values("measure", (measure,), f"{where}.measure")
            only = (("measure", (measure,)),) if measure is not None else ()
            out.append(Outcome(name, kind, target, only, None))
        else:
            extra = [k for k in body if k not in (PYTHON, "yes_no")]
            if extra:
                raise SweepError(f"{where}: python takes yes_no only, not {extra[0]!r}")
            yes_no = body.get("yes_no", False)
            if not isinstance(yes_no, bool):
                raise SweepError(f"{where}.yes_no: true or false, not {yes_no!r}")
            resolve_function(target, where)
            out.append(Outcome(name, kind, target, (), None, yes_no))
    return out


#: Event fields whose values come from a closed vocabulary: a value outside it would make an
#: outcome that is never true, so it is refused when the spec loads.
_VOCABULARIES: dict[str, tuple[str, ...]] = {"measure": MEASURES}
#: The same for fields whose values depend on the kind (the crisis track's modes, levels ...).
_KIND_VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ipcr", "mode"): (*IPCR_MODES, "deactivated"),
    ("ipcr", "previous"): ("none", "deactivated", *IPCR_MODES),
    ("isaa", "mode"): ("information_sharing", "full"),
    ("agency_contribution", "contribution"): CONTRIBUTIONS,
    ("agency_contribution", "state"): EU27,
    ("cyclone_meeting", "level"): ("officers", "executives"),
    ("reserve_request", "state"): EU27,
    ("reserve_deployed", "state"): EU27,
    ("invoked", "article"): ("42(7)", "222"),
}


def _check_values(field: str, values: tuple, where: str, kind: str = "") -> None:
    known = _KIND_VOCABULARIES.get((kind, field)) or _VOCABULARIES.get(field)
    if known is None:
        return
    for value in values:
        if value not in known:
            close = difflib.get_close_matches(str(value), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SweepError(f"{where}: no {field} {value!r}{hint}; {field}s: {', '.join(known)}")


def _by(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    try:
        return parse_duration(raw)
    except ValueError as exc:
        raise SweepError(f"{where}.by: {exc}") from None


def resolve_function(target: Any, where: str, check: bool = True) -> Callable[[Any], Any]:
    """The function ``module:function`` names; :class:`SweepError` naming ``where`` if it
    cannot be imported, is not callable or (``check``) cannot take one argument."""
    if not isinstance(target, str) or target.count(":") != 1:
        raise SweepError(f"{where}.python: name a function as 'module:function', not {target!r}")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module's own error as it loads
        raise SweepError(f"{where}.python: cannot import {module_name!r} "
                         f"({type(exc).__name__}: {exc})") from None  # fmt: skip
    function = getattr(module, attribute, None)
    if not callable(function):
        raise SweepError(f"{where}.python: {module_name} has no function {attribute!r}")
    if not check:
        return function
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # some builtins have none: they are tried run by run
        return function
    try:
        signature.bind(None)
    except TypeError:
        raise SweepError(f"{where}.python: {target} must take one argument (the finished "
                         f"exercise), not {signature}") from None  # fmt: skip
    return function


def evaluate(outcomes: list[Outcome], ex: Any, metrics: Mapping[str, Any] | None = None) -> dict:
    """The outcome columns of a finished exercise ``ex`` (``metrics``: its metrics, when the
    caller has them already)."""
    row: dict[str, Any] = {}
    blocked = None if metrics is None else (metrics.get("blocked") or [])
    for o in outcomes:
        if o.kind == EVENT:
            row[o.column] = _happened(o, ex.events)
        elif o.kind == BLOCKED:
            if blocked is None:
                blocked = ex.metrics.get("blocked") or []
            measures = dict(o.match).get("measure")
            row[o.column] = any(
                (o.target == "any" or o.target in b["by"])
                and (measures is None or b["measure"] in measures)
                for b in blocked
            )
        else:
            function = resolve_function(o.target, f"outcomes.{o.name}", check=False)
            try:
                value = function(ex)
            except Exception as exc:  # the user's code: its run fails, naming the outcome
                raise ValueError(f"outcome {o.name}: {o.target} raised "
                                 f"{type(exc).__name__}: {exc}") from exc  # fmt: skip
            row[o.column] = _python_value(o, value)
    return row


def _happened(o: Outcome, events: list) -> bool:
    """Whether ``events`` hold one of the kind ``o`` names, with its fields, at or before its
    ``by`` (a plain loop: this runs once per run and outcome over every event of the run)."""
    kind, by, match = o.target, o.by, o.match
    for e in events:
        if e.kind == kind and (by is None or e.t <= by):
            data = e.data
            if all(data.get(k) in values for k, values in match):
                return True
    return False


def _python_value(o: Outcome, value: Any) -> Any:
    if value is None:
        return None
    if o.yes_no:
        if not isinstance(value, (bool, int)) or value not in (0, 1):
            raise ValueError(f"outcome {o.name}: {o.target} returned {value!r}, not yes/no")
        return bool(value)
    try:
        number = float(value) if isinstance(value, (bool, int, float)) else math.nan
    except OverflowError:  # an int too large for a float
        number = math.nan
    if not math.isfinite(number):
        shown = repr(value) if len(repr(value)) <= 60 else f"{repr(value)[:60]}..."
        raise ValueError(f"outcome {o.name}: {o.target} returned {shown}, not a number")
    return number


# -- series ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Picture ``fields`` sampled every ``every`` hours; ``types`` (bool, float, str) are set
    when the sweep checks the fields against its base scenario."""

    fields: tuple[str, ...]
    every: float
    types: tuple[str, ...] = ()

    def design(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "every": self.every}

    def columns(self) -> list[tuple[str, str]]:
        """(name, type) of the series file's columns."""
        return [("point", "int"), ("replication", "int"), ("seed", "int"), ("t", "float"),
                *zip(self.fields, self.types, strict=True)]  # fmt: skip


def parse_series(raw: Any) -> Series | None:
    """The ``series`` of a spec, checked for form (the fields are checked against the picture
    by :func:`typed`)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise SweepError("series: {fields: [pressure, meetings, ...], every: 1d}")
    for key in raw:
        if key not in ("fields", "every"):
            raise SweepError(f"series: unknown key {key!r} (series: {{fields: [...], every: 1d}})")
    fields = raw.get("fields")
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise SweepError("series.fields: a non-empty list of picture fields, e.g. [pressure, "
                         "states.HU.position]")  # fmt: skip
    if len(set(fields)) != len(fields):
        raise SweepError("series.fields: a field is named twice")
    every = _by(raw.get("every", "1d"), "series.every")
    if not every or every <= 0:
        raise SweepError("series.every: a duration above 0, e.g. 12h or 1d")
    return Series(tuple(fields), every)


#: Series samples a run keeps at most (horizon / every + 1): a finer grid is refused, since
#: each run's samples are held in memory before they are written.
MAX_SAMPLES = 100_000


def check_grid(series: Series, horizon: float, where: str = "series.every") -> None:
    """:class:`SweepError` when ``series`` would sample a run of ``horizon`` hours more than
    :data:`MAX_SAMPLES` times."""
    n = math.floor(horizon / series.every) + 1
    if n > MAX_SAMPLES:
        raise SweepError(f"{where}: every {series.every:g} h over a horizon of {horizon:g} h is "
                         f"{n:,} samples a run, more than {MAX_SAMPLES:,}; sample less often "
                         f"(every {_hours(horizon / (MAX_SAMPLES - 1))} or more)")  # fmt: skip


def _hours(h: float) -> str:
    return f"{math.ceil(h * 60)}m" if h < 1 else f"{math.ceil(h)}h"


_MISSING = object()


def typed(series: Series, picture: Any) -> Series:
    """``series`` with the type of each field, checked against ``picture`` (a finished run of
    the base scenario); :class:`SweepError` naming a field the picture does not have."""
    types = []
    for path in series.fields:
        where = f"series.fields: {path!r}"
        parts = path.split(".")
        if parts[0] not in SERIES_ROOTS:
            close = difflib.get_close_matches(parts[0], SERIES_ROOTS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SweepError(f"{where} is not a field of the situation picture{hint}; "
                             f"fields: {', '.join(SERIES_ROOTS)}")  # fmt: skip
        node: Any = picture
        kind = None
        for depth, part in enumerate(parts):
            if isinstance(node, Mapping):
                if part not in node:
                    # states and stages hold every state and stage from the start; other
                    # mappings (proposals, incidents ...) gain keys as a run goes
                    if depth == 1 and parts[0] in ("states", "stages"):
                        have = ", ".join(map(str, node))
                        raise SweepError(f"{where}: no {part!r} in {parts[0]} (keys: {have})")
                    node, kind = None, "unknown"  # not in the base run: kept as text
                    break
                node, kind = node[part], None
            elif dataclasses.is_dataclass(node):
                names = [f.name for f in dataclasses.fields(node)]
                if part not in names:
                    raise SweepError(f"{where}: {'.'.join(parts[:depth]) or 'the picture'} has "
                                     f"no field {part!r} (fields: {', '.join(names)})")  # fmt: skip
                kind = str(type(node).__annotations__.get(part, ""))
                node = getattr(node, part)
            elif node is None:
                break
            else:
                raise SweepError(f"{where}: {'.'.join(parts[:depth])} is a single value")
        if dataclasses.is_dataclass(node):
            listed = ", ".join(f.name for f in dataclasses.fields(node))
            raise SweepError(f"{where} is a group of fields: name one ({path}.FIELD: {listed})")
        types.append(_type_of(node, kind))
    return dataclasses.replace(series, types=tuple(types))


def _type_of(value: Any, annotation: str | None) -> str:
    if annotation == "unknown":
        return "str"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, list, tuple, dict)):
        return "float"
    if isinstance(value, str):
        return "str"
    if annotation and "str" in annotation:
        return "str"
    if annotation and "bool" in annotation:
        return "bool"
    return "float"


def sample(series: Series, ex: Any) -> list[list]:
    """The grid t = 0, every, ... up to the horizon and each field's value there, as columns
    ([t...], [field 1...], ...), folding the run's events through a fresh picture (the fold
    the console and replay show)."""
    horizon = ex.horizon
    every = series.every
    check_grid(series, horizon, f"series.every (this run's horizon {horizon:g} h)")
    picture = Picture(ex.scenario, ex.players)
    read = _reader(series)
    events = ex.events
    rows: list[tuple] = []  # one per grid time: the fields' values there
    folded = -1
    k = 0
    t = 0.0
    while t <= horizon:
        i = picture.fold_through(events, max(folded, 0), t)
        # the picture is read again only when an event came in since the last grid time
        rows.append(read(picture) if i != folded else rows[-1])
        folded = i
        k += 1
        t = k * every
    return [[i * every for i in range(len(rows))], *map(list, zip(*rows, strict=True))]


@functools.lru_cache(maxsize=64)
def _reader(series: Series) -> Callable[[Any], tuple]:
    """A function of a picture giving ``series``' fields there, cast to their columns' types
    (the hot path of a series: each field's path is split once per sweep, not per sample)."""
    getters = tuple(_getter(path.split("."), _CAST[kind])
                    for kind, path in zip(series.types, series.fields, strict=True))  # fmt: skip
    # spelled out for the usual few fields: a tuple display is a third cheaper than a loop
    if len(getters) == 1:
        (a,) = getters
        return lambda picture: (a(picture),)
    if len(getters) == 2:
        a, b = getters
        return lambda picture: (a(picture), b(picture))
    if len(getters) == 3:
        a, b, c = getters
        return lambda picture: (a(picture), b(picture), c(picture))
    if len(getters) == 4:
        a, b, c, d = getters
        return lambda picture: (a(picture), b(picture), c(picture), d(picture))
    return lambda picture: tuple([get(picture) for get in getters])


def _getter(parts: list[str], cast: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The value of one split path in a picture, cast to the column's type: attributes and dict
    keys (the root an attribute of the picture), a list or mapping at the end as its length,
    None past a value that is not there yet (an assessment not issued)."""
    root, rest = parts[0], tuple(parts[1:])

    def get(picture: Any) -> Any:
        node = getattr(picture, root, None)
        for part in rest:
            if node is None:
                return None
            node = node.get(part) if type(node) is dict else getattr(node, part, None)
        if node is None:
            return None
        if isinstance(node, (list, tuple, dict)):
            return cast(len(node))
        return cast(node)

    return get


_CAST: dict[str, Callable[[Any], Any]] = {"bool": bool, "float": float, "str": str}


def series_file(results: str | Path) -> Path:
    """Where a sweep's series go: ``RESULTS.series.parquet`` beside the results."""
    results = Path(results)
    return results.with_name(results.name + ".series.parquet")
