"""What one seat may send the host: a budget of inputs per second, bytes per input and per text
field, bytes per minute, and bytes added to the recording over the whole exercise.

A seat past its budget is refused with a message saying which limit it reached; a seat that
keeps on (more than :attr:`Limits.refusals` refusals within a minute) is disconnected and may
not rejoin for :attr:`Limits.cooldown` seconds. The budget belongs to the seat, not to its
connection: reconnecting does not refill it. docs/hosting.md, *Limits*, lists the defaults.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.exercise import MAX_TEXT

#: Largest WebSocket message the library accepts at all (a larger one closes the connection,
#: code 1009, before the host reads it); inputs are refused well below it (Limits.input_bytes).
MAX_MESSAGE = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """One seat's budget (the defaults are documented in docs/hosting.md, *Limits*)."""

    #: Inputs per second, on average; up to :attr:`burst` at once.
    per_second: float = 5.0
    burst: int = 20
    #: Bytes of one input (the JSON message) and characters of one text field in it.
    input_bytes: int = 16 * 1024
    field_chars: int = MAX_TEXT
    #: Bytes of inputs per minute (a sliding budget: it refills evenly over the minute).
    per_minute: int = 64 * 1024
    #: Bytes of accepted inputs one seat may add to the recording over the whole exercise.
    recorded: int = 2 * 1024 * 1024
    #: Refusals within a minute after which the seat is disconnected, and for how long (s).
    refusals: int = 10
    cooldown: float = 30.0


def _size(n: float) -> str:
    return f"{n / 1024 / 1024:.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.3g} KB"


class _Bucket:
    """A token bucket: ``capacity`` tokens, refilled at ``rate`` per second."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens, self.at = capacity, now

    def take(self, amount: float, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < amount:
            return False
        self.tokens -= amount
        return True


class SeatBudget:
    """The budget of one seat; ``clock`` is the monotonic time in seconds."""

    def __init__(self, seat_id: str, limits: Limits,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.seat_id, self.limits, self.clock = seat_id, limits, clock
        now = clock()
        self._inputs = _Bucket(limits.burst, limits.per_second, now)
        self._bytes = _Bucket(limits.per_minute, limits.per_minute / 60, now)
        self._strikes = _Bucket(limits.refusals, limits.refusals / 60, now)
        #: Bytes of accepted inputs so far (what the seat added to the recording).
        self.recorded = 0
        #: Inputs refused for the budget, and times the seat was disconnected, in all.
        self.refused = 0
        self.disconnected = 0
        self._barred_until = 0.0

    def check(self, message: str | bytes) -> str | None:
        """Charge one input of the seat; None if it is within the budget, else why not."""
        limits, now = self.limits, self.clock()
        size = len(message)
        if not self._inputs.take(1, now):
            return (f"seat {self.seat_id}: too many inputs (at most {limits.per_second:g} a "
                    "second); wait a moment and send again")  # fmt: skip
        if size > limits.input_bytes:
            return (f"seat {self.seat_id}: an input of {_size(size)} is too large (at most "
                    f"{_size(limits.input_bytes)})")  # fmt: skip
        if not self._bytes.take(size, now):
            return (f"seat {self.seat_id}: too much text (at most {_size(limits.per_minute)} "
                    "of inputs a minute); wait a moment and send again")  # fmt: skip
        if self.recorded + size > limits.recorded:
            return (f"seat {self.seat_id}: has sent its {_size(limits.recorded)} of inputs for "
                    "this exercise; the host records no more from it")  # fmt: skip
        return None

    def check_fields(self, request: Any) -> str | None:
        """None if every text in ``request`` is within :attr:`Limits.field_chars`, else why not
        (naming the field, e.g. ``inject.params.text``)."""
        stack: list[tuple[str, Any]] = [("", request)]
        while stack:
            where, value = stack.pop()
            if isinstance(value, dict):
                stack.extend((f"{where}.{key}" if where else str(key), v)
                             for key, v in value.items())  # fmt: skip
            elif isinstance(value, list):
                stack.extend((f"{where}[{i}]", v) for i, v in enumerate(value))
            elif isinstance(value, str) and len(value) > self.limits.field_chars:
                return (f"{where[:60]}: a text of {len(value):,} characters is too long (at most "
                        f"{self.limits.field_chars:,})")  # fmt: skip
        return None

    def accepted(self, message: str | bytes) -> None:
        """An input was applied: count what it added to the recording."""
        self.recorded += len(message)

    def strike(self) -> bool:
        """An input was refused for the budget; True if the seat must now be disconnected."""
        self.refused += 1
        if self._strikes.take(1, self.clock()):
            return False
        self.disconnected += 1
        self._barred_until = self.clock() + self.limits.cooldown
        # A seat let back in starts with a fresh allowance of refusals.
        self._strikes = _Bucket(self.limits.refusals, self.limits.refusals / 60, self.clock())
        return True

    def barred(self) -> float:
        """Seconds before the seat, disconnected for sending too much, may rejoin (0: now)."""
        return max(0.0, self._barred_until - self.clock())
