"""Sim time and the Brussels calendar of meetings.

Sim time is hours since the scenario's ``start``. People see it as calendar time in Brussels
(Europe/Brussels, with its summer time) and as T+5d 03:00. Regular meetings follow the week:
PSC Tuesday and Friday mornings, HWPCI and COREPER II weekly, the Foreign Affairs Council
monthly (third Monday, none in August; the real dates vary, the cadence is what matters).

Brussels keeps a calendar of its own (docs/model.md, *Calendar*): no regular sitting, no
adoption and no end of a written or silence procedure on a weekend or a public holiday of the
institutions (:func:`council_holidays`), and no regular sitting in the summer and the
Christmas/New Year recess (:func:`in_recess`); extraordinary sittings are still called then.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
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
#: Months without a Foreign Affairs Council (the summer recess).
NO_FAC_MONTHS = (8,)
#: Months without regular sittings of the PSC, HWPCI and COREPER (the summer recess).
RECESS_MONTHS = (8,)
#: The Christmas/New Year recess of regular sittings: from this day of December to this day of
#: January, both included (the last regular sittings are in the week before Christmas, the
#: first in the second week of January).
WINTER_RECESS = (22, 6)
#: The framework (Decision (CFSP) 2019/797) and every listing under it are renewed together,
#: before the framework's yearly expiry on 18 May (renewals of 14 May 2020, 17 May 2021,
#: 16 May 2022, 12 May 2025): the model takes the last working day before it, at this hour.
RENEWAL_EXPIRY = (5, 18)
RENEWAL_HOUR = 10.0
#: How far ahead the calendar looks for a working day or a sitting (the longest stretch without
#: either is the August recess; a year bounds any search).
_SEARCH_DAYS = 400


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm of Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    day = (h + m - 7 * n + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=64)
def council_holidays(year: int) -> frozenset[date]:
    """The public holidays of the EU institutions in Brussels in ``year`` (the list the
    Commission decides each year for staff in Brussels, which the Council's General Secretariat
    keeps too; e.g. Commission Decision of 25 May 2021 on public holidays in 2023,
    OJ C 201 I): New Year's Day and the day after, Maundy Thursday, Good Friday, Easter Monday,
    1 May, 9 May (Schuman Day), Ascension Thursday and the Friday after, Whit Monday, 21 July
    (Belgian national day), 15 August, 1 and 2 November, and 24 to 31 December."""
    easter = easter_sunday(year)
    movable = (-3, -2, 1, 39, 40, 50)  # Maundy Thu, Good Fri, Easter Mon, Ascension, Fri, Whit Mon
    fixed = [(1, 1), (1, 2), (5, 1), (5, 9), (7, 21), (8, 15), (11, 1), (11, 2)]
    fixed += [(12, day) for day in range(24, 32)]
    days = {easter + timedelta(days=offset) for offset in movable}
    days.update(date(year, month, day) for month, day in fixed)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """A weekday that is not a public holiday of the institutions (Council Rules of Procedure,
    Art. 12: written procedure deadlines, and so silence procedures, fall on working days)."""
    return day.weekday() < 5 and day not in council_holidays(day.year)


def in_recess(day: date) -> bool:
    """No regular sittings: August, and the Christmas/New Year recess (:data:`WINTER_RECESS`)."""
    first, last = WINTER_RECESS
    return (
        day.month in RECESS_MONTHS
        or (day.month == 12 and day.day >= first)
        or (day.month == 1 and day.day <= last)
    )


def sitting_day(day: date) -> bool:
    """A day a body may hold a regular sitting: a working day outside the recess."""
    return is_working_day(day) and not in_recess(day)


def renewal_day(year: int) -> date:
    """The day the framework and all listings are renewed in ``year``: the last working day
    before the framework's expiry on 18 May (:data:`RENEWAL_EXPIRY`)."""
    day = date(year, *RENEWAL_EXPIRY) - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def fac_day(year: int, month: int) -> date | None:
    """The Foreign Affairs Council of a month: its third Monday, or the next working day when
    that is a holiday (Easter or Whit Monday); None in August (:data:`NO_FAC_MONTHS`)."""
    if month in NO_FAC_MONTHS:
        return None
    day = date(year, month, _third_monday(year, month))
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


#: The speeds a live exercise's clock runs at (the console's ``+``/``-``; ``cdtx host`` and a
#: facilitator seat choose among them when the console drives the clock): simulated seconds per
#: wall second, None "as fast as possible".
SPEEDS: tuple[int | None, ...] = (1, 10, 60, 600, 3600, 36000, None)


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
        """Sim time of the first regular sitting of ``body`` at or after sim time ``t``: on its
        weekday, on a working day outside the recess (:func:`sitting_day`)."""
        if body == "council":
            return self.next_fac(t)
        now = self.to_datetime(t)
        slots = CADENCE[body]
        day = now.date()
        for _ in range(_SEARCH_DAYS):
            if sitting_day(day):
                for sitting in slots:  # in the order of the week
                    if sitting.weekday == day.weekday():
                        candidate = _local(day.year, day.month, day.day, sitting.hour)
                        if candidate >= now:
                            return self.to_sim(candidate)
            day += timedelta(days=1)
        raise AssertionError("unreachable: a body sits within a year")

    def next_fac(self, t: float) -> float:
        """The next Foreign Affairs Council (:func:`fac_day`), 09:00."""
        now = self.to_datetime(t)
        year, month = now.year, now.month
        for _ in range(14):
            day = fac_day(year, month)
            if day is not None:
                candidate = _local(day.year, day.month, day.day, FAC_HOUR)
                if candidate >= now:
                    return self.to_sim(candidate)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("unreachable: a Council sits within a year")

    def next_renewal(self, t: float) -> float:
        """The first yearly renewal of the framework and its listings after sim time ``t``
        (:func:`renewal_day`, :data:`RENEWAL_HOUR`)."""
        now = self.to_datetime(t)
        for year in (now.year, now.year + 1):
            day = renewal_day(year)
            candidate = _local(day.year, day.month, day.day, RENEWAL_HOUR)
            if candidate > now:
                return self.to_sim(candidate)
        raise AssertionError("unreachable: a renewal falls every May")

    def working_time(self, t: float) -> float:
        """``t`` itself on a working day; otherwise the opening of the next working day.

        Where a deadline or an adoption falls on a weekend or a holiday (Council Rules of
        Procedure, Art. 12), it is carried to the next working day, 09:00."""
        now = self.to_datetime(t)
        day = now.date()
        if is_working_day(day):
            return t
        for _ in range(_SEARCH_DAYS):
            day += timedelta(days=1)
            if is_working_day(day):
                return self.to_sim(_local(day.year, day.month, day.day, WORKDAY[0]))
        raise AssertionError("unreachable: a working day falls within a year")

    def deadline(self, t: float, duration: float) -> float:
        """The end of a procedure of ``duration`` hours started at ``t`` (a written or silence
        procedure): never on a weekend or a holiday (:meth:`working_time`)."""
        return self.working_time(t + duration)

    def next_working_hour(self, t: float, crisis: bool = False) -> float:
        """The first moment at or after ``t`` inside Brussels working hours on a working day.

        Extraordinary sittings are held in the recess too (the extraordinary FAC of 21 August
        2013). In a crisis, bodies sit on any day and into the evening (CRISIS_DAY).
        """
        first, last = CRISIS_DAY if crisis else WORKDAY
        now = self.to_datetime(t)
        day = now
        for _ in range(_SEARCH_DAYS):
            if crisis or is_working_day(day.date()):
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
