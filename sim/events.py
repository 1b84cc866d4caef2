"""Events: every observable change in an exercise, and the hash-chained log that holds them.

An event is small and frozen; its ``data`` holds only JSON values. The log's digest is a hash
chain over the canonical JSON of the events: h_i = sha256(h_{i-1} + canonical(e_i)), so two
runs have the same digest exactly when they produced the same events in the same order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

GENESIS = "0" * 64

#: Who caused an event. Everything but "model" is an input that a recording must keep.
MODEL, MSEL, FACILITATOR = "model", "msel", "facilitator"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened at sim time ``t`` (hours since the scenario start)."""

    t: float
    seq: int
    kind: str
    source: str = MODEL
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "t": self.t,
            "kind": self.kind,
            "source": self.source,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(raw["t"], raw["seq"], raw["kind"], raw.get("source", MODEL), raw.get("data", {}))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def is_input(self) -> bool:
        """True for what a person did (facilitator injects, delegation answers)."""
        return self.source == FACILITATOR


def canonical(event: Event) -> bytes:
    """Canonical JSON bytes of an event: sorted keys, no whitespace, shortest float repr."""
    return orjson.dumps(event.as_dict(), option=orjson.OPT_SORT_KEYS)


def chain(previous: str, event_bytes: bytes) -> str:
    """The next link of the digest chain."""
    return hashlib.sha256(previous.encode("ascii") + event_bytes).hexdigest()


Listener = Callable[[Event, bytes, str], None]
_new = object.__new__
_set_t, _set_seq, _set_kind, _set_source, _set_data = (
    Event.__dict__[name].__set__ for name in ("t", "seq", "kind", "source", "data")
)
_dumps, _SORTED, _sha256 = orjson.dumps, orjson.OPT_SORT_KEYS, hashlib.sha256


class EventLog:
    """The ordered events of one run, their digest chain, and listeners (recorder, UI)."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._head = GENESIS
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener, *, past: bool = False) -> None:
        """Call ``listener(event, canonical_bytes, chain_hash)`` for every future event.

        With ``past``, first call it for every event already in the log (at least ``started``,
        emitted before anyone could listen), with the same bytes and chain hashes.
        """
        if past:
            for event, raw, head in chained(self._events):
                listener(event, raw, head)
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def append(self, t: float, kind: str, source: str = MODEL, **data: Any) -> Event:
        """Add an event at sim time ``t`` with payload ``data``; returns it."""
        return self.record(t, kind, source, data)

    def record(self, t: float, kind: str, source: str, data: dict[str, Any]) -> Event:
        """:meth:`append` with the payload as a dict, which the event keeps (not a copy)."""
        t = float(t)  # SimPy starts at int 0; 0 and 0.0 would serialise differently
        events = self._events
        seq = len(events)
        # Event(t, seq, kind, source, data) without the frozen __init__'s five
        # object.__setattr__ calls: the slots' own setters, half the cost on the hot path.
        event = _new(Event)
        _set_t(event, t)
        _set_seq(event, seq)
        _set_kind(event, kind)
        _set_source(event, source)
        _set_data(event, data)
        # canonical(event), spelled out on the hot path: the one encoding, which replay's verify
        # compares byte for byte (test_determinism checks the two agree).
        raw = _dumps(
            {"seq": seq, "t": t, "kind": kind, "source": source, "data": data}, option=_SORTED
        )
        self._head = head = _sha256(self._head.encode("ascii") + raw).hexdigest()
        events.append(event)
        for listener in self._listeners:
            listener(event, raw, head)
        return event

    @property
    def digest(self) -> str:
        return self._head

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __getitem__(self, index):
        return self._events[index]

    @property
    def events(self) -> list[Event]:
        return self._events


def chained(events: Iterable[Event]) -> Iterator[tuple[Event, bytes, str]]:
    """``(event, canonical bytes, chain hash)`` for each event, the chain started afresh."""
    head = GENESIS
    for event in events:
        raw = canonical(event)
        head = chain(head, raw)
        yield event, raw, head


def digest_of(events: list[Event]) -> str:
    """The chain digest of a sequence of events (for verification)."""
    head = GENESIS
    for event in events:
        head = chain(head, canonical(event))
    return head
