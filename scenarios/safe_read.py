"""One bounded reader for every YAML or JSON file cdtx takes from a person.

Scenarios, ``--inject`` files, scenarios embedded in recordings, MSEL parameters, keymaps and sweep
specs all come through here, so each gets the same guarantees (docs/security.md):

* only regular files are read (a directory, ``/dev/zero``, a FIFO or a socket is refused without
  reading or blocking), and never more than ``max_bytes``;
* text must be UTF-8 without NUL bytes;
* YAML is plain data: no tags that build objects, no duplicate keys, at most :data:`MAX_VALUES`
  values after alias expansion ("billion laughs"), at most :data:`MAX_DEPTH` levels of nesting,
  integers of at most :data:`MAX_INT_DIGITS` digits;
* JSON gets the same bounds (and refuses NaN and Infinity).

Every refusal is a :class:`ScenarioError` whose :class:`Problem` names the file, line and column.

The public API::

    read_yaml(source, *, what, shown=None, max_bytes=MAX_BYTES) -> data
    read_json(source, *, what, shown=None, max_bytes=MAX_BYTES) -> data
    read_bytes(path, *, what, shown=None, max_bytes=MAX_BYTES) -> bytes
    open_regular(path, *, what, shown=None) -> binary file object (no size limit: recordings)

``source`` is a path (``pathlib.Path``) or the text itself (``str``); ``what`` names the kind of
file in messages ("a sweep spec"). :func:`parse_located` is the scenario loader's variant that also
returns where each value was written.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from .errors import CdtxError

#: Files larger than this are refused before parsing; a real scenario is a few dozen KB.
MAX_BYTES = 2 * 1024 * 1024

#: No cdtx file needs more values than this; more means alias expansion ("billion laughs").
MAX_VALUES = 200_000

#: Deepest nesting of mappings and lists accepted; a scenario is about 6 levels deep.
MAX_DEPTH = 64

#: Longest integer accepted, in characters; seeds (the largest numbers cdtx uses) have 19 digits.
MAX_INT_DIGITS = 40

Location = tuple[int, int]  # 1-based line and column


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a place in it."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:  # not a place in a file (an unknown scenario id, say)
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class ScenarioError(CdtxError):
    """A file (or id) that cannot be used; ``problems`` lists every reason, each with its place."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def _fail(shown: str, message: str, line: int = 1, column: int = 1) -> ScenarioError:
    return ScenarioError([Problem(shown, line, column, message)])


# -- files -----------------------------------------------------------------------------------


def open_regular(path: str | Path, *, what: str, shown: str | None = None) -> IO[bytes]:
    """Open ``path`` for binary reading if it is a regular file; ScenarioError otherwise.

    A FIFO is opened without blocking and refused, like devices (``/dev/zero``) and sockets, so
    nothing can make cdtx wait forever or read without end.
    """
    shown = str(path) if shown is None else shown
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _fail(shown, "no such file") from None
    except IsADirectoryError:
        raise _fail(shown, f"is a directory, not {what}") from None
    except OSError as exc:
        raise _fail(shown, f"cannot read file: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _fail(shown, f"is a directory, not {what}")
        if not stat.S_ISREG(mode):
            raise _fail(shown, f"is not a regular file (a device, FIFO or socket), not {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(
    path: str | Path, *, what: str, shown: str | None = None, max_bytes: int = MAX_BYTES
) -> bytes:
    """The bytes of the regular file ``path``, refusing files larger than ``max_bytes``."""
    shown = str(path) if shown is None else shown
    with open_regular(path, what=what, shown=shown) as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:  # refused without reading it
            raise _fail(shown, _too_large(what, max_bytes))
        try:
            raw = handle.read(max_bytes + 1)
        except OSError as exc:
            raise _fail(shown, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise _fail(shown, _too_large(what, max_bytes))
    return raw


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what YAML counts as one


def place_of(text: str, index: int) -> Location:
    """1-based (line, column) of character ``index`` of ``text``, counting line breaks as YAML
    does (so a place found here matches the places YAML's own errors give)."""
    line, start = 1, 0
    for brk in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, brk.end()
    return line, index - start + 1


def _too_large(what: str, max_bytes: int) -> str:
    limit = f"{max_bytes / 1e6:.0f} MB" if max_bytes >= 1e6 else f"{max_bytes / 1e3:.0f} KB"
    return f"file is too large for {what} (the limit is {limit})"


def decode(raw: bytes, shown: str, what: str) -> str:
    """Bytes to text, refusing binary files and anything that is not UTF-8."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        before = raw[:nul].decode("utf-8", "replace")
        line, col = place_of(before, len(before))
        raise _fail(shown, f"binary file (a NUL byte), not {what}", line, col)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(shown, "not UTF-8 text (is this a binary file?)", line, col) from None


def read_text(
    source: str | Path, *, what: str, shown: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[str, str]:
    """``(text, shown)`` of ``source``: a path is read (bounded); a str is the text itself."""
    if isinstance(source, Path):
        shown = str(source) if shown is None else shown
        return decode(read_bytes(source, what=what, shown=shown, max_bytes=max_bytes), shown,
                      what), shown  # fmt: skip
    shown = f"<{what}>" if shown is None else shown
    if len(source) > max_bytes:  # characters, a lower bound of the bytes: cheap and enough
        raise _fail(shown, _too_large(what, max_bytes))
    return source, shown


# -- YAML ------------------------------------------------------------------------------------


class Located:
    """Where each value of parsed data was written: data path -> (line, column)."""

    def __init__(self) -> None:
        self.where: dict[tuple, Location] = {}
        self.key_where: dict[tuple, Location] = {}
        self.count = 0


def _mark(node: yaml.Node) -> Location:
    return node.start_mark.line + 1, node.start_mark.column + 1


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_INT_TAG = "tag:yaml.org,2002:int"


def _show_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _refuse_tag(tag: str) -> str:
    return (
        f"tag {_show_tag(tag)} is not allowed: cdtx files are plain data and cdtx never "
        "builds Python objects from them"
    )


def _error(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)


_MERGE_TAG = "tag:yaml.org,2002:merge"


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than MAX_DEPTH (it recurses per level,
    so a file of 100,000 ``[`` would otherwise end in RecursionError), and whose merge keys
    (``<<``) are resolved by :meth:`flatten_mapping` within a budget, whatever PyYAML's version.

    Build it inside the ``try`` that turns YAML errors into located ones: PyYAML checks the
    whole text for unprintable characters (``ReaderError``) in the constructor itself.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._composed = 0  # nodes and aliases composed so far: a lower bound of the values
        self._merged = 0  # key/value pairs copied in by merge keys, over the whole document
        self._flattened: set[int] = set()  # ids of mapping nodes whose merges are resolved

    def flatten_mapping(self, node, depth: int = 0):  # noqa: ANN001, ANN201 - PyYAML's signature
        """Resolve the merge keys of ``node`` in place, as YAML's merge type says: the node's own
        keys win over merged ones, and among ``<<: [*a, *b]`` the earlier mapping wins.

        Replaces PyYAML's own, which before yaml/pyyaml#937 copied every merged pair again at
        each level (``<<: [*a, *a]`` nested 30 times is 2**30 pairs from a few hundred bytes: a
        "billion laughs" through merge keys). Here each mapping is flattened once, each key is
        kept once, every copied pair counts against :data:`MAX_VALUES` and chains of merges
        against :data:`MAX_DEPTH`.
        """
        if id(node) in self._flattened:
            return
        if depth > MAX_DEPTH:
            raise _error(node, f"merge keys (<<) nested more than {MAX_DEPTH} levels deep")
        own: list[tuple[yaml.Node, yaml.Node]] = []
        sources: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                if key_node.tag == "tag:yaml.org,2002:value":
                    key_node.tag = "tag:yaml.org,2002:str"
                own.append((key_node, value_node))
                continue
            if isinstance(value_node, yaml.MappingNode):
                sources.append(value_node)
            elif isinstance(value_node, yaml.SequenceNode):
                for item in value_node.value:
                    if not isinstance(item, yaml.MappingNode):
                        raise _error(item, "a merge key (<<) takes a mapping or a list of them")
                    sources.append(item)
            else:
                raise _error(value_node, "a merge key (<<) takes a mapping or a list of them")
        seen = {_key_text(key) for key, _ in own}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            self.flatten_mapping(source, depth + 1)
            for key_node, value_node in source.value:
                key = _key_text(key_node)
                if key in seen:
                    continue
                seen.add(key)
                self._merged += 1
                if self._merged > MAX_VALUES:
                    raise _error(key_node, f"merge keys (<<) copy more than {MAX_VALUES} values")
                merged.append((key_node, value_node))
        node.value = merged + own
        self._flattened.add(id(node))

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        self._depth += 1
        self._composed += 1
        try:
            if self._composed > MAX_VALUES:  # refused now, not after building every node
                raise yaml.MarkedYAMLError(
                    problem=f"more than {MAX_VALUES} values",
                    problem_mark=self.peek_event().start_mark,
                )
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _key_text(key_node: yaml.Node) -> object:
    """What makes two keys the same key (as :func:`_to_data` keeps them: the text written)."""
    return key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)


def _to_data(
    node: yaml.Node, loader: yaml.SafeLoader, path: tuple, located: Located, depth: int = 0
) -> Any:
    located.where[path] = _mark(node)
    located.count += 1
    if located.count > MAX_VALUES:
        raise _error(node, f"more than {MAX_VALUES} values (aliases expanding without end?)")
    if depth > MAX_DEPTH:  # aliases can nest what the composer saw as shallow
        raise _error(node, f"nested more than {MAX_DEPTH} levels deep (through aliases)")
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise _error(node, _refuse_tag(node.tag))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _error(key_node, "a mapping key must be a plain value")
            key = _scalar(key_node, loader)
            if not isinstance(key, str):
                # Every key in cdtx files is text; YAML 1.1 would turn `NO:` into False and `1:`
                # into an int. Keep what the author wrote, as YAML 1.2 (and editors) read it.
                key = key_node.value
            if key in result:
                raise _error(key_node, f"duplicate key {key!r}")
            located.key_where[path + (key,)] = _mark(key_node)
            result[key] = _to_data(value_node, loader, path + (key,), located, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_data(item, loader, path + (i,), located, depth + 1)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, loader)


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    if node.tag == _INT_TAG and len(node.value) > MAX_INT_DIGITS:
        raise _error(node, f"integer of {len(node.value)} characters (at most {MAX_INT_DIGITS})")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError:
        raise
    except (ValueError, OverflowError, KeyError, AttributeError, TypeError) as exc:
        # An explicit tag on a value it does not fit (`!!timestamp x`, `!!bool x`): PyYAML's
        # constructors then fail with whatever error their parsing meets first.
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        why = f" ({exc})" if isinstance(exc, (ValueError, OverflowError)) else ""
        raise _error(node, f"{_show_tag(node.tag)} {shown!r} is not a valid value{why}") from None


def parse_located(text: str, shown: str, *, expected: str = "a mapping") -> tuple[Any, Located]:
    """Parse YAML ``text`` within every bound, keeping where each value was written.

    ``expected`` says what an empty file should have held ("a scenario mapping").
    """
    located = Located()
    loader = None
    try:
        loader = _BoundedLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise _fail(shown, f"file is empty (expected {expected})")
        data = _to_data(node, loader, (), located)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = _refuse_tag(problem.split("tag ", 1)[-1].strip("'"))
        raise _fail(shown, f"invalid YAML: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, anywhere in the text
        line, col = place_of(text, exc.position)
        raise _fail(shown, f"invalid YAML: {_unprintable(exc.character)}", line, col) from None
    except yaml.YAMLError as exc:
        raise _fail(shown, f"invalid YAML: {exc}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a constructor's last word
        raise _fail(shown, f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, located


def _unprintable(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character)
    return (
        f"character U+{code:04X} (a control or non-character) is not allowed in YAML text; "
        f'if it is meant, write it as the escape "\\u{code:04X}" inside double quotes'
    )


def read_yaml(
    source: str | Path,
    *,
    what: str,
    shown: str | None = None,
    max_bytes: int = MAX_BYTES,
    expected: str = "a mapping",
) -> Any:
    """Plain data from YAML ``source`` (a ``Path`` to read, or the text), within every bound.

    ``what`` names the kind of file in messages ("a sweep spec"); ``shown`` names the file
    (default: the path). Raises :class:`ScenarioError` naming the file, line and column.
    """
    text, shown = read_text(source, what=what, shown=shown, max_bytes=max_bytes)
    return parse_located(text, shown, expected=expected)[0]


# -- JSON ------------------------------------------------------------------------------------


def check_depth(data: Any, shown: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse data nested deeper than ``max_depth`` or holding integers longer than
    :data:`MAX_INT_DIGITS` (for data parsed by something other than :func:`read_yaml`)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            items: Iterable[Any] = value.values()
        elif isinstance(value, list):
            items = value
        else:
            if isinstance(value, int) and abs(value) >= 10**MAX_INT_DIGITS:
                raise _fail(shown, f"integer longer than {MAX_INT_DIGITS} digits")
            continue
        if depth >= max_depth:
            raise _fail(shown, f"nested more than {max_depth} levels deep")
        stack.extend((item, depth + 1) for item in items)


def read_json(
    source: str | Path, *, what: str, shown: str | None = None, max_bytes: int = MAX_BYTES
) -> Any:
    """Plain data from JSON ``source`` (a ``Path`` to read, or the text), within every bound:
    no duplicate keys, no NaN or Infinity, the depth and integer bounds of :func:`read_yaml`."""
    text, shown = read_text(source, what=what, shown=shown, max_bytes=max_bytes)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    def integer(digits: str) -> int:
        if len(digits) > MAX_INT_DIGITS:
            raise ValueError(f"integer of {len(digits)} characters (at most {MAX_INT_DIGITS})")
        return int(digits)

    def constant(name: str) -> float:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=integer,
                          parse_constant=constant)  # fmt: skip
    except json.JSONDecodeError as exc:
        raise _fail(shown, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _fail(shown, f"invalid JSON: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise _fail(shown, f"invalid JSON: {exc}") from None
    check_depth(data, shown)
    return data


# -- showing what was read ------------------------------------------------------------------

#: What must never reach a terminal or a report as itself: C0 and C1 control characters (but
#: line feed and tab) and DEL, so that no ESC, CSI or OSC sequence can retitle, clear or recolour
#: a terminal; the bidirectional controls (embeddings and overrides U+202A-202E, isolates
#: U+2066-2069, the marks U+200E, U+200F and U+061C) that make text show other than it is; the
#: line and paragraph separators U+2028/2029; lone surrogates; and the noncharacters
#: (U+FDD0-FDEF and the last two code points of every plane, U+FFFE and U+FFFF among them).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"\\U{plane:04x}fffe-\\U{plane:04x}ffff" for plane in range(17))
    + "]"
)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` safe to print to a terminal or write into a report: every character of
    :data:`_UNPRINTABLE` is shown escaped (``\\x1b``, ``\\u202e``), so an ESC sequence in a
    title or in a seat's message cannot retitle, clear or recolour the facilitator's terminal,
    and a bidi override cannot make a line read other than it is. Line feed and tab are kept."""
    return _UNPRINTABLE.sub(_escaped, text)


class PrintableWriter:
    """A text stream wrapper whose ``write`` passes everything through :func:`printable`."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(printable(text))

    def flush(self) -> None:
        self._out.flush()


__all__ = ["PrintableWriter", "printable", "MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "MAX_VALUES", "Located", "Problem",
           "ScenarioError", "check_depth", "decode", "open_regular", "parse_located", "read_bytes",
           "read_json", "read_text", "read_yaml"]  # fmt: skip
