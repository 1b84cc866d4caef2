"""Hostile input to the analysis paths (issue 24): sweep specs with model constants, outcomes and
series; ``cdtx run --model``; recordings whose ``started`` event carries tampered model constants;
results files fed to ``--discover``. Each mistake gets one message naming its place, exit 1, no
traceback, within bounded time and memory."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest
from inprocess import cdtx

import scenarios
from scenarios.errors import CdtxError
from sim import Exercise
from sim import sweep as sw
from sim.events import Event, canonical, chain
from sim.recording import open as open_recording
from sim.sweep import SweepError, spec_from_dict
from sim.sweep import outcomes as outcomes_

FN = "tests.outcome_functions"
BASE = {"base": "grid-wiper", "seed": 1, "seeds": 2}
# cdtx: the command in this process (tests/inprocess.py); test_cli.py runs the program itself


def refused(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


# -- sweep specs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vary", "sample", "needle"),
    [
        ({"model.listing_veto_at": [float("nan")]}, None, "takes a number, not nan"),
        ({"model.listing_veto_at": [float("inf")]}, None, "takes a number, not inf"),
        ({"model.listing_veto_at": {"uniform": [float("-inf"), 0]}}, {"random": 2}, "uniform"),
        ({"model.listing_veto_at": {"normal": [float("nan"), 1]}}, {"random": 2}, "normal"),
        ({"model.listing_veto_at": {"choice": ["a", -0.7]}}, None, "takes a number, not 'a'"),
        ({"model.listing_veto_at": [0.5]}, None, "outside its range [-1, 0]"),
        ({"model.max_rounds": [True]}, None, "takes a number, not True"),
        ({"model.max_rounds": {"uniform": [1, 3]}}, {"random": 2}, "is a count"),
        ({"model.max_rounds": {"normal": [3, 1]}}, {"random": 2}, "is a count"),
        ({"model.": [1]}, None, "'model.'"),
        ({"model.LISTING_VETO_AT": [-0.7]}, None, "no model constant"),
    ],
)
def test_model_constants_refused_in_every_distribution(vary, sample, needle):
    spec = {**BASE, "vary": vary, **({"sample": sample} if sample else {})}
    with pytest.raises(SweepError, match=None) as info:
        spec_from_dict(spec)
    assert needle in str(info.value)


@pytest.mark.parametrize(
    ("outcome", "needle"),
    [
        # a value outside a field's vocabulary would make an outcome that is never true
        (
            {"event": "adopted", "measure": "nomeasure"},
            "outcomes.o.measure: no measure 'nomeasure'",
        ),
        ({"event": "adopted", "measure": ["listing", "lisitng"]}, "did you mean 'listing'"),
        ({"blocked_by": "HU", "measure": "bogus"}, "outcomes.o.measure: no measure 'bogus'"),
        ({"event": "nokind"}, "no event kind 'nokind'"),
        ({"event": "adopted", "nofield": 1}, "has no field 'nofield'"),
        ({"event": "adopted", "by": "-3d"}, "outcomes.o.by"),
        ({"python": f"{FN}:takes_nothing"}, "must take one argument"),
        ({"python": f"{FN}:NOT_A_FUNCTION"}, "has no function"),
        ({"python": "no_such_module_xyz:f"}, "cannot import"),
    ],
)
def test_bad_outcomes_refused_when_the_spec_loads(outcome, needle):
    with pytest.raises(SweepError) as info:
        spec_from_dict({**BASE, "outcomes": {"o": outcome}})
    assert needle in str(info.value)


def test_a_python_outcome_that_raises_fails_its_run_naming_the_outcome(tmp_path):
    spec = {
        **BASE,
        "outcomes": {"o": {"python": f"{FN}:broken"}, "big": {"python": f"{FN}:enormous"}},
    }
    sw.run_sweep(sw.Sweep(spec_from_dict(spec)), tmp_path / "r.csv", jobs=1)
    rows = list(sw.read_rows(tmp_path / "r.csv"))
    assert len(rows) == 2 and all(r["status"] == "failed" for r in rows)
    assert all("outcome o: tests.outcome_functions:broken raised RuntimeError" in r["error"]
               for r in rows)  # fmt: skip


def test_an_outcome_returning_a_huge_int_is_not_a_number():
    o = outcomes_.parse_outcomes({"big": {"python": f"{FN}:enormous"}})
    with pytest.raises(ValueError, match=r"outcome big: .*returned 1000.*\.\.\., not a number"):
        outcomes_.evaluate(o, object())


def test_a_series_grid_of_millions_of_samples_is_refused_up_front(tmp_path):
    spec = spec_from_dict({**BASE, "series": {"fields": ["pressure"], "every": "1m"}})
    assert spec.series is not None  # 30 days by the minute: 43,201 samples, within bounds
    fine = spec_from_dict({**BASE, "series": {"fields": ["pressure"], "every": "0.001m"}})
    with pytest.raises(SweepError, match=r"series.every: .*more than 100,000"):
        sw.Sweep(fine)  # made before any run or file


def test_a_series_grid_is_bounded_run_by_run_too():
    """A point may vary the horizon: the grid is checked again for each run."""
    series = outcomes_.Series(("pressure",), 1e-4, ("float",))

    class Run:
        horizon = 720.0

    with pytest.raises(SweepError, match="this run's horizon 720 h"):
        outcomes_.sample(series, Run())


# -- cdtx run --model ----------------------------------------------------------------------------


def test_run_model_given_twice_is_refused():
    refused(cdtx("run", "grid-wiper", "--model", "model.max_rounds=3", "--model", "max_rounds=5"),
            "--model model.max_rounds is given twice")  # fmt: skip


@pytest.mark.parametrize(
    ("arg", "needle"),
    [("X", "expected NAME=VALUE"), ("model.x=", "expected a number"), ("=1", "NAME=VALUE"),
     ("model.nope=1", "no model constant"), ("model.max_rounds=99", "outside its range")],
)  # fmt: skip
def test_run_model_malformed(arg, needle):
    refused(cdtx("run", "grid-wiper", "--model", arg), needle)


# -- recordings with tampered model constants ----------------------------------------------------


def _tampered(src: Path, dst: Path, model) -> Path:
    """``src`` with its started event's model replaced and the hash chain recomputed: what a
    hostile editor who knows the format writes (no signature)."""
    lines = src.read_text().splitlines()
    out, h = [lines[0]], "0" * 64
    for line in lines[1:]:
        d = json.loads(line)
        if d.get("end"):
            d["digest"] = h
            out.append(json.dumps(d))
            continue
        if d["kind"] == "started":
            d["data"]["model"] = model
        h = chain(h, canonical(Event(d["t"], d["seq"], d["kind"], d["source"], d["data"])))
        d["h"] = h
        out.append(json.dumps(d, separators=(",", ":")))
    dst.write_text("\n".join(out) + "\n")
    return dst


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "rec.jsonl"
    result = cdtx("run", "grid-wiper", "--model", "model.max_rounds=3", "--record", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.mark.parametrize(
    ("model", "needle"),
    [({"model.max_rounds": 99}, "model.max_rounds = 99 is outside its range"),
     ({"model.nope": 1}, "no model constant 'model.nope'"),
     ({"model.max_rounds": "3"}, "takes a number, not '3'"),
     (["model.max_rounds"], "model is not a mapping")],
)  # fmt: skip
def test_tampered_model_constants_are_refused_naming_the_line(recording, tmp_path, model, needle):
    bad = _tampered(recording, tmp_path / "bad.jsonl", model)
    for args in (("replay", str(bad), "--verify"), ("run", "--from", str(bad))):
        refused(cdtx(*args), f"{bad}: line 2 (the started event)", needle)
    with pytest.raises(CdtxError, match="line 2"):
        open_recording(bad).new_exercise()


# -- --discover on hostile results ---------------------------------------------------------------


def test_discover_refuses_a_model_column_a_hand_edit_broke(tmp_path):
    spec = {**BASE, "sample": {"random": 4}, "vary": {"model.listing_veto_at": {"uniform": [-0.9, -0.5]}},
            "outcomes": {"hr": {"event": "adopted", "measure": "hr_declaration"}}}  # fmt: skip
    sw.run_sweep(sw.Sweep(spec_from_dict(spec)), tmp_path / "r.csv", jobs=1)
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    for i, row in enumerate(rows):
        row["outcome.hr"] = "True" if i % 2 else "False"
    rows[2]["model.listing_veto_at"] = "abc"
    with (tmp_path / "r.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refused(cdtx("sweep", "--discover", "hr", str(tmp_path / "r.csv")),
            "row 4, column 'model.listing_veto_at': expected a number (a model constant), not 'abc'")  # fmt: skip
    rows[2]["model.listing_veto_at"] = "nan"
    with (tmp_path / "r.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(SweepError, match="not 'nan'"):
        list(sw.read_rows(tmp_path / "r.csv"))


def test_discover_inputs_empty_or_named_twice(tmp_path):
    spec = {
        **BASE,
        "sample": {"random": 4},
        "vary": {"model.listing_veto_at": {"uniform": [-0.9, -0.5]}},
    }
    sw.run_sweep(sw.Sweep(spec_from_dict(spec)), tmp_path / "r.csv", jobs=1)
    results = str(tmp_path / "r.csv")
    refused(
        cdtx("sweep", "--discover", "blocked", results, "--inputs", ","),
        "--inputs: give the parameters",
    )
    with pytest.raises(SweepError, match="inputs: model.listing_veto_at is named twice"):
        sw.discover(results, "blocked", ["model.listing_veto_at", "model.listing_veto_at"])


def test_a_huge_constant_name_or_value_gives_a_short_message(recording, tmp_path):
    for model in ({"model." + "b" * 100_000: 1}, {"model.max_rounds": "x" * 100_000}):
        bad = _tampered(recording, tmp_path / "long.jsonl", model)
        result = cdtx("replay", str(bad), "--verify")
        refused(result, "line 2 (the started event)")
        assert len(result.stderr) < 400


def test_the_cli_says_why_runs_failed(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(json.dumps({**BASE, "outcomes": {"o": {"python": f"{FN}:broken"}}}))
    result = cdtx("sweep", str(spec), "-o", str(tmp_path / "r.csv"), "-j", "1", "--quiet")
    assert result.returncode == 0 and "Traceback" not in result.stderr  # the sweep went on
    assert (
        "2 run(s) failed; the first (point 0, replication 0): ValueError: outcome o: "
        in result.stderr
    )
    assert "raised RuntimeError: this outcome always fails" in result.stderr


def test_a_parquet_model_column_with_nan_or_text_is_refused(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    base = {
        "point": [0, 1],
        "replication": [0, 0],
        "outcome.o": [True, False],
        "status": ["ok", "ok"],
    }
    for values, needle in (([float("nan"), 0.1], "not an empty cell"), (["x", "y"], "not 'x'")):
        path = tmp_path / "r.parquet"
        pd.DataFrame({**base, "model.listing_veto_at": values}).to_parquet(path)
        refused(cdtx("sweep", "--discover", "o", str(path)),
                "row 1, column 'model.listing_veto_at': expected a number (a model constant), " + needle)  # fmt: skip


@pytest.mark.parametrize(
    ("model", "needle"),
    [({1: 2}, "no model constant '1'"), ({"model.max_rounds": 3, 5: 1}, "no model constant '5'"),
     ("model.max_rounds", "a mapping of constant names to values"), ([("a", 1)], "a mapping")],
)  # fmt: skip
def test_exercise_model_of_the_wrong_shape(model, needle):
    with pytest.raises(CdtxError, match=needle):
        Exercise(scenarios.load("grid-wiper"), seed=1, model=model)


@pytest.mark.parametrize(
    ("outcome", "needle"),
    [({"event": "ipcr", "mode": "turbo"}, "outcomes.o.mode: no mode 'turbo'"),
     ({"event": "invoked", "article": "42_7"}, "did you mean '42(7)'"),
     ({"event": "cyclone_meeting", "level": "ministers"}, "no level 'ministers'"),
     ({"event": "reserve_deployed", "state": "US"}, "no state 'US'")],
)  # fmt: skip
def test_crisis_event_outcomes_with_values_no_run_emits_are_refused(outcome, needle):
    with pytest.raises(SweepError, match=re.escape(needle)):
        spec_from_dict({**BASE, "base": "baltic-blackout", "outcomes": {"o": outcome}})


def test_the_vocabularies_hold_every_value_the_runs_emit():
    """The refusal above must never refuse a value a run can give."""
    seen: dict[tuple[str, str], set] = {}
    for seed in range(4):
        ex = Exercise(scenarios.load("baltic-blackout"), seed=seed)
        ex.run(until=30)
        ex.submit(
            {"id": "I", "type": "invoke", "at": ex.now, "params": {"article": "222", "by": "LT"}}
        )
        ex.submit({"id": "C", "type": "cyclone", "at": ex.now, "params": {"level": "executives"}})
        ex.run()
        for e in ex.events:
            for key, value in e.data.items():
                if isinstance(value, str):
                    seen.setdefault((e.kind, key), set()).add(value)
    for (kind, field), known in outcomes_._KIND_VOCABULARIES.items():
        assert seen.get((kind, field), set()) <= set(known), (kind, field)
    assert seen[("adopted", "measure")] <= set(outcomes_._VOCABULARIES["measure"])
    assert ("ipcr", "mode") in seen and ("invoked", "article") in seen
