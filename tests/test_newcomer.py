"""What a newcomer starts from: ``cdtx scenarios --show`` and docs/first-scenario.md."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import scenarios
from tui.cli import main

DOCS = Path(__file__).parents[1] / "docs"
PORTABLE_LINE = "# yaml-language-server: $schema=./cdtx-scenario.schema.json\n"


def test_show_prints_the_builtin_with_a_schema_line_that_works_outside_the_repository(capsys):
    assert main(["scenarios", "--show", "hospital-ransomware"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(PORTABLE_LINE)
    assert "cdtx schema > cdtx-scenario.schema.json" in text.splitlines()[1]
    assert "../../docs" not in text
    builtin = scenarios.load("hospital-ransomware")
    assert scenarios.load_text(text).model_dump() == builtin.model_dump()


def test_show_of_an_unknown_id_names_the_close_one(capsys):
    assert main(["scenarios", "--show", "hospital"]) == 1
    err = capsys.readouterr().err
    assert "--show hospital: no built-in scenario" in err and "Traceback" not in err


def test_msel_import_output_points_at_the_schema_next_to_it(tmp_path, capsys):
    sheet, out = tmp_path / "msel.csv", tmp_path / "new.yaml"
    assert main(["msel", "export", "grid-wiper", "-o", str(sheet)]) == 0
    assert main(["msel", "import", str(sheet), "--into", "grid-wiper", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert PORTABLE_LINE in text and "../../docs" not in text


def test_the_first_scenario_page_works_as_written(tmp_path, capsys):
    """Step 1's --show, then every YAML snippet of the page put into the file, validates."""
    page = (DOCS / "first-scenario.md").read_text(encoding="utf-8")
    assert "cdtx scenarios --show hospital-ransomware > my-exercise.yaml" in page
    assert main(["scenarios", "--show", "hospital-ransomware"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    data.update(id="my-exercise", title="My exercise")  # "Change id and title at once"
    snippets = re.findall(r"```yaml\n(.*?)```", page, re.S)
    assert len(snippets) >= 4
    for snippet in snippets:
        if snippet.startswith("# yaml-language-server:"):
            assert snippet == PORTABLE_LINE  # the line --show writes
            continue
        data.update(yaml.safe_load(snippet))
    path = tmp_path / "my-exercise.yaml"
    path.write_text(PORTABLE_LINE + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 0, capsys.readouterr()
    scenario = scenarios.load(str(path))
    assert scenario.players == ["EE", "LV"] and [m.id for m in scenario.msel] == ["M-01"]
