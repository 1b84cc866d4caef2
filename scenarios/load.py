"""Load scenario files: safe YAML with line numbers, and every problem reported at once.

Errors people make in a file come back as :class:`ScenarioError`, which carries a list of
:class:`Problem` (path, line, column, message) and prints as ``path:line:col: message`` lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import references, safe_read
from .model import INJECT_TYPES, Inject, Scenario, all_field_names
from .safe_read import Located, Location, Problem, ScenarioError, parse_located, read_text

#: Scenario files larger than this are refused before parsing; a real one is a few dozen KB.
MAX_BYTES = safe_read.MAX_BYTES


class UnknownScenario(ScenarioError):
    """A scenario id that is neither a built-in nor a file."""


@dataclass(frozen=True)
class _Kind:
    """How messages name the kind of file being read."""

    file: str  # "a scenario file"
    expected: str  # what an empty file should have held


SCENARIO = _Kind("a scenario file", "a scenario mapping")
INJECTS = _Kind("an inject file", "a list of injects")


def _read_text(path: Path, shown: str, kind: _Kind = SCENARIO) -> str:
    return read_text(path, what=kind.file, shown=shown, max_bytes=MAX_BYTES)[0]


def parse_yaml(text: str, shown: str, kind: _Kind = SCENARIO) -> tuple[Any, Located]:
    """Parse YAML text with the bounds of :mod:`scenarios.safe_read`, keeping locations."""
    read_text(text, what=kind.file, shown=shown, max_bytes=MAX_BYTES)  # the size bound
    return parse_located(text, shown, expected=kind.expected)


# -- validation ------------------------------------------------------------------------------


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _data_path(loc: tuple, data: Any) -> tuple:
    """Drop the segments pydantic adds that are not in the data (union tags, validator names)."""
    path: list[Any] = []
    node = data
    for part in loc:
        if part == "[key]":  # a dict key failed validation: the path already ends at that key
            continue
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in INJECT_TYPES:
            path.append(part)  # a missing key: keep it for the message, locate at the parent
            node = None
    return tuple(path)


_KNOWN_KEYS = all_field_names()


def _step(tp: Any, part: Any) -> Any:
    """The type found at ``part`` inside a value of type ``tp`` (following a pydantic loc)."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    origin = get_origin(tp)
    if origin in (Union, UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        for member in members:  # a tagged union: the loc names the tag
            if isinstance(member, type) and issubclass(member, BaseModel):
                tag = member.model_fields.get("type")
                if tag is not None and get_args(tag.annotation) == (part,):
                    return member
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        return _step(models[0], part) if len(models) == 1 else None
    if origin is list:
        return get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return (
                    info.annotation
                    if not info.metadata
                    else Annotated[info.annotation, *info.metadata]
                )
    return None


def _keys_at(loc: tuple) -> list[str] | None:
    """The keys allowed in the mapping at pydantic location ``loc``, if it is a model."""
    tp: Any = Scenario
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, UnionType):
        models = [a for a in get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
        tp = models[0] if len(models) == 1 else None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return None


def _suggest(key: Any, loc: tuple) -> tuple[str | None, list[str] | None]:
    """A close known key for an unknown ``key`` at ``loc`` (its parent), and the allowed keys."""
    allowed = _keys_at(loc)
    candidates = [k for k in (allowed or _KNOWN_KEYS) if k != key]
    hint = difflib.get_close_matches(str(key), candidates, n=1, cutoff=0.6)
    return (hint[0] if hint else None), allowed


def _message(error: Mapping[str, Any], path: tuple) -> str:
    kind = error["type"]
    field = _dotted(path)
    if kind == "extra_forbidden":
        key = path[-1] if path else "?"
        hint, allowed = _suggest(key, tuple(error["loc"])[:-1])
        if hint:
            suggestion = f" (did you mean {hint!r}?)"
        elif allowed:
            suggestion = f" (allowed here: {', '.join(allowed)})"
        else:
            suggestion = ""
        where = _dotted(path[:-1]) or "top level"
        return f"{where}: unknown key {key!r}{suggestion}"
    if kind == "missing":
        return f"{field}: missing required key"
    if kind == "union_tag_invalid":
        return (
            f"{field}.type: unknown inject type {error['ctx']['tag']!r} "
            f"(expected one of {', '.join(INJECT_TYPES)})"
        )
    if kind == "union_tag_not_found":
        return f"{field}: missing key 'type' (one of {', '.join(INJECT_TYPES)})"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif kind in _SHOW_INPUT and _is_plain(error.get("input")):
        message += f" (got {error['input']!r})"
    return f"{field}: {message}"


_SHOW_INPUT = {
    "literal_error", "enum", "greater_than", "greater_than_equal", "less_than",
    "less_than_equal", "string_pattern_mismatch", "string_too_long", "int_parsing",
    "float_parsing", "int_type", "float_type", "string_type", "bool_parsing", "int_from_float",
}  # fmt: skip


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and len(str(value)) <= 80


def _locate(path: tuple, located: Located, key: bool) -> Location:
    if key and path in located.key_where:
        return located.key_where[path]
    for cut in range(len(path), -1, -1):
        if path[:cut] in located.where:
            return located.where[path[:cut]]
    return 1, 1


def validate_data(data: Any, located: Located, shown: str, text: str | None = None) -> Scenario:
    """Validate parsed data; raise ScenarioError with every problem found."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} value"
        raise ScenarioError(
            [Problem(shown, 1, 1, f"the top level must be a mapping of scenario keys, not {kind}")]
        )
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt required key shows up twice: as an unknown key and as a missing one. The
        # unknown key (with its "did you mean") is the useful report, so drop the missing one.
        misspelt = set()
        for error in errors:
            if error["type"] == "extra_forbidden":
                loc = tuple(error["loc"])
                hint, _ = _suggest(loc[-1], loc[:-1])
                if hint:
                    misspelt.add(loc[:-1] + (hint,))
        for error in errors:
            loc = tuple(error["loc"])
            if error["type"] == "missing" and loc in misspelt:
                continue
            path = _data_path(loc, data)
            if error["type"] == "union_tag_invalid" and "type" in _get(data, path, {}):
                line, col = _locate(path + ("type",), located, key=False)
            else:
                on_key = error["type"] == "extra_forbidden" or "[key]" in loc
                line, col = _locate(path, located, key=on_key)
            problems.append(Problem(shown, line, col, _message(error, path)))
    for path, message in references.check(data):
        line, col = _locate(path, located, key=False)
        problems.append(Problem(shown, line, col, f"{_dotted(path)}: {message}"))
    if problems:
        unique = sorted(set(problems), key=lambda p: (p.line, p.column, p.message))
        raise ScenarioError(unique)
    assert scenario is not None
    scenario._source_text = text
    scenario._source_path = shown
    scenario._model_places = {  # sim/constants.py checks the names and values, naming these
        name: (_locate(("model", name), located, True), _locate(("model", name), located, False))
        for name in scenario.model
    }
    return scenario


def _get(data: Any, path: tuple, default: Any) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return default
    return data


def load_text(text: str, shown: str = "<scenario>") -> Scenario:
    """Load a scenario from YAML text; ``shown`` names it in error messages."""
    data, located = parse_yaml(text, shown)
    return validate_data(data, located, shown, text)


def load_path(path: str | Path) -> Scenario:
    """Load a scenario file from disk."""
    shown = str(path)
    return load_text(_read_text(Path(path), shown), shown)


# -- inject lists ----------------------------------------------------------------------------


@dataclass
class InjectList:
    """MSEL-style injects read from a YAML list, each still locatable in its file."""

    path: str
    entries: list[dict]
    located: Located

    def place(self, index: int, field: str = "") -> str:
        """``path:line:col`` of entry ``index`` (of its ``field``, dotted, if given)."""
        parts = tuple(int(p) if p.isdigit() else p for p in field.split(".") if p)
        line, col = _locate((index, *parts), self.located, key=False)
        return f"{self.path}:{line}:{col}"


def load_injects(path: str | Path) -> InjectList:
    """Read a YAML list of injects (MSEL entries; ``id`` and ``at`` optional), checking each
    against its type as the scenario loader does; every problem is reported with its place."""
    shown = str(path)
    data, located = parse_yaml(_read_text(Path(path), shown, INJECTS), shown, INJECTS)
    if not isinstance(data, list):
        line, col = located.where.get((), (1, 1))
        raise ScenarioError(
            [Problem(shown, line, col, "expected a list of injects (MSEL entries, each a mapping)")]
        )
    adapter = TypeAdapter(Inject)
    problems = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            line, col = located.where.get((index,), (1, 1))
            shown_entry = repr(entry) if len(repr(entry)) <= 40 else repr(entry)[:37] + "..."
            message = (
                f"inject {index + 1}: expected a mapping with type and params, not {shown_entry}"
            )
            problems.append(Problem(shown, line, col, message))
            continue
        try:
            adapter.validate_python({"id": f"F-{index + 1:03d}", "at": "0", **entry})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                sub = _data_path(tuple(error["loc"]), entry)
                line, col = _locate((index, *sub), located, key=error["type"] == "extra_forbidden")
                problems.append(
                    Problem(shown, line, col, f"inject {index + 1}: {_message(error, sub)}")
                )
    if problems:
        raise ScenarioError(sorted(set(problems), key=lambda p: (p.line, p.column, p.message)))
    return InjectList(shown, data, located)


# -- built-ins -------------------------------------------------------------------------------

DEFAULT_ID = "grid-wiper"


def _builtin_dir():
    return resources.files("scenarios") / "builtin"


def builtin_ids() -> list[str]:
    """Ids of the scenarios shipped with cdtx, sorted, default first."""
    ids = sorted(
        entry.name[: -len(".yaml")]
        for entry in _builtin_dir().iterdir()
        if entry.name.endswith(".yaml")
    )
    if DEFAULT_ID in ids:
        ids.remove(DEFAULT_ID)
        ids.insert(0, DEFAULT_ID)
    return ids


def builtin_path(scenario_id: str) -> Path:
    return Path(str(_builtin_dir() / f"{scenario_id}.yaml"))


def load(id_or_path: str | Path | None = None) -> Scenario:
    """Load a built-in scenario by id, or a scenario file by path; None means the default."""
    if id_or_path is None:
        id_or_path = DEFAULT_ID
    text = str(id_or_path)
    if isinstance(id_or_path, str) and text in builtin_ids():
        scenario = load_path(builtin_path(text))
        scenario._source_path = text
        return scenario
    path = Path(text)
    if path.exists() or any(sep in text for sep in ("/", "\\")) or text.endswith((".yaml", ".yml")):
        return load_path(path)
    close = difflib.get_close_matches(text, builtin_ids(), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnknownScenario(
        [
            Problem(
                text,
                0,
                0,
                f"no built-in scenario with this id and no such file{hint}; "
                f"built-ins: {', '.join(builtin_ids())}",
            )
        ]
    )
