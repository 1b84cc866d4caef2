"""The Brussels calendar of meetings and the display of sim time (sim/clock.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sim.clock import BRUSSELS, Calendar, format_offset, parse_offset

# Friday 6 March 2026, 19:00 in Brussels (CET, UTC+1).
FRIDAY_EVENING = datetime(2026, 3, 6, 19, 0, tzinfo=BRUSSELS)


def local(cal: Calendar, t: float) -> datetime:
    return cal.to_datetime(t)


def test_start_must_be_timezone_aware():
    with pytest.raises(ValueError):
        Calendar(datetime(2026, 3, 6, 19, 0))


def test_next_psc_after_friday_evening_is_tuesday_10():
    cal = Calendar(FRIDAY_EVENING)
    when = local(cal, cal.next_sitting("psc", 0.0))
    assert (when.strftime("%a"), when.hour, when.minute) == ("Tue", 10, 0)
    assert when.date() == datetime(2026, 3, 10).date()
    assert cal.next_sitting("psc", 0.0) == pytest.approx(24 * 3 + 15)


def test_next_psc_after_tuesday_9_is_the_same_morning():
    cal = Calendar(datetime(2026, 3, 10, 9, 0, tzinfo=BRUSSELS))
    assert cal.next_sitting("psc", 0.0) == pytest.approx(1.0)


def test_next_psc_after_tuesday_meeting_is_friday():
    cal = Calendar(datetime(2026, 3, 10, 10, 1, tzinfo=BRUSSELS))
    when = local(cal, cal.next_sitting("psc", 0.0))
    assert (when.strftime("%a %d"), when.hour) == ("Fri 13", 10)


def test_a_sitting_exactly_now_counts():
    cal = Calendar(datetime(2026, 3, 13, 10, 0, tzinfo=BRUSSELS))
    assert cal.next_sitting("psc", 0.0) == 0.0


def test_start_in_another_timezone_is_shown_in_brussels():
    # 18:00 UTC on Friday is 19:00 in Brussels: same answer as above.
    cal = Calendar(datetime(2026, 3, 6, 18, 0, tzinfo=UTC))
    assert cal.format(0.0) == "Fri 06 Mar 2026 19:00"
    assert local(cal, cal.next_sitting("psc", 0.0)).strftime("%a %H:%M") == "Tue 10:00"


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime(2026, 3, 1, 12, 0, tzinfo=BRUSSELS), "Mon 16 Mar 2026 09:00"),
        (datetime(2026, 3, 16, 9, 0, tzinfo=BRUSSELS), "Mon 16 Mar 2026 09:00"),
        (datetime(2026, 3, 16, 9, 1, tzinfo=BRUSSELS), "Mon 20 Apr 2026 09:00"),
        (datetime(2026, 12, 25, 0, 0, tzinfo=BRUSSELS), "Mon 18 Jan 2027 09:00"),
        (datetime(2026, 6, 1, 0, 0, tzinfo=BRUSSELS), "Mon 15 Jun 2026 09:00"),
    ],
)
def test_fac_is_the_third_monday(start, expected):
    cal = Calendar(start)
    t = cal.next_fac(0.0)
    assert cal.format(t) == expected
    assert cal.next_sitting("council", 0.0) == t
    day = cal.to_datetime(t)
    assert day.weekday() == 0 and 15 <= day.day <= 21


# Scenario files write the start with a fixed offset (2026-03-27T19:00:00+01:00).
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def test_summer_time_switch_last_sunday_of_march():
    # Friday 27 March 2026 19:00 CET; clocks go forward on Sunday 29 March.
    cal = Calendar(datetime(2026, 3, 27, 19, 0, tzinfo=CET))
    t = cal.next_sitting("psc", 0.0)
    assert cal.format(t) == "Tue 31 Mar 2026 10:00"
    assert t == pytest.approx(24 * 3 + 15 - 1)  # one hour fewer across the switch
    assert cal.to_datetime(t).utcoffset() == timedelta(hours=2)
    # Hours of sim time are real hours: 48 h later on Sunday is 20:00 summer time.
    assert cal.format(48.0) == "Sun 29 Mar 2026 20:00"


def test_winter_time_switch_last_sunday_of_october():
    cal = Calendar(datetime(2026, 10, 23, 19, 0, tzinfo=CEST))
    t = cal.next_sitting("psc", 0.0)
    assert cal.format(t) == "Tue 27 Oct 2026 10:00"
    assert t == pytest.approx(24 * 3 + 15 + 1)


def test_summer_time_switch_with_a_brussels_zoneinfo_start():
    cal = Calendar(datetime(2026, 3, 27, 19, 0, tzinfo=BRUSSELS))
    t = cal.next_sitting("psc", 0.0)
    assert cal.format(t) == "Tue 31 Mar 2026 10:00"
    assert t == pytest.approx(86.0)
    assert cal.format(48.0) == "Sun 29 Mar 2026 20:00"


def test_dst_in_a_running_exercise_uses_real_hours():
    import scenarios
    from sim import Exercise

    text = scenarios.load("grid-wiper").source_text.replace(
        "start: 2026-03-06T05:40:00+01:00", "start: 2026-03-27T19:00:00+01:00"
    )
    ex = Exercise(scenarios.load_text(text))
    assert ex.calendar.format(ex.calendar.next_sitting("psc", 0.0)) == "Tue 31 Mar 2026 10:00"
    assert ex.calendar.next_sitting("psc", 0.0) == pytest.approx(86.0)


def test_hwpci_and_coreper_sit_weekly():
    cal = Calendar(FRIDAY_EVENING)
    assert cal.format(cal.next_sitting("hwpci", 0.0)) == "Wed 11 Mar 2026 14:30"
    assert cal.format(cal.next_sitting("coreper", 0.0)) == "Wed 11 Mar 2026 10:00"


def test_next_working_hour_skips_the_weekend():
    cal = Calendar(FRIDAY_EVENING)
    assert cal.format(cal.next_working_hour(0.0)) == "Mon 09 Mar 2026 09:00"
    assert cal.next_working_hour(cal.to_sim(datetime(2026, 3, 9, 11, tzinfo=BRUSSELS))) == (
        pytest.approx(cal.to_sim(datetime(2026, 3, 9, 11, tzinfo=BRUSSELS)))
    )


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (0.0, "T+0d 00:00"),
        (1.5, "T+0d 01:30"),
        (23.99, "T+0d 23:59"),
        (23.999, "T+1d 00:00"),
        (24.0, "T+1d 00:00"),
        (99 + 1 / 3, "T+4d 03:20"),
        (30 * 24, "T+30d 00:00"),
        (-2.0, "T-0d 02:00"),
        (0.0083, "T+0d 00:00"),
    ],
)
def test_format_offset(hours, text):
    assert format_offset(hours) == text


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("3d", 72.0),
        ("1d12h", 36.0),
        ("T+05:03:00", 123.0),
        ("T+00:00:30", 0.5),
        ("T+0d 12:00", 12.0),  # as shown now
        ("T+5d 03:00", 123.0),
        ("14d04:20", 340 + 1 / 3),
        ("+01:00:00", 24.0),
        ("  T+3d ", 72.0),
        ("0", 0.0),
    ],
)
def test_parse_offset_reads_durations_and_shown_times(text, hours):
    assert parse_offset(text) == hours


@pytest.mark.parametrize("minutes", [0, 1, 59, 60, 1439, 1440, 30 * 1440 + 7, 400 * 1440 + 61])
def test_parse_offset_reads_back_what_format_offset_shows(minutes):
    assert parse_offset(format_offset(minutes / 60)) * 60 == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("T+01:24:00", "hours 00-23"),
        ("T+01:00:60", "minutes 00-59"),
        ("T-00:02:00", "T+5d 03:00"),
        ("soon", "duration since the start"),
        ("", "bad time"),
    ],
)
def test_parse_offset_refuses_with_a_message(text, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_offset(text)


def test_label_has_calendar_and_offset():
    cal = Calendar(FRIDAY_EVENING)
    assert cal.label(87.0) == "Tue 10 Mar 2026 10:00  T+3d 15:00"
    assert cal.label(0.0) == "Fri 06 Mar 2026 19:00  T+0d 00:00"


def test_float_sums_print_to_the_minute():
    cal = Calendar(datetime(2026, 3, 6, 14, 0, tzinfo=BRUSSELS))
    assert cal.format(0.1 + 0.2 + 0.2) == "Fri 06 Mar 2026 14:30"


# -- Brussels' own calendar (issue 22): holidays, recess, FAC cadence, renewals ----------------

from datetime import date  # noqa: E402

from sim.clock import (  # noqa: E402
    council_holidays,
    easter_sunday,
    fac_day,
    in_recess,
    is_working_day,
    renewal_day,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2021, date(2021, 4, 4)),
     (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2038, date(2038, 4, 25))],
)  # fmt: skip
def test_easter_is_computed(year, easter):
    assert easter_sunday(year) == easter


def test_the_holidays_are_the_institutions_list_of_2023():
    # Commission Decision of 25 May 2021 on public holidays in 2023 (OJ C 201 I, 28.5.2021),
    # with the days that fell on a weekend that year (1 Jan, 24, 30, 31 Dec) included.
    published = {date(2023, m, d) for m, d in [
        (1, 2), (4, 6), (4, 7), (4, 10), (5, 1), (5, 9), (5, 18), (5, 19), (5, 29), (7, 21),
        (8, 15), (11, 1), (11, 2), (12, 25), (12, 26), (12, 27), (12, 28), (12, 29)]}  # fmt: skip
    holidays = council_holidays(2023)
    assert published <= holidays
    assert holidays - published == {date(2023, 1, 1), date(2023, 12, 24), date(2023, 12, 30),
                                    date(2023, 12, 31)}  # fmt: skip


def test_working_days_exclude_weekends_and_holidays():
    assert is_working_day(date(2026, 3, 10))  # a Tuesday
    assert not is_working_day(date(2026, 3, 14))  # a Saturday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(date(2026, 5, 14))  # Ascension Thursday


def test_the_recess_is_august_and_christmas_new_year():
    assert in_recess(date(2026, 8, 1)) and in_recess(date(2026, 8, 31))
    assert in_recess(date(2026, 12, 22)) and in_recess(date(2027, 1, 6))
    assert not in_recess(date(2026, 7, 31)) and not in_recess(date(2026, 9, 1))
    assert not in_recess(date(2026, 12, 21)) and not in_recess(date(2027, 1, 7))


def test_no_regular_sitting_in_august_or_on_a_holiday():
    cal = Calendar(datetime(2026, 7, 31, 12, 0, tzinfo=BRUSSELS))  # Friday, after the PSC
    for body in ("psc", "hwpci", "coreper"):
        day = cal.to_datetime(cal.next_sitting(body, 0.0)).date()
        assert day.month == 9, (body, day)
    # Good Friday 2026 (3 April): the PSC sits next on Tuesday 7 April (Easter Monday between)
    cal = Calendar(datetime(2026, 4, 1, 12, 0, tzinfo=BRUSSELS))
    assert cal.format(cal.next_sitting("psc", 0.0)) == "Tue 07 Apr 2026 10:00"


def test_no_foreign_affairs_council_in_august():
    cal = Calendar(datetime(2026, 7, 21, 0, 0, tzinfo=BRUSSELS))
    assert cal.format(cal.next_fac(0.0)) == "Mon 21 Sep 2026 09:00"
    assert fac_day(2026, 8) is None
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            day = fac_day(year, month)
            assert day is None or (is_working_day(day) and not in_recess(day))


def test_a_fac_on_easter_monday_moves_to_the_tuesday():
    assert easter_sunday(2025) == date(2025, 4, 20)  # third Monday of April: Easter Monday
    assert fac_day(2025, 4) == date(2025, 4, 22)


def test_extraordinary_sittings_are_held_in_the_recess_on_working_days():
    cal = Calendar(datetime(2026, 8, 14, 17, 0, tzinfo=BRUSSELS))  # Friday before 15 August
    t = cal.next_working_hour(2.0)  # Friday 19:00: after hours
    assert cal.format(t) == "Mon 17 Aug 2026 09:00"  # in the recess, not on the weekend
    assert cal.format(cal.next_working_hour(2.0, crisis=True)) == "Fri 14 Aug 2026 19:00"


def test_deadlines_are_carried_to_the_next_working_day():
    cal = Calendar(datetime(2026, 3, 11, 10, 0, tzinfo=BRUSSELS))  # COREPER, Wednesday 10:00
    assert cal.format(cal.deadline(0.0, 72.0)) == "Mon 16 Mar 2026 09:00"  # not Saturday
    assert cal.deadline(0.0, 24.0) == 24.0  # Thursday: a working day, unchanged
    cal = Calendar(datetime(2026, 12, 22, 10, 0, tzinfo=BRUSSELS))
    assert cal.format(cal.deadline(0.0, 60.0)) == "Mon 04 Jan 2027 09:00"  # 24 Dec-1 Jan, weekend


@pytest.mark.parametrize(
    ("year", "record"),
    [(2020, date(2020, 5, 14)), (2021, date(2021, 5, 17)), (2022, date(2022, 5, 16)),
     (2025, date(2025, 5, 12))],
)  # fmt: skip
def test_the_yearly_renewal_is_in_may_before_the_framework_expires(year, record):
    day = renewal_day(year)
    assert is_working_day(day) and day < date(year, 5, 18)
    assert 0 <= (day - record).days <= 4  # the record's renewals came the same week
