"""After-action reports, comparisons and sweep reports."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import pytest

import scenarios
from sim import event_kinds as K
from sim import report
from sim.exercise import Exercise
from tui.cli import main

HEADINGS = (
    "## Exercise overview",
    "## Executive summary",
    "## Timeline of key events",
    "## Analysis of objectives",
    "## Strengths",
    "## Areas for improvement",
    "## Facilitator notes",
    "## MSEL: planned and delivered",
    "## Improvement plan",
)


def _blocking_scenario():
    """grid-wiper where Hungary is tied to the sponsor and unmovable: it vetoes the declaration
    whatever its wording (its instructions say so from the start)."""
    data = scenarios.load("grid-wiper").model_dump(mode="json", by_alias=True)
    data["member_states"]["HU"] = {"ties": {"RU": 1.0}, "stance": -1.0, "susceptibility": 0.0}
    data["msel"].insert(0, {"id": "M-00", "at": "0", "type": "position",
                            "message": "Hungary will not agree any declaration on this.",
                            "params": {"state": "HU", "measure": "hr_declaration",
                                       "stance": "oppose"}})  # fmt: skip
    return scenarios.Scenario.model_validate(data)


@pytest.fixture(scope="module")
def blocked_run():
    scenario = _blocking_scenario()
    ex = Exercise(scenario)
    ex.run(100)
    ex.skip("M-08")
    ex.note("Players asked for a legal briefing on constructive abstention.")
    ex.run()
    return scenario, ex.events, ex.metrics


def test_report_of_a_known_run(blocked_run):
    scenario, events, metrics = blocked_run
    assert metrics["blocked"], "the override must make someone block"
    # As the header of a recorded live session with LT at the table (a headless run's says
    # interactive: false, and then nobody played: tests/test_table.py).
    header = {"seed": scenario.seed, "players": ["LT"], "interactive": True}
    text = report.aar(scenario, events, header)
    for heading in HEADINGS:
        assert heading in text
    # Ratings as the metrics fold gives them, with their evidence.
    for oid, rating in metrics["objectives"].items():
        assert f"### {oid}: {rating} (" in text
    assert "Fri 06 Mar 2026 05:40" in text and "T+0d 00:00" in text
    assert "Played delegations | LT" in text
    # The blocking delegation is named, in the summary and as an area for improvement.
    assert re.search(r"blocked, by HU", text)
    assert "HU blocked" in text
    # Facilitator notes and the skipped MSEL entry.
    assert "legal briefing on constructive abstention" in text
    assert re.search(r"\| M-08 \|.*skipped by the facilitator", text)
    assert re.search(r"\| M-01 \|.*\| delivered \|", text)


def test_delegations_handed_over_during_the_run_are_named():
    ex = Exercise("grid-wiper", players=["LT"])
    ex.run("1d")
    ex.set_played("EE", True)
    ex.run()
    for fmt in ("md", "html"):
        text = report.aar(ex.scenario, ex.events, fmt=fmt)
        assert "Handed over during the run" in text and "Estonia (EE) to the table at T+1d 00:00" in text
    quiet = report.aar(ex.scenario, ex.events[:5])
    assert "Handed over" not in quiet


def test_planned_and_delivered_follows_fired_edited_and_scheduled_injects():
    ex = Exercise("grid-wiper")
    ex.run("4d")
    m05 = ex.scenario.msel[4].model_dump(mode="json", by_alias=True, exclude={"at"})
    ex.replace("M-05", {**m05, "id": "M-05-early"}, how="fired")  # the console's fire-now
    m06 = ex.scenario.msel[5].model_dump(mode="json", by_alias=True)
    ex.replace("M-06", {**m06, "id": "M-06-edited", "at": "9d"}, how="edited")  # a day later
    note = ex.submit({"type": "note", "at": "5d", "params": {"text": "later"}})  # scheduled
    ex.skip("M-07")
    ex.run()
    rows = {r["id"]: r for r in report.analyse(ex.scenario, ex.events)["msel"]}
    assert rows["M-05"]["status"] == "fired early by the facilitator at T+4d 00:00, as M-05-early"
    assert rows["M-05-early"]["status"] == "in place of M-05; delivered"
    assert rows["M-05-early"]["delivered"]["offset"] == "T+4d 00:00"
    assert rows["M-06"]["status"].startswith("replaced by the facilitator at T+4d 00:00")
    assert rows["M-06-edited"]["planned"]["offset"] == "T+9d 00:00"
    assert rows["M-06-edited"]["delivered"]["offset"] == "T+9d 00:00"
    added = rows[note.data["inject"]["id"]]
    assert added["status"] == "added by the facilitator; delivered"
    assert added["delivered"]["offset"] == "T+5d 00:00"  # when applied, not when entered at 4d
    assert rows["M-07"]["status"] == "skipped by the facilitator at T+4d 00:00"
    assert rows["M-08"]["status"] == "delivered"


def test_threat_actors_are_named_as_the_scenario_names_them():
    from sim.narrative import actor_names, describe

    ex = Exercise("grid-wiper").run()
    assessment = next(e for e in ex.events if e.kind == "assessment")
    assert "iron-lantern" in describe(assessment)
    assert "IRON LANTERN" in describe(assessment, actor_names(ex.scenario))
    text = report.aar(ex.scenario, ex.events)
    assert "assessment: IRON LANTERN" in text and "assessment: iron-lantern" not in text


def test_where_time_was_lost(blocked_run):
    scenario, events, _ = blocked_run
    data = report.analyse(scenario, events)
    assert any(i["text"].startswith("Most time was lost") for i in data["improvements"])
    assert {s["stage"] for s in data["stages"]} >= {"incident to first detection"}
    assert data["plan"] and all(set(p) == {"objective", "issue", "action", "organisation", "due"}
                                for p in data["plan"])  # fmt: skip


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action") and value:
                self.refs.append(value)

    def handle_data(self, data):
        self.text.append(data)


def _check_self_contained(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    assert "html" in parser.tags and "style" in parser.tags
    assert parser.refs == [], parser.refs
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    return parser


def test_html_is_self_contained(blocked_run):
    scenario, events, _ = blocked_run
    html = report.aar(scenario, events, fmt="html")
    parser = _check_self_contained(html)
    assert "svg" in parser.tags and "circle" in parser.tags
    assert "@page" in html and "A4" in html
    text = " ".join(parser.text)
    for heading in HEADINGS:
        assert heading.removeprefix("## ") in text


def test_truncated_prefix_is_said(blocked_run):
    scenario, events, _ = blocked_run
    prefix = events[: len(events) // 3]
    text = report.aar(scenario, prefix, truncated=True)
    assert "Truncated recording" in text and "truncated" in text.split("## Executive summary")[1]


def test_comparison_names_first_divergence(blocked_run):
    scenario, blocked_events, blocked_metrics = blocked_run
    plain = scenarios.load("grid-wiper")
    ex = Exercise(plain)
    ex.run()
    events = ex.events
    # The started events differ in scenario_sha256 only (the texts differ, which the comparison
    # says on its own): the first divergence is the first other difference.
    differs = [a != b for a, b in zip(events, blocked_events, strict=False)]
    assert differs[0] and {**events[0].data, "scenario_sha256": ""} == {
        **blocked_events[0].data, "scenario_sha256": ""}  # fmt: skip
    n = differs.index(True, 1)
    text = report.comparison((plain, events, {}, "plain.jsonl"),
                             (scenario, blocked_events, {}, "blocked.jsonl"))  # fmt: skip
    assert f"first differ at event seq {n}" in text
    assert f"- A: seq {events[n].seq}," in text and f"- B: seq {blocked_events[n].seq}," in text
    a, b = ex.metrics["objectives"]["OBJ-3"], blocked_metrics["objectives"]["OBJ-3"]
    assert a != b, "the blocking delegation must cost the run its stability measure"
    assert re.search(rf"\| OBJ-3 \| {a} \| {b} \| differs \|", text)
    html = report.comparison((plain, events, {}, "a"), (scenario, blocked_events, {}, "b"),
                             fmt="html")  # fmt: skip
    _check_self_contained(html)
    same = report.comparison((plain, events, {}, "a"), (plain, list(events), {}, "b"))
    assert "identical event for event" in same


def _sweep_rows():
    rows = []
    for point, ties in enumerate((0.0, 1.0)):
        for rep in range(10):
            blocked = "hr_declaration:HU" if point == 1 and rep < 4 else ""
            rows.append({"point": point, "replication": rep, "member_states.HU.ties.RU": ties,
                         "seed": 100 + rep, "digest": "x" * 8, "t_shared_awareness": 24.0 * (rep + 1),
                         "t_listing": None, "highest_rung": 0 if blocked else 3, "cohesion": 0.9,
                         "blocked": blocked, "n_blocked": int(bool(blocked)),
                         "objective.OBJ-1": "P" if rep < 5 else "S", "status": "ok",
                         "error": ""})  # fmt: skip
    return rows


def test_sweep_report_from_csv(tmp_path):
    rows = _sweep_rows()
    path = _write_results(tmp_path / "results.csv", rows)
    data = report.sweep.summarise(report.sweep.read_results(path))
    p0, p1 = data["points"]
    assert p0["params"] == {"member_states.HU.ties.RU": 0.0}
    assert p0["metrics"]["t_shared_awareness"]["median"] == pytest.approx(5.5)
    assert p0["metrics"]["t_shared_awareness"]["p10"] == pytest.approx(1.9)
    assert p0["metrics"]["t_listing"]["reached"]["share"] == 0
    # rungs are cumulative (runs reaching at least rung r), blockers counted once per run
    assert p1["rungs"][1]["share"] == pytest.approx(0.6) and p1["rungs"][4]["share"] == 0
    assert p1["blockers"]["HU"]["share"] == pytest.approx(0.4) and p0["blockers"] == {}
    md = report.sweep_report(report.sweep.read_results(path))
    assert "HU 40% (17-69)" in md and "## Highest rung reached" in md
    html = report.sweep_report(report.sweep.read_results(path), fmt="html")
    parser = _check_self_contained(html)
    assert "rect" in parser.tags


def _write_results(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows([{k: ("" if v is None else v) for k, v in r.items()} for r in rows])
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("seed", "abc", "row 3, column 'seed': expected a whole number, not 'abc'"),
        ("highest_rung", "high", "row 3, column 'highest_rung': expected a whole number"),
        ("cohesion", "most", "row 3, column 'cohesion': expected a number, not 'most'"),
        ("point", "", "row 3, column 'point': empty"),
    ],
)
def test_hand_edited_results_raise_report_error(tmp_path, column, value, message):
    rows = _sweep_rows()
    rows[1][column] = value
    path = _write_results(tmp_path / "results.csv", rows)
    with pytest.raises(report.sweep.ReportError) as info:
        report.sweep.read_results(path)
    assert str(info.value).startswith(f"{path}: {message}")


def test_results_that_are_not_results_raise_report_error(tmp_path):
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(report.sweep.ReportError, match="not UTF-8"):
        report.sweep.read_results(binary)
    empty = _write_results(tmp_path / "e.csv", _sweep_rows()[:1])
    empty.write_text(empty.read_text().splitlines()[0] + "\n")
    with pytest.raises(report.sweep.ReportError, match="no result rows"):
        report.sweep.read_results(empty)
    with pytest.raises(report.sweep.ReportError, match="no such results file"):
        report.sweep.read_results(tmp_path / "none.csv")


def test_sweep_report_from_parquet(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = _sweep_rows()
    path = tmp_path / "results.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    out = tmp_path / "sweep.html"
    assert main(["report", str(path), "-o", str(out)]) == 0
    _check_self_contained(out.read_text(encoding="utf-8"))


def test_bad_inputs_are_user_errors(tmp_path, capsys):
    bad = tmp_path / "results.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["report", str(bad)]) == 1
    assert "missing column 'point'" in capsys.readouterr().err
    assert main(["report", str(bad), "-o", str(tmp_path / "r.pdf")]) == 1
    assert ".md or .html" in capsys.readouterr().err


# -- end to end through recordings (needs sim.replay and `cdtx run --record`) ----------------


def _record(tmp_path, name, *extra):
    path = tmp_path / name
    assert main(["run", "grid-wiper", "--record", str(path), *extra]) == 0
    return path


def test_cli_report_of_a_recording(tmp_path, capsys):
    rec = _record(tmp_path, "a.jsonl")
    capsys.readouterr()
    out = tmp_path / "report.html"
    assert main(["report", str(rec), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    _check_self_contained(html)
    assert "After-Action Report" in html and "a.jsonl" in html
    assert main(["report", str(rec)]) == 0
    md = capsys.readouterr().out
    for heading in HEADINGS:
        assert heading in md


def test_cli_report_of_a_truncated_recording(tmp_path, capsys):
    rec = _record(tmp_path, "a.jsonl")
    lines = rec.read_bytes().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(lines[: len(lines) // 2]) + lines[len(lines) // 2][:10])
    capsys.readouterr()
    assert main(["report", str(cut)]) == 0
    captured = capsys.readouterr()
    assert "Truncated recording" in captured.out
    assert "truncated" in captured.err


def test_cli_compare_two_recordings(tmp_path, capsys):
    a = _record(tmp_path, "a.jsonl")
    b = _record(tmp_path, "b.jsonl", "--seed", "7")
    capsys.readouterr()
    assert main(["report", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "## First divergence" in out and "first differ at event seq" in out


def test_cli_bad_recording(tmp_path, capsys):
    bad = tmp_path / "x.jsonl"
    bad.write_text("not a recording\n", encoding="utf-8")
    assert main(["report", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cdtx: ") and "Traceback" not in err


def test_layering():
    import subprocess
    import sys

    code = "import sim.report, scenarios.msel, sys; " \
           "assert not {'textual', 'rich', 'tui', 'openpyxl', 'pyarrow'} & set(sys.modules)"  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_evaluators_entries_in_the_after_action_report(tmp_path):
    """Ratings, observations and the hot wash entered at the console (sim/evaluation.py): the
    report shows them next to the automatic rating and its evidence, from the recording."""
    from sim import evaluation
    from sim.recording import Recorder
    from sim.recording import open as open_recording

    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper", players=[])
    with Recorder(path, ex):
        ex.run("2d")
        first = evaluation.record(ex, {"entry": "observation", "objective": "OBJ-1",
                                       "state": "PL", "text": "CSIRTs slow\nto share"})  # fmt: skip
        evaluation.record(ex, {"entry": "observation", "objective": "OBJ-1", "state": "PL",
                               "text": "CSIRTs slow to share", "replaces": first.seq})  # fmt: skip
        evaluation.record(ex, {"entry": "observation", "text": "Room too warm"})
        ex.run()
        evaluation.record(ex, {"entry": "rating", "objective": "OBJ-1", "rating": "M",
                               "text": "two days late"})  # fmt: skip
        evaluation.record(ex, {"entry": "hotwash", "who": "DE", "about": "strength",
                               "text": "Quick PSC"})  # fmt: skip
        evaluation.record(ex, {"entry": "hotwash", "who": "Presidency", "about": "improvement",
                               "text": "Brief the legal service earlier"})  # fmt: skip
    recording = open_recording(path)
    automatic = ex.metrics["objectives"]["OBJ-1"]
    text = report.aar(recording.scenario, recording.events, recording.header)
    row = next(line for line in text.splitlines() if line.startswith("| OBJ-1"))
    assert row.rstrip(" |").endswith(f"| {automatic} | M")  # both ratings, side by side
    assert "Evaluator's rating: **M** (performed with major challenges): two days late" in text
    assert "PL: CSIRTs slow to share (edited)" in text
    assert "CSIRTs slow / to share" not in text  # the edit replaced the first version
    assert "## Hot wash" in text and "- DE: Quick PSC" in text
    assert "- Presidency: Brief the legal service earlier" in text
    assert "Room too warm" in text  # an observation without an objective is kept too
    plan = text[text.index("## Improvement plan") :]
    assert "Presidency: Brief the legal service earlier" in plan
    html = report.aar(recording.scenario, recording.events, recording.header, fmt="html")
    assert "<h2>Hot wash</h2>" in html
    assert "Evaluator's rating: <strong>M</strong>" in html
    with pytest.raises(ValueError, match="rating: rating is one of P, S, M, U"):
        evaluation.record(ex, {"entry": "rating", "objective": "OBJ-1", "rating": "X"})
    with pytest.raises(ValueError, match="unknown objective"):
        evaluation.record(ex, {"entry": "observation", "objective": "OBJ-9", "text": "x"})


def test_an_evaluator_seats_observation_is_refused_in_the_words_of_the_consoles_rating():
    """cdtx host's evaluator seat and the console's rating entry are one rule (issue 24, item
    2): the same objective and rating are refused, with the same message."""
    from sim import evaluation
    from sim.exercise import InjectError

    scenario = scenarios.load("grid-wiper")
    for objective, rating in (("OBJ-9", "S"), ("OBJ-1", "X"), (None, "S"), ("OBJ-1", None)):
        with pytest.raises(InjectError) as seat:
            evaluation.check_observation(scenario, objective, rating)
        with pytest.raises(InjectError) as console:
            evaluation.check(scenario, {"entry": "rating", "objective": objective, "rating": rating})
        assert str(seat.value) == str(console.value), (objective, rating)
    evaluation.check_observation(scenario, "OBJ-1", "S")  # what both accept


def test_the_first_divergence_shows_both_sides_of_the_difference():
    """Two runs that differ only in DE's answer: the two lines read alike ("submits position
    inject F-001"), so the fields that differ are shown for each side (issue 14, item 4)."""

    def run_with(stance: str):
        ex = Exercise("grid-wiper", players=["DE"], interactive=True)
        ex.run()
        ex.answer("DE", stance)
        ex.run()
        return ex

    a, b = run_with("oppose"), run_with("support")
    text = report.comparison((a.scenario, a.events, {}, "A"), (b.scenario, b.events, {}, "B"))
    lines = text[text.index("## First divergence") :].splitlines()
    side_a = next(line for line in lines if line.startswith("- A: "))
    side_b = next(line for line in lines if line.startswith("- B: "))
    assert side_a != side_b
    assert "stance: oppose" in side_a and "stance: support" in side_b


def test_the_report_lists_the_business_still_open_at_the_end():
    """A listing whose evidence package outlives the horizon is open business: the after-action
    report says so, in Markdown and HTML (issue 14, item 6)."""
    from sim import report

    ex = Exercise("grid-wiper", seed=0)
    # A capital asks for a listing late in the exercise: its evidence package outlives the end.
    ex.submit({"type": "propose", "at": "20d", "params": {"measure": "listing", "by": "PL"}})
    ex.run()
    open_now = ex.metrics["open_business"]
    assert open_now and open_now[0]["measure"] == "listing"
    text = report.aar(ex.scenario, ex.events)
    section = text.split("## Open business at the end", 1)[1].split("\n## ", 1)[0]
    assert f"{open_now[0]['proposal']} listing: {open_now[0]['stage']}" in section
    html = report.aar(ex.scenario, ex.events, fmt="html")
    assert "<h2>Open business at the end</h2>" in html and open_now[0]["proposal"] in html
    finished = Exercise("calib-viasat", seed=0).run()
    if not finished.metrics["open_business"]:
        assert "- None: nothing was still under way." in report.aar(finished.scenario, finished.events)


# -- Markdown that stays what cdtx wrote: text from files cannot forge structure (issue 21) ------

#: Text a scenario, a recording or a note may hold, trying to forge Markdown structure and links.
FORGERY = (
    "x\n# Forged heading\n- forged item\n\n| forged | cells |\n|---|---|\n| more | forged |\n"
    "1. forged number\n> forged quote\n```\n[ref]: javascript:alert(1)\n"
    "cells | forged\n:-- | --\n"
    "[ref] [click](javascript:alert(1)) ![pixel](http://evil.example/p.png) "
    "[d](data:text/html;base64,PHNjcmlwdD4=) <http://evil.example/auto> a\\|b \\\n"
    "\r## Forged after a carriage return\rtext\r\n==="
)


def _forged_scenario():
    data = scenarios.load("grid-wiper").model_dump(mode="json", by_alias=True)
    data["title"] = "Grid " + FORGERY
    data["summary"] = FORGERY
    data["objectives"][0]["text"] = FORGERY
    data["threat_actors"][0]["name"] = "IRON " + FORGERY
    data["msel"][0]["message"] = FORGERY
    return scenarios.Scenario.model_validate(data)


def _structure(markdown: str) -> dict[str, list[str]]:
    """What a CommonMark + GFM-tables renderer makes of ``markdown``: heading texts, list item
    texts, table cells, and every link, image, raw HTML and code block it finds."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found: dict[str, list[str]] = {"heading": [], "item": [], "cell": [], "live": []}
    context: list[str] = []
    for token in tokens:
        if token.type in ("heading_open", "list_item_open", "th_open", "td_open"):
            context.append(token.type)
        elif token.type in ("heading_close", "list_item_close", "th_close", "td_close"):
            context.pop()
        elif token.type in ("html_block", "fence", "code_block"):
            found["live"].append(f"{token.type}: {token.content[:40]}")
        elif token.type == "inline":
            where = context[-1] if context else ""
            key = {"heading_open": "heading", "list_item_open": "item", "th_open": "cell",
                   "td_open": "cell"}.get(where)  # fmt: skip
            if key:
                found[key].append(token.content)
            for child in token.children or []:
                if child.type in ("link_open", "image", "html_inline"):
                    found["live"].append(f"{child.type}: {child.attrs or child.content}")
    return found


def _assert_inert(markdown: str) -> None:
    found = _structure(markdown)
    assert found["live"] == [], found["live"]  # no link, image, raw HTML or code block at all
    assert not [h for h in found["heading"] if h.startswith("Forged")], found["heading"]
    assert not [i for i in found["item"] if i.startswith(("forged", "Forged"))], found["item"]
    assert not [c for c in found["cell"] if c.strip() in ("forged", "cells", "more", "---")]
    assert "javascript:" not in "".join(found["live"])


def test_markdown_reports_keep_text_from_files_as_text(tmp_path):
    scenario = _forged_scenario()
    ex = Exercise(scenario, players=[])
    ex.run("2d")
    ex.note(FORGERY)
    ex.run("4d")
    text = report.aar(scenario, ex.events, {"seed": scenario.seed, "players": []})
    _assert_inert(text)
    assert text.count("\n# ") == 0 and text.startswith("# After-Action Report")
    # The text is all there, readable, on the lines cdtx gave it.
    assert "Grid x # Forged heading - forged item" in text
    assert "click" in text and "evil.example/p.png" in text
    html = report.aar(scenario, ex.events, {"seed": scenario.seed, "players": []}, fmt="html")
    assert "<a " not in html and "<img" not in html and "http://evil.example" in html
    assert re.search(r"(src|href)=", html) is None  # nothing to load, nothing to follow

    other = Exercise("grid-wiper", players=[])
    other.run("4d")
    runs = [(scenario, ex.events, {"seed": 1}, "A\n# Forged run name [x](javascript:1)"),
            (other.scenario, other.events, {"seed": 1}, "B")]  # fmt: skip
    _assert_inert(report.comparison(*runs))
    compare_html = report.comparison(*runs, fmt="html")
    assert "<a " not in compare_html and "\x1b" not in compare_html


def test_briefs_keep_text_from_files_as_text(tmp_path, capsys):
    path = tmp_path / "forged.yaml"
    import yaml

    path.write_text(yaml.safe_dump(_forged_scenario().model_dump(mode="json", by_alias=True,
                                                                 exclude_none=True)))  # fmt: skip
    for audience in ("facilitator", "DE"):
        out = tmp_path / f"{audience}.md"
        assert main(["brief", str(path), "--for", audience, "-o", str(out)]) == 0
        _assert_inert(out.read_text(encoding="utf-8"))
        page = tmp_path / f"{audience}.html"
        assert main(["brief", str(path), "--for", audience, "-o", str(page)]) == 0
        html = page.read_text(encoding="utf-8")
        assert "Forged heading" in html and "<a " not in html and "<img" not in html
        assert re.search(r"(src|href)=", html) is None


def test_the_delegations_messages_are_in_the_report_and_name_their_seat():
    """Issue 23, item 5: docs/hosting.md says the delegations' messages are in the report; an
    inject a delegation's seat entered is its, not the facilitator's, in the timeline."""
    ex = Exercise("grid-wiper", players=["LT"])
    ex.run("1d")
    ex.seat = "LT"
    ex.remark("message", "We ask for an extraordinary PSC | today\n## not a heading")
    ex.submit({"type": "media", "params": {"pressure": 0.3}})
    ex.seat = "facilitator-2"
    ex.remark("message", "Second facilitator here")
    ex.seat = None
    ex.run("2d")
    header = {"seed": ex.seed, "players": ["LT"], "interactive": True}
    md = report.aar(ex.scenario, ex.events, header)
    section = md.split("## Messages from the seats", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "T+1d" in line]
    assert len(rows) == 2
    assert "Lithuania (LT)" in rows[0] and "extraordinary PSC" in rows[0]
    assert "Facilitator 2" in rows[1] and "Second facilitator here" in rows[1]
    assert "\n## not a heading" not in md  # the message stays inside its cell
    media = next(e for e in ex.events if e.kind == "input" and "inject" in e.data)
    assert K.INPUT.text(media.data).startswith("Lithuania (LT) submits media inject")
    html = report.aar(ex.scenario, ex.events, header, fmt="html")
    assert "<h2>Messages from the seats</h2>" in html and "Second facilitator here" in html
    quiet = report.aar(ex.scenario, Exercise("grid-wiper").run("1d").events, header)
    assert "## Messages from the seats\n\n- None." in quiet


def test_a_cohesion_objective_shows_the_lowest_cohesion_it_was_rated_on():
    """Issue 23, item 9: the report rated a cohesion objective S beside a result of 96% (the
    last decision's) without showing the lowest cohesion the rating used."""
    from sim.report.analysis import analyse
    from sim.vocabulary_view import format_metric

    ex = Exercise("satcom-war", seed=15).run()  # decisions at 81%, then 100% and 96%
    scenario, events, metrics = ex.scenario, ex.events, ex.metrics
    cohesions = [e.data["cohesion"] for e in events if e.kind == "decision"]
    assert cohesions[-1] > min(cohesions), "the run needs a last decision above the lowest"
    (objective,) = [o for o in analyse(scenario, events)["objectives"] if o["metric"] == "cohesion"]
    assert objective["value"] == format_metric("cohesion", metrics["cohesion_min"])
    assert objective["metric_label"] == "lowest cohesion of any decision"
    assert objective["evidence"][0].startswith("lowest, what the rating uses:")
    assert objective["evidence"][1].startswith("last:")
    text = report.aar(scenario, events, {"seed": 15, "interactive": False})
    assert format_metric("cohesion", metrics["cohesion_min"]) in text
