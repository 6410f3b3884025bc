from datetime import date, time, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scheduler.plan import Plan
from scheduler.policy import ReminderPolicy
from scheduler.reminders import plan_reminders
from scheduler.workcal import WorkingCalendar, YearSwaps, load_calendar
from tests.conftest import CALENDAR_PATH


def test_it_skips_tet_holidays(calendar: WorkingCalendar) -> None:
    for day in range(14, 23):
        assert not calendar.is_working_day(date(2026, 2, day))
    assert calendar.is_working_day(date(2026, 2, 23))
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_it_counts_a_worked_saturday_as_a_working_day(calendar: WorkingCalendar) -> None:
    assert date(2026, 1, 10).weekday() == 5
    assert calendar.is_working_day(date(2026, 1, 10))
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert not calendar.is_working_day(date(2026, 8, 31))


def test_before_10_may_lands_on_friday_8_may(calendar: WorkingCalendar) -> None:
    assert calendar.on_or_before(date(2026, 5, 9)) == date(2026, 5, 8)


def test_gio_to_and_national_days_are_off(calendar: WorkingCalendar) -> None:
    for d in (date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2)):
        assert not calendar.is_working_day(d)


def test_a_library_holiday_can_be_overridden_as_a_working_day() -> None:
    cal = WorkingCalendar(swaps={2026: YearSwaps(not_days_off=frozenset({date(2026, 11, 24)}))})
    assert cal.is_working_day(date(2026, 11, 24))
    assert not load_calendar(CALENDAR_PATH).is_working_day(date(2026, 11, 24))


def test_working_day_arithmetic_round_trips(calendar: WorkingCalendar) -> None:
    day = date(2026, 5, 8)
    assert calendar.add_working_days(day, -3) == date(2026, 5, 5)
    assert calendar.add_working_days(day, -10) == date(2026, 4, 21)
    assert calendar.working_days_between(date(2026, 5, 5), day) == 3


def _brute_add(cal: WorkingCalendar, day: date, n: int) -> date:
    step = 1 if n > 0 else -1
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if cal.is_working_day(day):
            left -= 1
    return day


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.integers(-40, 40))
def test_indexed_working_day_moves_match_a_day_by_day_walk(day: date, n: int) -> None:
    cal = load_calendar(CALENDAR_PATH)
    assert cal.add_working_days(day, n) == _brute_add(cal, day, n)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2026, 5, 5), date(2027, 6, 30)),
    days=st.integers(1, 120),
    send_minutes=st.integers(0, 8 * 60 - 1),
    before=st.lists(st.integers(1, 15), min_size=0, max_size=3),
    every=st.integers(1, 5),
)
def test_no_planned_reminder_falls_on_a_day_off_or_outside_office_hours(
    plan: Plan, start: date, days: int, send_minutes: int, before: list[int], every: int
) -> None:
    cal = load_calendar(CALENDAR_PATH)
    # Pick a send time inside office hours: morning block 7:30-11:30 or afternoon 13:30-17:00.
    minutes = 7 * 60 + 30 + send_minutes if send_minutes < 240 else 13 * 60 + 30 + (send_minutes - 240) % 210
    send = time(minutes // 60, minutes % 60)
    policy = ReminderPolicy(before_working_days=tuple(before), overdue_every_working_days=every, send_time=send)
    varied = Plan(**{**plan.__dict__, "tasks": [t.__class__(**{**t.__dict__, "policy": policy}) for t in plan.tasks]})
    rows = plan_reminders(varied, cal, start, start + timedelta(days=days))
    assume(rows)  # an empty window proves nothing; if no window had any, hypothesis fails the test
    for r in rows:
        assert cal.is_working_day(r.at.date()), r
        assert r.at.weekday() < 5 or r.at.date() in {date(2026, 1, 10), date(2026, 8, 22)}
        assert cal.office_hours.contains(r.at.timetz().replace(tzinfo=None)), r


@settings(max_examples=100, deadline=None)
@given(
    saturdays=st.sets(st.integers(0, 51), max_size=6),
    start=st.dates(date(2027, 1, 1), date(2027, 11, 30)),
    n=st.integers(1, 20),
)
def test_a_worked_saturday_counts_as_a_working_day_in_every_move(saturdays: set[int], start: date, n: int) -> None:
    first_saturday = date(2027, 1, 2)
    worked = frozenset(first_saturday + timedelta(weeks=w) for w in saturdays)
    cal = WorkingCalendar(swaps={2027: YearSwaps(weekend_workdays=worked)})
    for day in worked:
        assert cal.is_working_day(day)
        assert cal.on_or_before(day) == day
    moved = cal.add_working_days(start, n)
    walked = _brute_add(cal, start, n)
    assert moved == walked
    between = [start + timedelta(days=i) for i in range(1, (moved - start).days + 1)]
    assert sum(1 for d in between if cal.is_working_day(d)) == n
    assert sum(1 for d in between if d in worked) == sum(1 for d in worked if start < d <= moved)
