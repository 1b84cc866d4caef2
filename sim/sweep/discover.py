"""Scenario discovery: which combinations of inputs lead to an outcome (``cdtx[discover]``).

The usual tools are PRIM (patient rule induction) and classification trees on a sweep's runs
(EMA Workbench). PRIM comes from EMA Workbench (``method="prim"``, ``cdtx[prim]``); by default
a shallow classification tree (scikit-learn's ``DecisionTreeClassifier``)
is grown on the runs of a results file, every run labelled yes or no by the outcome, and each of
its leaves where the outcome is more common than overall is read back as a *box*: a range of
each numeric input and a set of values of each listed one. A box is judged as in PRIM:

- **coverage**: the share of the runs with the outcome that fall in the box;
- **density**: the share of the runs in the box that have the outcome.

Boxes come most dense first. Inputs with few values (a grid) and lists (``decision_rule``) are
handled alike: a numeric input is split on thresholds, a listed one on each of its values.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scenarios.vocabulary import TIME_METRICS

from .outcomes import PREFIX as OUTCOME
from .results import blocking_states, is_parameter, read_rows, run_ok
from .spec import SweepError, need
from .yes_no import yes_or_no

#: The tree's depth: a box is at most this many conditions, so a person can read it.
MAX_DEPTH = 3
#: The smallest box, as a share of the runs (and at least :data:`MIN_RUNS` runs): a box of a
#: handful of runs is noise.
MIN_SHARE = 0.02
MIN_RUNS = 5
#: How :func:`discover` finds boxes: a classification tree (scikit-learn) or PRIM.
METHODS = ("tree", "prim")
#: PRIM: boxes found at most, the smallest box (share of the runs) it peels to, and the share
#: of a trajectory's starting coverage the reported box keeps (:func:`_prim_boxes`).
PRIM_BOXES = 3
PRIM_MASS = 0.05
PRIM_COVERAGE = 0.5

OUTCOME_HELP = (
    "reached:t_x (the run reached milestone t_x), never:t_x, blocked (a decision was blocked), "
    "blocked:XX (delegation XX blocked one), rung>=N (the run's highest rung), or a column of "
    "yes/no values (true/false, 1/0; a spec's outcome NAME is its column outcome.NAME)"
)


def outcome_function(outcome: str, columns: Sequence[str]) -> Callable[[Mapping[str, Any]], bool]:
    """The yes/no function of a run's row that ``outcome`` names (see :data:`OUTCOME_HELP`);
    :class:`SweepError` naming the outcomes there are when the results cannot say it."""
    kind, _, arg = outcome.partition(":")
    if kind in ("reached", "never") and arg:
        if arg not in columns:
            raise SweepError(f"outcome {outcome!r}: the results have no {arg} column (time "
                             f"metrics kept: {', '.join(c for c in columns if c in TIME_METRICS) or 'none'})")  # fmt: skip
        want = kind == "reached"
        return lambda row: (row.get(arg) is not None) == want
    if kind == "blocked" and "blocked" in columns:
        if not arg:
            return lambda row: bool(row.get("n_blocked") or blocking_states(row.get("blocked")))
        code = arg.upper()
        return lambda row: code in blocking_states(row.get("blocked"))
    if outcome.startswith("rung>=") and "highest_rung" in columns:
        try:
            rung = int(outcome[len("rung>=") :])
        except ValueError:
            raise SweepError(
                f"outcome {outcome!r}: rung>= takes a whole number, e.g. rung>=3"
            ) from None
        return lambda row: (row.get("highest_rung") or 0) >= rung
    if outcome in columns or OUTCOME + outcome in columns:  # a spec's own yes/no outcome
        column = outcome if outcome in columns else OUTCOME + outcome

        def yes(row: Mapping[str, Any]) -> bool:
            return _yes(row.get(column), column)

        yes.column = column  # type: ignore[attr-defined]
        return yes
    own = [c[len(OUTCOME) :] for c in columns if c.startswith(OUTCOME)]
    close = difflib.get_close_matches(outcome.removeprefix(OUTCOME), own, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    mine = f"; the spec's own outcomes here: {', '.join(own)}" if own else ""
    raise SweepError(f"outcome {outcome!r}: not one these results can say{hint}{mine}; give "
                     f"{OUTCOME_HELP}")  # fmt: skip


def _yes(value: Any, column: str) -> bool:
    if value is None or value == "":  # an empty cell: the outcome was not seen in that run
        return False
    said = yes_or_no(value)
    if said is None and value in (0, 1):  # a 0/1 column (numpy numbers too)
        said = bool(value)
    if said is not None:
        return said
    raise SweepError(f"outcome {column!r}: its values are not yes/no ({value!r}); to ask "
                     "of a number, give discover a function of a row in Python, e.g. lambda "
                     f"row: (row[{column!r}] or 0) > 30")  # fmt: skip


def discover(
    results: Any,
    outcome: str | Callable[[Mapping[str, Any]], bool],
    inputs: Sequence[str] | None = None,
    *,
    max_depth: int = MAX_DEPTH,
    method: str = "tree",
) -> dict[str, Any]:
    """Boxes of inputs that lead to ``outcome`` in the runs of ``results`` (a results file, a
    DataFrame of runs as :func:`sim.sweep.run` and :func:`sim.sweep.frame` give them, or rows as
    :func:`sim.sweep.read_rows` gives them).

    ``outcome`` is a name (:data:`OUTCOME_HELP`, e.g. ``"never:t_listing"``: no listing) or a
    function of a row returning True or False; ``inputs`` the parameter columns to explain it by
    (default: every varied parameter). Failed runs are left out.

    Returns ``{"outcome", "inputs", "runs", "hits", "base_rate", "method", "boxes"}``; each box
    is ``{"limits": {input: {"low", "high"} or {"values"}}, "runs", "hits", "coverage",
    "density"}`` (``low``/``high`` None where the box is open on that side; an input the box
    does not restrict is absent), most dense first. Needs scikit-learn (``cdtx[discover]``).

    ``method="prim"``: the boxes of PRIM instead of a tree (EMA Workbench's
    ``ema_workbench.analysis.prim``, ``cdtx[prim]``; :func:`_prim_boxes` says which box of each
    peeling trajectory is reported); a PRIM box's ranges are closed (``closed``: low <= x <=
    high) and come in the order PRIM found them, each on the runs no earlier box holds
    (``after``: how many boxes came before)."""
    if method not in METHODS:
        raise SweepError(f"method {method!r}: scenario discovery is by {' or '.join(METHODS)}")
    rows: Iterable[Mapping[str, Any]]
    if isinstance(results, (str, Path)):
        rows = read_rows(results)
    elif hasattr(results, "to_dict"):  # a DataFrame (sim.sweep.run, frame): NaN is no value
        rows = ({k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
                for r in results.to_dict("records"))  # fmt: skip
    else:
        rows = results
    columns: list[str] = []
    chosen: list[str] = []
    label: Callable[[Mapping[str, Any]], bool] | None = None
    table: list[list[Any]] = []
    ys: list[bool] = []
    for row in rows:
        if not columns:
            columns = list(row)
            params = [c for c in columns if is_parameter(c)]
            label = outcome if callable(outcome) else outcome_function(outcome, columns)
            # the outcome's own column is never an input (an older reader takes an unknown
            # column for a parameter)
            chosen = (
                list(inputs)
                if inputs
                else [c for c in params if c != getattr(label, "column", None)]
            )
            twice = sorted({i for i in chosen if chosen.count(i) > 1})
            if twice:  # the tree would weigh it twice and name it twice in a box
                raise SweepError(f"inputs: {twice[0]} is named twice")
            unknown = [i for i in chosen if i not in params]
            if unknown:
                raise SweepError(f"inputs {', '.join(unknown)}: not parameters of these results "
                                 f"(they vary: {', '.join(params) or 'nothing'})")  # fmt: skip
            if not chosen:
                raise SweepError(
                    "these results vary no parameter: nothing to explain the outcome by"
                )
        if not run_ok(row):
            continue
        assert label is not None
        table.append([row.get(i) for i in chosen])
        ys.append(bool(label(row)))
    name = outcome if isinstance(outcome, str) else getattr(outcome, "__name__", "outcome")
    if not columns:
        raise SweepError(f"{results}: no result rows" if isinstance(results, (str, Path))
                         else "no result rows")  # fmt: skip
    runs, hits = len(ys), sum(ys)
    if not runs:
        raise SweepError("no run finished: nothing to discover")
    if hits in (0, runs):
        raise SweepError(f"outcome {name!r} holds in {'no' if not hits else 'every'} run (of "
                         f"{runs:,}): no input makes a difference to it, nothing to discover")  # fmt: skip
    base = hits / runs
    if method == "prim":
        peeled, how = _prim_boxes(table, chosen, ys, base)  # in the order found: each on the rest
        return {"outcome": name, "inputs": chosen, "runs": runs, "hits": hits,
                "base_rate": base, "boxes": peeled, "method": how}  # fmt: skip
    tree_module = need("sklearn.tree", "discover", "Scenario discovery")
    np = need("numpy", "discover", "Scenario discovery")
    features, names = _encode(table, chosen)
    x = np.array(features, dtype=float)
    y = np.array(ys, dtype=bool)
    tree = tree_module.DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(MIN_RUNS, int(MIN_SHARE * runs)), random_state=0
    ).fit(x, y)
    boxes: list[dict[str, Any]] = []
    for conditions, leaf in _leaves(tree.tree_, names):
        members = tree.apply(x) == leaf
        n_in, h_in = int(members.sum()), int(y[members].sum())
        if not n_in or h_in / n_in <= base:
            continue
        boxes.append({"limits": _limits(conditions, chosen, table), "runs": n_in, "hits": h_in,
                      "coverage": h_in / hits, "density": h_in / n_in})  # fmt: skip
    boxes.sort(key=lambda b: (-b["density"], -b["coverage"]))
    return {"outcome": name, "inputs": chosen, "runs": runs, "hits": hits,
            "base_rate": base, "boxes": boxes,
            "method": f"classification tree (scikit-learn), depth <= {max_depth}"}  # fmt: skip


def _prim_boxes(table: list[list[Any]], inputs: list[str], ys: list[bool],
                base: float) -> tuple[list[dict[str, Any]], str]:  # fmt: skip
    """PRIM's boxes (EMA Workbench): up to :data:`PRIM_BOXES` boxes, each found on the runs no
    earlier box holds, while a box's density reaches the overall share of the outcome. PRIM
    peels a box down to :data:`PRIM_MASS` of the runs, trading coverage for density; of each
    trajectory the densest box still covering :data:`PRIM_COVERAGE` of what the trajectory
    started with is reported (ties: the larger), so a box says where the outcome mostly is
    rather than a corner of a few runs."""
    pd = need("pandas", "prim", "PRIM scenario discovery")
    with warnings.catch_warnings():  # the workbench warns of its own optional parts on import
        warnings.simplefilter("ignore")
        prim = need("ema_workbench.analysis.prim", "prim", "PRIM scenario discovery")
    np = need("numpy", "prim", "PRIM scenario discovery")
    columns = {}
    for j, name in enumerate(inputs):
        values = [r[j] for r in table]
        columns[name] = [float(v) for v in values] if _numeric(values) else [str(v) for v in values]
    x = pd.DataFrame(columns)
    with warnings.catch_warnings():
        # the workbench's own use of pandas (a keyword pandas deprecates): nothing the user can
        # act on, so not printed under their results
        warnings.filterwarnings("ignore", category=FutureWarning, module="ema_workbench")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="ema_workbench")
        return _prim_peel(prim.Prim(x, np.array(ys, dtype=bool), threshold=base,
                                    mass_min=PRIM_MASS), inputs, base)  # fmt: skip


def _prim_peel(finder: Any, inputs: list[str], base: float) -> tuple[list[dict[str, Any]], str]:
    """The boxes of :func:`_prim_boxes` from its PRIM ``finder``."""
    boxes: list[dict[str, Any]] = []
    for _ in range(PRIM_BOXES):
        found = len(finder.stats)
        box = finder.find_box()
        if box is None or len(finder.stats) == found:  # no data left, or a box below the base
            break
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        start = float(trajectory["coverage"].iloc[0])
        wide = trajectory[trajectory["coverage"] >= PRIM_COVERAGE * start]
        i = int(wide.sort_values(["density", "coverage"], ascending=False).index[0])
        box.select(i)  # the runs of this box, not of the end of its trajectory, are left out next
        step = trajectory.iloc[i]
        if float(step["density"]) <= base:  # the outcome no more common in it than overall
            break
        boxes.append({"limits": _prim_limits(box.box_lims[i], finder.box_init, inputs),
                      "runs": int(step["n"]), "hits": int(step["k"]), "closed": True,
                      "after": len(boxes),  # boxes found before it, whose runs it leaves out
                      "coverage": float(step["coverage"]), "density": float(step["density"])})  # fmt: skip
    how = (f"PRIM (EMA Workbench), peeling to {PRIM_MASS:.0%} of the runs, at most "
           f"{PRIM_BOXES} boxes, each on the runs no earlier box holds")  # fmt: skip
    return boxes, how


def _prim_limits(lims, initial, inputs: list[str]) -> dict[str, Any]:
    """A PRIM box's limits (rows 0 and 1: lower and upper; a set of values for a listed input)
    as :func:`discover` gives them: only the inputs the box restricts."""
    limits: dict[str, Any] = {}
    for name in inputs:
        low, high = lims[name].iloc[0], lims[name].iloc[1]
        if isinstance(low, (set, frozenset)):
            if set(low) != set(initial[name].iloc[0]):
                limits[name] = {"values": sorted(str(v) for v in low)}
            continue
        low_edge = float(low) > float(initial[name].iloc[0])
        high_edge = float(high) < float(initial[name].iloc[1])
        if low_edge or high_edge:
            limits[name] = {"low": float(low) if low_edge else None,
                            "high": float(high) if high_edge else None}  # fmt: skip
    return limits


def _numeric(values: Iterable[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _encode(table: list[list[Any]], inputs: list[str]) -> tuple[list[list[float]], list[tuple]]:
    """Features for the tree: a numeric input as it is, a listed one as one 0/1 feature per
    value. ``names[k]`` is ``(input, None)`` or ``(input, value)`` for feature k."""
    names: list[tuple] = []
    columns = []
    for j, name in enumerate(inputs):
        values = [r[j] for r in table]
        if _numeric(values):
            names.append((name, None))
            columns.append([float(v) for v in values])
        else:
            for level in sorted({str(v) for v in values}):
                names.append((name, level))
                columns.append([1.0 if str(v) == level else 0.0 for v in values])
    return [list(r) for r in zip(*columns, strict=True)], names


def _leaves(tree, names: list[tuple]):
    """(conditions, leaf id) of every leaf: conditions are (feature name, "<=" or ">", t)."""
    stack: list[tuple[int, list]] = [(0, [])]
    while stack:
        node, conditions = stack.pop()
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            yield conditions, node
            continue
        feature, threshold = names[tree.feature[node]], float(tree.threshold[node])
        stack.append((right, [*conditions, (feature, ">", threshold)]))
        stack.append((left, [*conditions, (feature, "<=", threshold)]))


def _limits(conditions: list, inputs: list[str], table: list[list[Any]]) -> dict[str, Any]:
    """A leaf's conditions as a box: per input a range (low < x <= high) or a set of values."""
    limits: dict[str, Any] = {}
    for (name, level), op, threshold in conditions:
        if level is None:
            box = limits.setdefault(name, {"low": None, "high": None})
            if op == "<=":
                box["high"] = threshold if box["high"] is None else min(box["high"], threshold)
            else:
                box["low"] = threshold if box["low"] is None else max(box["low"], threshold)
        else:
            j = inputs.index(name)
            box = limits.setdefault(name, {"values": sorted({str(r[j]) for r in table})})
            if op == ">":  # the feature "input == level" is 1
                box["values"] = [v for v in box["values"] if v == level]
            else:
                box["values"] = [v for v in box["values"] if v != level]
    return limits


def show_box(box: Mapping[str, Any]) -> str:
    """A box's conditions as text: ``member_states.HU.ties.RU > 0.83, decision_rule in
    {unanimity}`` (``any inputs`` for a box that restricts none)."""
    parts = []
    above = ">=" if box.get("closed") else ">"  # a PRIM box holds its lower edge
    for name, limit in box["limits"].items():
        if "values" in limit:
            parts.append(f"{name} in {{{', '.join(limit['values'])}}}")
        elif limit["low"] is not None and limit["high"] is not None:
            below = "<=" if box.get("closed") else "<"
            parts.append(f"{limit['low']:.3g} {below} {name} <= {limit['high']:.3g}")
        elif limit["low"] is not None:
            parts.append(f"{name} {above} {limit['low']:.3g}")
        else:
            parts.append(f"{name} <= {limit['high']:.3g}")
    return ", ".join(parts) or "any inputs"
