"""A recording's event payloads are checked where the recording is read
(sim/recording/payload.py): an edited line that holds the wrong thing is one message naming its
line, exit 1, never a traceback in the picture, the metrics, the timeline or the report."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import orjson
import pytest

import scenarios
from sim import Exercise
from sim.event_kinds import EVENT_KINDS
from sim.events import GENESIS, Event, canonical, chain
from sim.recording import Recorder
from sim.recording.payload import FIELDS, KIND_FIELDS, Payloads
from tests.inprocess import cdtx
from tests.test_input_fuzz import HOSTILE

#: What a JSON line can hold of :data:`HOSTILE` (no infinity, integers of at most 64 bits).
VALUES = tuple(
    v for v in HOSTILE if not isinstance(v, (int, float)) or isinstance(v, bool) or abs(v) < 2**62
) + (2**62,)


def test_every_declared_field_says_what_it_holds():
    """A new field of an event kind is declared in sim/recording/payload.py too."""
    for name, kind in EVENT_KINDS.items():
        for field in kind.fields + kind.optional:
            assert field in FIELDS or field in KIND_FIELDS.get(name, {}), f"{name}.{field}"


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_every_event_of_every_builtin_run_passes(scenario_id):
    for seed in (1, 2):
        ex = Exercise(scenario_id, seed=seed)
        ex.run()
        check = Payloads()
        for event in ex.events:
            assert check.problem(event.kind, event.data) is None, event


def _record(path: Path) -> Path:
    """A live run with a played delegation and a person's inputs of every common kind."""
    ex = Exercise("grid-wiper", interactive=True, players=["LT"])
    recorder = Recorder(path, ex)
    ex.run("1d")
    ex.set_played("EE", True)
    ex.note("A note | with ## markdown")
    ex.submit({"type": "media", "params": {"pressure": 0.5}, "message": "hello"})
    ex.remark("message", "from DE")
    ex.skip("M-07")
    ex.run("4d")
    recorder.close()
    return path


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> list[bytes]:
    path = _record(tmp_path_factory.mktemp("rec") / "live.jsonl")
    assert cdtx("replay", str(path), "--verify").returncode == 0
    return path.read_bytes().splitlines()


def rechained(lines: list[bytes]) -> list[bytes]:
    """``lines`` with every chain hash and the end line made right again, as a forger would."""
    head, out, n = GENESIS, [lines[0]], 0
    for line in lines[1:]:
        raw = orjson.loads(line)
        if "end" in raw:
            raw.update(digest=head, events=n)
        else:
            raw.pop("h", None)
            # a line no event can be made of is refused before its hash matters
            with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
                head = chain(head, canonical(Event.from_dict(raw)))
            raw["h"] = head
            n += 1
        out.append(orjson.dumps(raw))
    return out


def _edited(lines: list[bytes], kind: str, edit) -> list[bytes]:
    lines = list(lines)
    i = next(i for i, line in enumerate(lines) if orjson.loads(line).get("kind") == kind)
    raw = orjson.loads(lines[i])
    edit(raw["data"])
    lines[i] = orjson.dumps(raw)
    return rechained(lines)


def _refused(tmp_path: Path, lines: list[bytes], *fragments: str) -> None:
    path = tmp_path / "edited.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    for command in (("replay", str(path)), ("report", str(path)),
                    ("run", "--from", str(path), "--json")):  # fmt: skip
        result = cdtx(*command)
        assert result.returncode == 1, command
        assert result.stderr.startswith(f"cdtx: {path}: line "), result.stderr
        for fragment in fragments:
            assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("kind", "edit", "fragments"),
    [
        ("detected", lambda d: d.update(state=["PL"]), ("a detected event whose state is ['PL']",)),
        ("detected", lambda d: d.update(state="XX"), ("whose state is 'XX'",)),
        ("incident", lambda d: d.pop("targets"), ("an incident event without its targets",)),
        ("incident", lambda d: d.update(score=None), ("whose score is None",)),
        ("pressure", lambda d: d.update(states=[{}]), ("a pressure event whose states is [{}]",)),
        ("input", lambda d: d.pop("played"), ("an input (players) event whose played is None",)),
    ],
)  # fmt: skip
def test_an_edited_payload_is_refused_at_its_line(tmp_path, recording, kind, edit, fragments):
    _refused(tmp_path, _edited(recording, kind, edit), *fragments)


def test_an_escalation_of_an_incident_that_never_started_is_refused(tmp_path):
    ex = Exercise("grid-wiper", seed=1)
    recorder = Recorder(tmp_path / "run.jsonl", ex)
    ex.run("2d")
    ex.submit({"type": "escalate", "params": {"incident": "INC-1", "severity": {"impact": 1}}})
    ex.run("3d")
    recorder.close()
    lines = (tmp_path / "run.jsonl").read_bytes().splitlines()
    edited = _edited(lines, "escalation", lambda d: d.update(incident="INC-9"))
    _refused(tmp_path, edited, "an escalation of 'INC-9', an incident that has not started")


def _mutate(rng: random.Random, lines: list[bytes]) -> list[bytes]:
    lines = list(lines)
    i = rng.randrange(1, len(lines) - 1)
    raw = orjson.loads(lines[i])
    data = raw.get("data")
    roll = rng.random()
    if roll < 0.75 and isinstance(data, dict) and data:
        key = rng.choice(sorted(data))
        if rng.random() < 0.2:
            del data[key]
        elif isinstance(data[key], (dict, list)) and data[key] and rng.random() < 0.5:
            inner = data[key]
            at = rng.choice(sorted(inner)) if isinstance(inner, dict) else rng.randrange(len(inner))
            inner[at] = rng.choice(VALUES)
        else:
            data[key] = rng.choice(VALUES)
    elif roll < 0.9:
        raw["kind"] = rng.choice(sorted(EVENT_KINDS))
    else:
        raw["data"] = rng.choice(VALUES)
    lines[i] = orjson.dumps(raw)
    return lines


def test_every_mutated_recording_is_read_or_refused_at_its_place(tmp_path, recording):
    rng = random.Random(20261207)
    path = tmp_path / "case.jsonl"
    for _ in range(150):
        lines = _mutate(rng, recording)
        if rng.random() < 0.7:
            lines = rechained(lines)
        path.write_bytes(b"\n".join(lines) + b"\n")
        command = rng.choice(
            [("replay", str(path)), ("report", str(path)), ("run", "--from", str(path), "--json")]
        )
        result = cdtx(*command)
        assert result.returncode in (0, 1), (command, result.stderr)
        if result.returncode == 1:
            assert result.stderr.startswith(f"cdtx: {path}"), result.stderr


def _as_version(lines: list[bytes], version: str) -> list[bytes]:
    header = orjson.loads(lines[0])
    header["cdtx_version"] = version
    return [orjson.dumps(header), *lines[1:]]


def test_an_older_recording_without_the_fields_added_since_is_read(tmp_path, recording):
    def older(data):
        data.pop("to", None)

    lines = _as_version(_edited(recording, "inject_applied", older), "0.1.0")
    lines = _as_version(_edited(lines, "started", lambda d: d.pop("interactive")), "0.1.0")
    path = tmp_path / "old.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    for command in (("replay", str(path)), ("report", str(path))):
        result = cdtx(*command)
        assert result.returncode == 0, result.stderr
    # the same fields from this cdtx's version: it writes them
    same = _edited(recording, "inject_applied", older)
    _refused(tmp_path, same, "an inject_applied event without its to")


def test_an_older_recording_without_a_field_its_readers_need_is_refused(tmp_path, recording):
    lines = _as_version(_edited(recording, "detected", lambda d: d.pop("state")), "0.1.0")
    _refused(tmp_path, lines, "a detected event without its state")
