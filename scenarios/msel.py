"""The MSEL as a spreadsheet (HSEEP Master Scenario Events List): export to and import from CSV/XLSX.

One row per MSEL entry, in the HSEEP column order: event number, scenario time,
event type, from, to, delivery method, message, expected action, objectives, responsible
controller, notes, then ``Params`` (the inject's parameters as compact JSON; YAML flow text such
as ``{pressure: 0.4}`` is accepted on import) and ``Status`` (``planned`` on export; on import
rows marked ``cancelled`` or ``deleted`` are left out, and a status not in :data:`KEPT_STATUS` or
:data:`DROPPED_STATUS` is refused). Every value must stand under a header.

Export followed by import is lossless: the re-imported MSEL equals the original. Import edits the
scenario's YAML text: only the top-level ``msel:`` block is replaced (comments inside it go with
it), everything else in the file is kept as written (:func:`splice_msel`).
openpyxl (``cdtx[xlsx]``) is imported only when an ``.xlsx`` file is read or written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

import yaml
from pydantic import TypeAdapter, ValidationError

from .errors import CdtxError
from .load import load_text
from .model import INJECT_TYPES, Inject, InjectBase, Scenario, expected_text, parse_expected
from .safe_read import ScenarioError, read_bytes, read_json, read_yaml
from .safe_write import OutputError, atomic_output, check_output
from .vocabulary import format_duration, parse_duration

#: (key, header) in HSEEP order. ``key`` is the MSEL entry field the column holds.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Event No."),
    ("at", "Scenario Time"),
    ("type", "Event Type"),
    ("from", "From"),
    ("to", "To"),
    ("delivery", "Delivery Method"),
    ("message", "Message"),
    ("expected_action", "Expected Action"),
    ("objectives", "Objectives"),
    ("controller", "Responsible Controller"),
    ("notes", "Notes"),
    ("params", "Params"),
    ("status", "Status"),
)
HEADERS = [header for _, header in COLUMNS]
HEADER_OF = dict(COLUMNS)
REQUIRED = ("id", "at", "type", "params")

#: Other spellings of the headers that import accepts (compared lower-case, without punctuation).
_ALIASES = {
    "id": ("event no", "event number", "event", "no", "id", "inject id", "msel id"),
    "at": ("scenario time", "time", "at", "sim time"),
    "type": ("event type", "type", "inject type"),
    "from": ("from", "source"),
    "to": ("to", "intended player", "recipients", "to intended player"),
    "delivery": ("delivery method", "delivery"),
    "message": ("message", "synopsis", "synopsis or message", "event description", "description"),
    "expected_action": ("expected action", "expected player action", "expected actions"),
    "objectives": ("objectives", "objectives addressed", "objective"),
    "controller": ("responsible controller", "controller"),
    "notes": ("notes", "controller notes"),
    "params": ("params", "parameters"),
    "status": ("status",),
}
#: Status values (case-insensitive) of rows that are imported, and of rows that are left out.
KEPT_STATUS = ("", "planned", "ready", "sent", "delivered", "completed", "hold")
#: The status of an entry the clock waits at until the facilitator releases it (``hold: true``).
HOLD_STATUS = "hold"
DROPPED_STATUS = ("cancelled", "canceled", "deleted")
#: Bounds on a spreadsheet (docs/security.md): an MSEL has dozens to a few hundred entries.
MAX_ROWS = 5_000
MAX_CELL = 64 * 1024  # characters in one cell (the Params JSON of one inject is < 1 KB)
_ENTRY = TypeAdapter(Inject)
_TEXT_KEYS = ("from", "delivery", "message", "expected_action", "controller", "notes")


class MselError(CdtxError):
    """A spreadsheet that cannot become an MSEL; ``problems`` holds one message per fault."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] or [str(self)]


# -- export ----------------------------------------------------------------------------------


def _params_text(params: Any) -> str:
    return json.dumps(params, ensure_ascii=False, separators=(",", ":"))


def rows(scenario: Scenario) -> list[list[str]]:
    """The MSEL of ``scenario`` as spreadsheet rows (header row first), every cell a string."""
    out = [list(HEADERS)]
    for entry in scenario.msel:
        data = entry.model_dump(mode="json", by_alias=True)
        out.append(
            [
                entry.id,
                format_duration(entry.at),
                entry.type,
                entry.from_,
                " ".join(entry.to),
                entry.delivery,
                entry.message,
                expected_text(entry.expected_action),
                " ".join(entry.objectives),
                entry.controller,
                entry.notes,
                _params_text(data["params"]),
                HOLD_STATUS if entry.hold else "planned",
            ]
        )
    return out


def _suffix(path: Path, verb: str) -> str:
    """The suffix of ``path`` (.csv or .xlsx), lower-case; MselError for any other."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return suffix
    if not suffix:
        raise MselError([f"{path}: has no suffix; {verb} a .csv or .xlsx file"])
    raise MselError([f"{path}: {verb} .csv or .xlsx, not {path.suffix}"])


def export(scenario: Scenario, path: str | Path, *, force: bool = False) -> Path:
    """Write the MSEL of ``scenario`` to ``path`` (``.csv`` or ``.xlsx``), atomically: a
    temporary file renamed over ``path`` (an existing file only with ``force``), so a full disk
    leaves ``path`` as it was (scenarios.safe_write)."""
    path = Path(path)
    if path.is_dir():
        raise MselError([f"{path}: is a directory, not a spreadsheet file"])
    suffix = _suffix(path, "write")
    table = rows(scenario)
    if suffix == ".xlsx":
        _check_xml_text(table, path)
    try:
        check_output(path, force=force)
        with atomic_output(path, force=force) as handle:
            _write(handle, suffix, table)
    except OutputError as exc:
        raise MselError([str(exc)]) from None
    return path


#: Characters XML 1.0 (and so an .xlsx file) cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_xml_text(table: list[list[str]], path: Path) -> None:
    """MselError naming each cell holding a character an .xlsx file cannot store (a control
    character written as an escape in the scenario, say): refused before anything is written,
    rather than dropped or changed, so that export and import stay lossless."""
    problems = []
    for number, row in enumerate(table, start=1):
        for index, cell in enumerate(row):
            bad = _NOT_XML.search(cell)
            if bad:
                problems.append(
                    f"{path}: row {number}, column {HEADERS[index]!r}: character "
                    f"U+{ord(bad.group()):04X} cannot be stored in an .xlsx file; export to .csv, "
                    "or take it out of the scenario"
                )
    if problems:
        raise MselError(problems)


#: A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """``cell`` as CSV must hold it so that no spreadsheet runs it: OWASP's rule, a ``'`` before
    a leading ``= + - @``, tab or carriage return. Cells already starting with quotes before such
    a character get one more, so that :func:`restore` undoes exactly this (a lossless round trip).
    """
    if cell.startswith(FORMULA_START) or _QUOTED_FORMULA.match(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The text :func:`neutralise` was given (one leading ``'`` dropped before a formula start)."""
    return cell[1:] if _QUOTED_FORMULA.match(cell) else cell


def _write(handle: IO[bytes], suffix: str, table: list[list[str]]) -> None:
    if suffix == ".csv":
        text = io.StringIO(newline="")
        csv.writer(text).writerows([[neutralise(c) for c in row] for row in table])
        handle.write(text.getvalue().encode("utf-8"))
    else:
        openpyxl = _openpyxl()
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "MSEL"
        for row in table:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                # openpyxl makes "=..." a live formula: store every value as the text it is.
                cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = openpyxl.styles.Font(bold=True)
        sheet.freeze_panes = "A2"
        # Text format everywhere: "3d" or "0" must not turn into numbers or dates.
        for row in sheet.iter_rows():
            for cell in row:
                cell.number_format = "@"
        # Into memory first (an MSEL is small), then one write: a full disk under book.save()
        # would leave openpyxl's ZipFile unclosed, to fail again when collected ("Exception
        # ignored in ZipFile.__del__") after the clean message.
        packed = io.BytesIO()
        book.save(packed)
        handle.write(packed.getbuffer())


def _openpyxl():
    try:
        import openpyxl  # cdtx[xlsx], optional: the message below names it
        import openpyxl.styles  # noqa: F401
    except ImportError:
        raise MselError(
            ["reading or writing .xlsx needs openpyxl: pip install 'cdtx[xlsx]'"]
        ) from None
    return openpyxl


# -- import ----------------------------------------------------------------------------------


def read_table(path: str | Path) -> list[list[str]]:
    """The cells of a CSV or XLSX file as strings (first sheet for XLSX), within the bounds:
    at most :data:`MAX_ROWS` rows, :data:`MAX_COLUMNS` columns and :data:`MAX_CELL` characters a
    cell. A CSV cell quoted against formula injection (:func:`neutralise`) is restored; an XLSX
    formula is refused (cdtx never writes one, and its value would be lost)."""
    path = Path(path)
    if path.is_dir():
        raise MselError([f"{path}: is a directory, not an MSEL spreadsheet"])
    suffix = _suffix(path, "read")
    if not path.exists():
        raise MselError([f"{path}: no such file"])
    try:
        raw = read_bytes(path, what="an MSEL spreadsheet", max_bytes=MAX_FILE_BYTES)
    except ScenarioError as exc:
        raise MselError([str(p) for p in exc.problems]) from None
    if suffix == ".csv":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MselError([f"{path}: not UTF-8 text ({exc.reason})"]) from None
        table = _Table()
        lines = _CsvLines(text, path)
        try:
            for row in csv.reader(lines):
                lines.row_done()
                _bounded_row([restore(c) for c in row], len(table) + 1, path, table)
        except csv.Error as exc:
            raise MselError([f"{path}: not a CSV file cdtx can read ({exc})"]) from None
        return list(table)
    openpyxl = _openpyxl()
    check_xlsx(raw, path)  # before openpyxl unpacks anything
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise MselError([f"{path}: not a readable .xlsx workbook ({exc})"]) from None
    try:
        sheet = _msel_sheet(book, path)
        table = _Table()
        formulas = []
        # The bounds here, not the sheet's own <dimension>: a sheet claiming A1:XFD1048576 would
        # otherwise pad every row to 16,384 cells. check_xlsx refused values beyond them.
        rows = _readable_rows(
            sheet.iter_rows(max_col=MAX_COLUMNS + 1, max_row=MAX_SCANNED_ROWS + 1), path
        )
        for number, row in enumerate(rows, start=1):
            cells = []
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(
                        f"{path}: row {number}, column {_column_label(index)}: holds the formula "
                        f"{_cell_text(cell.value)[:60]!r}; cdtx reads text only: type the text "
                        "itself (or start it with ' to keep it as text)"
                    )
                cells.append(_cell_text(getattr(cell, "value", None)))
            _bounded_row(cells, number, path, table)
    finally:
        book.close()
    if formulas:
        raise MselError(formulas)
    return list(table)


#: Commas in the lines of one CSV row, quoted ones included: csv builds a list of every field of
#: a row before cdtx sees it, and one line of 15 million commas (a 15 MB file) took 376 MB and
#: 19 s. Only a row with four 64 KB cells made of commas alone reaches this.
MAX_ROW_COMMAS = 4 * MAX_CELL


class _CsvLines:
    """The lines of a CSV text for ``csv.reader``, refusing a row whose lines hold more than
    :data:`MAX_ROW_COMMAS` commas before the reader splits them (``row_done`` after each row:
    the reader reads no line beyond the row it returns)."""

    def __init__(self, text: str, path: Path) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self._path = path
        self._number = 0
        self._commas = 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._number += 1
        self._commas += line.count(",")
        if self._commas > MAX_ROW_COMMAS:
            raise MselError(
                [f"{self._path}: line {self._number}: more than {MAX_ROW_COMMAS} commas in one "
                 f"row; an MSEL row has at most {MAX_COLUMNS} columns"]
            )  # fmt: skip
        return line

    def row_done(self) -> None:
        self._commas = 0


def _msel_sheet(book: Any, path: Path) -> Any:
    """The worksheet named MSEL, else the first worksheet; MselError if there is none (a
    workbook of chart sheets only, say)."""
    if "MSEL" in book.sheetnames and hasattr(book["MSEL"], "iter_rows"):
        return book["MSEL"]
    if not book.worksheets:
        raise MselError([f"{path}: the workbook has no worksheet (expected one named MSEL)"])
    return book.worksheets[0]


def _readable_rows(rows: Iterable[Any], path: Path) -> Iterator[Any]:
    """The rows openpyxl reads, its failures on a malformed sheet (a shared string that is not
    there, a number cell holding text) as a MselError naming the row."""
    number = 0
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl's parsing of the XML: IndexError, ValueError ...
            raise MselError(
                [f"{path}: row {number + 1}: not readable ({type(exc).__name__}: {exc})"]
            ) from None
        number += 1
        yield row


#: Bounds on the file and its columns (rows: :data:`MAX_ROWS`).
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_COLUMNS = 64
MAX_SCANNED_ROWS = 10 * MAX_ROWS


#: Bounds on an XLSX archive, checked before openpyxl reads it (docs/security.md). An MSEL of
#: MAX_ROWS entries unpacks to a few MB; a zip bomb (10 million empty cells in one row, 43 KB
#: packed) to hundreds, and openpyxl's objects for them to GB.
MAX_XLSX_MEMBERS = 256
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # all members together, as the archive declares them
MAX_PACK_RATIO = 100  # unpacked / packed size of a member above RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_ROW_CELLS = 16 * MAX_COLUMNS  # <c> elements in one row, empty (formatted) ones included
MAX_SHARED_STRINGS = MAX_SCANNED_ROWS * MAX_COLUMNS // 10
#: <c> elements in a worksheet: MAX_ROWS entries of 40 cells. openpyxl reads about 40,000 a
#: second, so this bounds the time a workbook within every other bound takes (a million empty
#: formatted cells in 4 MB took 27 s).
MAX_SHEET_CELLS = 200_000
MAX_SHEET_ELEMENTS = 1_000_000  # XML elements of one worksheet or the shared strings
MAX_OTHER_ELEMENTS = 100_000  # of any other part (styles, workbook, relationships)
_SCAN_CHUNK = 64 * 1024


def check_xlsx(raw: bytes, path: Path) -> None:
    """Refuse an XLSX whose unpacking or reading would not stay within bounds, before openpyxl
    (which builds a Python object per cell of a row) sees it: MselError naming the part.

    The archive's declared sizes are checked first (members, unpacked bytes, packing ratio;
    ``zipfile`` never unpacks more than a member declares). Then every XML part is streamed
    through expat, never held whole: no DOCTYPE (so no entities), a bounded number of elements,
    and in worksheets and shared strings the bounds of :func:`read_table` (cells a row, columns
    holding a value, characters a cell), so that what openpyxl then builds is bounded too.
    """

    def refuse(message: str) -> MselError:
        return MselError([f"{path}: {message}; not an MSEL workbook cdtx will read"])

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise MselError([f"{path}: not a readable .xlsx workbook ({exc})"]) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise refuse(f"{len(members)} parts in the archive (at most {MAX_XLSX_MEMBERS})")
        total = 0
        for info in members:
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise refuse(
                    f"unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB "
                    f"({info.filename} alone to {info.file_size:,} bytes)"
                )
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_PACK_RATIO * max(
                info.compress_size, 1
            ):
                raise refuse(
                    f"{info.filename} is packed more than {MAX_PACK_RATIO} to 1 "
                    f"({info.compress_size:,} bytes unpack to {info.file_size:,}: a zip bomb?)"
                )
        for info in members:
            if info.filename.endswith((".xml", ".rels")):
                _scan_part(archive, info, refuse)


def _scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, refuse: Callable[[str], MselError]
) -> None:
    """Stream one XML part of an XLSX through expat within the bounds (see :func:`check_xlsx`).

    The cell and text bounds hold in every part, not only where Excel puts worksheets and shared
    strings: the workbook's relationships may point openpyxl at a sheet anywhere in the archive.
    """
    name = info.filename
    usual = name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"
    limit = MAX_SHEET_ELEMENTS if usual else MAX_OTHER_ELEMENTS
    state = {"elements": 0, "row": 0, "cells": 0, "column": 0, "chars": 0, "strings": 0,
             "all_cells": 0, "in_cell": False, "in_string": False, "has_value": False}  # fmt: skip

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = tag.rpartition(":")[2]
        state["elements"] += 1
        if state["elements"] > limit:
            raise refuse(f"{name}: more than {limit:,} XML elements")
        if not (state["in_cell"] or state["in_string"]):
            state["chars"] = 0  # the text of one element, or of one cell or string with its runs
        if tag == "row":
            state["row"] = _row_number(attrs.get("r"), state["row"] + 1)
            state["cells"] = state["column"] = 0
        elif tag == "c":
            state["cells"] += 1
            if state["cells"] > MAX_ROW_CELLS:
                raise refuse(f"row {state['row']}: more than {MAX_ROW_CELLS} cells, empty ones "
                             "included")  # fmt: skip
            state["all_cells"] += 1
            if state["all_cells"] > MAX_SHEET_CELLS:
                raise refuse(f"{name}: more than {MAX_SHEET_CELLS:,} cells, empty ones included")
            state["column"] = _column_number(attrs.get("r"), state["column"] + 1)
            state.update(in_cell=True, has_value=False, chars=0)
        elif tag in ("v", "is", "f") and state["in_cell"]:
            state["has_value"] = True
        elif tag == "si":
            state["strings"] += 1
            state.update(in_string=True, chars=0)
            if state["strings"] > MAX_SHARED_STRINGS:
                raise refuse(f"{name}: more than {MAX_SHARED_STRINGS:,} strings")

    def end(tag: str) -> None:
        tag = tag.rpartition(":")[2]
        if tag == "c":
            if state["has_value"] and state["column"] > MAX_COLUMNS + 1:
                raise refuse(f"row {state['row']}, column {_column_label(state['column'] - 1)}: "
                             f"more than {MAX_COLUMNS} columns")  # fmt: skip
            state["in_cell"] = False
        elif tag == "si":
            state["in_string"] = False

    def text(data: str) -> None:
        state["chars"] += len(data)
        if state["chars"] > MAX_CELL:
            if state["in_cell"]:
                where = f"row {state['row']}, column {_column_label(state['column'] - 1)}"
            elif state["in_string"]:
                where = f"{name}: a shared string"
            else:
                where = f"{name}: the text of one element"
            raise refuse(f"{where}: more than {MAX_CELL} characters")

    def doctype(*_: Any) -> None:
        raise refuse(f"{name}: a DOCTYPE (an XLSX part never has one)")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        with archive.open(info) as part:
            while chunk := part.read(_SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:  # fmt: skip
        raise refuse(f"{name}: not readable ({exc})") from None


def _row_number(ref: str | None, default: int) -> int:
    return int(ref) if ref and ref.isdigit() and len(ref) <= 7 else default


def _column_number(ref: str | None, default: int) -> int:
    """1-based column of a cell reference such as ``AB12`` (``default`` if there is none)."""
    letters = re.match(r"[A-Z]{1,3}", ref or "")
    if not letters:
        return default
    number = 0
    for letter in letters.group():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _Table(list):
    """Rows read so far, and how many of them hold something."""

    filled = 0


def _bounded_row(cells: list[str], number: int, path: Path, table: _Table) -> None:
    """Append ``cells`` (row ``number``) to ``table``, checked against the bounds."""
    while cells and not cells[-1]:
        cells.pop()  # trailing empty cells
    if cells:
        table.filled += 1
        if table.filled > MAX_ROWS + 1:  # the header and MAX_ROWS entries
            raise MselError(
                [f"{path}: row {number}: more than {MAX_ROWS} rows; an MSEL this long is not "
                 "something cdtx can run (split it into several scenarios)"]
            )  # fmt: skip
    if number > MAX_SCANNED_ROWS:
        raise MselError(
            [f"{path}: more than {MAX_SCANNED_ROWS} rows, empty ones included; delete the empty "
             f"rows (an MSEL holds at most {MAX_ROWS} entries)"]
        )  # fmt: skip
    if len(cells) > MAX_COLUMNS:
        raise MselError([f"{path}: row {number}: more than {MAX_COLUMNS} columns"])
    for index, cell in enumerate(cells):
        if len(cell) > MAX_CELL:
            raise MselError(
                [f"{path}: row {number}, column {_column_label(index)}: more than {MAX_CELL} "
                 "characters in one cell"]
            )  # fmt: skip
    table.append(cells)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


def _columns(header: Sequence[str], shown: str) -> dict[str, int]:
    lookup = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        name = _norm(cell)
        if not name:
            continue
        key = lookup.get(name)
        if key is None:
            problems.append(
                f"{shown}: row 1, column {cell!r}: unknown column (expected {', '.join(HEADERS)})"
            )
        elif key in found:
            problems.append(f"{shown}: row 1, column {cell!r}: duplicate of {HEADER_OF[key]!r}")
        else:
            found[key] = index
    for key in REQUIRED:
        if key not in found:
            problems.append(f"{shown}: row 1: missing column {HEADER_OF[key]!r}")
    if problems:
        raise MselError(problems)
    return found


def _parse_params(text: str) -> Any:
    """A cell's parameters: JSON, else YAML flow text, both through the bounded reader."""
    text = text.strip()
    if not text:
        raise ValueError('empty; write the parameters as JSON, e.g. {"pressure": 0.4}')
    try:
        return read_json(text, what="MSEL parameters", shown="Params")
    except ScenarioError:
        pass
    try:
        return read_yaml(text, what="MSEL parameters", shown="Params", max_bytes=MAX_CELL)
    except ScenarioError as exc:
        problem = exc.problems[0]
        place = f"line {problem.line}, character {problem.column} of the cell: "
        place = place if problem.line > 0 else ""
        raise ValueError(f"neither JSON nor YAML flow text ({place}{problem.message})") from None


def _error_column(loc: tuple, kind: str) -> str:
    if loc and loc[0] == kind:  # the discriminated union puts the tag first
        loc = loc[1:]
    if not loc:
        return HEADER_OF["params"]
    field = "from" if loc[0] == "from_" else loc[0]
    return HEADER_OF.get(field, str(field))


def _entry_rows(table: Sequence[Sequence[str]], cols: dict[str, int]):
    """(row number, cells by column key) of each row that holds an MSEL entry: blank rows and
    rows marked cancelled or deleted are left out."""
    for number, row in enumerate(table[1:], start=2):
        raw_cells = {key: (row[i] if i < len(row) else "") for key, i in cols.items()}
        # Free text keeps its exact content (lossless round trip); codes and values are trimmed.
        cells = {k: v if k in _TEXT_KEYS else v.strip() for k, v in raw_cells.items()}
        if not any(v.strip() for v in cells.values()):
            continue
        if cells.get("status", "").lower() in DROPPED_STATUS:
            continue
        yield number, cells


def _or(words: Sequence[str]) -> str:
    shown = [w or "empty" for w in words]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _column_label(index: int) -> str:
    """The spreadsheet name of the column at ``index`` (0 -> A, 26 -> AA)."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def _stray_values(table: Sequence[Sequence[str]], cols: dict[str, int], shown: str) -> list[str]:
    """One problem per value in a column without a header (beyond the header's last cell, or
    under an empty header cell): import would drop it silently."""
    known = set(cols.values())
    problems = []
    for number, row in enumerate(table[1:], start=2):
        for index, value in enumerate(row):
            if index not in known and value.strip():
                problems.append(
                    f"{shown}: row {number}, column {_column_label(index)}: {value!r} is in a "
                    "column without a header; name the column or remove the value"
                )
    return problems


def parse_rows(table: Sequence[Sequence[str]], shown: str = "<msel>") -> list[InjectBase]:
    """Turn spreadsheet rows (header first) into MSEL entries; MselError lists every bad cell."""
    if not table or not any(c.strip() for c in table[0]):
        raise MselError(
            [f"{shown}: the sheet is empty (expected a header row: {', '.join(HEADERS)})"]
        )
    cols = _columns(table[0], shown)
    problems = _stray_values(table, cols, shown)
    entries: list[InjectBase] = []
    seen: dict[str, int] = {}
    for number, cells in _entry_rows(table, cols):

        def bad(key: str, message: str, number: int = number) -> None:
            problems.append(f"{shown}: row {number}, column {HEADER_OF[key]!r}: {message}")

        before = len(problems)
        status = cells.get("status", "")
        if status.lower() not in KEPT_STATUS:
            bad("status", f"unknown status {status!r}; expected {_or(KEPT_STATUS)} (row kept) "
                          f"or {_or(DROPPED_STATUS)} (row left out)")  # fmt: skip
        kind = cells["type"]
        if not kind:
            bad("type", "empty; expected one of " + ", ".join(INJECT_TYPES))
        elif kind not in INJECT_TYPES:
            bad("type", f"unknown inject type {kind!r}; expected one of {', '.join(INJECT_TYPES)}")
        if not cells["id"]:
            bad("id", "empty; every entry needs an event number")
        elif cells["id"] in seen:
            bad("id", f"duplicate event number {cells['id']!r} (also row {seen[cells['id']]})")
        else:
            seen[cells["id"]] = number
        try:
            at = parse_duration(cells["at"])
        except ValueError as exc:
            bad("at", str(exc))
        try:
            params = _parse_params(cells["params"])
            if not isinstance(params, dict):
                raise ValueError(
                    f'expected a mapping such as {{"key": value}}, got {cells["params"]!r}'
                )
        except ValueError as exc:
            bad("params", str(exc))
        if len(problems) > before:
            continue
        raw: dict[str, Any] = {"id": cells["id"], "at": format_duration(at), "type": kind,
                               "params": params}  # fmt: skip
        for key in _TEXT_KEYS:
            if key in cells:
                raw[key] = cells[key]
        if raw.get("expected_action"):  # "DE: ...; PL: ..." is a mapping per addressee
            raw["expected_action"] = parse_expected(raw["expected_action"])
        for key in ("to", "objectives"):
            if key in cells:
                raw[key] = cells[key].replace(",", " ").replace(";", " ").split()
        if status.lower() == HOLD_STATUS:
            raw["hold"] = True
        try:
            entries.append(_ENTRY.validate_python(raw))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = tuple(error["loc"])
                column = _error_column(loc, kind)
                inner = loc[1:] if loc and loc[0] == kind else loc
                where = ".".join(str(p) for p in inner[1:]) if inner[:1] == ("params",) else ""
                message = error["msg"].removeprefix("Value error, ")
                if where:
                    message = f"{where}: {message}"
                problems.append(f"{shown}: row {number}, column {column!r}: {message}")
    if problems:
        raise MselError(problems)
    return entries


def read(path: str | Path) -> list[InjectBase]:
    """The MSEL entries of a CSV or XLSX file."""
    return parse_rows(read_table(path), str(path))


# -- merge into a scenario -------------------------------------------------------------------


def scenario_data(scenario: Scenario, msel: Sequence[InjectBase]) -> dict[str, Any]:
    """Plain data of ``scenario`` with its MSEL replaced (what ``Scenario.model_validate`` takes)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["msel"] = [_entry_data(entry) for entry in msel]
    return data


def _entry_data(entry: InjectBase) -> dict[str, Any]:
    return entry.model_dump(mode="json", by_alias=True, exclude_defaults=True) | {
        "id": entry.id,
        "at": format_duration(entry.at),
        "type": entry.type,
    }


def _entry_order(data: dict[str, Any]) -> dict[str, Any]:
    order = ["id", "at", "type", "to", "from", "delivery", "message", "expected_action",
             "objectives", "controller", "notes", "params"]  # fmt: skip
    return {k: data[k] for k in order if k in data} | {
        k: v for k, v in data.items() if k not in order
    }


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def to_yaml(scenario: Scenario, msel: Sequence[InjectBase], origin: str = "") -> str:
    """YAML text of ``scenario`` with its MSEL replaced (the whole scenario dumped afresh)."""
    data = scenario_data(scenario, msel)
    data["msel"] = [_entry_order(e) for e in data["msel"]]
    head = f"# {scenario.id} with the MSEL imported from {origin}\n" if origin else ""
    return head + _dump(data)


# -- replace the msel block of a scenario file, keeping the rest as written --------------------

_REST_OF_LINE = re.compile(r"[ \t]*(?:#[^\r\n]*)?")  # spaces and a comment, up to the line break
_ONLY_COMMENTS = re.compile(r"(?:[ \t]*(?:#[^\r\n]*)?(?:\r\n|\n|\r))*[ \t]*(?:#[^\r\n]*)?")


def _node_end(events: list, i: int) -> tuple[int, int]:
    """(index of the event after the node starting at ``events[i]``, end of its content in the
    text). The end of a block collection is that of its last value: the end mark PyYAML gives a
    block collection lies at the next token, past any blank lines and comments that follow it."""
    event = events[i]
    if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
        return i + 1, event.end_mark.index
    if not isinstance(event, yaml.CollectionStartEvent):
        raise ValueError(f"unexpected YAML event {event}")
    end = event.end_mark.index
    i += 1
    while not isinstance(events[i], yaml.CollectionEndEvent):
        i, child_end = _node_end(events, i)
        end = max(end, child_end)
    if event.flow_style:
        end = events[i].end_mark.index  # just after the closing ] or }
    return i + 1, end


def _top_level(text: str) -> tuple[int, int, tuple[int, int] | None] | None:
    """(column of the top-level keys, end of the top-level mapping's content, (start, end) of
    the text ``msel: value`` or None if there is no ``msel`` key); None when the top level is not
    a block mapping."""
    events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    i = next(n for n, e in enumerate(events) if isinstance(e, yaml.NodeEvent))
    top = events[i]
    if not isinstance(top, yaml.MappingStartEvent) or top.flow_style:
        return None
    i += 1
    column = -1
    content_end = top.end_mark.index
    span = None
    while not isinstance(events[i], yaml.MappingEndEvent):
        key = events[i]
        if column < 0:
            column = key.start_mark.column
        i, key_end = _node_end(events, i)
        i, value_end = _node_end(events, i)
        content_end = max(content_end, key_end, value_end)
        if isinstance(key, yaml.ScalarEvent) and key.value == "msel":
            span = (key.start_mark.index, max(key_end, value_end))
    return max(column, 0), content_end, span


def _content_end(text: str, end: int) -> int | None:
    """``end`` moved back over trailing blank space, then on over a comment on its line (part of
    the block); None if something else follows on that line."""
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    rest = _REST_OF_LINE.match(text, end)
    assert rest is not None
    if rest.end() < len(text) and text[rest.end()] not in "\r\n":
        return None
    return rest.end()


def _msel_block(msel: Sequence[InjectBase], column: int, newline: str) -> str:
    """``msel:`` and its entries as :func:`to_yaml` writes them, without the final line break;
    lines after the first indented to ``column`` and ended with ``newline``."""
    entries = [_entry_order(_entry_data(entry)) for entry in msel]
    lines = _dump({"msel": entries}).rstrip("\n").split("\n")
    return newline.join([lines[0]] + [" " * column + line if line else "" for line in lines[1:]])


def splice_msel(text: str, msel: Sequence[InjectBase]) -> str | None:
    """Scenario YAML ``text`` with its top-level ``msel`` replaced by ``msel``, every other byte
    kept (comments, key order, quoting, blank lines, line endings). The old ``msel: ...`` text,
    comments inside it included, gives way to the new block; a file without ``msel`` gets one at
    its end (none if the new MSEL is empty). None when the text cannot be edited this way (not
    YAML, or the top level is not a block mapping)."""
    try:
        found = _top_level(text)
    except (yaml.YAMLError, ValueError, StopIteration):
        return None
    if found is None:
        return None
    column, mapping_end, span = found
    first_break = re.search(r"\r\n|\n|\r", text)
    newline = first_break.group() if first_break else "\n"
    if span is not None:
        start, end = span[0], _content_end(text, span[1])
        line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
        if end is None or text[line_start:start].strip(" "):
            return None  # msel: shares a line with other content
        block = _msel_block(msel, start - line_start, newline)
        return text[:start] + block + text[end:]
    if not msel:
        return text
    block = _msel_block(msel, column, newline)
    indent = " " * column
    if _ONLY_COMMENTS.fullmatch(text, mapping_end):
        # Only blank lines and comments after the mapping: add the block at the end of the file.
        before = text if not text or text.endswith(("\n", "\r")) else text + newline
        gap = "" if not before.strip() or before.endswith(newline * 2) else newline
        return before + gap + indent + block + newline
    # Something else follows (a "..." document end): add the block after the mapping's last line.
    end = _content_end(text, mapping_end)
    if end is None:
        return None
    return text[:end] + newline + indent + block + text[end:]


def import_into(
    scenario: Scenario,
    path: str | Path,
    shown_out: str = "<output>",
    source: str | None = None,
) -> str:
    """Read the MSEL at ``path`` and return the YAML of ``scenario`` with it; checks it loads.

    The YAML is ``source`` (default: the text ``scenario`` was loaded from, e.g. the built-in
    file) with only its top-level ``msel`` block replaced, so comments and layout elsewhere are
    kept. Without a source text, or if the edited text would not load to the same scenario as a
    fresh dump (an alias into the old block, say), the whole scenario is dumped afresh.
    """
    table = read_table(path)
    msel = parse_rows(table, str(path))
    text = to_yaml(scenario, msel, Path(path).name)
    try:
        expected = load_text(text, shown_out)
    except ScenarioError as exc:
        # Point at the spreadsheet row rather than the generated YAML: entry i came from the
        # i-th entry row (parse_rows succeeded, so every entry row became an entry).
        row_of = dict(enumerate(n for n, _ in _entry_rows(table, _columns(table[0], str(path)))))
        problems = []
        for p in exc.problems:
            m = re.search(r"msel\[(\d+)\]|msel\.(\d+)", p.message)
            if m:
                index = int(m.group(1) or m.group(2))
                problems.append(f"{path}: row {row_of.get(index, '?')}: {p.message}")
            else:
                problems.append(f"{path}: {p.message}")
        raise MselError(problems) from None
    source = scenario.source_text if source is None else source
    spliced = splice_msel(source, msel) if source is not None else None
    if spliced is not None:
        try:
            kept = load_text(spliced, shown_out)
        except ScenarioError:
            kept = None
        if kept is not None and kept.model_dump() == expected.model_dump():
            return spliced
    return text
