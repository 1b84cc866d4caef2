"""The inject form: pick a type, fill the fields that fit it, validated by ``Exercise.submit``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, get_args, get_origin

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from scenarios.model import (
    INJECT_TYPE,
    INJECT_TYPES,
    Form,
    Ref,
    Severity,
    SeverityChange,
    Target,
    expected_text,
    is_state_code,
    parse_expected,
)
from scenarios.vocabulary import CRITERIA


@dataclass(frozen=True)
class Field:
    key: str  # dotted path in the inject, as InjectError names it
    label: str
    choices: tuple[str, ...] = ()
    default: str = ""
    placeholder: str = ""


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace(",", " ").split() if c.strip()]


TO = Field("to", "To (state codes)", placeholder="EE, LV (empty: all)")


def next_incident_id(taken: Iterable[str]) -> str:
    """The first INC-F<n> not used yet: the form must not offer an id the engine refuses."""
    used = set(taken)
    number = 1
    while f"INC-F{number}" in used:
        number += 1
    return f"INC-F{number}"


def fields_for(
    kind: str,
    actors: tuple[str, ...],
    incidents: tuple[str, ...],
    taken: Iterable[str] = (),
) -> list[Field]:
    """The form's fields for an inject of ``kind``; ``taken``: incident ids already used.

    Derived from the inject type's declaration (scenarios/model.py): one field per parameter,
    shaped by its type (a choice for a literal, yes/no for a flag, state codes, targets,
    severity levels), labelled by its ``Form`` hint; ``to`` first when the type addresses states.
    """
    declared = INJECT_TYPE[kind]
    fields = [TO] if declared.recipients else []
    for name, info in declared.params.model_fields.items():
        hint = _hint(info)
        if hint.hidden:
            continue
        ref = next((m.kind for m in info.metadata if isinstance(m, Ref)), None)
        choices: tuple[str, ...] = ()
        default = hint.default
        if ref == "actor":
            choices = actors
        elif ref == "incident":
            choices = incidents
        elif ref == "new_incident" and default is None:
            default = next_incident_id([*incidents, *taken])
        else:
            choices = _choices(info.annotation)
        if default is None:
            default = choices[0] if choices else ""
        label = hint.label or name.replace("_", " ").capitalize()
        fields.append(Field(f"params.{name}", label, choices, default, hint.placeholder))
    common = [
        Field("message", "Message to the players"),
        Field("expected_action", "Expected action"),
        Field("at", "At (empty: now; or T+ like 3d, 36h)", placeholder="now"),
        # An entry the room must be ready for: the clock stops at it until l releases it.
        Field("hold", "Hold the clock at it until released (l)", ("no", "yes"), "no"),
    ]
    return fields + common


def _hint(info) -> Form:
    return next((m for m in info.metadata if isinstance(m, Form)), Form())


def _choices(annotation) -> tuple[str, ...]:
    if annotation is bool:
        return ("yes", "no")
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    return ()


def _shape(annotation, metadata) -> str:
    """How a parameter is written in the form: ``bool``, ``float``, ``int``, ``codes`` (state
    codes), ``code`` (one state code), ``targets``, ``severity``, ``change`` or ``text``."""
    if annotation is bool:
        return "bool"
    if annotation is float:
        return "float"
    if annotation is int:
        return "int"
    if isinstance(annotation, type) and issubclass(annotation, Severity):
        return "severity"
    if isinstance(annotation, type) and issubclass(annotation, SeverityChange):
        return "change"
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return "targets" if item is Target else "codes"
    if is_state_code(metadata) or any(is_state_code(a) for a in get_args(annotation)):
        return "code"
    return "text"


def param_shapes(kind: str | None) -> dict[str, tuple[str, object]]:
    """Parameter name -> (shape, field info) for an inject type (empty for an unknown one):
    how the form writes and reads each parameter (see ``_shape``)."""
    declared = INJECT_TYPE.get(str(kind))
    if declared is None:
        return {}
    return {
        name: (_shape(info.annotation, info.metadata), info)
        for name, info in declared.params.model_fields.items()
    }


def _shown_time(at) -> str:
    """An entry's time as the Upcoming list shows it (T+5d 03:00), which the field reads back."""
    from sim.clock import format_offset, parse_offset

    if at in (None, ""):
        return ""
    return format_offset(at if isinstance(at, (int, float)) else parse_offset(str(at)))


def form_values(inject: dict) -> dict[str, str]:
    """The form's text values for an inject (MSEL entry shape): what ``build_inject`` reads."""
    params = inject.get("params", {})
    values = {
        "message": inject.get("message", ""),
        "expected_action": expected_text(inject.get("expected_action")),
        "to": ", ".join(inject.get("to", [])),
        "at": _shown_time(inject.get("at")),
        "hold": "yes" if inject.get("hold") else "no",
    }
    shapes = param_shapes(inject.get("type"))
    for name, value in params.items():
        key = f"params.{name}"
        shape = shapes[name][0] if name in shapes else "text"
        if shape == "codes":
            values[key] = ", ".join(value)
        elif shape == "targets":
            values[key] = ", ".join(f"{t['state']}:{t['sector']}" for t in value)
        elif shape == "severity":
            values[key] = severity_text(value)
        elif shape == "change":
            values[key] = ", ".join(f"{c}={d}" for c, d in value.items() if d)
        elif shape == "bool":
            values[key] = "yes" if value else "no"
        else:
            values[key] = "" if value is None else str(value)  # None: left to the model
    return values


def severity_text(levels: dict[str, int]) -> str:
    """An incident's severity as the form writes it: the commonest level, then the exceptions."""
    counts = [list(levels.values()).count(level) for level in range(5)]
    base = max(range(5), key=lambda level: (counts[level], -level))
    exceptions = [f"{c}={levels[c]}" for c in CRITERIA if levels.get(c, base) != base]
    return ", ".join([str(base), *exceptions])


def parse_severity(text: str, key: str) -> dict[str, int]:
    """``2, impact=4``: level 2 for every criterion but impact. Ranges are the model's to check."""
    levels: dict[str, int] = {}
    base = None
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        criterion, sep, level = item.partition("=")
        try:
            number = int(level if sep else criterion)
        except ValueError:
            raise BadField(key, f"write a level 0-4, then criterion=level, not {item!r}") from None
        if not sep:
            base = number
        elif criterion.strip() not in CRITERIA:
            raise BadField(
                key, f"unknown criterion {criterion.strip()!r} (one of {', '.join(CRITERIA)})"
            )
        else:
            levels[criterion.strip()] = number
    if base is None and len(levels) < len(CRITERIA):
        raise BadField(key, "start with a level for all criteria, e.g. 2, impact=4")
    wrong = [
        level for level in [base, *levels.values()] if level is not None and not 0 <= level <= 4
    ]
    if wrong:
        raise BadField(key, f"levels are 0-4, not {wrong[0]}")
    return {c: levels.get(c, base) for c in CRITERIA}


def initial_values(fields: list[Field], prefill: dict[str, str]) -> dict[str, str]:
    """What each field shows when the form opens: the prefilled value, else the default (a
    choice field falls back to its default when the value is not one of its choices)."""
    values = {}
    for spec in fields:
        value = prefill.get(spec.key, spec.default)
        if spec.choices and value not in spec.choices:
            value = spec.default
        values[spec.key] = value
    return values


# What to give when a list is empty, by field.
AT_LEAST_ONE = {
    "params.targets": "give at least one target, e.g. EE:energy",
    "params.states": "give at least one state code, e.g. EE, LT",
    "to": "give at least one state code, e.g. EE, LV",
}
ITEM_NAMES = {"params.targets": "target", "params.states": "state", "to": "state"}


def plain_error(field: str, message: str) -> str:
    """The engine's message (pydantic's wording for the common cases) in plain words.

    ``field`` is the dotted path ``InjectError`` names, e.g. ``params.severity.impact`` or
    ``params.targets.0.state``; a criterion or a list position in it is said in the message.
    """
    parts = field.split(".") if field else []
    prefix = ""
    for i, part in enumerate(parts):
        if part.isdigit():  # a list item: say which one, counting from 1
            owner = ".".join(parts[:i])
            prefix = f"{ITEM_NAMES.get(owner, 'item')} {int(part) + 1}: "
    criterion = parts[2] if len(parts) > 2 and parts[1] == "severity" else ""
    if criterion:
        prefix = f"{criterion}: "
    m = re.match(r"List should have at least 1 item", message)
    if m:
        return AT_LEAST_ONE.get(field, "give at least one")
    if message.startswith("Extra inputs are not permitted"):
        if criterion:
            return f"unknown criterion {criterion!r} (one of {', '.join(CRITERIA)})"
        return f"{parts[-1] if parts else 'this'!r} is not a field of this inject"
    m = re.match(r"Input should be (less|greater) than( or equal to)? (\S+)", message)
    if m:
        bound = m.group(3)
        if m.group(2):
            return f"{prefix}{'at most' if m.group(1) == 'less' else 'at least'} {bound}"
        return f"{prefix}{'below' if m.group(1) == 'less' else 'above'} {bound}"
    m = re.match(r"unknown member state code '(.*?)'", message)
    if m:
        if not m.group(1):
            return f"{prefix}a member state code is missing (e.g. DE)"
        return f"{prefix}{m.group(1)} is not an EU member state code (two letters, e.g. DE, PL)"
    if message.startswith("String should have at least 1 character"):
        return f"{prefix}cannot be empty"
    if message == "Field required":
        return f"{prefix}required"
    if message.startswith("Input should be a valid number"):
        return f"{prefix}a number, e.g. 0.5"
    if message.startswith("Input should be a valid integer"):
        return f"{prefix}a whole number"
    m = re.match(r"Input should be ('.*')$", message)
    if m:
        choices = re.findall(r"'([^']*)'", m.group(1))
        return f"{prefix}one of {', '.join(choices)}"
    return f"{prefix}{message}" if prefix and not message.startswith(prefix) else message


class BadField(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def build_inject(kind: str, values: dict[str, str]) -> dict:
    """Turn the form's text values into an inject mapping (MSEL entry shape), each parameter
    read by the shape of its declared type (:func:`fields_for`)."""
    inject: dict = {"type": kind, "params": {}}
    params = inject["params"]
    shapes = param_shapes(kind)
    for key, raw in values.items():
        value = raw.strip()
        if key == "at":
            if value and value.lower() != "now":
                inject["at"] = value
            continue
        if key == "expected_action":  # "DE: ...; PL: ..." is a mapping per addressee
            inject[key] = parse_expected(value)
            continue
        if key == "message":
            inject[key] = value
            continue
        if key == "hold":
            inject["hold"] = value == "yes"
            continue
        if key == "to":
            inject["to"] = _codes(value)
            continue
        name = key.removeprefix("params.")
        shape, info = shapes.get(name, ("text", None))
        if shape == "codes":
            params[name] = _codes(value)
        elif shape == "targets":
            params[name] = _targets(value)
        elif shape == "severity":
            params[name] = parse_severity(value, key)
        elif shape == "change":
            params[name] = _severity_change(value, key)
        elif shape in ("float", "int"):
            try:
                params[name] = float(value) if shape == "float" else int(value)
            except ValueError:
                what = "a number" if shape == "float" else "a whole number"
                raise BadField(key, f"{what}, not {value!r}") from None
        elif shape == "bool":
            params[name] = value == "yes"
        elif shape == "code":
            # A literal alternative (``hr``: the High Representative) is kept as written.
            exact = _choices(
                next((a for a in get_args(info.annotation) if get_origin(a) is Literal), None)
            )
            params[name] = value if value in exact else value.upper()
        elif value or info is None or info.is_required():
            params[name] = value
    return inject


def _targets(value: str) -> list[dict[str, str]]:
    targets = []
    for item in value.split(","):
        if not item.strip():
            continue
        state, _, sector = item.partition(":")
        targets.append({"state": state.strip().upper(), "sector": sector.strip() or "other"})
    return targets


def _severity_change(value: str, key: str) -> dict[str, int]:
    change = {}
    for item in value.replace(";", ",").split(","):
        if not item.strip():
            continue
        criterion, _, delta = item.partition("=")
        try:
            change[criterion.strip()] = int(delta)
        except ValueError:
            raise BadField(key, f"write criterion=delta, e.g. impact=1, not {item!r}") from None
    return change


class InjectScreen(ModalScreen[dict | None]):
    """``submit`` is called with the inject; it raises ``InjectError`` to keep the form open."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="inject.cancel"),
        Binding("ctrl+s", "submit", "Apply the inject", id="inject.submit"),
    ]

    def __init__(
        self,
        submit: Callable[[dict], object],
        actors: tuple[str, ...],
        incidents: tuple[str, ...],
        kind: str = "note",
        prefill: dict[str, str] | None = None,
        taken: Iterable[str] = (),
        names: dict[str, str] | None = None,
    ):
        super().__init__()
        self.submit, self.actors, self.incidents, self.kind = submit, actors, incidents, kind
        self.names = names or {}  # what a choice is shown as (threat actors by their names)
        self.prefill = prefill or {}
        self.taken = tuple(taken)  # incident ids in use: the id field offers a free one
        self.fields: list[Field] = []
        self._generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Inject (ctrl+s or enter: apply · escape: cancel)", classes="title")
            yield Select([(t, t) for t in INJECT_TYPES], value=self.kind, allow_blank=False,
                         id="inject-type", compact=True)  # fmt: skip
            # Not focusable: Tab goes from the type straight to the first field (a focused
            # scroll container would swallow the first typed character).
            yield VerticalScroll(id="inject-fields", can_focus=False)
            yield Label("", id="inject-error", classes="error")

    def on_mount(self) -> None:
        self._build()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The fields scroll in what the title, the type and the error leave: on a small
        terminal the error stays inside the dialog."""
        dialog = self.query_one("#dialog")
        fixed = sum(
            child.outer_size.height for child in dialog.children if child.id != "inject-fields"
        )
        room = self.size.height - fixed - dialog.styles.gutter.height
        self.query_one("#inject-fields").styles.max_height = max(room, 3)

    def _build(self) -> None:
        self._generation += 1
        gen = self._generation
        box = self.query_one("#inject-fields", VerticalScroll)
        box.remove_children()
        self.fields = fields_for(self.kind, self.actors, self.incidents, self.taken)
        widgets = []
        # An edited MSEL entry fills the form once; changing the type starts afresh.
        prefill = self.prefill if gen == 1 else {}
        initial = initial_values(self.fields, prefill)
        for i, spec in enumerate(self.fields):
            widgets.append(Label(spec.label, classes="field-label"))
            wid = f"f{gen}-{i}"
            value = initial[spec.key]
            if spec.choices:
                options = [(self.names.get(c, c), c) for c in spec.choices]
                widgets.append(Select(options, value=value, allow_blank=False, id=wid,
                                      compact=True))  # fmt: skip
            else:
                widgets.append(
                    Input(value=value, placeholder=spec.placeholder, id=wid, compact=True)
                )
            widgets.append(Label("", id=f"e{gen}-{i}", classes="error field-error"))
        box.mount_all(widgets)
        self.query_one("#inject-error", Label).update("")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "inject-type" and event.value != self.kind:
            self.kind = str(event.value)
            self._build()

    def values(self) -> dict[str, str]:
        out = {}
        for i, spec in enumerate(self.fields):
            widget = self.query_one(f"#f{self._generation}-{i}")
            value = widget.value
            out[spec.key] = "" if value is Select.BLANK or value is None else str(value)
        return out

    def show_error(self, field: str, message: str) -> None:
        for label in self.query(".field-error"):
            label.update("")
            label.display = False
        target = None
        for i, spec in enumerate(self.fields):
            if field == spec.key or field.startswith(spec.key + "."):
                target = i
        general = self.query_one("#inject-error", Label)
        if target is None:
            general.update(f"{field}: {message}" if field else message)
        else:
            # The message is under the field; here only where to look (it may be scrolled away).
            general.update(f"Check the field: {self.fields[target].label}")
            label = self.query_one(f"#e{self._generation}-{target}", Label)
            label.update(message)
            label.display = True
            self.call_after_refresh(label.scroll_visible, animate=False)
        self.call_after_refresh(self._fit)  # the error's height is known after the refresh

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        from sim.exercise import InjectError

        try:
            inject = build_inject(self.kind, self.values())
            self.submit(inject)
        except BadField as exc:
            self.show_error(exc.field, str(exc))
            return
        except InjectError as exc:
            self.show_error(exc.field, plain_error(exc.field, exc.message))
            return
        self.dismiss(inject)

    def action_cancel(self) -> None:
        self.dismiss(None)
