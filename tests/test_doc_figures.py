"""Every figure docs/ quotes comes from a script in bench/, and a doc that no longer says what the
script printed fails here (issue 24).

- Benchmark timings: docs quote the figures a bench recorded with ``--record`` in
  ``bench/results/NAME.txt`` (with the date, commit and load it ran under); checked as text, no
  bench runs here (bench/record.py, ``QUOTES``).
- Model runs: docs/scenarios.md's tables are ``python bench/fidelity.py --markdown``, recomputed
  here (800 runs, about 3 s); the shipped sweeps' figures are bench/docs_figures.py's
  (tests/test_sweep_analysis.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import string
from pathlib import Path

import pytest
from benchscripts import bench_script

from sim.exercise import Exercise

ROOT = Path(__file__).resolve().parent.parent


record = bench_script("record")


def test_every_timing_the_docs_quote_is_the_recorded_one():
    assert record.QUOTES, "bench/record.py QUOTES lists the timings docs/ quotes"
    assert record.misquoted() == []


def test_every_recorded_file_says_when_on_what_and_under_what_load():
    names = {p.stem for p in (ROOT / "bench" / "results").glob("*.txt")}
    assert {name for _, name, _ in record.QUOTES} <= names, "a quote of a file that is not there"
    for name in names:
        values = record.read(name)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", values["date"]), name
        assert re.fullmatch(r"[0-9a-f]{7,}( \(with uncommitted changes\))?", values["commit"])
        assert int(values["cores"]) >= 1
        assert re.fullmatch(r"\d+\.\d-\d+\.\d", values["load"]), name
        assert "Recorded by: python bench/" in (ROOT / "bench" / "results" / f"{name}.txt").read_text()


def test_every_recorded_file_a_doc_quotes_is_named_with_its_date_where_quoted():
    """A reader can tell where a timing comes from and when it was measured: each doc that
    quotes a recorded file names it and the date it holds."""
    for doc, name, _ in record.QUOTES:
        text = " ".join((ROOT / doc).read_text().split())
        assert f"bench/results/{name}.txt" in text, f"{doc} does not name bench/results/{name}.txt"
        assert record.read(name)["date"] in text, f"{doc} does not give the date of {name}"


def _changed_figure(doc: str, name: str, template: str) -> str:
    """The doc's text with the first figure of ``template`` (as recorded) changed."""
    values = record.read(name)
    key = re.findall(r"{(\w+)}", template)[0]
    quote = " ".join(template.format(**values).split())
    text = " ".join((ROOT / doc).read_text().split())
    wrong = dict(values, **{key: values[key] + "1"})
    return text.replace(quote, " ".join(template.format(**wrong).split()))


def test_a_doc_timing_edited_or_a_recorded_file_changed_fails(tmp_path):
    doc, name, template = record.QUOTES[0]
    assert record.misquoted(texts={doc: _changed_figure(doc, name, template)})
    # the recorded file changed instead (a bench run again, the doc not updated)
    results = tmp_path / "bench" / "results"
    results.mkdir(parents=True)
    for path in (ROOT / "bench" / "results").glob("*.txt"):
        (results / path.name).write_text(path.read_text())
    key = re.findall(r"{(\w+)}", template)[0]
    file = results / f"{name}.txt"
    value = record.read(name)[key]
    file.write_text(file.read_text().replace(f"\n{key} = {value}\n", f"\n{key} = {value}9\n"))
    for d in {d for d, _, _ in record.QUOTES}:
        (tmp_path / d).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / d).write_text((ROOT / d).read_text())
    assert [p for p in record.misquoted(root=tmp_path) if name in p]


_RUNS: dict = {}


class _Memo:
    """``Exercise(scenario, seed=s).run()`` run once per scenario and seed in this module: the
    fidelity tables and the typical outcomes are the same 50 seeds of the built-ins."""

    def __init__(self, scenario, seed: int) -> None:
        self.scenario, self.seed = scenario, seed

    def run(self):
        key = (self.scenario.id, len(self.scenario.msel), self.seed)
        if key not in _RUNS:
            _RUNS[key] = Exercise(self.scenario, seed=self.seed).run()
        return _RUNS[key]


def test_scenarios_md_tables_are_what_fidelity_prints_now():
    """docs/scenarios.md, *Outcomes over 50 seeds*: both tables are ``python bench/fidelity.py
    --markdown`` as it prints them now (a model change that moves a rate fails here until the
    tables are regenerated)."""
    import scenarios

    fidelity = bench_script("fidelity")
    fidelity.Exercise = _Memo
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fidelity.markdown(scenarios.builtin_ids(), 50)
    tables = out.getvalue()
    text = (ROOT / "docs" / "scenarios.md").read_text()
    assert tables in text, "run python bench/fidelity.py --markdown; paste it into docs/scenarios.md"
    # ... and one rate changed in the doc would not pass
    row = next(line for line in tables.splitlines() if line.startswith("| `grid-wiper` | OBJ-1"))
    edited = text.replace(row, row.replace("| 0% |", "| 2% |", 1))
    assert edited != text and tables not in edited


def test_scenarios_md_typical_outcomes_are_what_the_script_computes_now(monkeypatch):
    """docs/scenarios.md's *Typical outcome* figures: bench/docs_figures.py recomputes them from
    the same 50 seeds of each exercise built-in; the docs say what docs/figures.txt holds
    (tests/test_sweep_analysis.py), and docs/figures.txt holds what the model does now."""
    script = bench_script("docs_figures")
    monkeypatch.setattr("sim.exercise.Exercise", _Memo)
    fresh = script.figures(("typical-outcomes",))
    stored = script.read_stored()
    assert fresh and fresh == {k: stored.get(k) for k in fresh}, (
        "rerun python bench/docs_figures.py --write and update docs/scenarios.md"
    )
    # ... and every figure docs/scenarios.md quotes is among them: a milestone no run reaches
    # any more leaves the fresh figures, and must not stay quoted from the stored file
    quoted = {field for doc, template in script.QUOTES if doc == "docs/scenarios.md"
              for _, field, _, _ in string.Formatter().parse(template) if field}  # fmt: skip
    assert quoted <= set(fresh), f"quoted but no longer computed: {sorted(quoted - set(fresh))}"


def test_a_sweep_figure_edited_in_a_doc_fails():
    """bench/docs_figures.py's check (the shipped sweeps' figures) catches one figure changed."""
    script = bench_script("docs_figures")
    stored = script.read_stored()
    assert script.misquoted(stored) == []
    wrong = dict(stored, hu_ties_all_up_to="0.25")
    assert script.misquoted(wrong)


#: Every doc: an unsourced timing fails in any of them.
DOCS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
#: The docs that quote benchmark timings (bench/record.py's QUOTES, checked below): each has
#: timing paragraphs, so the check that they name their files is not passed for want of any.
TIMED = ["docs/hosting.md", "docs/reports.md", "docs/security.md", "docs/sweeps.md"]

_TIMING_SOURCE = re.compile(r"bench/((sweep|host|summary|inputs|engine|tui|replay)\.py|results/)")
_TIMING = re.compile(r"\d(\.\d+)? ?(ms|s|x|MB|KB|GB|runs/s|events/s)\b")


def timing_paragraphs(text: str) -> list[str]:
    """The paragraphs (and list items) of a doc that give a time, a speed-up, a rate or a size
    and name a timing bench or a file of bench/results/."""
    return [p for p in re.split(r"\n\s*\n|\n(?=- )", text)
            if _TIMING_SOURCE.search(p) and _TIMING.search(p)]  # fmt: skip


def unsourced(text: str) -> list[str]:
    """The timing paragraphs of ``text`` that do not name the file of bench/results/ they come
    from (a timing from memory)."""
    return [p for p in timing_paragraphs(text) if "bench/results/" not in p]


def test_the_docs_that_quote_timings_are_those_listed_and_the_check_sees_each_quote():
    assert sorted({doc for doc, _, _ in record.QUOTES}) == TIMED
    for doc, name, template in record.QUOTES:
        quote = " ".join(template.format(**record.read(name)).split())
        seen = [" ".join(p.split()) for p in timing_paragraphs((ROOT / doc).read_text())]
        assert any(quote in p for p in seen), f"{doc}: the check does not see the quote of {name}"


@pytest.mark.parametrize("doc", DOCS)
def test_timings_in_a_doc_name_their_recorded_file(doc):
    """No timing from memory: every paragraph (or list item) of the docs that names a timing
    bench and gives a time, a speed-up, a rate or a size names the file of bench/results/ it
    comes from; the docs of :data:`TIMED` have such paragraphs."""
    text = (ROOT / doc).read_text()
    assert unsourced(text) == []
    assert bool(timing_paragraphs(text)) == (doc in TIMED), (
        f"{doc}: quotes a timing; add it to bench/record.py's QUOTES and to TIMED"
        if doc not in TIMED else f"{doc}: no timing paragraph found (it quotes some)"
    )


def test_a_timing_from_memory_fails_in_any_doc():
    """The check above, on a paragraph added without its file, in a doc that quotes timings and
    in one that does not."""
    added = "\n\n`python bench/engine.py` makes 140 runs/s on one core, 2.1 s end to end.\n"
    for doc in ("docs/sweeps.md", "README.md"):
        text = (ROOT / doc).read_text()
        assert unsourced(text) == [] and len(unsourced(text + added)) == 1
    assert unsourced(added + "(bench/results/engine.txt, 2026-12-07)") == []


def test_hosting_md_gives_the_size_of_the_shipped_page_files():
    """docs/hosting.md's "about N KB" of tui/host/web/static/ is their size, to 10 KB."""
    static = ROOT / "tui" / "host" / "web" / "static"
    kb = sum(p.stat().st_size for p in static.rglob("*") if p.is_file()) / 1024
    text = " ".join((ROOT / "docs" / "hosting.md").read_text().split())
    assert f"(`tui/host/web/static/`, about {round(kb, -1):.0f} KB:" in text


def test_a_recording_keeps_the_figures_printed_with_when_and_under_what_load(tmp_path, monkeypatch, capsys):
    """``--record`` (bench/record.py): what a bench printed through ``fig`` lands in the file,
    with the date, commit, cores and load, and reads back as the docs' quotes use it."""
    monkeypatch.setattr(record, "RESULTS", tmp_path / "bench" / "results")
    with record.recording("demo"):
        print(f"2 vs 1 workers {record.fig('ratio', 1.8123, '.2f')}x, {record.fig('runs', 3000, ',')} runs")
    assert "2 vs 1 workers 1.81x, 3,000 runs" in capsys.readouterr().out
    values = record.read("demo", root=tmp_path)
    assert values["ratio"] == "1.81" and values["runs"] == "3,000"
    assert {"date", "time", "commit", "cores", "load"} <= set(values)
    text = (tmp_path / "bench" / "results" / "demo.txt").read_text()
    assert "#   2 vs 1 workers 1.81x, 3,000 runs" in text  # the printed output, as comments
    with record.recording(None):  # not recording: nothing kept
        record.fig("other", 1)
    assert not (tmp_path / "bench" / "results" / "None.txt").exists()


def test_a_bench_scripts_record_option_writes_its_file_only_when_given(tmp_path, monkeypatch):
    """The ``--record`` of the bench scripts (record.add_option, record.recording_if_asked)."""
    monkeypatch.setattr(record, "RESULTS", tmp_path)
    parser = argparse.ArgumentParser()
    record.add_option(parser, "demo")
    assert "bench/results/demo.txt" in " ".join(parser.format_help().split())
    for argv, written in (([], False), (["--record"], True)):
        with record.recording_if_asked(parser.parse_args(argv), "demo"):
            print(f"runs/s {record.fig('rate', 12.5)}")
        assert (tmp_path / "demo.txt").exists() == written
    assert record.read_figures(tmp_path / "demo.txt")["rate"] == "12.5"


def test_a_docs_marked_tables_read_and_written_by_name():
    """The ``<!-- figures: NAME -->`` blocks the doc-figure scripts write (record.blocks,
    record.with_blocks): a table written replaces its block's text alone."""
    text = ("# Doc\n<!-- figures: a -->\n| x |\n<!-- /figures -->\nprose\n"
            "<!-- figures: b-2 -->\n| y |\n<!-- /figures -->\n")  # fmt: skip
    assert record.blocks(text) == {"a": "| x |\n", "b-2": "| y |\n"}
    written = record.with_blocks(text, {"b-2": "| z |\n| w |\n"})
    assert record.blocks(written) == {"a": "| x |\n", "b-2": "| z |\n| w |\n"}
    assert written.replace("| z |\n| w |\n", "| y |\n") == text
    for doc in ("docs/calibration.md", "docs/model.md"):  # the docs' own blocks read back whole
        shown = (ROOT / doc).read_text(encoding="utf-8")
        assert record.blocks(shown) and record.with_blocks(shown, record.blocks(shown)) == shown


def test_a_doc_figure_scripts_write_and_check(tmp_path, capsys):
    """record.figures_main, the ``--write``/``--check`` of bench/docs_figures.py,
    model_figures.py and calibration.py: --write stores the figures and fills the doc's tables,
    --check then passes, and fails naming the file, table or quote that says otherwise."""
    stored, doc = tmp_path / "figures.txt", tmp_path / "doc.md"
    doc.write_text("Runs: 7.\n<!-- figures: t -->\nold\n<!-- /figures -->\n")
    values, tables = {"runs": "7"}, {"t": "| 7 |\n"}

    def main(*argv: str) -> int:
        def misquoted(v):
            return [] if f"Runs: {v['runs']}." in doc.read_text() else ["doc.md: no runs"]

        return record.figures_main(argparse.ArgumentParser(), list(argv),
                                   lambda args: (dict(values), dict(tables)), stored=stored,
                                   head="test", doc=doc, misquoted=misquoted)  # fmt: skip

    assert main("--check") == 1
    assert "figures.txt: stored figures differ" in capsys.readouterr().err
    assert main("--write") == 0 and main("--check") == 0
    assert record.read_figures(stored) == values and record.blocks(doc.read_text()) == tables
    values["runs"], tables["t"] = "8", "| 8 |\n"  # the model moved; the doc and file did not
    assert main("--check") == 1
    err = capsys.readouterr().err
    assert "doc.md: table t differs" in err and "no runs" in err and "stored figures differ" in err
    doc.write_text("Runs: 8.\n")  # a table with no block to go in: refused, nothing written
    assert main("--write") == 1 and "no <!-- figures: t --> block" in capsys.readouterr().err
    assert record.read_figures(stored) == {"runs": "7"}
