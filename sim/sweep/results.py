"""Results files: one row per run, written as CSV or Parquet and read back (checked) by
:func:`read_rows`, the one reader every consumer uses."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from scenarios.msel import neutralise, restore
from scenarios.safe_read import ScenarioError, open_regular, read_json
from scenarios.safe_write import OutputError, check_output, create_exclusive, describe_os_error
from scenarios.vocabulary import TIME_METRICS

from .outcomes import PREFIX as OUTCOME
from .provenance import METADATA_KEY
from .spec import SweepError, need

STATUS_OK, STATUS_FAILED = "ok", "failed"
#: Largest record read back beside results (:func:`spec_file`; a grid of 100,000 values fits).
RECORD_BYTES = 64 * 1024 * 1024


def blocking_states(blocked: str | None) -> list[str]:
    """The state codes of a ``blocked`` cell (``measure:CODE,CODE;...``, as :func:`_flatten`
    writes it), once per blocked decision."""
    codes = []
    for part in (blocked or "").split(";"):
        codes += [c for c in part.partition(":")[2].split(",") if c]
    return codes


# -- writers ---------------------------------------------------------------------------------


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise SweepError(f"{path}: results go to a .csv or .parquet file")


def _cannot_write(path: Path, exc: OSError, kept: str = "") -> SweepError:
    """The one message of a results file that cannot be written (a full disk above all), and
    what was kept of it (``kept``: "nothing was kept", "the runs finished are kept ...")."""
    return SweepError(f"{path}: cannot write the results: {describe_os_error(exc)}"
                      + (f"; {kept}" if kept else ""))  # fmt: skip


def _end_on_a_whole_row(path: Path) -> None:
    """Drop a last line without its line break before appending to ``path``: it was being
    written when the sweep stopped (its last cell may be cut short), and appending to it would
    glue the next row on. Its run is simply run again."""
    try:
        with os.fdopen(os.open(path, os.O_RDWR | _NOFOLLOW), "rb+") as f:
            size = f.seek(0, 2)
            if size == 0:
                return
            f.seek(max(0, size - 65536))
            tail = f.read()
            if tail.endswith(b"\n"):
                return
            cut = tail.rfind(b"\n")
            if cut < 0 and size > len(tail):
                return  # one line longer than 64 KiB: leave it to the reader to refuse
            f.truncate(size - len(tail) + cut + 1)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def spec_file(results: str | Path) -> Path:
    """Where :func:`sim.sweep.run_sweep` keeps the record of ``results`` (its spec and where
    they came from): ``RESULTS.spec.json``."""
    results = Path(results)
    return results.with_name(results.name + ".spec.json")


def check_results_output(path: Path) -> None:
    """SweepError unless ``path`` may take results under the output rule
    (scenarios.safe_write.check_output): never a symbolic link (a dangling one too), a
    directory or a device; an existing regular file is the caller's to allow (--resume). The
    record beside it (:func:`spec_file`) is held to the same rule."""
    try:
        for target in (path, spec_file(path)):
            check_output(target, force=True)
    except OutputError as exc:
        raise SweepError(str(exc)) from None


def _open_csv_output(path: Path, append: bool) -> tuple[IO[bytes], int]:
    """The results file opened for writing bytes: a new file created exclusively (an old
    regular file replaced, never written through a link); on resume the existing file opened
    for appending without following a link. Returns (file, its size)."""
    if not append:
        try:
            return create_exclusive(path, force=True), 0
        except OutputError as exc:
            raise SweepError(str(exc)) from None
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o666)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SweepError(f"{path}: is not a regular file; -o names a file")
        return os.fdopen(fd, "ab"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def csv_cell(value: Any) -> Any:
    """A value as the results CSV holds it: None as an empty cell, and text that a spreadsheet
    would run as a formula (``=HYPERLINK(...)`` as a varied value) neutralised as the MSEL
    export does (:func:`scenarios.msel.neutralise`; :func:`read_rows` restores it)."""
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


class _CsvWriter:
    """Appends whole rows to a CSV results file. Each chunk of rows is written with ``os.write``
    straight to the file (no buffer that a later close would flush, or fail to); a write that
    fails (a full disk) is cut back to the last whole row, so the file never holds half a row,
    and a file this writer created that holds no run is removed (``discarded``). Either way one
    :class:`SweepError` says what happened and what was kept."""

    def __init__(self, path: Path, columns: list[tuple[str, str]], append: bool):
        self.path = path
        self.names = [c for c, _ in columns]
        self.created = not append or not path.exists()
        self.discarded = False
        self.runs = 0  # rows written by this writer
        try:
            self.file, self.size = _open_csv_output(path, append)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        self.fd: int | None = self.file.fileno()
        if self.size == 0:
            self._write(self._encode([self.names]))

    @staticmethod
    def _encode(rows: list[list[Any]]) -> bytes:
        text = io.StringIO(newline="")
        csv.writer(text).writerows(rows)
        return text.getvalue().encode("utf-8")

    def write(self, rows: list[dict]) -> None:
        self._write(self._encode([[csv_cell(r.get(n)) for n in self.names] for r in rows]))
        self.runs += len(rows)

    def _write(self, data: bytes) -> None:
        if self.fd is None:
            raise SweepError(f"{self.path}: the results file is closed after a failed write")
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError as exc:
            raise self._fail(exc) from None
        except BaseException:  # Ctrl-C between two writes of a chunk: no half row is left
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, self.size)
            raise
        self.size += len(data)

    def _fail(self, exc: OSError) -> SweepError:
        """Cut the file back to its whole rows (or remove it if this writer created it and
        it holds no run), close it, and say so."""
        fd, self.fd = self.fd, None
        assert fd is not None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, self.size)
        with contextlib.suppress(OSError):
            self.file.close()
        if self.created and self.runs == 0:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.discarded = True
            return _cannot_write(self.path, exc, "nothing was kept")
        return _cannot_write(self.path, exc, "the runs finished before are kept in it; "
                             "give --resume to complete it once there is room")  # fmt: skip

    def close(self) -> None:
        """Close the file (every row is already written: closing has nothing to flush)."""
        if self.fd is None:
            return
        self.fd = None
        try:
            self.file.close()
        except OSError as exc:
            raise _cannot_write(self.path, exc) from None


_ARROW = {"int": "int64", "float": "float64", "str": "string", "bool": "bool_"}


def _arrow_schema(columns: list[tuple[str, str]], metadata: Mapping[str, Any] | None = None):
    """The Arrow schema of a results file; ``metadata`` (the sweep's record,
    :mod:`sim.sweep.provenance`) goes in its metadata under ``cdtx.sweep``, as JSON."""
    pa = need("pyarrow", "parquet", "Parquet output")
    schema = pa.schema([(name, getattr(pa, _ARROW[t])()) for name, t in columns])
    if metadata is not None:
        schema = schema.with_metadata({METADATA_KEY: json.dumps(metadata).encode("utf-8")})
    return schema


def parquet_record(path: Path) -> dict[str, Any] | None:
    """The sweep's record in the schema metadata of the Parquet file ``path`` (None if it has
    none, or one that is not a record), read within the bounds of every JSON cdtx reads
    (scenarios.safe_read.read_json); :class:`SweepError` if the file cannot be read."""
    pq = need("pyarrow.parquet", "parquet", f"Reading {path}")
    with _open_results(path) as handle:
        try:
            metadata = pq.read_schema(handle).metadata or {}
        except Exception as exc:  # ArrowInvalid, OSError ...
            raise SweepError(f"{path}: not a readable Parquet file ({exc})") from None
    raw = metadata.get(METADATA_KEY)
    if raw is None:
        return None
    try:
        data = read_json(raw.decode("utf-8", "replace"), what="a sweep's record",
                         shown=f"{path} (metadata)", max_bytes=RECORD_BYTES)  # fmt: skip
    except ScenarioError:
        return None
    return data if isinstance(data, dict) else None


def partial_dir(path: Path) -> Path:
    """Where a Parquet sweep keeps its finished rows until it ends: ``.NAME.partial/``, one
    complete Parquet file per row group, so a sweep killed outright (kill -9, power loss) keeps
    every group written and ``--resume`` finds them."""
    return path.with_name(f".{path.name}.partial")


def partial_parts(path: Path) -> list[Path]:
    """The row groups an interrupted Parquet sweep left for ``path``, in the order written."""
    d = partial_dir(path)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.name.startswith("part-") and p.suffix == ".parquet")


def has_results(path: Path) -> bool:
    """Whether ``path`` holds results to resume: the file, or the parts of a killed sweep (a
    symbolic link counts, dangling or not: the output rule refuses it)."""
    return os.path.lexists(path) or bool(partial_parts(path))


class _ParquetWriter:
    """Writes row groups as complete Parquet files in :func:`partial_dir` (each by atomic
    rename) at least every :attr:`GROUP` rows or :attr:`EVERY` seconds; :meth:`close` joins
    the old file (on resume) and every part into ``path`` by atomic rename and removes the
    parts (a fresh sweep's one part is renamed into place). On resume, a row whose key is
    already written is not written twice (a kill between the rename and the removal leaves
    parts that the file already holds); a fresh sweep's parts hold each run once."""

    GROUP = 2000
    EVERY = 2.0  # seconds: what a kill -9 can lose at most

    def __init__(
        self,
        path: Path,
        columns: list[tuple[str, str]],
        keep_existing: bool,
        metadata: Mapping[str, Any] | None = None,
        key: tuple[str, ...] = ("point", "replication"),
    ):
        self.pa = need("pyarrow", "parquet", "Parquet output")
        self.pq = need("pyarrow.parquet", "parquet", "Parquet output")
        self.clock = time.monotonic
        self.path = path
        self.parts = partial_dir(path)
        self.keep_existing = keep_existing
        self.schema = _arrow_schema(columns, metadata)
        self.names = [c for c, _ in columns]
        self.key = key  # the columns that make a row unique (a run; a run's time for series)
        self.discarded = False  # a fresh sweep that could write nothing left nothing
        self.failed = False
        try:
            if self.parts.exists() and not self.parts.is_dir():
                self.parts.unlink()  # an older cdtx's unreadable partial file
            if not keep_existing:
                for old in partial_parts(path):
                    old.unlink()
            self.parts.mkdir(exist_ok=True)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        existing = partial_parts(path)
        self.next_part = int(existing[-1].stem.split("-")[1]) + 1 if existing else 0
        self.buffer: list[dict] = []
        self.flushed = self.clock()

    def write(self, rows: list[dict]) -> None:
        self.buffer.extend(rows)
        if len(self.buffer) >= self.GROUP or self.clock() - self.flushed >= self.EVERY:
            self._flush()

    def _flush(self) -> None:
        self.flushed = self.clock()
        if not self.buffer:
            return
        columns = {n: [r.get(n) for r in self.buffer] for n in self.names}
        part = self.parts / f"part-{self.next_part:06d}.parquet"
        tmp = part.with_suffix(".tmp")
        try:
            self.pq.write_table(self.pa.Table.from_pydict(columns, schema=self.schema), str(tmp))
            os.replace(tmp, part)
        except OSError as exc:
            raise self._fail(exc, tmp) from None
        self.next_part += 1
        self.buffer = []

    def _unseen(self, table: Any, seen: set[tuple]) -> Any:
        """``table`` without the rows whose key is in ``seen`` (adding its keys to it). Only a
        resumed file needs this (its old file and parts may overlap, if a join was cut short
        before the parts were removed): a fresh sweep's parts hold each run once, since a
        chunk's rows are written once, when its result arrives."""
        keys = zip(*(table.column(k).to_pylist() for k in self.key), strict=True)
        fresh = []
        for key in keys:
            fresh.append(key not in seen)
            seen.add(key)
        return table if all(fresh) else table.filter(self.pa.array(fresh))

    def _sources(self) -> list[Path]:
        old = [self.path] if self.keep_existing and self.path.exists() else []
        return old + partial_parts(self.path)

    def _fail(self, exc: OSError, tmp: Path) -> SweepError:
        """Remove the file being written; the parts written before are kept for --resume (a
        fresh sweep that wrote none leaves nothing). Say so."""
        self.failed = True
        with contextlib.suppress(OSError):
            os.remove(tmp)
        if not self.keep_existing and not partial_parts(self.path):
            with contextlib.suppress(OSError):
                self.parts.rmdir()
            self.discarded = True
            return _cannot_write(self.path, exc, "nothing was kept")
        return _cannot_write(self.path, exc, f"the runs finished before are kept in {self.parts}; "
                             "give --resume to complete it once there is room")  # fmt: skip

    def close(self) -> None:
        if self.failed:  # said when it failed; the parts stay for --resume
            return
        self._flush()
        sources = self._sources()
        if len(sources) == 1 and not self.keep_existing:
            # a fresh sweep written in one part (a short one): that part is the file, as the
            # join would write it (the same schema and record), so it is renamed into place
            try:
                os.replace(sources[0], self.path)
            except OSError as exc:  # the part stays where --resume finds it
                self.failed = True
                raise _cannot_write(self.path, exc, f"the runs finished are kept in "
                                    f"{self.parts}; give --resume to complete it once it "
                                    "can be written") from None  # fmt: skip
            with contextlib.suppress(OSError):
                self.parts.rmdir()
            return
        tmp = self.path.with_name(f".{self.path.name}.joining")
        seen: set[tuple] = set()
        try:
            writer = self.pq.ParquetWriter(str(tmp), self.schema)
        except OSError as exc:
            raise self._fail(exc, tmp) from None
        try:
            for source in sources:
                try:
                    batches = self.pq.ParquetFile(str(source)).iter_batches(batch_size=self.GROUP)
                    for batch in batches:
                        table = self.pa.Table.from_batches([batch]).select(self.names)
                        if self.keep_existing:
                            table = self._unseen(table, seen)
                        writer.write_table(table.cast(self.schema))
                except OSError as exc:
                    raise self._fail(exc, tmp) from None
                except Exception as exc:  # ArrowInvalid ...: the old file, not ours
                    raise SweepError(
                        f"{source}: cannot resume, not a readable results file ({exc})"
                    ) from None
        except BaseException:
            with contextlib.suppress(Exception):
                writer.close()
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
        try:
            writer.close()
            os.replace(tmp, self.path)
        except OSError as exc:
            raise self._fail(exc, tmp) from None
        for part in partial_parts(self.path):
            with contextlib.suppress(OSError):
                part.unlink()
        with contextlib.suppress(OSError):
            self.parts.rmdir()


class _ColumnsWriter(_ParquetWriter):
    """A :class:`_ParquetWriter` fed columns rather than rows (a sweep's series: tens of rows a
    run, built column-wise in the workers so that the parent only extends lists)."""

    #: Rows of a part: a run gives tens of samples, so a row group of :attr:`_ParquetWriter.GROUP`
    #: would hold a few dozen runs and a sweep would write (and join) many small files. Time
    #: still bounds what a kill -9 loses (:attr:`EVERY`); a few MB of lists at most.
    GROUP = 64_000

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.columns: dict[str, list] = {n: [] for n in self.names}
        self.rows = 0

    def write_columns(self, columns: Mapping[str, list]) -> None:
        """Append ``columns`` (name -> values, all of one length)."""
        for name in self.names:
            self.columns[name].extend(columns[name])
        self.rows = len(self.columns[self.names[0]])
        if self.rows >= self.GROUP or self.clock() - self.flushed >= self.EVERY:
            self._flush()

    def _flush(self) -> None:
        self.flushed = self.clock()
        if not self.rows:
            return
        table = self.pa.Table.from_pydict(self.columns, schema=self.schema)
        part = self.parts / f"part-{self.next_part:06d}.parquet"
        tmp = part.with_suffix(".tmp")
        try:
            self.pq.write_table(table, str(tmp))
            os.replace(tmp, part)
        except OSError as exc:
            raise self._fail(exc, tmp) from None
        self.next_part += 1
        self.columns = {n: [] for n in self.names}
        self.rows = 0


_INT_METRICS = ("highest_rung", "recommended_rung", "proportionality_gap", "psc_meetings",
                "extraordinary_meetings")  # fmt: skip
_INT_COLUMNS = ("point", "replication", "seed", "n_blocked") + _INT_METRICS
_FLOAT_COLUMNS = TIME_METRICS + ("cohesion",)
_STR_COLUMNS = ("digest", "status", "error", "blocked", "highest_measure")
_REQUIRED = ("point",)  # columns every results file has, never empty


def is_parameter(column: str) -> bool:
    """Whether a results column holds a varied parameter (not a key, status or metric)."""
    return _column_kind(column) in ("param", "model")


def run_ok(row: Mapping[str, Any]) -> bool:
    """Whether a results row is a run that finished (a file without a status column: all did)."""
    return row.get("status") in (None, "", STATUS_OK)


def _column_kind(name: str) -> str:
    """How a results column is read: int, float, str or param (a varied parameter)."""
    if name in _INT_COLUMNS:
        return "int"
    if name in _FLOAT_COLUMNS:
        return "float"
    if name in _STR_COLUMNS or name.startswith("objective."):
        return "str"
    if name.startswith(OUTCOME):
        return "outcome"
    if name.startswith("model."):  # a model constant: always a number, so a hand edit shows
        return "model"
    return "param"


_EXPECTED = {"int": "a whole number", "float": "a number"}


def _cell(value: Any, kind: str, required: bool, typed: bool) -> Any:
    """A results cell as Python data; raises ValueError with a message for people. ``typed``:
    the value comes from a Parquet file (typed) rather than CSV text."""
    if value is None or value == "":
        if required:
            raise ValueError("empty")
        if kind == "model":  # every run of a sweep that varies a constant has its value
            raise ValueError("expected a number (a model constant), not an empty cell")
        return None if kind in ("int", "float", "outcome") else value
    if kind in ("param", "outcome"):  # outcomes: yes/no or numbers, as parameters are read
        return value if typed else _guess(value)
    if kind == "model":  # a varied model constant: a finite number, whole or not
        number = value if typed else _guess(value)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(
            number
        ):
            raise ValueError(f"expected a number (a model constant), not {value!r}")
        return number
    if kind == "str":
        return value
    try:
        if isinstance(value, bool):
            raise ValueError
        if kind == "int":
            if not isinstance(value, (int, str)):
                raise ValueError
            return int(value)
        if not isinstance(value, (int, float, str)):
            raise ValueError
        number = float(value)
        if not math.isfinite(number):  # nan and inf parse, but no run produces them
            raise ValueError
        return number
    except ValueError:
        raise ValueError(f"expected {_EXPECTED[kind]}, not {value!r}") from None


def _guess(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(value, value)


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The rows of a results file (CSV or Parquet), as dicts, streamed.

    Every cell is checked against its column (whole numbers for ``point``, ``seed``, rungs ...;
    numbers for time metrics and ``cohesion``): a file that is not a results file, or a cell a
    hand edit broke, raises :class:`SweepError` naming the file (and the row and column). A CSV
    line with too few or too many cells (the last line of a write that was cut off) is skipped.
    """
    yield from _read(Path(path))


def _read(
    path: Path,
    check: Callable[[list[str]], None] | None = None,
    required: tuple[str, ...] = _REQUIRED,
    columns: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """The rows of ``path``. ``check(header)`` may refuse the file before any row is read;
    ``required`` columns must be in the header and never empty; ``columns`` limits what is read
    of a Parquet file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise SweepError(f"{path}: not a results file (results are .csv or .parquet)")
    if not path.exists():
        raise SweepError(f"{path}: no such results file")
    if path.is_dir():
        raise SweepError(f"{path}: is a directory, not a results file")

    def start(header: list[str]) -> None:
        if check is not None:
            check(header)
        for name in required:
            if name not in header:
                raise SweepError(
                    f"{path}: missing column {name!r} (not a cdtx sweep results file?)"
                )

    if suffix == ".csv":
        yield from _read_csv(path, start, required)
    else:
        yield from _read_parquet(path, start, required, columns)


def _bad_cell(path: Path, row: int, name: str, exc: ValueError) -> SweepError:
    return SweepError(f"{path}: row {row}, column {name!r}: {exc}")


def _open_results(path: Path) -> IO[bytes]:
    """``path`` opened for reading if it is a regular file (scenarios.safe_read.open_regular):
    a FIFO or a device is a SweepError at once, never a read that waits forever."""
    try:
        return open_regular(path, what="a results file")
    except ScenarioError as exc:
        raise SweepError(f"{path}: {exc.problems[0].message}") from None


def _read_csv(path: Path, start: Callable[[list[str]], None], required: tuple[str, ...]):
    reader = None
    try:
        with io.TextIOWrapper(_open_results(path), encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                return
            start(header)
            kinds = [(name, _column_kind(name), name in required) for name in header]
            for number, raw in enumerate(reader, start=2):  # the header is row 1
                if len(raw) != len(header):
                    continue  # a blank or cut-off line
                row: dict[str, Any] = {}
                for (name, kind, needed), value in zip(kinds, raw, strict=True):
                    if value[:1] == "'":  # text neutralised against spreadsheet formulas
                        value = restore(value)
                    try:
                        row[name] = _cell(value, kind, needed, typed=False)
                    except ValueError as exc:
                        raise _bad_cell(path, number, name, exc) from None
                yield row
    except UnicodeDecodeError:
        raise SweepError(f"{path}: not a results file (not UTF-8 text)") from None
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 1
        raise SweepError(f"{path}: not a results file (line {line}: {exc})") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read_parquet(
    path: Path,
    start: Callable[[list[str]], None],
    required: tuple[str, ...],
    columns: list[str] | None,
):
    pq = need("pyarrow.parquet", "parquet", f"Reading {path}")

    def unreadable(exc: Exception) -> SweepError:
        return SweepError(f"{path}: not a readable Parquet file ({exc})")

    with _open_results(path) as handle:
        try:
            pf = pq.ParquetFile(handle)
            header = list(pf.schema_arrow.names)
        except Exception as exc:  # ArrowInvalid, OSError ...
            raise unreadable(exc) from None
        start(header)
        kinds = {name: (_column_kind(name), name in required) for name in header}
        batches = pf.iter_batches(batch_size=4096, columns=columns)
        number = 0  # Parquet has no header row: row 1 is the first run
        while True:
            try:
                batch = next(batches, None)
            except Exception as exc:
                raise unreadable(exc) from None
            if batch is None:
                return
            for raw in batch.to_pylist():
                number += 1
                row: dict[str, Any] = {}
                for name, value in raw.items():
                    kind, needed = kinds[name]
                    try:
                        row[name] = _cell(value, kind, needed, typed=True)
                    except ValueError as exc:
                        raise _bad_cell(path, number, name, exc) from None
                yield row
