"""The MSEL as an HSEEP spreadsheet: lossless round trip, and row+column messages for bad sheets."""

from __future__ import annotations

import csv

import pytest

import scenarios
from scenarios import msel
from tui.cli import main

BUILTINS = scenarios.builtin_ids()


def _write_csv(path, table):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(table)
    return path


@pytest.mark.parametrize("scenario_id", BUILTINS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_is_lossless(tmp_path, scenario_id, suffix):
    if suffix == ".xlsx":
        pytest.importorskip("openpyxl")
    original = scenarios.load(scenario_id)
    sheet = msel.export(original, tmp_path / f"msel{suffix}")
    assert msel.read(sheet) == list(original.msel)
    text = msel.import_into(original, sheet)
    out = tmp_path / "new.yaml"
    out.write_text(text, encoding="utf-8")
    again = scenarios.load_path(out)
    assert list(again.msel) == list(original.msel)
    # Everything but the MSEL is the --into scenario.
    assert again.model_dump(exclude={"msel"}) == original.model_dump(exclude={"msel"})


def test_cli_export_import(tmp_path, capsys):
    sheet, out = tmp_path / "msel.csv", tmp_path / "new.yaml"
    assert main(["msel", "export", "grid-wiper", "-o", str(sheet)]) == 0
    header = sheet.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Event No.,Scenario Time,Event Type,From,To,Delivery Method,Message")
    assert header.endswith("Params,Status")
    assert main(["msel", "import", str(sheet), "--into", "grid-wiper", "-o", str(out)]) == 0
    assert scenarios.load_path(out).msel == scenarios.load("grid-wiper").msel


def test_edited_sheet_changes_the_msel(tmp_path):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[2][1] = "18h"  # M-02 later
    table[2][11] = "{pressure: 0.6}"  # YAML flow text is accepted too
    table.append(["M-99", "25d", "note", "Control", "EE, LV", "", "Late note", "", "", "", "",
                  '{"text": "hello"}', "planned"])  # fmt: skip
    sheet = _write_csv(tmp_path / "m.csv", table)
    entries = {e.id: e for e in msel.read(sheet)}
    assert entries["M-02"].at == 18 and entries["M-02"].params.pressure == 0.6
    assert entries["M-99"].to == ["EE", "LV"]


def _bad(tmp_path, table) -> list[str]:
    sheet = _write_csv(tmp_path / "bad.csv", table)
    with pytest.raises(msel.MselError) as info:
        msel.import_into(scenarios.load("grid-wiper"), sheet)
    return info.value.problems


def test_bad_rows_name_row_and_column(tmp_path):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[1][2] = "telegram"  # row 2: unknown type
    table[2][1] = "12 hours"  # row 3: bad time
    table[3][11] = '{"actor": "iron-lantern", "confidence": 3}'  # row 4: out of range
    table[4][11] = "{not json"  # row 5: unparsable
    table[5][4] = "XX"  # row 6: unknown state
    problems = _bad(tmp_path, table)
    text = "\n".join(problems)
    assert "row 2, column 'Event Type': unknown inject type 'telegram'" in text
    assert "row 3, column 'Scenario Time': bad duration '12 hours'" in text
    assert "row 4, column 'Params': confidence" in text
    assert "row 5, column 'Params'" in text
    assert "row 6, column 'To'" in text
    assert len(problems) == 5


def test_missing_columns(tmp_path):
    table = [row[:3] for row in msel.rows(scenarios.load("grid-wiper"))]
    assert _bad(tmp_path, table) == [f"{tmp_path / 'bad.csv'}: row 1: missing column 'Params'"]


def test_unknown_objective_points_at_the_row(tmp_path):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[3][8] = "OBJ-9"
    problems = _bad(tmp_path, table)
    assert len(problems) == 1 and "row 4" in problems[0] and "OBJ-9" in problems[0]


def test_cli_bad_sheet_is_one_message_per_fault(tmp_path, capsys):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[1][2] = "telegram"
    sheet = _write_csv(tmp_path / "bad.csv", table)
    assert main(["msel", "import", str(sheet), "--into", "grid-wiper"]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'Event Type'" in err and "Traceback" not in err


def test_xlsx_bad_cell(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    sheet = msel.export(scenarios.load("grid-wiper"), tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(sheet)
    book.active["B3"] = "soon"
    book.save(sheet)
    with pytest.raises(msel.MselError) as info:
        msel.read(sheet)
    assert info.value.problems == [
        f"{sheet}: row 3, column 'Scenario Time': bad duration 'soon': use a number and a unit "
        "m, h, d or w, e.g. '90m', '36h', '3d', '2w'"
    ]


def test_wrong_extension(tmp_path):
    with pytest.raises(msel.MselError, match=r"\.csv or \.xlsx"):
        msel.export(scenarios.load("grid-wiper"), tmp_path / "m.ods")
