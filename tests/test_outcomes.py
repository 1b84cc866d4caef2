"""Outcomes of one's own and time series in sweeps (sim/sweep/outcomes.py): event, blocked_by and
Python outcomes as ``outcome.NAME`` columns (CSV and Parquet) and summary shares; series of
picture fields on a fixed grid in ``RESULTS.series.parquet``; pool and Dask alike."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from benchscripts import bench_script
from inprocess import cdtx

import scenarios
from sim import sweep as sw
from sim.exercise import Exercise
from sim.picture import Picture
from sim.sweep import SweepError, outcomes, spec_from_dict
from sim.sweep.outcomes import series_file

FN = "tests.outcome_functions"
OUTCOMES = {
    "listing_adopted": {"event": "adopted", "measure": "listing"},
    "listing_by_day_200": {"event": "adopted", "measure": "listing", "by": "200d"},
    "blocked_by_hu": {"blocked_by": "HU"},
    "hu_blocked_a_listing": {"blocked_by": "HU", "measure": "listing"},
    "days_to_listing": {"python": f"{FN}:days_to_listing"},
    "hu_opposed": {"python": f"{FN}:hungary_opposed", "yes_no": True},
}
SPEC = {"base": "calib-bundestag", "seeds": 6, "vary": {"member_states.HU.ties.RU": [0.0, 1.0]},
        "outcomes": OUTCOMES}  # fmt: skip
SERIES = {"fields": ["pressure", "meetings", "states.HU.position", "assessment.confidence",
                     "stages.Council.status"], "every": "10d"}  # fmt: skip


def _rows(path):
    return sorted(sw.read_rows(path), key=lambda r: (r["point"], r["replication"]))


def _expected(scenario, seed):
    """The outcomes of one run, computed here from its events and metrics."""
    ex = Exercise(scenario, seed=seed).run()
    adopted = [e for e in ex.events if e.kind == "adopted" and e.data["measure"] == "listing"]
    blocked = ex.metrics["blocked"]
    t = ex.metrics["t_listing"]
    return {
        "outcome.listing_adopted": bool(adopted),
        "outcome.listing_by_day_200": any(e.t <= 200 * 24 for e in adopted),
        "outcome.blocked_by_hu": any("HU" in b["by"] for b in blocked),
        "outcome.hu_blocked_a_listing": any(
            "HU" in b["by"] and b["measure"] == "listing" for b in blocked
        ),  # fmt: skip
        "outcome.days_to_listing": None if t is None else t / 24,
        "outcome.hu_opposed": any(
            e.kind == "position" and e.data["state"] == "HU" and e.data["position"] == "oppose"
            for e in ex.events
        ),  # fmt: skip
    }


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("outcomes") / "r.parquet"
    s = sw.Sweep(spec_from_dict({**SPEC, "series": SERIES}))
    sw.run_sweep(s, out, jobs=2)
    return s, out


# -- outcomes ------------------------------------------------------------------------------------


def test_outcomes_are_columns_that_match_each_run(swept, tmp_path):
    s, out = swept
    rows = _rows(out)
    assert len(rows) == 12 and all(r["status"] == "ok" for r in rows)
    names = [c for c, _ in s.columns]
    assert names[-8:-2] == [f"outcome.{n}" for n in OUTCOMES]  # before status, error
    for r in rows:
        scenario = sw.build_scenario(s.base_data, s.points[r["point"]])
        assert {k: r[k] for k in r if k.startswith("outcome.")} == _expected(scenario, r["seed"])
    # the outcomes tell the points apart: full ties block some listings, none block at 0
    assert not any(r["outcome.blocked_by_hu"] for r in rows if r["point"] == 0)
    assert any(r["outcome.blocked_by_hu"] for r in rows if r["point"] == 1)
    assert any(r["outcome.listing_adopted"] and not r["outcome.listing_by_day_200"] for r in rows)
    # CSV holds the same values, read back typed
    sw.run_sweep(s, tmp_path / "r.csv", jobs=1)
    assert _rows(tmp_path / "r.csv") == rows


def test_the_summary_gives_yes_no_outcomes_as_shares_with_intervals(swept):
    _, out = swept
    summary = sw.summarize(out)
    point1 = summary["points"][1]["outcomes"]
    blocked = point1["blocked_by_hu"]
    rows = [r for r in _rows(out) if r["point"] == 1]
    count = sum(r["outcome.blocked_by_hu"] for r in rows)
    assert blocked["count"] == count and blocked["n"] == 6
    assert blocked["low"] <= blocked["share"] <= blocked["high"]
    days = point1["days_to_listing"]  # a number: its distribution over the runs that had one
    values = sorted(r["outcome.days_to_listing"] for r in rows if r["outcome.days_to_listing"])
    assert days["reached"]["count"] == len(values) and days["median"] is not None
    assert "blocked_by_hu" not in summary["params"]  # an outcome is not a parameter
    from sim.report.sweep import report_file
    from sim.sweep.summary import show_rate

    report = report_file(out)  # the sweep report shows them too
    assert report.count("## Outcomes of the spec") == 1 and show_rate(blocked) in report
    html = report_file(out, fmt="html")
    assert "blocked_by_hu" in html and html.count("<h2>Outcomes of the spec") == 1


def test_the_cli_prints_the_outcomes_per_point(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("base: grid-wiper\nseeds: 4\nvary:\n  decision_rule: [unanimity, qmv]\n"
                    "outcomes:\n  declared: {event: adopted, measure: hr_declaration}\n"
                    "  fast: {event: adopted, by: 20d}\n")  # fmt: skip
    out = cdtx("sweep", str(spec), "-o", str(tmp_path / "r.csv"), "--quiet", "-j", "1",
               environ={"COLUMNS": "100"})  # in this process (tests/inprocess.py)  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    declared = [line.split() for line in lines if line.split()[:1] == ["declared"]]
    assert declared == [["declared", "100%", "(51-100)"]] * 2  # 4 of 4 runs, at both points
    assert sum(line.split()[:1] == ["fast"] for line in lines) == 2


@pytest.mark.parametrize(
    ("outcomes", "says"),
    [
        (
            {"x": {"event": "adoptd"}},
            r"outcomes.x.event: no event kind 'adoptd' \(did you mean 'adopted'",
        ),
        (
            {"x": {"event": "adopted", "measur": "listing"}},
            "outcomes.x.measur: a adopted event has no field",
        ),
        ({"x": {"event": "adopted", "by": "soon"}}, "outcomes.x.by: bad duration"),
        ({"x": {"blocked_by": "XX"}}, "outcomes.x.blocked_by: 'XX' is not a member state code"),
        ({"x": {"python": "no_such_module_here:f"}}, "outcomes.x.python: cannot import"),
        ({"x": {"python": f"{FN}:missing"}}, "has no function 'missing'"),
        ({"x": {"python": f"{FN}:NOT_A_FUNCTION"}}, "has no function"),
        ({"x": {"python": "nocolon"}}, "'module:function'"),
        ({"x": {"event": "adopted", "blocked_by": "HU"}}, "exactly one of"),
        ({"bad name": {"event": "adopted"}}, "is not a name"),
    ],
)
def test_bad_outcomes_are_refused_where_they_are_named(outcomes, says):
    with pytest.raises(SweepError, match=says):
        spec_from_dict({"base": "grid-wiper", "outcomes": outcomes})


def test_a_python_outcome_that_raises_fails_its_run_with_the_reason(tmp_path):
    s = sw.Sweep(spec_from_dict({"base": "grid-wiper", "seeds": 2,
                                 "outcomes": {"b": {"python": f"{FN}:broken"}}}))  # fmt: skip
    result = sw.run_sweep(s, tmp_path / "r.csv", jobs=1)
    assert result.failed == 2
    assert all("this outcome always fails" in r["error"] for r in _rows(tmp_path / "r.csv"))


# -- series --------------------------------------------------------------------------------------


def test_series_are_on_a_fixed_grid_keyed_by_run(swept):
    import pyarrow.parquet as pq

    s, out = swept
    table = pq.read_table(series_file(out))
    assert table.column_names == ["point", "replication", "seed", "t", *SERIES["fields"]]
    rows = table.to_pylist()
    runs = {(r["point"], r["replication"], r["seed"]) for r in rows}
    assert runs == {(r["point"], r["replication"], r["seed"]) for r in _rows(out)}
    grid = [k * 240.0 for k in range(int(s.scenario.horizon // 240) + 1)]
    for key in runs:
        assert [r["t"] for r in rows if (r["point"], r["replication"], r["seed"]) == key] == grid
    # each value is the picture as it stood at t: re-fold one run and compare
    p, rep, seed = sorted(runs)[3]
    ex = Exercise(sw.build_scenario(s.base_data, s.points[p]), seed=seed).run()
    from sim.picture import Picture

    for r in (r for r in rows if (r["point"], r["replication"]) == (p, rep)):
        picture = Picture(ex.scenario, ex.players)
        for e in ex.events:
            if e.t > r["t"]:
                break
            picture.apply(e)
        assert r["pressure"] == picture.pressure and r["meetings"] == picture.meetings
        assert r["states.HU.position"] == picture.states["HU"].position
        assert r["stages.Council.status"] == picture.stages["Council"].status
        conf = (picture.assessment or {}).get("confidence")
        assert r["assessment.confidence"] == conf
    assert any(r["assessment.confidence"] is None for r in rows)  # before INTCEN's assessment
    assert any(r["assessment.confidence"] for r in rows)
    pytest.importorskip("pandas")
    df = sw.series_frame(out)
    assert list(df.columns[:4]) == ["point", "replication", "seed", "t"] and len(df) == len(rows)


def resolved(picture, path: str):
    """The value of ``path`` in ``picture`` written out plainly (the reference the samples are
    held to): attributes and mapping keys, a list or mapping by its length, None past a value
    that is not there yet."""
    node = picture
    for part in path.split("."):
        if node is None:
            return None
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    return len(node) if isinstance(node, (list, tuple, dict)) else node


@pytest.mark.parametrize("scenario", ["grid-wiper", "baltic-blackout", "calib-bundestag"])
def test_each_sample_is_the_picture_folded_up_to_its_time(scenario):
    # sample() reads the picture once per grid time that saw an event, through a reader built
    # per field count; each value must be what folding the run up to t and resolving the path
    # gives (lists by their length, a field past a value not there yet as None)
    ex = Exercise(scenarios.load(scenario), seed=5).run()
    fields = ["t", "meetings", "states.HU.position", "adopted", "assessment.confidence",
              "stages.PSC.status", "proposals.P-1.status", "ended", "current"]  # fmt: skip
    for n in range(1, 6):
        asked = fields[n - 1 : 2 * n - 1] if n > 1 else ["pressure"]
        series = outcomes.typed(outcomes.parse_series({"fields": asked, "every": "17h"}),
                                ex.picture)  # fmt: skip
        times, *columns = outcomes.sample(series, ex)
        # every grid time up to the horizon, the last within 17 h of it
        assert times == [k * 17.0 for k in range(len(times))]
        assert times[-1] <= ex.horizon < times[-1] + 17.0
        for k, t in enumerate(times):
            picture = Picture(ex.scenario, ex.players)
            picture.catch_up([e for e in ex.events if e.t <= t])
            for name, kind, column in zip(asked, series.types, columns, strict=True):
                want = resolved(picture, name)
                if want is not None:
                    want = {"float": float, "bool": bool, "str": str}[kind](want)
                assert column[k] == want, (name, t)


@pytest.mark.parametrize(
    ("series", "says"),
    [
        (
            {"fields": ["presure"]},
            r"'presure' is not a field of the situation picture \(did you mean 'pressure'",
        ),
        ({"fields": ["states.XX.position"]}, "no 'XX' in states"),
        ({"fields": ["states.HU.mood"]}, "states.HU has no field 'mood'"),
        ({"fields": ["states.HU"]}, r"'states.HU' is a group of fields: name one"),
        ({"fields": ["pressure"], "every": "0"}, "series.every"),
        ({"fields": []}, "series.fields"),
    ],
)
def test_bad_series_are_refused(series, says):
    with pytest.raises(SweepError, match=says):
        sw.Sweep(spec_from_dict({"base": "grid-wiper", "series": series}))


def test_series_and_outcomes_on_dask_worker_processes_match_the_pool(tmp_path, dask_cluster):
    import pyarrow.parquet as pq

    spec = {**SPEC, "seeds": 3, "series": SERIES}
    s = sw.Sweep(spec_from_dict(spec))
    sw.run_sweep(s, tmp_path / "pool.parquet", jobs=2)
    result = sw.run_sweep(s, tmp_path / "dask.parquet", dask=dask_cluster, jobs=2, chunk_size=2)
    assert result.done == 6 and result.failed == 0
    assert _rows(tmp_path / "dask.parquet") == _rows(tmp_path / "pool.parquet")

    def series(path):
        rows = pq.read_table(series_file(path)).to_pylist()
        return sorted(rows, key=lambda r: (r["point"], r["replication"], r["t"]))

    assert series(tmp_path / "dask.parquet") == series(tmp_path / "pool.parquet")


def test_outcomes_and_series_do_not_depend_on_the_hash_seed(tmp_path):
    spec = {**SPEC, "seeds": 2, "series": SERIES}
    code = ("import sys; from sim import sweep as sw\n"
            f"sw.run_sweep(sw.Sweep(sw.spec_from_dict({spec!r})), sys.argv[1], jobs=1)\n")  # fmt: skip
    # one run here, one in a process under a hash seed other than this process's
    sw.run_sweep(sw.Sweep(spec_from_dict(spec)), tmp_path / "here.parquet", jobs=1)
    other = "7" if os.environ.get("PYTHONHASHSEED") == "0" else "0"
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "other.parquet")],
                   env={**os.environ, "PYTHONHASHSEED": other}, check=True)  # fmt: skip
    assert _rows(tmp_path / "here.parquet") == _rows(tmp_path / "other.parquet")
    import pyarrow.parquet as pq

    assert (pq.read_table(series_file(tmp_path / "here.parquet")).to_pylist()
            == pq.read_table(series_file(tmp_path / "other.parquet")).to_pylist())  # fmt: skip


def test_resume_completes_the_series_too(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "r.parquet"
    sw.run_sweep(sw.Sweep(spec_from_dict({**SPEC, "seeds": 2, "series": SERIES})), out, jobs=1)
    sw.run_sweep(sw.Sweep(spec_from_dict({**SPEC, "seeds": 3, "series": SERIES})), out, jobs=1,
                 resume=True)  # fmt: skip
    rows = pq.read_table(series_file(out)).to_pylist()
    assert {(r["point"], r["replication"]) for r in rows} == {(p, r) for p in (0, 1)
                                                              for r in range(3)}  # fmt: skip
    assert len(rows) == len({(r["point"], r["replication"], r["t"]) for r in rows})


def test_the_figures_docs_sweeps_md_quotes_are_what_the_example_script_prints():
    root = Path(__file__).parent.parent
    # the script's main() in this process, its output caught
    script = bench_script("sweep_examples")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        script.main()
    text = (root / "docs" / "sweeps.md").read_text()
    blocks = [b.strip("\n") for b in out.getvalue().split("\n\n")]
    assert len(blocks) == 2
    for block in blocks:
        assert f"```\n{block}\n```" in text, (
            "run bench/sweep_examples.py, paste into docs/sweeps.md"
        )
