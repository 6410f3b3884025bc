from datetime import date, time

from scheduler.plan import Plan
from scheduler.reminders import PlannedReminder, plan_reminders
from scheduler.workcal import WorkingCalendar
from tests.conftest import PLAN_PATH


def _for(rows: list[PlannedReminder], stt: int, unit: str | None = None) -> list[PlannedReminder]:
    return [r for r in rows if r.task_stt == stt and (unit is None or r.unit == unit)]


def test_task_one_is_reminded_3_days_before_on_the_day_and_when_overdue(plan: Plan, calendar: WorkingCalendar) -> None:
    rows = _for(plan_reminders(plan, calendar, date(2026, 5, 1), date(2026, 5, 20)), 1, "VHXH")
    got = [(r.at.date(), r.kind, r.seq) for r in rows]
    # 10 working days before 8/5 is 21/4, before the plan was issued (5/5): not planned.
    assert got == [
        (date(2026, 5, 5), "before", 3),
        (date(2026, 5, 8), "due", 0),
        (date(2026, 5, 11), "overdue", 1),
        (date(2026, 5, 14), "overdue", 2),
        (date(2026, 5, 15), "escalate", 0),
        # the back-off: the next gap is 5 working days, so nag 3 falls on 21/5
    ]
    assert all(r.at.time() == time(8, 0) for r in rows)


def test_coordinating_units_get_before_and_due_but_no_nags(plan: Plan, calendar: WorkingCalendar) -> None:
    rows = _for(plan_reminders(plan, calendar, date(2026, 5, 1), date(2026, 5, 31)), 1, "VP")
    assert {r.role for r in rows} == {"coordinate"}
    assert [r.kind for r in rows] == ["before", "due"]


def test_quarter_deadline_is_reminded_ten_and_three_working_days_before(plan: Plan, calendar: WorkingCalendar) -> None:
    rows = _for(plan_reminders(plan, calendar, date(2026, 6, 1), date(2026, 6, 30)), 4, "VHXH")
    assert [(r.at.date(), r.kind) for r in rows] == [
        (date(2026, 6, 16), "before"),
        (date(2026, 6, 25), "before"),
        (date(2026, 6, 30), "due"),
    ]


def test_ongoing_tasks_get_a_monthly_check_in(plan: Plan, calendar: WorkingCalendar) -> None:
    rows = _for(plan_reminders(plan, calendar, date(2026, 6, 1), date(2026, 8, 31)), 16, "VHXH")
    assert [(r.kind, r.occurrence_key) for r in rows] == [
        ("checkin", "2026-06"),
        ("checkin", "2026-07"),
        ("checkin", "2026-08"),
    ]
    # 3 working days before the last working day of August (28/8, as 29-31/8 are off).
    assert rows[-1].at.date() == date(2026, 8, 25)


def test_conditional_tasks_have_no_reminders_until_activated(plan: Plan, calendar: WorkingCalendar) -> None:
    assert _for(plan_reminders(plan, calendar, date(2026, 5, 1), date(2026, 12, 31)), 15) == []
    rows = _for(
        plan_reminders(plan, calendar, date(2026, 5, 1), date(2026, 12, 31), activated={15: date(2026, 9, 30)}),
        15,
        "VHXH",
    )
    assert (date(2026, 9, 30), "due") in [(r.at.date(), r.kind) for r in rows]


def test_a_task_can_override_the_plan_policy(calendar: WorkingCalendar) -> None:
    from scheduler.plan import parse_plan

    text = PLAN_PATH.read_text(encoding="utf-8").replace(
        '    deadline: "Quý II/2026"',
        '    deadline: "Quý II/2026"\n    reminders: {before_working_days: [5], send_time: "14:00"}',
    )
    plan = parse_plan(text)
    rows = _for(plan_reminders(plan, calendar, date(2026, 6, 1), date(2026, 6, 30)), 4, "VHXH")
    assert [(r.at.date(), r.at.time(), r.kind) for r in rows] == [
        (date(2026, 6, 23), time(14, 0), "before"),
        (date(2026, 6, 30), time(14, 0), "due"),
    ]


def test_unit_filter_keeps_only_that_unit(plan: Plan, calendar: WorkingCalendar) -> None:
    rows = plan_reminders(plan, calendar, date(2026, 5, 1), date(2026, 6, 30), unit="TTPVHCC")
    assert rows and {r.unit for r in rows} == {"TTPVHCC"}


def test_check_ins_can_skip_coordinating_units(calendar: WorkingCalendar) -> None:
    from scheduler.plan import parse_plan

    text = PLAN_PATH.read_text(encoding="utf-8").replace(
        "  checkin_coordinators: true\n", "  checkin_coordinators: false\n"
    )
    plan = parse_plan(text)
    rows = [r for r in plan_reminders(plan, calendar, date(2026, 6, 1), date(2026, 6, 30)) if r.kind == "checkin"]
    assert rows and {r.role for r in rows} == {"lead"}
