"""The MSEL as an HSEEP spreadsheet: lossless round trip, and row+column messages for bad sheets."""

from __future__ import annotations

import csv
import re
from pathlib import Path

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
    # The same scenario as the whole scenario dumped afresh (what import used to write) ...
    fresh = msel.to_yaml(original, original.msel, sheet.name)
    assert again.model_dump() == scenarios.load_text(fresh).model_dump()
    # ... but the text is the built-in file with only its msel block (its last key) replaced.
    source = scenarios.builtin_path(scenario_id).read_text(encoding="utf-8")
    assert text == source[: source.index("\nmsel:") + 1] + _block(fresh) + "\n"


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
    for action in (lambda p: msel.export(scenarios.load("grid-wiper"), p), msel.read):
        with pytest.raises(msel.MselError) as info:
            action(tmp_path / "msel")
        assert str(info.value).startswith(f"{tmp_path / 'msel'}: has no suffix;")


def test_unknown_member_state_message_is_pydantic_free(tmp_path):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[1][4] = "XX"
    (problem,) = _bad(tmp_path, table)
    assert problem.startswith(f"{tmp_path / 'bad.csv'}: row 2, column 'To': unknown member state")
    assert "Value error" not in problem


def test_values_outside_the_header_are_refused(tmp_path):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[2] = [*table[2], "", "stray"]  # beyond the header's 13 columns: column O
    for row in table:
        row[9] = ""  # Responsible Controller: an unnamed, empty column (J) now
    table[3][9] = "ctrl"
    problems = _bad(tmp_path, table)
    assert problems == [
        f"{tmp_path / 'bad.csv'}: row 3, column O: 'stray' is in a column without a header; "
        "name the column or remove the value",
        f"{tmp_path / 'bad.csv'}: row 4, column J: 'ctrl' is in a column without a header; "
        "name the column or remove the value",
    ]


def test_status_is_checked(tmp_path):
    table = msel.rows(scenarios.load("grid-wiper"))
    table[1][12] = "Cancelled"  # left out
    table[2][12] = "Delivered"  # kept
    table[3][12] = ""  # kept
    assert [e.id for e in msel.parse_rows(table)] == [row[0] for row in table[2:]]
    table[4][12] = "maybe"
    (problem,) = _bad(tmp_path, table)
    assert "row 5, column 'Status': unknown status 'maybe'" in problem


def test_export_to_a_directory_or_unwritable_place(tmp_path):
    scenario = scenarios.load("grid-wiper")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(msel.MselError, match="is a directory"):
        msel.export(scenario, tmp_path / "d.csv")
    with pytest.raises(msel.MselError, match="cannot write"):
        msel.export(scenario, tmp_path / "nodir" / "m.csv")
    with pytest.raises(msel.MselError, match="is a directory"):
        msel.read(tmp_path)


# -- import keeps the scenario file as written, except its msel block ---------------------------

HEAD = """\
# A scenario under version control: these comments must survive an import.
# yaml-language-server: $schema=./cdtx-scenario.schema.json
cdtx: 1
id: "tiny"            # quoted on purpose
title: 'Tiny: a test'
start: 2026-03-06T09:00:00+01:00
horizon: 10d

# -- who -----------------------------------------------------------
objectives:
  - id: OBJ-1
    text: Meet.
    metric: t_first_psc
    target: 72h
threat_actors:
  - {id: apt, name: APT, sponsor: RU}   # a flow entry

incidents:
  - id: INC-1
    actor: apt
    targets: [{state: EE, sector: energy}]
    severity: {scope: 1, scale: 1, duration: 1, intensity: 1, complexity: 1,
               sophistication: 1, impact: 1}

"""
OLD_MSEL = """\
msel:   # the injects
  # the first one
  - id: M-01
    at: 1h
    type: note
    params: {text: old}
    notes: |
      a block scalar
      at the end"""
TAIL = """

# -- timing, after the msel ------------------------------------------
procedure:
  mode: crisis   # exercise pace
# the end
"""
NEW_ROWS = [
    ["M-01", "2h", "note", "", "", "", "", "", "OBJ-1", "", "", '{"text": "new"}', "planned"],
    ["M-02", "1d", "media", "Press", "EE", "", "line one\nline two", "", "", "", "", "{pressure: 0.5}",
     "planned"],
]  # fmt: skip


def _sheet(tmp_path, rows=NEW_ROWS):
    return _write_csv(tmp_path / "new.csv", [msel.HEADERS, *rows])


def _import(tmp_path, text, rows=NEW_ROWS, newline="\n"):
    """(written YAML, expected scenario dump) for importing ``rows`` into the file ``text``."""
    path = tmp_path / "scenario.yaml"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    scenario = scenarios.load_path(path)
    sheet = _sheet(tmp_path, rows)
    out = msel.import_into(scenario, sheet)
    fresh = msel.to_yaml(scenario, msel.read(sheet), sheet.name)  # what import used to write
    assert scenarios.load_text(out).model_dump() == scenarios.load_text(fresh).model_dump()
    return out, fresh


def _block(fresh: str) -> str:
    """The msel block of a whole-scenario dump (its last key), without the final line break."""
    return fresh[fresh.index("\nmsel:") + 1 :].rstrip("\n")


def test_import_keeps_everything_but_the_msel_block(tmp_path):
    out, fresh = _import(tmp_path, HEAD + OLD_MSEL + TAIL)
    assert out == HEAD + _block(fresh) + TAIL
    assert "old" not in out and "the first one" not in out  # comments inside msel go with it
    again = scenarios.load_text(out)
    assert [(e.id, e.at) for e in again.msel] == [("M-01", 2), ("M-02", 24)]
    assert again.msel[1].message == "line one\nline two"
    assert again.procedure.mode == "crisis"


def test_import_replaces_a_flow_msel(tmp_path):
    flow = "msel: [{id: M-01, at: 1h, type: note,\n        params: {text: old}}]  # flow"
    out, fresh = _import(tmp_path, HEAD + flow + TAIL)
    assert out == HEAD + _block(fresh) + TAIL


def test_import_replaces_an_empty_msel(tmp_path):
    out, fresh = _import(tmp_path, HEAD + "msel: []" + TAIL)
    assert out == HEAD + _block(fresh) + TAIL


def test_import_of_an_empty_sheet_writes_an_empty_msel(tmp_path):
    out, _ = _import(tmp_path, HEAD + OLD_MSEL + TAIL, rows=[])
    assert out == HEAD + "msel: []" + TAIL


def test_import_appends_msel_to_a_file_without_one(tmp_path):
    out, fresh = _import(tmp_path, HEAD + TAIL.lstrip("\n"))
    assert out == HEAD + TAIL.lstrip("\n") + "\n" + _block(fresh) + "\n"
    # No line break at the end of the file: one is added before the block.
    out, fresh = _import(tmp_path, HEAD.rstrip("\n"))
    assert out == HEAD.rstrip("\n") + "\n\n" + _block(fresh) + "\n"
    # Nothing to add: the file stays as it is.
    out, _ = _import(tmp_path, HEAD, rows=[])
    assert out == HEAD


def test_import_keeps_windows_line_endings(tmp_path):
    out, fresh = _import(tmp_path, HEAD + OLD_MSEL + TAIL, newline="\r\n")
    assert "\n" not in out.replace("\r\n", "")
    crlf = HEAD.replace("\n", "\r\n"), TAIL.replace("\n", "\r\n")
    assert out == crlf[0] + _block(fresh).replace("\n", "\r\n") + crlf[1]


def test_import_falls_back_to_a_fresh_dump(tmp_path):
    # An alias after the msel block to an anchor inside it: the block cannot just be replaced.
    anchored = OLD_MSEL.replace("{text: old}", "{text: &said old}")
    out, fresh = _import(tmp_path, HEAD + anchored + "\nsummary: *said\n")
    assert out == fresh
    # A top-level flow mapping has no block to replace either.
    flat = "{cdtx: 1, id: t, title: T, start: 2026-03-06T09:00:00Z, horizon: 3d,\n"
    flat += " threat_actors: [{id: apt, name: APT}], msel: []}\n"
    out, fresh = _import(tmp_path, flat, rows=[NEW_ROWS[1]])
    assert out == fresh


def test_cli_import_keeps_comments(tmp_path):
    path, out = tmp_path / "scenario.yaml", tmp_path / "new.yaml"
    path.write_text(HEAD + OLD_MSEL + TAIL, encoding="utf-8")
    sheet = _sheet(tmp_path)
    assert main(["msel", "import", str(sheet), "--into", str(path), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(HEAD) and text.endswith(TAIL)
    assert [e.id for e in scenarios.load_path(out).msel] == ["M-01", "M-02"]


# -- XLSX bombs: refused from the archive's own declarations and a streamed scan (issue 21) -------

SHEET = "xl/worksheets/sheet1.xml"
_SHEET_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _sheet_xml(rows: bytes, head: bytes = b"") -> bytes:
    return head + _SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def _header_row() -> bytes:
    cells = b"".join(
        b'<c t="inlineStr"><is><t>' + h.encode() + b"</t></is></c>" for h in msel.HEADERS
    )
    return b'<row r="1">' + cells + b"</row>"


def _empty_cells(count: int) -> bytes:
    return _header_row() + b'<row r="2">' + b"<c/>" * count + b"</row>"


def _random_text(chars: int) -> bytes:
    import random

    rng = random.Random(7)  # hex digits pack about 2 to 1: under any ratio bound
    return "".join(rng.choice("0123456789abcdef") for _ in range(chars)).encode()


def _bomb_parts(kind: str, good):
    """(part name, content or a list of chunks) replacing parts of a real MSEL workbook."""
    if kind == "ten-million-empty-cells":  # the reported one: 43 KB packed, 2.8 GB in openpyxl
        return {SHEET: _sheet_xml(_empty_cells(10_000_000))}
    if kind == "huge-inline-string":  # 70 MB of one string, written in chunks
        head = _SHEET_HEAD + b'<sheetData><row r="2"><c t="inlineStr"><is><t>'
        tail = b"</t></is></c></row></sheetData></worksheet>"
        return {SHEET: [head] + [b"a" * (1 << 20)] * 70 + [tail]}
    if kind == "wide-row-below-the-ratio":
        return {SHEET: _sheet_xml(_empty_cells(5_000))}
    if kind == "many-cells-below-the-ratio":  # 250,000 empty cells, 1 MB unpacked
        rows = b"".join(b"<row>" + b"<c/>" * 1000 + b"</row>" for _ in range(250))
        return {SHEET: _sheet_xml(_header_row() + rows)}
    if kind == "long-cell-below-the-ratio":
        cell = b'<c r="G2" t="inlineStr"><is><t>' + _random_text(2_000_000) + b"</t></is></c>"
        return {SHEET: _sheet_xml(_header_row() + b'<row r="2">' + cell + b"</row>")}
    if kind == "sheet-elsewhere":  # the workbook may name any part as its sheet
        cell = b'<c r="G2" t="inlineStr"><is><t>' + _random_text(100_000) + b"</t></is></c>"
        rows = _header_row() + b'<row r="2">' + cell + b"</row>"
        moved = {SHEET: None, "xl/custom/data.xml": _sheet_xml(rows)}
        return moved | _moved_sheet(good, b"xl/custom/data.xml")
    if kind == "long-shared-string":
        text = b"<si><t>" + _random_text(300_000) + b"</t></si>"
        return {"xl/sharedStrings.xml": b'<sst xmlns="x">' + text + b"</sst>"}
    if kind == "value-far-right":
        cell = b'<c r="BZ2" t="inlineStr"><is><t>hidden</t></is></c>'
        return {SHEET: _sheet_xml(_header_row() + b'<row r="2">' + cell + b"</row>")}
    if kind == "entity-expansion":
        doctype = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>'
        return {SHEET: _sheet_xml(_header_row(), head=doctype)}
    if kind == "many-parts":
        return {f"xl/media/x{i}.bin": b"" for i in range(400)}
    raise AssertionError(kind)


def _moved_sheet(good, part: bytes) -> dict:
    """The parts that name ``part`` as the workbook's sheet (relationship, content type)."""
    import zipfile

    old = b"/" + SHEET.encode()
    with zipfile.ZipFile(good) as source:
        named = {n: source.read(n) for n in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml")}
    assert all(old in text for text in named.values())
    return {n: text.replace(old, b"/" + part) for n, text in named.items()}


def _edited_workbook(tmp_path, name: str, part: str, edit) -> Path:
    """grid-wiper's exported MSEL workbook with one part (``part``) passed through ``edit``."""
    import zipfile

    good = msel.export(scenarios.load("grid-wiper"), tmp_path / "good.xlsx")
    path = tmp_path / name
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, edit(data) if info.filename == part else data)
    return path


def _bomb(tmp_path, kind: str):
    import zipfile

    good = msel.export(scenarios.load("grid-wiper"), tmp_path / "good.xlsx")
    parts = _bomb_parts(kind, good)
    path = tmp_path / f"{kind}.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename not in parts:
                out.writestr(info, source.read(info))
        for name, content in parts.items():
            if content is None:  # left out
                continue
            with out.open(name, "w", force_zip64=True) as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    return path


BOMBS = {
    "ten-million-empty-cells": "sheet1.xml is packed more than 100 to 1",
    "huge-inline-string": "unpacks to more than 64 MB",
    "wide-row-below-the-ratio": "row 2: more than 1024 cells",
    "many-cells-below-the-ratio": "sheet1.xml: more than 200,000 cells, empty ones included",
    "long-cell-below-the-ratio": f"row 2, column G: more than {msel.MAX_CELL} characters",
    "sheet-elsewhere": f"row 2, column G: more than {msel.MAX_CELL} characters",
    "long-shared-string": f"a shared string: more than {msel.MAX_CELL} characters",
    "value-far-right": f"row 2, column BZ: more than {msel.MAX_COLUMNS} columns",
    "entity-expansion": "a DOCTYPE",
    "many-parts": "parts in the archive (at most 256)",
}


@pytest.mark.parametrize("kind", list(BOMBS))
def test_xlsx_bombs_are_refused_before_openpyxl_unpacks_them(tmp_path, monkeypatch, capsys, kind):
    openpyxl = pytest.importorskip("openpyxl")
    path = _bomb(tmp_path, kind)
    assert path.stat().st_size < msel.MAX_FILE_BYTES  # small on disk: only unpacking is large

    def tripwire(*args, **kwargs):
        raise AssertionError("openpyxl was given a workbook the bounds refuse")

    monkeypatch.setattr(openpyxl, "load_workbook", tripwire)
    with pytest.raises(msel.MselError) as info:
        msel.read(path)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert problem.startswith(f"{path}: ") and BOMBS[kind] in problem, problem
    assert main(["msel", "import", str(path), "--into", "grid-wiper"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and BOMBS[kind] in err and "Traceback" not in err


@pytest.mark.parametrize(
    "char", ["\x1b", "\x00", "\x0b", "\ufffe"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_a_cell_an_xlsx_cannot_hold_is_one_message_and_csv_keeps_it(tmp_path, capsys, char):
    pytest.importorskip("openpyxl")
    original = scenarios.load("grid-wiper")
    entries = list(original.msel)
    entries[1] = entries[1].model_copy(update={"message": f"a{char}b"})
    scenario = original.model_copy(update={"msel": entries})
    path = tmp_path / "s.yaml"
    path.write_text(msel.to_yaml(scenario, entries), encoding="utf-8")  # the escape: "a\eb"
    assert scenarios.load_path(path).msel[1].message == f"a{char}b"
    sheet = tmp_path / "m.xlsx"
    assert main(["msel", "export", str(path), "-o", str(sheet)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{sheet}: row 3, column 'Message': character U+{ord(char):04X} cannot be stored" in err
    assert not sheet.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]
    csv_sheet = msel.export(scenarios.load_path(path), tmp_path / "m.csv")
    assert msel.read(csv_sheet)[1].message == f"a{char}b"  # CSV keeps it, both ways


@pytest.mark.parametrize(
    "cell",
    [b'<c r="A2" t="s"><v>999</v></c>', b'<c r="A2" t="n"><v>x</v></c>',
     b'<c r="A2" t="d"><v>x</v></c>'],
    ids=["missing-shared-string", "number-holding-text", "date-holding-text"],
)  # fmt: skip
def test_a_malformed_cell_openpyxl_cannot_read_is_one_message(tmp_path, capsys, cell):
    pytest.importorskip("openpyxl")
    path = _edited_workbook(tmp_path, "bad.xlsx", SHEET,
                            lambda data: data.replace(b'<row r="2">', b'<row r="2">' + cell, 1))  # fmt: skip
    assert main(["msel", "import", str(path), "--into", "grid-wiper"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{path}: row 2: not readable (" in err


@pytest.mark.parametrize("layout", ["one-line", "over-quoted-line-breaks"])
def test_a_csv_row_of_a_million_empty_fields_is_refused_before_it_is_split(
    tmp_path, capsys, layout
):
    header = ",".join(msel.HEADERS) + "\r\n"
    # A field holding a line break joins the lines into one row.
    lines = ["," * 1_000_000] if layout == "one-line" else ["," * 100_000 + '"\n"'] * 10
    body = "".join(lines) + "\r\n"
    path = tmp_path / "wide.csv"
    path.write_text(header + body, encoding="utf-8", newline="")
    assert main(["msel", "import", str(path), "--into", "grid-wiper"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(rf"{re.escape(str(path))}: line \d+: more than \d+ commas in one row", err)


def test_a_workbook_without_a_worksheet_is_one_message(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    path = _edited_workbook(tmp_path, "none.xlsx", "xl/workbook.xml",
                            lambda data: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data))  # fmt: skip
    assert main(["msel", "import", str(path), "--into", "grid-wiper"]) == 1
    err = capsys.readouterr().err
    assert err == f"cdtx: {path}: the workbook has no worksheet (expected one named MSEL)\n"
