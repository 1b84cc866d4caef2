"""Sim time and the Brussels calendar of meetings.

Sim time is hours since the scenario's ``start``. People see it as calendar time in Brussels
(Europe/Brussels, with its summer time) and as T+5d 03:00. Regular meetings follow the week:
PSC Tuesday and Friday mornings, HWPCI and COREPER II weekly, the Foreign Affairs Council
monthly (third Monday; the real dates vary, the cadence is what matters to the model).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from scenarios.vocabulary import DURATION_PATTERN, bounded_hours, parse_duration

BRUSSELS = ZoneInfo("Europe/Brussels")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)


@dataclass(frozen=True)
class Sitting:
    """A regular slot of a body: weekday (0 = Monday) and local hour."""

    weekday: int
    hour: float


#: Regular sittings in Brussels local time. The FAC is handled separately (monthly).
CADENCE: dict[str, tuple[Sitting, ...]] = {
    "psc": (Sitting(TUESDAY, 10.0), Sitting(FRIDAY, 10.0)),
    "hwpci": (Sitting(WEDNESDAY, 14.5),),
    "coreper": (Sitting(WEDNESDAY, 10.0),),
}
FAC_HOUR = 9.0
WORKDAY = (9.0, 18.0)
CRISIS_DAY = (8.0, 22.0)


def format_offset(t: float) -> str:
    """``T+5d 03:00`` for a sim time in hours: days, then hours and minutes on a clock face, so
    that half a day reads ``T+0d 12:00`` and never as twelve minutes (the old ``T+00:12:00``)."""
    if not math.isfinite(t):  # never from a valid input; shown rather than crashing
        return f"T+{t}"
    minutes = int(round(t * 60))
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"T{sign}{minutes // 1440}d {minutes // 60 % 24:02d}:{minutes % 60:02d}"


_OFFSET = re.compile(r"(\d+):(\d{1,2}):(\d{2})")  # T+dd:hh:mm, the old form: still read
_DAY_CLOCK = re.compile(r"(\d+)d\s*(\d{1,2}):(\d{2})")  # T+5d 03:00, as shown now


def parse_offset(text: str) -> float:
    """A sim time in hours as people write it: a duration since the start (``3d``, ``36h``,
    ``1d12h``), the time as :func:`format_offset` shows it (``T+5d 03:00``), or the older
    T+dd:hh:mm form (``T+05:03:00``).

    Raises ValueError with a message meant for people on anything else.
    """
    if not isinstance(text, str):
        return parse_duration(text)
    if len(text) > 64:
        return parse_duration(text)  # refuses it, saying why
    stripped = text.strip()
    bare = (
        stripped.removeprefix("T").removeprefix("+")
        if stripped.startswith(("T+", "+"))
        else stripped
    )
    clock = _DAY_CLOCK.fullmatch(bare) or _OFFSET.fullmatch(bare)
    if clock:
        days, hours, minutes = (int(x) for x in clock.groups())
        if hours > 23 or minutes > 59:
            raise ValueError(f"bad time {text!r}: T+5d 03:00 takes hours 00-23 and minutes 00-59")
        return bounded_hours(days * 24 + hours + minutes / 60, text)
    if re.fullmatch(DURATION_PATTERN, bare):
        return parse_duration(bare)  # a well-formed duration: only its bounds can fail
    try:
        return parse_duration(bare)
    except ValueError:
        raise ValueError(
            f"bad time {text!r}: write a duration since the start (90m, 36h, 3d, 2w) "
            "or the time the timeline shows (T+5d 03:00)"
        ) from None


class Calendar:
    """Converts sim time to Brussels time and finds the next sitting of a body."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        # Keep the start in UTC: aware datetimes that share a ZoneInfo add and subtract in
        # wall-clock time, which would make sim hours across a DST switch wrong.
        self.start = start.astimezone(UTC)

    def to_datetime(self, t: float) -> datetime:
        """Brussels local datetime at sim time ``t``."""
        # Whole minutes: sums of float hours must not print 14:30 as 14:29.
        return (self.start + timedelta(minutes=round(t * 60))).astimezone(BRUSSELS)

    def to_sim(self, when: datetime) -> float:
        return (when - self.start).total_seconds() / 3600.0

    def format(self, t: float) -> str:
        """E.g. ``Fri 06 Mar 2026 10:00``."""
        return self.to_datetime(t).strftime("%a %d %b %Y %H:%M")

    def label(self, t: float) -> str:
        """Calendar time and T+ time together, as every line of a timeline shows them."""
        return f"{self.format(t)}  {format_offset(t)}"

    def next_sitting(self, body: str, t: float) -> float:
        """Sim time of the first regular sitting of ``body`` at or after sim time ``t``."""
        if body == "council":
            return self.next_fac(t)
        now = self.to_datetime(t)
        best: datetime | None = None
        for sitting in CADENCE[body]:
            days_ahead = (sitting.weekday - now.weekday()) % 7
            for extra in (0, 7):
                day = (now + timedelta(days=days_ahead + extra)).date()
                candidate = _local(day.year, day.month, day.day, sitting.hour)
                if candidate >= now:
                    break
            if best is None or candidate < best:
                best = candidate
        assert best is not None
        return self.to_sim(best)

    def next_fac(self, t: float) -> float:
        """The next Foreign Affairs Council: the third Monday of a month, 09:00."""
        now = self.to_datetime(t)
        year, month = now.year, now.month
        for _ in range(3):
            candidate = _local(year, month, _third_monday(year, month), FAC_HOUR)
            if candidate >= now:
                return self.to_sim(candidate)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("unreachable: a third Monday falls in every month")

    def next_working_hour(self, t: float, crisis: bool = False) -> float:
        """The first moment at or after ``t`` inside Brussels working hours on a weekday.

        In a crisis, bodies sit on any day and into the evening (CRISIS_DAY).
        """
        first, last = CRISIS_DAY if crisis else WORKDAY
        now = self.to_datetime(t)
        day = now
        for _ in range(8):
            if crisis or day.weekday() < 5:
                opening = _local(day.year, day.month, day.day, first)
                closing = _local(day.year, day.month, day.day, last)
                if now <= closing:
                    return self.to_sim(max(now, opening))
            day = day + timedelta(days=1)
            now = max(now, _local(day.year, day.month, day.day, 0.0))
        raise AssertionError("unreachable")


def _local(year: int, month: int, day: int, hour: float) -> datetime:
    whole = int(hour)
    return datetime(year, month, day, whole, int(round((hour - whole) * 60)), tzinfo=BRUSSELS)


def _third_monday(year: int, month: int) -> int:
    first = datetime(year, month, 1).weekday()
    return 1 + (MONDAY - first) % 7 + 14
