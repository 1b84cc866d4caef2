"""Sweep analysis: one summary, common random numbers, intervals, sensitivity indices, plots and
tables people can read."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from benchscripts import bench_script

from sim import sweep as sw
from sim.sweep.summary import bootstrap_median, wilson

BASE = {"base": "grid-wiper", "seed": 7}


def make(**fields) -> sw.Sweep:
    return sw.Sweep(sw.spec_from_dict({**BASE, **fields}))


def in_threads():
    return ThreadPoolExecutor(1)


# -- intervals ----------------------------------------------------------------------------------


def test_wilson_interval_matches_known_values():
    low, high = wilson(10, 20)
    assert (round(low, 3), round(high, 3)) == (0.299, 0.701)
    low, high = wilson(0, 20)  # never seen in 20 runs is not "impossible"
    assert low == 0 and round(high, 3) == 0.161
    assert wilson(0, 0) == (0.0, 1.0)
    for n in range(1, 200):  # exact at the ends, never on the wrong side of the share
        assert wilson(0, n)[0] == 0 and wilson(n, n)[1] == 1
        assert all(wilson(k, n)[0] <= k / n <= wilson(k, n)[1] for k in range(n + 1))


def test_bootstrap_median_interval_does_not_depend_on_row_order():
    # rows arrive in completion order with -j > 1 or Dask: the same sweep, the same interval
    values = [(i * 37 % 101) / 7 for i in range(60)]
    shuffled = values[::2] + values[1::2]
    assert bootstrap_median(values, 11) == bootstrap_median(shuffled, 11)
    assert bootstrap_median(values, 11) == bootstrap_median(values[::-1], 11)


def test_a_missing_optional_library_names_its_extra():
    from sim.sweep.spec import need

    assert need("math", "analysis", "Maths") is math
    with pytest.raises(sw.SweepError, match=r"Sensitivity needs an extra: .*cdtx\[analysis\]"):
        need("cdtx_no_such_module", "analysis", "Sensitivity")


def test_bootstrap_median_interval_is_seeded_and_brackets_the_median():
    values = [float(v) for v in range(1, 21)]
    a, b = bootstrap_median(values, seed=5), bootstrap_median(values, seed=5)
    assert a == b
    assert a[0] < 10.5 < a[1] and a[0] >= 1 and a[1] <= 20


# -- one summary: rungs cumulative, blockers per run --------------------------------------------


def _rows():
    rows = []
    for rep, (rung, blocked) in enumerate(
        [(3, "listing:HU;hr_declaration:HU,SK"), (1, ""), (4, ""), (0, "listing:SK")]
    ):
        rows.append({"point": 0, "replication": rep, "x": 1, "highest_rung": rung,
                     "blocked": blocked, "n_blocked": blocked.count(":"), "status": "ok"})  # fmt: skip
    return rows


def test_rungs_are_cumulative_and_blockers_counted_once_per_run():
    (point,) = sw.summarize(_rows())["points"]
    assert [point["rungs"][r]["count"] for r in (1, 2, 3, 4, 5)] == [3, 2, 2, 1, 0]
    assert point["blocked"]["count"] == 2  # runs with a blocked decision, not decisions
    assert {k: v["count"] for k, v in point["blockers"].items()} == {"HU": 1, "SK": 2}


def test_cli_report_and_plot_show_the_same_summary(tmp_path, capsys):
    from sim import report
    from tui.cli import main

    s = make(vary={"member_states.HU.ties.RU": [0.0, 1.0]}, seeds=5)
    out = tmp_path / "r.csv"
    sw.run_sweep(s, out, jobs=1)
    summary = sw.summarize(out)
    assert main(["sweep", "--summary", str(out)]) == 0
    cli = capsys.readouterr().out
    md = report.sweep_report(report.sweep.read_results(out))
    for p in summary["points"]:
        for text in (sw.summary.show_rate(p["rungs"][3]), sw.summary.show_rate(p["blocked"]),
                     sw.summary.show_median(p["metrics"]["t_first_psc"])):  # fmt: skip
            assert text in cli and text in md


# -- common random numbers ----------------------------------------------------------------------


def test_common_random_numbers_make_an_untouched_metric_identical_run_by_run(tmp_path):
    vary = {"decision_rule": ["unanimity", "qmv"], "member_states.HU.ties.RU": [0.2, 0.9]}
    out = tmp_path / "crn.csv"
    sw.run_sweep(make(vary=vary, seeds=4), out, jobs=1)
    detection: dict[int, set] = {}
    for row in sw.read_rows(out):  # the decision rule and ties cannot touch detection
        detection.setdefault(row["replication"], set()).add(row["t_first_detection"])
    assert all(len(v) == 1 for v in detection.values()) and len(detection) == 4
    assert len({next(iter(v)) for v in detection.values()}) > 1  # replications still differ
    off = tmp_path / "off.csv"
    sw.run_sweep(make(vary=vary, seeds={"n": 4, "common": False}), off, jobs=1)
    by_rep: dict[int, set] = {}
    for row in sw.read_rows(off):
        by_rep.setdefault(row["replication"], set()).add(row["t_first_detection"])
    assert any(len(v) > 1 for v in by_rep.values())  # common: false is the old seeding


# -- sensitivity indices ------------------------------------------------------------------------

ISHIGAMI_PATHS = (
    "member_states.HU.ties.RU",
    "member_states.LT.ties.RU",
    "member_states.HU.ties.CN",
)


def ishigami(scenario, seed):
    """The Ishigami function (a=7, b=0.1) of three ties mapped from [0, 1] to [-pi, pi]."""
    ms = scenario.member_states
    u = (ms["HU"].ties["RU"], ms["LT"].ties["RU"], ms["HU"].ties["CN"])
    x1, x2, x3 = (-math.pi + 2 * math.pi * v for v in u)
    y = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    return f"{seed:x}", {"cohesion": y}


def test_sobol_indices_of_the_ishigami_function(tmp_path):
    """Through the same path as any sweep (spec, design, run_sweep, results file, summary):
    the analytic indices are S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244)."""
    vary = {p: {"uniform": [0, 1]} for p in ISHIGAMI_PATHS}
    s = make(vary=vary, sample={"sobol": 256}, metrics=["cohesion"])
    assert len(s.points) == 256 * 5
    out = tmp_path / "ishigami.csv"
    sw.run_sweep(s, out, executor_factory=in_threads, run_fn=ishigami, chunk_size=256)
    sens = sw.summarize(out)["sensitivity"]
    assert sens["method"] == "sobol"
    got = sens["metrics"]["cohesion"]
    expected = {ISHIGAMI_PATHS[0]: (0.314, 0.558), ISHIGAMI_PATHS[1]: (0.442, 0.442),
                ISHIGAMI_PATHS[2]: (0.0, 0.244)}  # fmt: skip
    for path, (s1, st) in expected.items():
        assert got[path]["S1"] == pytest.approx(s1, abs=0.1)
        assert got[path]["ST"] == pytest.approx(st, abs=0.1)
        assert 0 < got[path]["ST_conf"] < 0.3


def linear_in_the_first(scenario, seed):
    return "x", {"cohesion": 10 * scenario.member_states["HU"].ties["RU"]}


def test_morris_screening_finds_the_parameter_that_matters(tmp_path):
    vary = {"member_states.HU.ties.RU": {"uniform": [0, 1]},
            "member_states.LT.ties.RU": {"uniform": [0, 1]}}  # fmt: skip
    s = make(vary=vary, sample={"morris": 10}, metrics=["cohesion"])
    out = tmp_path / "m.csv"
    sw.run_sweep(s, out, executor_factory=in_threads, run_fn=linear_in_the_first)
    got = sw.summarize(out)["sensitivity"]["metrics"]["cohesion"]
    assert got["member_states.HU.ties.RU"]["mu_star"] == pytest.approx(10, rel=0.01)
    assert got["member_states.LT.ties.RU"]["mu_star"] == 0


def test_a_small_sobol_sweep_of_a_builtin_prints_indices_with_intervals(tmp_path, capsys):
    from tui.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text(
        "title: Which parameter drives cohesion?\nbase: grid-wiper\nseed: 3\n"
        "vary:\n  member_states.HU.ties.RU: {uniform: [0, 1]}\n"
        "  decision_rule: [unanimity, qmv]\nsample: {sobol: 8}\nseeds: 1\n"
    )
    out = tmp_path / "r.csv"
    assert main(["sweep", str(spec), "-j", "1", "-o", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Sensitivity of cohesion" in text
    assert "Sobol' indices, N = 8 base samples, 32 points" in text
    assert re.search(r"member_states\.HU\.ties\.RU\s+-?\d\.\d\d \[-?\d\.\d\d, \d\.\d\d\]", text)
    # the design's points after the indices, one condensed row each (32: all of them)
    assert text.index("Sensitivity of cohesion") < text.index("Points")
    assert re.search(r"^\s+31\s+member_states\.HU\.ties\.RU = \d\.\d{3}\s+1\s", text, re.M)
    assert "not shown" not in text
    from sim import report

    md = report.sweep_report(report.sweep.read_results(out))
    assert md.index("## Sensitivity (Sobol' indices") < md.index("## Points")  # the answer first
    assert "| member_states.HU.ties.RU |" in md


def test_a_summary_of_a_large_design_shows_its_first_points_and_where_the_rest_are(
    tmp_path, monkeypatch, capsys
):
    from tui.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    vary = {p: {"uniform": [0, 1]} for p in ISHIGAMI_PATHS[:2]}
    s = make(vary=vary, sample={"sobol": 16}, metrics=["cohesion", "highest_rung", "blocked"])
    out = tmp_path / "design.csv"
    sw.run_sweep(s, out, executor_factory=in_threads, run_fn=ishigami_with_outcomes)
    assert main(["sweep", "--summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines() if line != str(out)) <= 80
    assert "Points (40 of 64)" in text
    rows = re.findall(r"^\s+(\d+)\s+member_states\.HU\.ties\.RU = (\d\.\d{3})", text, re.M)
    assert [int(p) for p, _ in rows] == list(range(40))
    assert [float(v) for _, v in rows] == [round(p["member_states.HU.ties.RU"], 3)
                                           for p in s.points[:40]]  # fmt: skip
    assert "rung" in text and "blocked" in text and "cohesion" in text
    assert f"24 points not shown (of 64); every run is a row of\n{out}\n" in text
    assert "cdtx report on that file" in text


def ishigami_with_outcomes(scenario, seed):
    ties = scenario.member_states["HU"].ties["RU"]
    return f"{seed:x}", {"cohesion": ties, "highest_rung": 3, "blocked": []}


# -- tables and plots people can read -----------------------------------------------------------


def test_summary_tables_fit_80_columns(tmp_path, monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    s = make(vary={"decision_rule": ["unanimity", "qmv"], "member_states.HU.ties.RU": [0.5]},
             seeds=3)  # fmt: skip
    out = tmp_path / "r.csv"
    sw.run_sweep(s, out, jobs=1)
    assert main(["sweep", "--summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 80
    for whole in ("unanimity", "member_states.HU.ties.RU = 0.5", "rung >= 2", "blocked"):
        assert whole in text


def test_a_summary_of_many_points_caps_its_table_and_says_so(tmp_path, capsys):
    from tui.cli import main

    path = tmp_path / "big.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["point", "replication", "x", "t_first_detection", "status"])
        w.writerows([p, 0, p, 12.0, "ok"] for p in range(20_000))  # as for 100k: the cap
    assert main(["sweep", "--summary", str(path)]) == 0
    text = capsys.readouterr().out
    assert "19,960 points not shown (of 20,000)" in text
    assert text.count("t_first_detection") <= 41


def test_html_report_tables_keep_their_headings(tmp_path):
    from sim import report

    s = make(vary={"decision_rule": ["unanimity", "qmv"]}, seeds=2)
    out = tmp_path / "r.csv"
    sw.run_sweep(s, out, jobs=1)
    html = report.sweep_report(report.sweep.read_results(out), fmt="html")
    # every table follows a heading, with nothing but charts and notes in between
    for match in re.finditer(r"<table>", html):
        before = html[: match.start()]
        last_heading = max(before.rfind("<h2>"), before.rfind("<h3>"))
        assert last_heading >= 0 and "<table>" not in before[last_heading:]
    assert "<h3>t_listing (days)</h3>\n<p>No run reached it.</p>" in html


def test_plot_has_a_title_full_labels_every_point_and_a_note(tmp_path):
    pytest.importorskip("matplotlib")
    s = make(vary={"member_states.HU.ties.RU": [i / 20 for i in range(21)]}, seeds=1,
             title="Ties and listings", metrics=["t_first_psc", "t_listing"])  # fmt: skip
    out = tmp_path / "r.csv"
    sw.run_sweep(s, out, jobs=2)
    files = sw.plot(out, tmp_path / "p.svg")
    assert [f.name for f in files] == ["p.svg", "p-2.svg"]  # 21 points on pages of 20
    first, second = (f.read_text() for f in files)
    assert "Ties and listings" in first
    assert "member_states.HU.ties.RU = 0.0" in first and "member_states.HU.ties.RU = 1.0" in second
    assert "no run reached it" in first
    (tmp_path / "p.svg").unlink()  # page 1 is new, page 2 would replace a file
    with pytest.raises(sw.SweepError, match=r"p-2\.svg: already exists; give --force"):
        sw.plot(out, tmp_path / "p.svg", force=False)
    assert not (tmp_path / "p.svg").exists()  # checked before anything is written


def test_plot_of_a_sobol_sweep_draws_the_indices(tmp_path):
    pytest.importorskip("matplotlib")
    vary = {p: {"uniform": [0, 1]} for p in ISHIGAMI_PATHS}
    s = make(vary=vary, sample={"sobol": 32}, metrics=["cohesion"], title="Ishigami")
    out = tmp_path / "r.csv"
    sw.run_sweep(s, out, executor_factory=in_threads, run_fn=ishigami)
    (svg,) = sw.plot(out, tmp_path / "p.svg")
    text = svg.read_text()
    assert "Ishigami" in text and "total order ST (95% CI)" in text
    assert all(p in text for p in ISHIGAMI_PATHS)


def test_heavy_libraries_missing_give_an_install_hint(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "SALib.sample.sobol", None)  # as if not installed
    with pytest.raises(sw.SweepError, match=r"pip install 'cdtx\[analysis\]'"):
        make(vary={"member_states.HU.ties.RU": {"uniform": [0, 1]}}, sample={"sobol": 4})


def test_results_spec_file_sits_beside_the_results(tmp_path):
    out = tmp_path / "r.parquet"
    sw.run_sweep(make(seeds=1, title="T"), out, jobs=1)
    assert Path(f"{out}.spec.json").exists()
    assert sw.summarize(out)["title"] == "T"


# -- from Python --------------------------------------------------------------------------------


def test_points_leave_the_base_scenario_as_it_was():
    import copy

    s = make(vary={"member_states.HU.ties.RU": [0.3], "incidents.INC-1.severity.impact": [4]})
    before = copy.deepcopy(s.base_data)
    scenario = sw.build_scenario(s.base_data, s.points[0])
    assert scenario.member_states["HU"].ties["RU"] == 0.3
    assert s.base_data == before


def test_run_returns_a_dataframe_one_row_per_run(tmp_path):
    pd = pytest.importorskip("pandas")
    spec = {**BASE, "vary": {"decision_rule": ["unanimity", "qmv"]}, "seeds": 3}
    runs = sw.run(spec, workers=1, output=tmp_path / "r.parquet")
    assert isinstance(runs, pd.DataFrame) and len(runs) == 6
    assert list(runs.columns) == [c for c, _ in make(**spec).columns]
    assert runs[["point", "replication"]].values.tolist() == [[p, r] for p in (0, 1)
                                                              for r in range(3)]  # fmt: skip
    assert sw.run(spec, workers=1)["digest"].tolist() == runs["digest"].tolist()


def test_events_frame_has_one_row_per_event():
    pytest.importorskip("pandas")
    from sim import Exercise

    ex = make().scenario
    run = Exercise(ex, seed=1)
    run.run()
    events = run.events_frame()
    assert len(events) == len(run.events)
    assert list(events.columns) == ["seq", "t", "day", "kind", "stage", "source", "data"]
    assert events["stage"].notna().all() and (events["day"] == events["t"] / 24).all()


def test_docs_analysis_runs(tmp_path, monkeypatch):
    """docs/analysis.md: every Python block, in order, in a scratch directory; what a block
    prints is the ```text block under it, figure for figure (the text quotes those figures, and
    the blocks' asserts are its claims)."""
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    text = (Path(__file__).parent.parent / "docs" / "analysis.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```)?", text, flags=re.S)
    assert len(blocks) >= 5 and sum(1 for _, shown in blocks if shown) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for code, shown in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "docs/analysis.md", "exec"), namespace)  # noqa: S102
        if shown:
            assert out.getvalue() == shown, f"docs/analysis.md shows\n{shown}\nthe code prints\n{out.getvalue()}"
    assert (tmp_path / "listing.png").exists() and (tmp_path / "listing.csv.spec.json").exists()
    # docs/sweeps.md shows --discover on these results
    sweeps = (Path(__file__).parent.parent / "docs" / "sweeps.md").read_text()
    (shown,) = re.findall(r"```\n\$ (cdtx sweep --discover .*?)\n(.*?)```", sweeps, flags=re.S)
    from tui.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(shown[0].split()[1:]) == 0
    assert out.getvalue() == shown[1]


def test_every_sweep_figure_the_docs_quote_is_the_scripts():
    """docs/sweeps.md, calibration.md and analysis.md quote the shipped sweeps' figures as
    bench/docs_figures.py prints them (stored in docs/figures.txt); the cheap sweeps are
    recomputed, so a model change that moves them fails here until the script is rerun."""
    script = bench_script("docs_figures")
    stored = script.read_stored()
    assert set(stored) >= {name for _, t in script.QUOTES for name in re.findall(r"{(\w+)}", t)}
    assert script.misquoted(stored) == []
    fresh = script.figures(script.FAST)
    assert fresh == {k: stored[k] for k in fresh}, "rerun python bench/docs_figures.py --write"


# -- Dask beyond one process ---------------------------------------------------------------------


# dask_cluster: tests/conftest.py


def test_a_sweep_on_a_scheduler_and_two_worker_processes_matches_the_pool(tmp_path, dask_cluster):
    s = make(vary={"member_states.HU.ties.RU": [0.2, 0.9], "decision_rule": ["unanimity", "qmv"]},
             seeds=3)  # fmt: skip
    sw.run_sweep(s, tmp_path / "pool.csv", jobs=2)
    result = sw.run_sweep(s, tmp_path / "dask.csv", dask=dask_cluster, jobs=2, chunk_size=2)
    assert result.done == 12 and result.failed == 0
    pool = sorted(sw.read_rows(tmp_path / "pool.csv"), key=lambda r: (r["point"], r["replication"]))
    dask = sorted(sw.read_rows(tmp_path / "dask.csv"), key=lambda r: (r["point"], r["replication"]))
    assert dask == pool  # row by row, every column
    # -j is this machine's cores; on a scheduler the chunks and the tasks in flight are sized
    # for the cluster's worker threads when it has more
    from distributed import Client

    from sim.sweep.execute import parallelism

    with Client(dask_cluster, timeout=30) as client:
        assert parallelism(1, client.get_executor) == 2
        assert parallelism(8, client.get_executor) == 8
        one = sw.run_sweep(s, tmp_path / "j1.csv", jobs=1, executor_factory=client.get_executor)
    assert one.done == 12
    assert (
        sorted(sw.read_rows(tmp_path / "j1.csv"), key=lambda r: (r["point"], r["replication"]))
        == pool
    )


def test_a_port_that_is_not_a_scheduler_does_not_hang(tmp_path):
    """It accepts the connection and never answers: the timeout holds for the handshake too."""
    import socket

    pytest.importorskip("distributed")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(sw.SweepError, match="no answer: is it a Dask scheduler"):
            sw.run_sweep(make(), tmp_path / "r.csv", dask=address, dask_timeout=1)
    assert not (tmp_path / "r.csv").exists()


# -- spec files people hand in (issue 17.12) -------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB + "base: grid-wiper\n", "more than 200000 values"),
        ("base: grid-wiper\nseeds: 2\nseeds: 3\n", "duplicate key 'seeds'"),
        ("base: grid-wiper\nvary: " + "[" * 80 + "]" * 80 + "\n", "nested more than 64"),
        ("base: grid-wiper\nseed: " + "9" * 5000 + "\n", "integer of 5000 characters"),
        ("base: grid-wiper\n#" + "x" * (3 * 1024 * 1024) + "\n", "too large for a sweep spec"),
    ],
)
def test_spec_files_are_read_within_bounds(tmp_path, text, message):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(sw.SweepError, match=message):
        sw.load_spec(path)


def test_a_fifo_as_spec_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    with pytest.raises(sw.SweepError, match="not a regular file"):  # and did not block
        sw.load_spec(fifo)


# -- killed outright (issue 17.5) ------------------------------------------------------------------

KILLED_SWEEP = """
import os, sys, time
from sim import sweep as sw
from sim.sweep import results

results._ParquetWriter.EVERY = 0.0  # a row group per chunk: the test kills early

done_here = 0

def slow(scenario, seed):
    # Each worker runs two chunks, then blocks until it is killed: the sweep cannot finish
    # before the test kills it, however fast the machine (no sleep sets the pace).
    global done_here
    with open(os.environ["CDTX_PIDS"], "a") as f:
        f.write(f"{os.getpid()}\\n")
    done_here += 1
    while done_here > 4:
        time.sleep(1)
    return f"{seed:x}", {}

s = sw.Sweep(sw.spec_from_dict({"base": "grid-wiper", "seed": 7,
                                "vary": {"decision_rule": ["unanimity", "qmv"]}, "seeds": 200}))
sw.run_sweep(s, sys.argv[1], jobs=2, chunk_size=2, run_fn=slow)
"""


def _quick(scenario, seed):
    return f"{seed:x}", {}


def _wait_for(condition, seconds: float = 30.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_parquet_sweep_killed_outright_resumes_and_its_workers_exit(tmp_path, monkeypatch):
    import os
    import signal
    import subprocess
    import sys

    pytest.importorskip("pyarrow")
    out = tmp_path / "r.parquet"
    pids = tmp_path / "pids"
    monkeypatch.setenv("CDTX_PIDS", str(pids))
    script = tmp_path / "killed.py"
    script.write_text(KILLED_SWEEP)
    parent = subprocess.Popen([sys.executable, str(script), str(out)])
    try:
        assert _wait_for(lambda: len(sw.results.partial_parts(out)) >= 3), "no row group written"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert not out.exists()
    workers = {int(p) for p in pids.read_text().split()}
    assert len(workers) == 2

    def gone() -> bool:
        alive = set()
        for pid in workers:
            try:
                os.kill(pid, 0)
                with open(f"/proc/{pid}/stat") as f:  # a zombie has exited
                    if f.read().split()[2] != "Z":
                        alive.add(pid)
            except (ProcessLookupError, FileNotFoundError):
                pass
        return not alive

    assert _wait_for(gone, 10), "pool workers outlived their killed parent"
    s = make(vary={"decision_rule": ["unanimity", "qmv"]}, seeds=200)
    kept = len(set(sw.execute._existing(out, [c for c, _ in s.columns], s)))
    assert kept >= 6  # the parts' runs are found...
    result = sw.run_sweep(s, out, jobs=1, resume=True, run_fn=_quick,
                          executor_factory=in_threads)  # fmt: skip
    assert result.skipped == kept and result.done == 400 - kept  # ...and not run again
    keys = sorted((r["point"], r["replication"]) for r in sw.read_rows(out))
    assert keys == sorted(s.run_keys())  # every run once
    assert not sw.results.partial_dir(out).exists()


# -- reports of large sweeps, plots on a full disk, text people wrote ----------------------------


def test_a_report_of_many_points_shows_a_bounded_number_and_says_where_the_rest_are(
    tmp_path, monkeypatch
):
    from sim.report import sweep as sweep_report
    from tui.cli import main

    monkeypatch.setattr(sweep_report, "REPORT_POINTS", 5)  # a file just over the cap
    ties = [round(i / 16, 4) for i in range(12)]
    s = make(vary={"member_states.HU.ties.RU": ties}, metrics=["cohesion", "highest_rung", "blocked"])
    out = tmp_path / "r.csv"
    sw.run_sweep(s, out, executor_factory=in_threads, run_fn=ishigami_with_outcomes)
    for fmt in ("md", "html"):
        assert main(["report", str(out), "-o", str(tmp_path / f"report.{fmt}")]) == 0
    md = (tmp_path / "report.md").read_text()
    assert re.findall(r"^\| (\d+) \| member_states", md, re.M) == ["0", "1", "2", "3", "4"]
    left_out = "The first 5 of 12 points are shown; 7 more are left out"
    assert left_out in md and 'sim.sweep.summarize("r.csv")' in md
    html = (tmp_path / "report.html").read_text()
    assert left_out in html and "point 4" in html and "point 5" not in html
    assert "12 points" in md or "12 point(s)" in md  # the runs and points are all counted


@pytest.mark.parametrize("failing_page", [1, 2])
def test_a_full_disk_leaves_no_partial_plot(tmp_path, monkeypatch, capsys, failing_page):
    import errno
    import os

    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from tui.cli import main

    ties = [round(i / 32, 4) for i in range(25)]  # two pages of points
    out = tmp_path / "r.csv"
    sw.run_sweep(make(vary={"member_states.HU.ties.RU": ties}, metrics=["cohesion"]), out,
                 executor_factory=in_threads, run_fn=ishigami_with_outcomes)  # fmt: skip
    before = sorted(p.name for p in tmp_path.iterdir())
    pages = []
    real = Figure.savefig

    def disk_full_on_one_page(self, fname, *args, **kwargs):
        pages.append(fname)
        if len(pages) < failing_page:
            return real(self, fname, *args, **kwargs)
        if hasattr(fname, "write"):  # what fits before the disk is full
            fname.write(b"\x89PNG\r\n partial")
        else:
            Path(fname).write_bytes(b"\x89PNG\r\n partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Figure, "savefig", disk_full_on_one_page)
    assert main(["sweep", "--summary", str(out), "--plot", str(tmp_path / "p.png")]) == 1
    assert len(pages) == failing_page
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no page, no temporary file
    err = capsys.readouterr().err
    assert err.count("cdtx:") == 1 and "no space left on the device" in err
    assert "Traceback" not in err and "Exception ignored" not in err


def test_the_summary_prints_text_from_the_spec_and_results_harmlessly(tmp_path, capsys):
    from tui.cli import main

    spec = tmp_path / "s.yaml"  # YAML's escapes: ESC, BEL; and rich's markup
    spec.write_text('base: grid-wiper\ntitle: "\\e]0;pwned\\a[/bold] Ties"\nseed: 7\n'
                    'vary:\n  title: ["\\e[2Jcleared", "[red]plain"]\nmetrics: [highest_rung]\n')  # fmt: skip
    out = tmp_path / "r.csv"
    assert main(["sweep", str(spec), "-j", "1", "-o", str(out), "--quiet"]) == 0
    assert main(["sweep", "--summary", str(out)]) == 0
    captured = capsys.readouterr()
    text = captured.out
    assert "\x1b" not in text and "\x07" not in text and "Traceback" not in captured.err
    assert text.count("\\x1b]0;pwned\\x07[/bold] Ties:") == 2  # shown, not obeyed, both times
    assert text.count("title = \\x1b[2Jcleared") == 2 and text.count("title = [red]plain") == 2


def test_a_capped_summary_shows_the_lowest_points_exactly_whatever_the_row_order():
    """Rows come in completion order (-j > 1, Dask): a summary capped at k points shows the k
    lowest, each exactly as the whole summary has it, though it keeps the values of no other."""
    ties = [round(i / 16, 4) for i in range(9)]
    s = make(vary={"member_states.HU.ties.RU": ties}, seeds=3,
             metrics=["cohesion", "highest_rung", "blocked"])  # fmt: skip
    rows = [{"point": p, "replication": r, "member_states.HU.ties.RU": ties[p],
             "seed": s.run_seed(p, r), "digest": "-", "cohesion": (p * 7 + r * 3) % 10 / 10,
             "highest_rung": (p + r) % 5, "blocked": "listing:HU" if (p + r) % 2 else "",
             "n_blocked": (p + r) % 2, "status": "ok", "error": ""}
            for p in range(9) for r in range(3)]  # fmt: skip
    whole = sw.summarize(rows)
    for order in (rows[::-1], rows[1::2] + rows[::2], sorted(rows, key=lambda r: -r["replication"])):
        capped = sw.summarize(order, max_points=4)
        assert capped["points"] == whole["points"][:4]
        assert (capped["omitted"], capped["total_points"], capped["runs"]) == (5, 9, 27)
