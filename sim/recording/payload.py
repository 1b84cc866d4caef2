"""What the payload of each kind of event in a recording may hold: its fields' types and, for the
fields that name something, the values they may name (docs/recording-format.md).

A recording is read by the picture, the metrics, the narrative, the timeline and the reports,
which take an event's payload as the engine wrote it (``d["state"]`` is a member state's code,
``d["score"]`` a number). An edited or foreign line that breaks that (a list where a code was, a
field left out, a state that is not one) is refused here, naming its line, when the recording is
read (:func:`sim.recording.open`), instead of failing as a traceback in whichever reader meets
it first. The declarations of sim/event_kinds.py say which fields a kind has;
this module says what each field holds. tests/test_recording_payload.py checks that every event
of the built-in runs passes, so the two cannot drift apart.

Kinds that are not declared (a newer cdtx's) and fields a kind does not declare are let through:
every reader shows them as they are. Every declared field is required, but for the few an
older cdtx did not write yet (:data:`ADDED_LATER`: their readers take them with a default) in a
recording of another version.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from scenarios.vocabulary import CONTRIBUTIONS, EU27, MEASURES, NAMING_LEVELS

from ..event_kinds import EVENT_KINDS, LEVEL_NAMES, PRODUCT_NAMES

#: A check of one value: True when it is what the field holds.
Check = Callable[[Any], bool]


class Simple:
    """A value of one of ``classes`` (and, given ``names``, one of them): checked by a set
    look-up, in the hot loop of reading a recording."""

    def __init__(self, *classes: type, names: Collection[Any] | None = None) -> None:
        self.classes = frozenset(classes)  # bool is not int here: True is not a count
        self.names = None if names is None else frozenset(names)

    def __call__(self, value: Any) -> bool:
        return value.__class__ in self.classes and (self.names is None or value in self.names)

    def all(self, values: Collection[Any]) -> bool:
        """Whether every one of ``values`` passes."""
        return set(map(type, values)) <= self.classes and (
            self.names is None or set(values) <= self.names
        )


TEXT = Simple(str)
COUNT = Simple(int)
NUMBER = Simple(int, float)  # JSON has no NaN or infinity: orjson refuses them
FLAG = Simple(bool)
OPTIONAL_TEXT = Simple(str, type(None))
STATE = Simple(str, names=EU27)
MEASURE = Simple(str, names=MEASURES)
#: How a text names the perpetrator, None where none was asked (the readers look its wording up).
NAMING = Simple(str, type(None), names=(*NAMING_LEVELS, None))
ANY: Check = lambda v: True  # noqa: E731


def list_of(check: Check) -> Check:
    if isinstance(check, Simple):
        return lambda v: v.__class__ is list and check.all(v)
    return lambda v: v.__class__ is list and all(map(check, v))


def mapping_of(check: Check) -> Check:
    if isinstance(check, Simple):
        return lambda v: v.__class__ is dict and check.all(v.values())
    return lambda v: v.__class__ is dict and all(map(check, v.values()))


def record(**fields: Check) -> Check:
    """A mapping holding at least ``fields``, each passing its check."""
    return lambda v: (
        v.__class__ is dict and all(name in v and check(v[name]) for name, check in fields.items())
    )


def either(*checks: Check) -> Check:
    return lambda v: any(check(v) for check in checks)


TEXTS = list_of(TEXT)
_INJECT = record(type=TEXT, id=TEXT)
STATES = list_of(STATE)

#: What a field holds, by its name, in every kind that has it (``KIND_FIELDS`` says otherwise
#: where one kind's field of that name holds something else).
FIELDS: dict[str, Check] = {
    # counts and numbers
    "abstain": COUNT, "constructive_abstention": COUNT, "oppose": COUNT, "support": COUNT,
    "meeting": COUNT, "number": COUNT, "reached": COUNT, "reports": COUNT, "review": COUNT,
    "rounds": COUNT, "seed": COUNT, "step": COUNT, "wave": COUNT,
    "previous_rung": NUMBER, "recommended_rung": NUMBER, "rung": NUMBER,
    "cohesion": NUMBER, "confidence": NUMBER, "days": NUMBER, "delay": NUMBER, "expected": NUMBER,
    "horizon": NUMBER, "impact": NUMBER, "package": NUMBER, "pressure": NUMBER, "score": NUMBER,
    "stance": NUMBER, "strength": NUMBER, "until": NUMBER,
    # yes or no
    "adopted": FLAG, "extraordinary": FLAG, "interactive": FLAG, "renewed": FLAG, "update": FLAG,
    # names of things
    "state": STATE, "measure": TEXT, "instead": TEXT,  # a measure's id, or what is decided
    "players": STATES, "states": STATES, "against": TEXTS, "blockers": TEXTS,
    "cosponsors": TEXTS, "agenda": TEXTS, "incidents": TEXTS,
    "action": TEXT, "actor": TEXT, "actor_name": TEXT, "advice": TEXT, "article": TEXT,
    "body": TEXT, "by": TEXT, "cause": TEXT, "how": TEXT, "inject": TEXT,
    "ipcr": TEXT, "level": TEXT, "mode": TEXT, "network": TEXT, "origin": TEXT, "partner": TEXT,
    "party": TEXT, "phase": TEXT, "position": TEXT, "presidency": TEXT, "previous": TEXT,
    "proposal": TEXT, "reason": TEXT, "rule": TEXT, "scenario": TEXT,
    "scenario_sha256": TEXT, "sponsor": TEXT, "title": TEXT, "track": TEXT, "type": TEXT,
    "entry": TEXT, "text": TEXT,
    "incident": OPTIONAL_TEXT, "parent": OPTIONAL_TEXT, "naming": NAMING,
    "contribution": Simple(str, names=CONTRIBUTIONS), "product": Simple(str, names=PRODUCT_NAMES),
    "description": OPTIONAL_TEXT, "message": OPTIONAL_TEXT,
    "expected_action": either(OPTIONAL_TEXT, mapping_of(TEXT)),  # one text, or one per addressee
    "statement": OPTIONAL_TEXT,
    # structures
    "severity": mapping_of(NUMBER),
    "targets": list_of(record(state=STATE, sector=TEXT)),
    "third_parties": list_of(record(third_party=TEXT, sector=TEXT)),
    "contributions": mapping_of(TEXT),
    "others": mapping_of(TEXT),
    # checked against the registry of constants, naming them, when the run is rebuilt
    # (Recording._model_constants); the report shows what it holds
    "model": ANY,
    "to": either(TEXT, TEXTS),
}  # fmt: skip

#: Fields of one kind that hold something else than :data:`FIELDS` says.
KIND_FIELDS: dict[str, dict[str, Check]] = {
    # What a person did: an input is checked as the host checked it when it is re-applied
    # (sim.seat_rules.check_recorded, with its own messages: replay, --verify, a branch), and a
    # report says what an edited one holds; here only what the readers of the timeline look up.
    "input": {
        "inject": lambda v: _INJECT(v) and v.get("params").__class__ in (dict, type(None)),
        "state": TEXT, "objective": TEXT, "text": TEXT,  # the timeline joins and quotes them
        **dict.fromkeys(("seat", "control", "msel", "replaced_by", "how", "played", "allowed",
                         "met", "entry", "rating", "about", "who", "replaces", "to"), ANY),
    },
    "ipcr": {"previous": TEXT},
    "adopted": {"measure": MEASURE},  # a rung of the ladder: the metrics look it up
    "handoff": {"to": Simple(str, names=LEVEL_NAMES)},  # the level it reaches
}  # fmt: skip

#: What an input of each control holds (its readers look these up; a field left out is None).
CONTROLS: dict[str, dict[str, Check]] = {
    "players": {"state": STATE, "played": FLAG},  # the picture's rows, the report's table
    "skip": {"msel": TEXT, "replaced_by": OPTIONAL_TEXT},  # the report's MSEL table
}

#: Per kind: the fields it requires, then (field, classes, names or None) for the fields a
#: class (and a set of names) settles, then (field, check) for the others: the hot loop of
#: reading a recording does a set look-up per field, not a call.
_PLANS: dict[str, tuple[frozenset[str], tuple, tuple]] = {}
for _name, _kind in EVENT_KINDS.items():
    _simple, _other = [], []
    for _field in _kind.fields + _kind.optional:
        _check = KIND_FIELDS.get(_name, {}).get(_field) or FIELDS.get(_field, ANY)
        if isinstance(_check, Simple):
            _simple.append((_field, _check.classes, _check.names))
        elif _check is not ANY:
            _other.append((_field, _check))
    _PLANS[_name] = (frozenset(_kind.fields), tuple(_simple), tuple(_other))

#: Declared fields that cdtx wrote only from some version on; every reader of them has a
#: default (``narrative.is_headless``, ``Recording.check_header``, ``event_kinds._addressed``),
#: so an older recording without them is read. A field added to a kind later goes here too.
ADDED_LATER: dict[str, frozenset[str]] = {
    "started": frozenset({"scenario_sha256", "interactive"}),
    "inject_applied": frozenset({"to"}),
}


class Payloads:
    """The check of every event's payload, in the order of the recording: besides each field,
    that an escalation's incident has started (the picture and the reports look it up)."""

    def __init__(self, *, complete: bool = True) -> None:
        #: the fields of :data:`ADDED_LATER` must be there too (a recording of this version)
        self.complete = complete
        self.incidents: set[str] = set()

    def problem(self, kind: str, data: Mapping[str, Any]) -> str | None:
        """What is wrong with ``data`` as the payload of a ``kind`` event, or None."""
        plan = _PLANS.get(kind)
        if plan is None:
            return None
        required, simple, other = plan
        if not required <= data.keys():
            missing = [f for f in required if f not in data]
            if self.complete or not ADDED_LATER.get(kind, frozenset()).issuperset(missing):
                return f"{_a(kind)} event without its {', '.join(sorted(missing))}"
        for field, classes, names in simple:
            if field in data:
                value = data[field]
                if value.__class__ not in classes or (names is not None and value not in names):
                    return self._wrong(kind, field, value)
        for field, check in other:
            if field in data and not check(data[field]):
                return self._wrong(kind, field, data[field])
        if kind == "input":
            control = data.get("control")
            for field, check in (
                CONTROLS.get(control, {}) if control.__class__ is str else {}
            ).items():
                if not check(data.get(field)):
                    return self._wrong(f"input ({data['control']})", field, data.get(field))
        elif kind == "incident":
            self.incidents.add(data["incident"])
        elif kind == "escalation" and data.get("incident") not in self.incidents:
            return (
                f"an escalation of {_shown(data.get('incident'))}, an incident that has not started"
            )
        return None

    @staticmethod
    def _wrong(kind: str, field: str, value: Any) -> str:
        return f"{_a(kind)} event whose {field} is {_shown(value)}, not what cdtx writes"


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
