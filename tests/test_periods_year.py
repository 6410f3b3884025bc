"""A year of a monthly report, driven day by day through the planner, the dispatcher and the
conversation: one overdue series at a time, nags that back off, replies filed under the month
they answer, one escalation, and the office told once about a blocker."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.actions.people import create_person, issue_link_code
from bot.cli.main import main
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.settings import Settings
from bot.texts import common as texts
from bot.texts.reminders import ReminderRenderer
from scheduler.clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatcherConfig
from scheduler.plan import parse_plan
from scheduler.planner import plan_ward
from scheduler.reminders import plan_reminders
from scheduler.workcal import WorkingCalendar
from store.db import Database
from store.models import Assignment, DeliveryAttempt, Occurrence, Reminder, Task
from tests.conftest import RecordingChannel, local
from tests.helpers import MONTHLY_PLAN_YAML, say

PLAN_YAML = MONTHLY_PLAN_YAML


@dataclass
class Year:
    ctx: AppContext
    clock: ManualClock
    channel: RecordingChannel
    conv: Conversation
    dispatcher: Dispatcher
    chats: dict[str, str] = field(default_factory=dict)
    _n: int = 0

    async def morning(self, day: date) -> None:
        """The running bot's working day at 08:00: plan (as the ticker does on a new day and
        every 10 minutes), then send what is due. Nothing is planned on a day off."""
        if not self.ctx.calendar.is_working_day(day):
            return
        for hour in ("08:00",):
            self.clock.current = local(f"{day:%Y-%m-%d}T{hour}")
            async with self.ctx.db.session() as s, s.begin():
                await plan_ward(
                    s,
                    self.ctx.settings.ward,
                    self.ctx.plan,
                    self.ctx.calendar,
                    self.clock.now(),
                    blocked_notice=texts.blocked_notice,
                )
            await self.dispatcher.tick()

    async def head_says(self, day: date, text: str, reply_to: str | None = None) -> list[str]:
        self.clock.current = local(f"{day:%Y-%m-%d}T09:00")
        replies = await say(self.conv, self.chats["head"], text, reply_to=reply_to)
        await self.dispatcher.tick()  # the running bot sends what an answer queued at once
        return replies

    async def link(self, role: str, unit: str | None) -> None:
        async with self.ctx.db.session() as s, s.begin():
            person = await create_person(s, self.ctx.ward_id, f"Người {role}", role, unit, self.clock.now())
            code = await issue_link_code(s, person, self.clock.now(), timedelta(hours=1))
        self.chats[role] = f"chat-{role}"
        replies = await say(self.conv, self.chats[role], f"/start {code.code}")
        assert "Xin chào" in replies[0], replies


async def _year(db: Database, calendar: WorkingCalendar, tmp_path: Path) -> Year:
    plan = parse_plan(PLAN_YAML, "<monthly>")
    clock = ManualClock(local("2026-01-05T07:00"))
    settings = Settings(database_url=db.url, files_path=tmp_path / "files", _env_file=None)  # type: ignore[call-arg]
    async with db.session() as s, s.begin():
        result = await plan_ward(s, settings.ward, plan, calendar, clock.now())
    ctx = AppContext(db=db, settings=settings, plan=plan, calendar=calendar, clock=clock, ward_id=result.ward_id)
    channel = RecordingChannel()
    dispatcher = Dispatcher(
        db=db,
        channels={channel.name: channel},
        renderer=ReminderRenderer(calendar),
        clock=clock,
        calendar=calendar,
        config=DispatcherConfig(worker="year"),
    )
    year = Year(ctx, clock, channel, Conversation(ctx), dispatcher)
    for role, unit in (("head", "VHXH"), ("office", "VHXH"), ("leader", None)):
        await year.link(role, unit)
    return year


async def _rows(db: Database) -> list[tuple[Reminder, str | None]]:
    """Every outbox row with the month (occurrence key) it is about."""
    async with db.session() as s:
        stmt = (
            select(Reminder, Occurrence.key)
            .outerjoin(Assignment, Reminder.assignment_id == Assignment.id)
            .outerjoin(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .order_by(Reminder.due_at, Reminder.id)
        )
        return [(r, k) for r, k in (await s.execute(stmt)).all()]


async def _statuses(db: Database, unit: str = "VHXH") -> dict[str, str]:
    async with db.session() as s:
        from store.models import Unit

        stmt = (
            select(Occurrence.key, Assignment.status)
            .join(Assignment, Assignment.occurrence_id == Occurrence.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .join(Task, Task.id == Occurrence.task_id)
            .where(Unit.code == unit)
        )
        return dict((await s.execute(stmt)).all())


async def _message_id(db: Database, reminder_id: int) -> str:
    async with db.session() as s:
        found = await s.scalar(
            select(DeliveryAttempt.provider_message_id).where(
                DeliveryAttempt.reminder_id == reminder_id, DeliveryAttempt.outcome == "ok"
            )
        )
    assert found is not None
    return found


def _working_gaps(calendar: WorkingCalendar, days: list[date]) -> list[int]:
    gaps = []
    for a, b in zip(days, days[1:], strict=False):
        n, d = 0, a
        while d < b:
            d = calendar.add_working_days(d, 1)
            n += 1
        gaps.append(n)
    return gaps


async def test_a_year_of_a_monthly_report(db: Database, calendar: WorkingCalendar, tmp_path: Path) -> None:
    y = await _year(db, calendar, tmp_path)
    answers: dict[date, tuple[str, str | None]] = {
        date(2026, 1, 8): ("đã xong", None),  # January, on time, free text
        date(2026, 3, 12): ("xong rồi", None),  # March, late, free text: nags stop
        date(2026, 6, 5): ("đã gửi báo cáo", None),  # June, on time: free text goes to June, not May
        date(2026, 7, 13): ("vướng: chờ hướng dẫn của thành phố", None),  # July: blocked after nag 1
        date(2026, 10, 9): ("ok xong", None),  # October, on time
    }
    # The mornings when something may go out (the days the plan could remind on, whoever
    # answers what), and the days the head answers.
    planned = plan_reminders(y.ctx.plan, calendar, date(2026, 1, 5), date(2026, 12, 31), escalate_once=False)
    mornings = {r.at.date() for r in planned} | set(answers) | {date(2026, 6, 2)}
    for day in sorted(mornings):
        await y.morning(day)
        if day in answers:
            await y.head_says(day, answers[day][0])
        if day == date(2026, 6, 2):
            # The head answers May's last nag (sent on 21/5) by replying to it, after June began.
            may_nags = [r for r, k in await _rows(y.ctx.db) if k == "2026-05" and r.kind == "overdue"]
            last = [r for r in may_nags if r.state == "sent"][-1]
            replies = await y.head_says(day, "đã xong", reply_to=await _message_id(y.ctx.db, last.id))
            assert "Đã ghi nhận" in replies[0], replies

    rows = await _rows(y.ctx.db)
    statuses = await _statuses(y.ctx.db)
    # Replies landed on the month they answered; the unanswered months stay open ("không báo cáo").
    assert statuses["2026-01"] == statuses["2026-03"] == statuses["2026-05"] == statuses["2026-06"] == "done"
    assert statuses["2026-10"] == "done"
    assert statuses["2026-07"] == "blocked"
    assert statuses["2026-02"] == statuses["2026-04"] == statuses["2026-08"] == "not_started"

    nags = [(r, k) for r, k in rows if r.kind == "overdue" and r.state == "sent"]
    # One overdue series at a time: once a later month is nagged, no earlier one is again.
    keys = [k for _, k in nags if k is not None]
    assert len(keys) == len(nags) and keys == sorted(keys)
    by_month: dict[str, list[date]] = {}
    for r, k in nags:
        assert k is not None
        by_month.setdefault(k, []).append(calendar.local_date(r.due_at))
    # Each series backs off (1st the day after the due day, then 3 and 5 working days apart)
    # and ends when the next month begins.
    for k, days in by_month.items():
        assert _working_gaps(calendar, days) == [3, 5, 10][: len(days) - 1], (k, days)
        next_month = (date(int(k[:4]), int(k[5:]), 28) + timedelta(days=4)).replace(day=1)
        assert all(d < next_month for d in days), (k, days)
    months = {"2026-02", "2026-03", "2026-04", "2026-05", "2026-07", "2026-08", "2026-09", "2026-11", "2026-12"}
    assert set(by_month) == months
    assert by_month["2026-05"] == [date(2026, 5, 11), date(2026, 5, 14), date(2026, 5, 21)]
    # March answered on 12/3 after its first nag; July blocked after its first.
    assert by_month["2026-03"] == [date(2026, 3, 11)]
    assert by_month["2026-07"] == [date(2026, 7, 13)]
    assert any(r.last_error and "vướng" in r.last_error for r, k in rows if k == "2026-07" and r.kind == "overdue")

    # Leadership heard once about the task, not once a month.
    escalations = [r for r, _ in rows if r.kind == "escalate" and r.state == "sent"]
    assert len(escalations) == 1
    assert len(y.channel.texts_to(y.chats["leader"])) == 1
    # The office was told once about July's blocker, when the head reported it (the planner's
    # notice at the held-back nag has the same key, so it is not sent again).
    notices = [t for t in y.channel.texts_to(y.chats["office"]) if "vướng mắc" in t]
    assert len(notices) == 1 and "chờ hướng dẫn của thành phố" in notices[0]

    # The head's whole year: 12 months of before/due reminders and the backed-off nags.
    overdue_texts = [t for t in y.channel.texts_to(y.chats["head"]) if "Đã quá hạn" in t]
    assert len(overdue_texts) == len(nags)


def test_schedule_shows_the_back_off_and_one_series_at_a_time(
    tmp_path: Path, calendar: WorkingCalendar, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tasks.yaml"
    path.write_text(PLAN_YAML, encoding="utf-8")
    assert main(["schedule", "--plan", str(path), "--from", "2026-01-01", "--to", "2026-12-31", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    nags = [r for r in rows if r["kind"] == "overdue"]
    may = [date.fromisoformat(r["at"][:10]) for r in nags if r["occurrence"] == "2026-05"]
    assert may == [date(2026, 5, 11), date(2026, 5, 14), date(2026, 5, 21)]
    assert [r["seq"] for r in nags if r["occurrence"] == "2026-05"] == [1, 2, 3]
    # Never two months nagged on one day, and never an earlier month after a later one.
    occ = [r["occurrence"] for r in nags]
    assert occ == sorted(occ)
    assert len([r for r in rows if r["kind"] == "escalate"]) == 1

    main(["schedule", "--plan", str(path), "--from", "2026-05-01", "--to", "2026-05-31"])
    text = capsys.readouterr().out
    assert "Quá hạn lần 3" in text or "quá hạn lần 3" in text


def test_a_once_task_backs_off_to_every_10_working_days(calendar: WorkingCalendar) -> None:
    plan = parse_plan(PLAN_YAML.replace("Chậm nhất ngày 10 hàng tháng", "Trước 10/5/2026"), "<once>")
    nags = [r for r in plan_reminders(plan, calendar, date(2026, 1, 1), date(2026, 12, 31)) if r.kind == "overdue"]
    gaps = _working_gaps(calendar, [r.at.date() for r in nags])
    assert gaps[:4] == [3, 5, 10, 10] and set(gaps[2:]) == {10}
    assert len(nags) < 20  # every 3 working days, the same year was 52 nags
