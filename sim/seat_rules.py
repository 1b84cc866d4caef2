"""Who a seat is and what it may do: the seat-input rules ``cdtx host`` applies live and the
recording's reader applies again to every recorded input (sim/recording/reader.py).

Kept apart from :mod:`sim.seats` (what each seat sees, and its page), so the reader checks a
recording's inputs without the host's disclosure and page folds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scenarios import errors
from scenarios.vocabulary import EU27

from . import evaluation
from .errors import InjectError
from .expectations import state_of_seat
from .names import split_seat

FACILITATOR, DELEGATION, EVALUATOR, OBSERVER = "facilitator", "delegation", "evaluator", "observer"
ROLES = (FACILITATOR, DELEGATION, EVALUATOR, OBSERVER)

#: What each role may do on the host (the host checks every input against this).
ACTIONS: dict[str, frozenset[str]] = {
    FACILITATOR: frozenset(
        {"inject", "skip", "release", "note", "players", "advice", "clock", "answer", "free",
         "fire", "edit", "hotwash", "mark", "allow_chat", "new_token", "share"}
    ),
    DELEGATION: frozenset({"answer", "message", "acknowledge", "chat"}),
    EVALUATOR: frozenset({"observation", "mark"}),
    OBSERVER: frozenset(),
}

#: Advice setting meaning "every delegation".
ALL_STATES = "*"


def shown_value(value: Any) -> str:
    """How a refusal names a value of the wrong type a seat sent (JSON): short, whatever its
    size (:func:`scenarios.errors.shown_value`)."""
    return errors.shown_value(value, mapping="a JSON object")


def check_flag(action: str, key: str, value: Any) -> bool:
    """An input's true/false field (``allowed``, ``played``, ``run``) checked as the host and
    replay check it: ``InjectError`` naming ``action`` unless it is true or false (the text
    ``"false"`` is not taken for true)."""
    if not isinstance(value, bool):
        raise InjectError(action, f"{key} is true or false, not {shown_value(value)}")
    return value


def check_chat(ex, to: Any) -> str:
    """The delegation a chat from the exercise's current seat (``ex.seat``) goes to, checked
    as the host checks it and as replay re-checks a recorded one: chat is open
    (``Exercise.chat_allowed``, the latest ``allow_chat`` input), ``to`` is a played delegation
    and not the sender's own; ``InjectError`` naming the field otherwise."""
    if not ex.chat_allowed:
        raise InjectError("chat", "the facilitator has not opened chat between delegations")
    if to == state_of_seat(ex.seat):
        raise InjectError("to", "chat goes to another delegation, not your own")
    if not isinstance(to, str) or to not in ex.players:
        played = ", ".join(ex.players) or "none"
        raise InjectError("to", f"{to!r} is not a played delegation ({played})")
    return to


def check_advice(ex, state: Any, allowed: Any) -> dict[str, Any]:
    """The fields of the facilitator's ``advice`` setting (the model's advice shown to
    ``state``, a played delegation or :data:`ALL_STATES`, or hidden from it), checked as the
    host checks it live and replay re-checks a recorded one; ``InjectError`` otherwise."""
    if state != ALL_STATES and state not in ex.players:
        raise InjectError("advice", f"{shown_value(state)} is not a played delegation")
    return {"state": state, "allowed": check_flag("advice", "allowed", allowed)}


@dataclass(frozen=True)
class Seat:
    """One seat at the exercise: ``id`` is what people read (``DE``, ``facilitator-2``)."""

    id: str
    role: str
    state: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(
                f"seat {self.id}: role is one of {', '.join(ROLES)}, not {self.role!r}"
            )
        if (self.role == DELEGATION) != (self.state is not None):
            raise ValueError(f"seat {self.id}: a delegation seat, and only one, names its state")
        if self.state is not None and self.state not in EU27:
            raise ValueError(f"seat {self.id}: unknown member state code {self.state!r}")

    @property
    def actions(self) -> frozenset[str]:
        """What this seat may do on the host."""
        return ACTIONS[self.role]

    def may(self, action: str) -> bool:
        return action in self.actions

    @property
    def sees_all(self) -> bool:
        return self.role in (FACILITATOR, EVALUATOR)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "state": self.state}


def seat_named(seat_id: Any) -> Seat | None:
    """The seat a recorded input names, as ``cdtx host`` names its seats (:func:`seats_for`,
    a shared delegation's ``DE-2``): ``facilitator-2`` is the second facilitator; None for a
    name no host gives."""
    if not isinstance(seat_id, str):
        return None
    state = state_of_seat(seat_id)
    if state is not None:
        return Seat(seat_id, DELEGATION, state)
    parts = split_seat(seat_id)
    if parts is not None and parts[0] in ROLES and parts[0] != DELEGATION:
        return Seat(seat_id, parts[0])
    return None


def action_of(data: Mapping[str, Any]) -> str:
    """The seat's action (:data:`ACTIONS`) a recorded input is: an answer (a ``position``
    inject), an inject, or its control (``message``, ``observation``, ...)."""
    inject = data.get("inject")
    if inject is not None:
        return "answer" if isinstance(inject, Mapping) and inject.get("type") == "position" else "inject"
    return str(data.get("control"))


def check_played(ex, seat: Seat) -> None:
    """A delegation's seat acts while people play its state: one handed back to the model
    (``players``) may no longer answer, message, chat or acknowledge (``InjectError``)."""
    if seat.state is not None and seat.state not in ex.players:
        raise InjectError("seat", f"{seat.state} is played by the model now (the facilitator "
                                  f"handed it back): seat {seat.id} may no longer act for it")  # fmt: skip


def check_recorded(ex, data: Mapping[str, Any], *, played: bool = True) -> None:
    """A recorded input (its ``data``) checked for the seat that entered it, as ``cdtx host``
    checked it live: a seat the host gives, an action its role may take, a delegation still
    played acting for its own state, an evaluator's observation of an objective with a rating;
    ``InjectError`` naming the field otherwise. Inputs without a seat (``cdtx play``, older
    recordings) and a facilitator's (the console's are the first facilitator seat's) pass.
    ``played=False``: a delegation handed back to the model may still act (cdtx 0.4.0's host
    let it, and its recordings replay as they were made)."""
    seat_id = data.get("seat")
    if seat_id is None:
        return
    seat = seat_named(seat_id)
    if seat is None:
        raise InjectError("seat", f"no seat {str(seat_id)[:40]!r}: cdtx host names its seats "
                                  "facilitator, DE (a delegation), DE-2, evaluator, observer, ...")  # fmt: skip
    if seat.role == FACILITATOR:
        return
    action = action_of(data)
    if not seat.may(action):
        raise InjectError("seat", f"seat {seat.id} ({seat.role}) may not {action}")
    if played:
        check_played(ex, seat)
    if action in ("message", "chat") and not str(data.get("text") or "").strip():
        raise InjectError("text", f"{action}: give text")
    if action == "acknowledge" and data.get("state") != seat.state:
        raise InjectError("state", f"seat {seat.id} acknowledges for {seat.state} only")
    if action == "answer":
        params = data["inject"].get("params") or {}
        if params.get("state") != seat.state:
            raise InjectError("state", f"seat {seat.id} answers for {seat.state} only")
    if action == "observation":
        evaluation.check_observation(ex.scenario, data.get("objective"), data.get("rating"))
