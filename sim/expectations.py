"""Expectations (as OpenBAS has them): per delegation, what an MSEL entry expected of it, when
the inject was delivered and acknowledged, what the delegation did, and the facilitator's or
evaluator's mark (met or not met, with a text) and when.

Everything is folded from the recording (DESIGN.md section 7):

- what is expected: the entry's ``expected_action``, one text for every addressee or a mapping
  per state (scenarios/model.py); an entry addressed to all expects it of every played
  delegation;
- delivered: its ``inject_applied`` event (an entry fired early or edited is the same entry:
  the ``skip`` input that replaced it names its replacement);
- acknowledged: the ``acknowledged`` event (``Exercise.acknowledge``, a delegation's seat);
- done: the delegation's inputs from delivery on (answers, messages, chat, injects), entered at
  its seat (``DE``, or a shared seat ``DE-2``) or for it (an answer);
- the mark: an ``input`` with ``control: mark`` (``msel``, ``state``, ``met``, ``text``, by the
  seat that entered it); the latest mark of an expectation stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from scenarios.model import expected_of
from scenarios.vocabulary import EU27, parse_duration

from . import event_kinds as K
from .errors import InjectError
from .events import Event
from .names import split_seat

#: The input control of a mark (``Exercise.remark``).
MARK = "mark"
#: How many of a delegation's actions an expectation lists (the report, the console).
DONE_SHOWN = 3


@dataclass
class Expectation:
    """One MSEL entry's expectation of one delegation, as it stands."""

    entry: str
    state: str
    expected: str
    message: str = ""
    planned: float | None = None
    delivered: float | None = None
    acknowledged: float | None = None
    skipped: bool = False
    done: list[tuple[float, str]] = field(default_factory=list)
    met: bool | None = None  # None: not marked
    mark_text: str = ""
    marked: float | None = None
    marked_by: str = ""

    @property
    def status(self) -> str:
        """planned, skipped, delivered, acknowledged, met or not met (the latest step)."""
        if self.met is not None:
            return "met" if self.met else "not met"
        if self.acknowledged is not None:
            return "acknowledged"
        if self.delivered is not None:
            return "delivered"
        return "skipped" if self.skipped else "planned"

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "state": self.state, "expected": self.expected,
                "message": self.message, "planned": self.planned, "delivered": self.delivered,
                "acknowledged": self.acknowledged, "done": [list(d) for d in self.done],
                "met": self.met, "mark_text": self.mark_text, "marked": self.marked,
                "marked_by": self.marked_by, "status": self.status}  # fmt: skip


def state_of_seat(seat: str | None) -> str | None:
    """The delegation a seat acts for: ``DE`` for seat ``DE`` and for a shared seat ``DE-2``;
    None for any other seat (facilitator, evaluator, observer)."""
    parts = split_seat(seat) if seat else None
    return parts[0] if parts is not None and parts[0] in EU27 else None


def _addressees(expected: Any, to: Iterable[str], players: Iterable[str]) -> list[str]:
    if isinstance(expected, Mapping):
        return [code for code in expected if expected.get(code)]
    if not expected:
        return []
    return list(to) or list(players)


def fold(scenario, events: Iterable[Event]) -> dict[str, list[Expectation]]:
    """Every expectation of ``scenario``'s MSEL (and of the injects entered during the run) of
    the delegations people play, per delegation (state code -> expectations by time), folded
    from ``events``. An entry addressed to all expects its one text of every played one."""
    players: list[str] = list(getattr(scenario, "players", ()) or ())
    found: dict[tuple[str, str], Expectation] = {}
    origin: dict[str, str] = {}  # a replacement's id -> the entry it replaced
    skipped: set[str] = set()
    events = list(events)
    for event in events:
        if event.kind == K.STARTED:  # a headless run: the model plays everyone
            players = list(event.data.get("players") or ()) if event.data.get("interactive") else []
            break
    planned = {m.id: m for m in getattr(scenario, "msel", ())}
    for event in events:  # a replacement is applied before the skip that names it is recorded
        if event.kind == K.INPUT and event.data.get("control") == "skip":
            instead = event.data.get("replaced_by")
            if instead:
                origin[instead] = origin.get(event.data["msel"], event.data["msel"])

    def expect(entry_id: str, expected: Any, to: Iterable[str], message: str,
               at: float | None) -> None:  # fmt: skip
        for state in _addressees(expected, to, players):
            key = (entry_id, state)
            if key not in found:
                found[key] = Expectation(entry_id, state, expected_of(expected, state), message,
                                         at)  # fmt: skip

    for m in planned.values():
        expect(m.id, m.expected_action, m.to, m.message, m.at)
    for event in events:
        kind, d, t = event.kind, event.data, event.t
        if kind == K.INPUT:
            control = d.get("control")
            if control == "players":
                code = str(d.get("state", ""))
                if d.get("played") and code not in players:
                    players.append(code)
            elif control == "skip" and not d.get("replaced_by"):
                skipped.add(str(d.get("msel", "")))
            elif control == MARK:
                # str(): a report reads a recording without re-checking it (an edited one may
                # hold a list where an id was): such a mark matches no expectation
                msel = str(d.get("msel", ""))
                entry = origin.get(msel, msel)
                item = found.get((entry, str(d.get("state", ""))))
                if item is not None:
                    item.met, item.mark_text = bool(d.get("met")), d.get("text", "")
                    item.marked, item.marked_by = t, d.get("seat") or "facilitator"
            if control not in (MARK, "acknowledge", "allow_chat", "players", "advice"):
                _done(found, d, t)
        elif kind == K.INJECT_APPLIED:
            entry = origin.get(d["inject"], d["inject"])
            expect(entry, d.get("expected_action"), d.get("to") or (), d.get("message", ""), None)
            for (entry_id, _state), item in found.items():
                if entry_id == entry and item.delivered is None:
                    item.delivered = t
        elif kind == K.ACKNOWLEDGED:
            item = found.get((origin.get(d["entry"], d["entry"]), d["state"]))
            if item is not None and item.acknowledged is None:
                item.acknowledged = t
    by_state: dict[str, list[Expectation]] = {}
    for (entry_id, state), item in found.items():
        if state not in players:  # the model plays it: nobody at the table to expect it of
            continue
        item.skipped = entry_id in skipped and item.delivered is None
        by_state.setdefault(state, []).append(item)
    for items in by_state.values():
        items.sort(key=lambda i: (i.delivered if i.delivered is not None else
                                  (i.planned if i.planned is not None else float("inf")), i.entry))  # fmt: skip
    return dict(sorted(by_state.items()))


def _done(found: dict[tuple[str, str], Expectation], d: Mapping[str, Any], t: float) -> None:
    """A delegation's input (``d``) at ``t``: what it did after the injects delivered to it."""
    inject = d.get("inject")
    state = state_of_seat(d.get("seat"))
    if inject is not None and inject.get("type") == "position":
        params = inject.get("params") or {}
        state = params.get("state") or state
        what = f"answers {str(params.get('stance', '')).replace('_', ' ')} on {params.get('measure')}"
        if inject.get("message"):
            what += f": {inject['message']}"
    elif inject is not None:
        what = f"{inject.get('type')} inject {inject.get('id')}"
    elif d.get("control") == "chat":
        what = f"chat to {d.get('to')}: {d.get('text', '')}"
    elif d.get("control") == "message":
        what = f"message: {d.get('text', '')}"
    else:
        return
    if state is None:
        return
    for (_entry, code), item in found.items():
        if code == state and item.delivered is not None and item.delivered <= t:
            item.done.append((t, what))


def fold_received(entries: Iterable[Mapping[str, Any]], events: Iterable[Mapping[str, Any]]
                  ) -> dict[str, list[Expectation]]:  # fmt: skip
    """:func:`fold` over what a facilitator's or evaluator's seat received: the MSEL as the host
    sent it (entry dicts) and the event dicts (a seat has no scenario object)."""
    msel = [SimpleNamespace(id=str(e["id"]), at=_hours(e.get("at")), to=list(e.get("to") or ()),
                            expected_action=e.get("expected_action") or "",
                            message=e.get("message", "")) for e in entries]  # fmt: skip
    return fold(SimpleNamespace(msel=msel, players=()), [Event.from_dict(dict(e)) for e in events])


def check_mark(ex, entry: Any, state: Any, met: Any, text: Any) -> dict[str, Any]:
    """A mark's fields, checked against the exercise ``ex`` (an expectation of ``entry`` for
    ``state`` must exist); ``InjectError`` naming the field otherwise."""
    if not isinstance(state, str) or state not in EU27:
        raise InjectError("state", f"unknown member state code {state!r}")
    if not isinstance(entry, str):
        raise InjectError("msel", f"the id of an MSEL entry, not {entry!r}")
    if not isinstance(met, bool):
        raise InjectError("met", "met is true or false")
    if text is not None and not isinstance(text, str):
        raise InjectError("text", "the mark's text is a string")
    expectations = fold(ex.scenario, ex.events).get(state, [])
    entries = {item.entry for item in expectations}
    if entry not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise InjectError("msel", f"{entry!r} expects nothing of {state} (its expectations: {known})")
    return {"msel": entry, "state": state, "met": met}


def mark(ex, entry: str, state: str, met: Any, text: Any = "") -> Event:
    """Record the facilitator's or evaluator's mark: ``entry``'s expectation of ``state`` was
    met (or not), with ``text``; an input (``control: mark``), replayed as recorded."""
    fields = check_mark(ex, entry, state, met, text)
    return ex.remark(MARK, str(text or ""), **fields)


def msel_status(entries: Iterable[Mapping[str, Any]], events: Iterable[Mapping[str, Any]]
              ) -> list[dict[str, Any]]:  # fmt: skip
    """The MSEL with statuses, as a facilitator seat shows it: the planned ``entries`` (MSEL
    entry dicts) and the facilitator's scheduled injects, each with ``status`` (planned, held,
    delivered, skipped, fired or edited as ...), folded from the event dicts the seat received."""
    rows = {str(e["id"]): {"id": e["id"], "at": e.get("at"), "type": e.get("type"),
                           "to": list(e.get("to") or ()), "message": e.get("message", ""),
                           "expected": e.get("expected_action") or "", "status": "planned"}
            for e in entries}  # fmt: skip
    for event in events:
        kind, d = event["kind"], event.get("data", {})
        if kind == K.INPUT and "inject" in d and d["inject"].get("type") != "position":
            inject = d["inject"]
            rows.setdefault(str(inject.get("id")), {
                "id": inject.get("id"), "at": inject.get("at"), "type": inject.get("type"),
                "to": list(inject.get("to") or ()), "message": inject.get("message", ""),
                "expected": inject.get("expected_action") or "", "status": "planned"})  # fmt: skip
        elif kind == K.INPUT and d.get("control") == "skip" and d.get("msel") in rows:
            how = d.get("how")
            row = rows[d["msel"]]
            row["status"] = f"{how} as {d.get('replaced_by')}" if how else "skipped"
        elif kind == K.HELD and d.get("inject") in rows:
            rows[d["inject"]]["status"] = "held"
        elif kind == K.INJECT_APPLIED and d.get("inject") in rows:
            rows[d["inject"]]["status"] = "delivered"
    return sorted(rows.values(), key=lambda r: (_hours(r["at"]), str(r["id"])))


def _hours(at: Any) -> float:
    """An entry's ``at`` in hours (a duration as written, or hours already)."""
    if isinstance(at, (int, float)):
        return float(at)
    try:
        return parse_duration(str(at))
    except ValueError:
        return 0.0
