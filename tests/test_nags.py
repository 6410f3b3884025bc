"""Quieter nags: the back-off policy, which of two policy keys wins, the pause while blocked,
and when a recurring task's next period takes over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice

from scheduler.dispatcher import still_wanted
from scheduler.nags import nag_paused, series_end
from scheduler.occurrences import Occurrence
from scheduler.plan import parse_plan
from scheduler.policy import ReminderPolicy
from store.enums import AssignmentRole, DeadlineKind, Status
from store.models import Reminder
from store.queries import AssignmentView, takes_over
from tests.helpers import MONTHLY_PLAN_YAML


def _gaps(policy: ReminderPolicy, n: int = 6) -> list[int]:
    return list(islice(policy.overdue_gaps(), n))


def test_the_default_backs_off_3_5_10_then_every_10() -> None:
    assert _gaps(ReminderPolicy()) == [3, 5, 10, 10, 10, 10]


def test_a_plan_that_sets_a_fixed_step_keeps_it() -> None:
    assert _gaps(ReminderPolicy().merged({"overdue_every_working_days": 3})) == [3] * 6


def test_the_fixed_step_wins_at_the_same_level_and_a_task_back_off_replaces_the_plans_step() -> None:
    both = ReminderPolicy().merged({"overdue_every_working_days": 4, "overdue_backoff_working_days": [2, 7]})
    assert _gaps(both, 3) == [4, 4, 4]
    task = both.merged({"overdue_backoff_working_days": [2, 7]})
    assert _gaps(task, 4) == [2, 7, 7, 7]


def test_plan_keys_load() -> None:
    text = MONTHLY_PLAN_YAML.replace("tasks:\n", "reminders:\n  overdue_every_working_days: 3\ntasks:\n").replace(
        'deadline: "Chậm nhất ngày 10 hàng tháng"}',
        'deadline: "Chậm nhất ngày 10 hàng tháng",\n     reminders: {overdue_backoff_working_days: [5, 20]}}',
    )
    plan = parse_plan(text, "<keys>")
    assert _gaps(plan.tasks[0].policy, 3) == [5, 20, 20]
    assert _gaps(plan.policy, 2) == [3, 3]


def _view(status: str, note: str | None) -> AssignmentView:
    return AssignmentView(
        id=1, occurrence_id=1, task_id=1, task_stt=1, content="", product="", deadline_text="",
        deadline_kind=DeadlineKind.ONCE, unit_id=1, unit_code="VHXH", unit_name="VHXH", role=AssignmentRole.LEAD,
        occurrence_key="once", start=None, due=date(2026, 5, 8), checkin=False, status=Status(status),
        percent=None, note=note, status_at=None, done_at=None, active=True,
    )  # fmt: skip


def test_an_overdue_nag_waits_while_the_unit_is_blocked_with_a_reason() -> None:
    blocked = _view("blocked", "chờ hướng dẫn của thành phố")
    assert nag_paused("overdue", blocked)
    assert not nag_paused("escalate", blocked)  # leadership may be the one to unblock it
    assert not nag_paused("due", blocked)
    assert not nag_paused("overdue", _view("blocked", None))  # no reason yet: asked for one
    assert not nag_paused("overdue", _view("in_progress", "chờ hướng dẫn"))
    now = datetime(2026, 5, 20, 1, tzinfo=UTC)
    row = Reminder(assignment_id=1, kind="overdue", due_at=now)
    verdict = still_wanted(row, blocked, set(), now, timedelta(hours=20))
    assert verdict is not None and verdict.state == "skipped" and "vướng" in verdict.reason
    assert still_wanted(replace_kind(row, "due"), blocked, set(), now, timedelta(hours=20)) is None


def replace_kind(row: Reminder, kind: str) -> Reminder:
    return Reminder(assignment_id=row.assignment_id, kind=kind, due_at=row.due_at)


def test_the_next_period_takes_over_when_it_begins() -> None:
    may = Occurrence("2026-05", date(2026, 5, 10), date(2026, 5, 1))
    june = Occurrence("2026-06", date(2026, 6, 10), date(2026, 6, 1))
    assert takes_over(may.due, june.start, june.due) == date(2026, 6, 1)  # type: ignore[arg-type]
    assert series_end([may, june], 0) == date(2026, 6, 1)
    assert series_end([may, june], 1) is None


def test_a_period_due_after_the_next_began_is_asked_about_until_the_next_is_due() -> None:
    # "ngày 10 của tháng sau": May's report is due on 10/6, after June began.
    may = Occurrence("2026-05", date(2026, 6, 10), date(2026, 5, 1))
    june = Occurrence("2026-06", date(2026, 7, 10), date(2026, 6, 1))
    assert series_end([may, june], 0) == date(2026, 7, 10)


def test_one_off_and_check_in_occurrences_have_no_takeover() -> None:
    checkins = [Occurrence("2026-05", date(2026, 5, 31), date(2026, 5, 1), checkin=True)]
    assert series_end(checkins, 0) is None
    milestones = [Occurrence("m1", date(2026, 5, 1)), Occurrence("m2", date(2026, 6, 1))]
    assert series_end(milestones, 0) is None
