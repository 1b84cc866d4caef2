"""A spec's own outcomes (``outcome.NAME`` columns) get what the built-in metrics get (issue 24):
shares and medians with intervals per point, Sobol'/Morris indices with their status and
convergence, a panel in the plot, a table in ``cdtx report``, and discovery by name."""

from __future__ import annotations

import pytest

from sim import report
from sim import sweep as sw
from sim.sweep.sample import design_seed, unit_design
from sim.sweep.spec import design_size

HU, LT = "member_states.HU.ties.RU", "member_states.LT.ties.RU"
ROOT = 7


def design_rows(method: str, n: int, replications: int = 3, days=None):
    """Rows of a two-input Sobol' or Morris design (HU, LT on [0, 1]) whose yes/no outcome
    ``adopted`` is decided by Hungary alone and whose number ``days`` by Lithuania alone, as a
    sweep would write them; and the sweep's record (its spec)."""
    spec = {"name": "own", "title": "Own outcomes", "root": ROOT,
            "sample": {"method": method, "n": n}, "vary": {HU: {}, LT: {}}}  # fmt: skip
    units = unit_design(method, n, 2, design_seed(ROOT, method))
    assert len(units) == design_size(method, n, 2)
    days = days or (lambda hu, lt: 10 + 20 * lt)
    rows = []
    for p, (hu, lt) in enumerate(units):
        for r in range(replications):
            rows.append({"point": p, "replication": r, "seed": r, HU: float(hu), LT: float(lt),
                         "status": "ok", "outcome.adopted": bool(hu < 0.5),
                         "outcome.days": days(hu, lt)})  # fmt: skip
    return rows, spec


@pytest.mark.parametrize("method, n, keys", [("sobol", 32, ("S1", "ST")),
                                             ("morris", 12, ("mu_star",))])  # fmt: skip
def test_outcomes_get_indices_with_status_and_convergence(method, n, keys):
    rows, spec = design_rows(method, n)
    summary = sw.summarize(rows, spec=spec)
    assert summary["outcomes"] == {"adopted": "yes/no", "days": "number"}
    sens = summary["sensitivity"]
    # the spec's own outcomes come first: they are the question the sweep asks
    assert list(sens["metrics"])[:2] == ["outcome.adopted", "outcome.days"]
    adopted, days = sens["metrics"]["outcome.adopted"], sens["metrics"]["outcome.days"]
    if method == "sobol":
        assert adopted[HU]["ST"] > 0.8 and adopted[LT]["ST"] < 0.05  # Hungary alone decides it
        assert days[LT]["S1"] > 0.9 and days[HU]["ST"] < 0.05
        for v in (*adopted.values(), *days.values()):
            assert 0 <= v["ST_low"] <= v["ST"] <= v["ST_high"] <= 1
    else:
        assert adopted[HU]["mu_star"] > 0.3 > 0.01 > adopted[LT]["mu_star"]
        assert days[LT]["mu_star"] > 5 > 0.01 > days[HU]["mu_star"]
    for m in ("outcome.adopted", "outcome.days"):
        assert sens["status"][m] in ("ok", "uncertain")
        assert sum(sens["pairs"][m].values()) > 0
        rows_n = sens["convergence"][m]
        assert [r["n"] for r in rows_n] == sorted({n // 4, n // 2, n})
        assert all(set(r[HU]) == set(keys) for r in rows_n)


def test_yes_no_outcome_per_point_is_a_share_with_wilson_interval_numbers_a_median():
    rows, spec = design_rows("sobol", 8, replications=5)
    rows[0]["outcome.adopted"] = not rows[0]["outcome.adopted"]  # point 0: 4 of 5 alike
    point = sw.summarize(rows, spec=spec)["points"][0]
    adopted = point["outcomes"]["adopted"]
    assert adopted["n"] == 5 and adopted["count"] in (1, 4)
    assert 0 < adopted["low"] < adopted["share"] < adopted["high"] < 1
    days = point["outcomes"]["days"]
    assert days["median_low"] <= days["median"] <= days["median_high"]
    assert days["reached"]["share"] == 1


def test_indices_of_outcomes_come_from_every_point_even_those_not_shown():
    """A report or plot keeps few points whole; the indices still see every point's outcome."""
    rows, spec = design_rows("sobol", 16)
    whole = sw.summarize(rows, spec=spec)["sensitivity"]["metrics"]["outcome.adopted"]
    few = sw.summarize(rows, spec=spec, max_points=3)
    assert len(few["points"]) == 3 and few["omitted"] == 16 * 4 - 3
    assert few["sensitivity"]["metrics"]["outcome.adopted"] == whole


def test_an_outcome_some_points_have_no_value_of_gets_a_note_not_indices():
    rows, spec = design_rows("sobol", 8, days=lambda hu, lt: None if lt > 0.7 else lt)
    summary = sw.summarize(rows, spec=spec)
    assert "outcome.days" not in summary["sensitivity"]["metrics"]
    assert any(n.startswith("no indices for outputs some points have no value of (points): "
                            "days (outcome) (") for n in summary["notes"])  # fmt: skip
    assert "outcome.adopted" in summary["sensitivity"]["metrics"]


def test_notes_and_headings_name_outcomes_as_the_spec_does():
    rows, spec = design_rows("sobol", 8)
    for row in rows:
        row["outcome.adopted"] = row["point"] == 3  # one point of 32: a degenerate design
    summary = sw.summarize(rows, spec=spec)
    assert summary["sensitivity"]["status"]["outcome.adopted"] == "degenerate"
    assert any(n.startswith("adopted (outcome): indices degenerate") for n in summary["notes"])
    text = report.sweep.markdown(summary)
    assert "### adopted (outcome)" in text and "### days (outcome)" in text
    assert "status: degenerate" in text


def grid_csv(tmp_path):
    """A two-point grid's results as a CSV written by another tool (yes/no as true/false)."""
    path = tmp_path / "grid.csv"
    lines = [f"point,replication,seed,{HU},status,outcome.adopted,outcome.days"]
    for p, hu in enumerate((0.2, 0.9)):
        for r in range(10):
            adopted = "true" if (hu < 0.5 or r < 2) else "false"
            lines.append(f"{p},{r},{r},{hu},ok,{adopted},{10 + p * 5 + r}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_report_and_plot_show_each_outcome_per_point(tmp_path):
    path = grid_csv(tmp_path)
    summary = sw.summarize(path)
    shares = [p["outcomes"]["adopted"]["share"] for p in summary["points"]]
    assert shares == [1.0, 0.2]
    md = report.sweep.report_file(path)
    assert "| Point | adopted (yes/no) | days (number) |" in md
    assert "| 1 | 20% (6-51) | 19.50 (" in md  # Wilson interval of 2 of 10; median of 15..24
    html = report.sweep.report_file(path, fmt="html")
    assert "<th>adopted (yes/no)</th>" in html
    pytest.importorskip("matplotlib")
    (svg,) = sw.plot(path, tmp_path / "grid.svg")
    text = svg.read_text()
    assert "adopted: share of runs saying yes" in text and "days (outcome)" in text


def test_text_that_is_not_yes_no_or_a_number_is_refused_naming_the_column(tmp_path):
    path = grid_csv(tmp_path)
    path.write_text(path.read_text().replace(",false,", ",maybe,", 1))
    with pytest.raises(sw.SweepError, match=r"column outcome.adopted holds 'maybe', not yes/no"):
        sw.summarize(path)


def test_cdtx_sweep_summary_plot_discover_and_report_of_a_model_constant_sweep(tmp_path, capsys):
    """As a user: a spec varying a model constant and a scenario field with a Sobol' design and
    an outcome of its own, run with two workers, then summarised, drawn, explained, reported."""
    from tui.cli import main

    spec = tmp_path / "veto.yaml"
    spec.write_text(
        "name: veto\ntitle: Veto threshold\nbase: calib-bundestag\nseed: 1\nseeds: 2\n"
        "sample: {sobol: 8}\n"
        "vary:\n  model.listing_veto_at: {uniform: [-0.9, -0.5]}\n"
        "  member_states.HU.ties.RU: {uniform: [0.5, 0.95]}\n"
        "outcomes:\n  listing_adopted: {event: adopted, measure: listing}\n"
    )
    out = tmp_path / "veto.parquet"
    pytest.importorskip("pyarrow")
    assert main(["sweep", str(spec), "-o", str(out), "-j", "2", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["sweep", "--summary", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Sensitivity of listing_adopted (outcome)" in printed
    assert "Convergence of listing_adopted (outcome)" in printed
    # and per point of the design, after the condensed table of its points
    assert printed.index("Outcomes per point") > printed.index("Points")
    assert main(["report", str(out)]) == 0
    md = capsys.readouterr().out
    assert "### listing_adopted (outcome)" in md and "## Outcomes of the spec" in md
    pytest.importorskip("sklearn")
    assert main(["sweep", "--discover", "listing_adopted", str(out)]) in (0, 1)
    said = capsys.readouterr()
    assert said.out.startswith("listing_adopted: ") or "holds in every run" in said.err
    assert main(["sweep", "--discover", "listing_adoptd", str(out)]) == 1
    assert "did you mean listing_adopted" in capsys.readouterr().err


def test_discovering_a_number_outcome_says_how_to_ask_of_it(tmp_path):
    path = grid_csv(tmp_path)
    with pytest.raises(sw.SweepError, match=r"outcome 'outcome.days': its values are not yes/no "
                       r"\(10\); to ask of a number, give discover a function of a row"):  # fmt: skip
        sw.discover(path, "days")
    found = sw.discover(path, lambda row: row["outcome.days"] > 17)  # as the message says
    assert found["hits"] == 2 + 7  # days 18, 19 at point 0; 18 to 24 at point 1


def test_the_summary_and_discovery_read_yes_and_no_alike():
    """One reading of yes/no (sim/sweep/yes_no.py): every spelling either took before (true,
    yes, 1; false, no, 0; any case, spaces aside) is taken by both, and both refuse the rest."""
    from sim.sweep.yes_no import yes_or_no

    for said in ("true", "YES", " Yes ", "1", "\t1", True):
        assert yes_or_no(said) is True, said
    for said in ("false", "No", " NO ", "0", "FALSE", False):
        assert yes_or_no(said) is False, said
    for said in ("maybe", "y", "n", "on", "off", "2", "01", "yes please", "", 1, 0, None, 0.5):
        assert yes_or_no(said) is None, said  # numbers stay numbers; empty is no value
    rows, spec = design_rows("sobol", 8, replications=2)
    texts = [dict(row) for row in rows]
    spellings = {True: (" Yes ", "TRUE", "1"), False: ("no", " False", "0")}
    for i, row in enumerate(texts):
        row["outcome.adopted"] = spellings[row["outcome.adopted"]][i % 3]
    as_bools, as_texts = sw.summarize(rows, spec=spec), sw.summarize(texts, spec=spec)
    assert as_texts["outcomes"]["adopted"] == "yes/no"
    assert [p["outcomes"]["adopted"]["count"] for p in as_texts["points"]] == [
        p["outcomes"]["adopted"]["count"] for p in as_bools["points"]]  # fmt: skip
    pytest.importorskip("sklearn")
    assert sw.discover(texts, "adopted")["hits"] == sw.discover(rows, "adopted")["hits"] > 0
    texts[0]["outcome.adopted"] = "maybe"
    with pytest.raises(sw.SweepError, match="holds 'maybe', not yes/no"):
        sw.summarize(texts, spec=spec)
    with pytest.raises(sw.SweepError, match=r"its values are not yes/no \('maybe'\)"):
        sw.discover(texts, "adopted")
