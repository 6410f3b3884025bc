"""The daily advance plans only the days that entered the window, and misses nothing: two
wards live the same history (the same plan, mornings, reports, extensions, blocked units
and sends), one planned incrementally, the other in full every time (its fingerprint
forgotten); after every planning both hold the same reminders and the same plan rows.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler.planner as planner
from scheduler.plan import Plan, parse_plan
from scheduler.planner import plan_ward
from scheduler.reminders import plan_reminders
from scheduler.workcal import VN_ZONE, WorkingCalendar
from store.db import Database
from store.enums import ReminderState, Status
from store.extensions import decide_extension, request_extension
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward
from store.statuses import record_status
from tests.conftest import PLAN_PATH

INCREMENTAL, FULL = "adv-inc", "adv-full"
# Natural name of an assignment, the same in both wards: (task stt, period key, unit code).
Natural = tuple[int, str, str]


def _periodic_plan() -> Plan:
    """The fixture plan with weekly, quarterly and monthly deadlines besides its yearly ones
    and ongoing work: periods enter the horizon on many mornings."""
    text = PLAN_PATH.read_text(encoding="utf-8")
    for old, new in (
        ("Trước 10/5/2026", "Hằng tuần, trước thứ Sáu"),
        ("Quý II/2026", "Hằng quý"),
        ("Năm 2026", "Hằng tháng, trước ngày 25"),
    ):
        assert f'deadline: "{old}"' in text
        text = text.replace(f'deadline: "{old}"', f'deadline: "{new}"', 1)
    return parse_plan(text)


PLANS = {"fixture": lambda: parse_plan(PLAN_PATH.read_text(encoding="utf-8")), "periodic": _periodic_plan}


async def _assignments(s: AsyncSession, ward: str) -> dict[Natural, Any]:
    rows = await s.execute(
        select(Task.stt, Occurrence.key, Unit.code, Assignment, Occurrence.due)
        .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
        .join(Task, Occurrence.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Ward, Task.ward_id == Ward.id)
        .where(Ward.key == ward, Assignment.active, Occurrence.active, Task.active)
    )
    return {(stt, key, code): (a, due) for stt, key, code, a, due in rows.all()}


async def _snapshot(db: Database, ward: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The ward's reminders and plan rows, named without database ids (the two wards' ids differ)."""
    async with db.session() as s:
        ward_id = await s.scalar(select(Ward.id).where(Ward.key == ward))
        names: dict[int, Natural] = {}
        plan_rows: set[tuple[Any, ...]] = set()
        rows = await s.execute(
            select(Assignment, Task.stt, Task.active, Occurrence, Unit.code)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Task.ward_id == ward_id)
        )
        for a, stt, task_active, o, code in rows.all():
            names[a.id] = (stt, o.key, code)
            plan_rows.add((stt, task_active, o.key, o.due, o.start, o.checkin, o.active, code, a.role, a.active))
        reminders = set()
        for r in await s.scalars(select(Reminder).where(Reminder.ward_id == ward_id)):
            # The key names the assignment by id: named by task, period and unit instead.
            key = re.sub(r"a(\d+)", lambda m: "a" + repr(names[int(m.group(1))]), r.key)
            who = names.get(r.assignment_id) if r.assignment_id is not None else None
            reminders.add((key, r.kind, r.due_at, r.seq, who, r.state))
    return reminders, plan_rows


async def _plan(
    db: Database, plan: Plan, calendar: WorkingCalendar, now: datetime, notices: bool = False, ahead_days: int = 35
) -> None:
    words = (lambda view: "Đơn vị báo vướng mắc") if notices else None
    for ward in (INCREMENTAL, FULL):
        async with db.session() as s, s.begin():
            if ward == FULL:
                await s.execute(update(Ward).where(Ward.key == ward).values(plan_fingerprint=None))
            await plan_ward(s, ward, plan, calendar, now, ahead_days=ahead_days, blocked_notice=words)


async def _event(db: Database, rng: random.Random, kind: str, now: datetime) -> None:
    """The same thing happens in both wards, to the same task, period and unit."""
    async with db.session() as s, s.begin():
        if kind == "send":
            # The dispatcher sent what was due (escalations included: a planning input).
            await s.execute(
                update(Reminder)
                .where(Reminder.state == ReminderState.PENDING, Reminder.due_at <= now)
                .values(state=ReminderState.SENT)
            )
            return
        held = await _assignments(s, INCREMENTAL)
        other = await _assignments(s, FULL)
        names = sorted(held)
        if kind == "extension":
            # A deadline in the window moved past its end: its reminders enter with later
            # mornings, on days the plan's own deadlines may leave empty.
            soon = [n for n in names if now.date() <= held[n][1] <= now.date() + timedelta(days=35)]
            names = soon or names
        name = rng.choice(names)
        for ward, found in ((INCREMENTAL, held), (FULL, other)):
            assignment, due = found[name]
            ward_id = await s.scalar(select(Ward.id).where(Ward.key == ward))
            assert ward_id is not None
            await _happen(s, kind, ward_id, assignment, due, now, random.Random(str(name)))


async def _happen(
    s: AsyncSession, kind: str, ward_id: int, assignment: Assignment, due: date, now: datetime, rng: random.Random
) -> None:
    if kind == "status":
        status = rng.choice([Status.DONE, Status.IN_PROGRESS, Status.NOT_APPLICABLE])
        await record_status(s, assignment.id, None, None, status, None, None, now)
    elif kind == "blocked":
        await record_status(s, assignment.id, None, None, Status.BLOCKED, None, "Chưa có kinh phí", now)
    elif kind == "extension":
        new_due = due + timedelta(days=rng.randrange(20, 50))
        request, _ = await request_extension(s, ward_id, assignment.id, None, None, due, new_due, "Chờ số liệu", now)
        await decide_extension(s, request, True, None, "", now)  # type: ignore[arg-type]
    else:
        assert kind == "activate"
        await s.execute(
            update(Task)
            .where(Task.ward_id == ward_id, Task.deadline_kind == "conditional")
            .values(activated_due=now.date() + timedelta(days=20))
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("plan_name", sorted(PLANS))
async def test_the_daily_advance_leaves_the_rows_a_full_planning_leaves(
    db: Database, calendar: WorkingCalendar, monkeypatch: pytest.MonkeyPatch, plan_name: str, seed: int
) -> None:
    plan = PLANS[plan_name]()
    rng = random.Random(f"{plan_name}:{seed}")
    advanced: list[int] = []
    real_advance = planner._advance

    async def counting(*args: Any, **kwargs: Any) -> Any:
        result = await real_advance(*args, **kwargs)
        if result is not None:
            advanced.append(result.inserted)
        return result

    monkeypatch.setattr(planner, "_advance", counting)
    day = date(2026, 5, 11) + timedelta(days=rng.randrange(300))
    now = datetime.combine(day, time(7), VN_ZONE)
    notices = rng.random() < 0.5
    steps = 24
    # Every history has a status report, an extension and a blocked unit, at random mornings.
    events: dict[int, str] = dict(
        zip(rng.sample(range(1, steps), 4), ["status", "extension", "blocked", "activate"], strict=True)
    )
    for step in range(steps):
        if step in events:
            await _event(db, rng, events[step], now)
        if rng.random() < 0.5:
            await _event(db, rng, "send", now)
        await _plan(db, plan, calendar, now, notices)
        assert await _snapshot(db, INCREMENTAL) == await _snapshot(db, FULL), (step, now, events.get(step))
        # Mostly the next morning; sometimes a few days later, or later the same day (in the
        # evening the catch-up window leaves a day behind: a window moved at its start only).
        now += rng.choice(
            [timedelta(days=1)] * 4 + [timedelta(days=2), timedelta(days=4), timedelta(hours=5), timedelta(hours=14)]
        )
    # The incremental ward was advanced, not planned in full each time, and the advance added rows.
    assert len(advanced) >= steps // 3 and sum(advanced) > 0


async def test_a_period_an_earlier_plan_left_past_the_horizon_is_retired_when_it_enters(
    db: Database, calendar: WorkingCalendar
) -> None:
    # Planned a year ahead with weekly task 1, then with task 1 monthly a month ahead: the
    # weekly periods past the new horizon stay (only those within it are retired). Each
    # morning one more enters the horizon, and the sync retires it, as a full planning does.
    weekly = _periodic_plan()
    text = PLAN_PATH.read_text(encoding="utf-8").replace(
        'deadline: "Trước 10/5/2026"', 'deadline: "Hằng tháng, trước ngày 25"', 1
    )
    monthly = parse_plan(text)
    now = datetime(2026, 6, 22, 7, tzinfo=VN_ZONE)
    await _plan(db, weekly, calendar, now, ahead_days=365)
    await _plan(db, monthly, calendar, now)
    for _ in range(8):
        now += timedelta(days=1)
        await _plan(db, monthly, calendar, now)
        assert await _snapshot(db, INCREMENTAL) == await _snapshot(db, FULL), now


async def test_an_extended_deadline_is_reminded_on_a_day_the_plan_leaves_empty(
    db: Database, calendar: WorkingCalendar
) -> None:
    # The advance plans a day with no reminder of the plan's own; an extension moved one
    # unit's deadline there: its reminder of the due day is still queued.
    plan = PLANS["fixture"]()
    now = datetime(2026, 6, 22, 7, tzinfo=VN_ZONE)
    await _plan(db, plan, calendar, now)
    end = now.date() + timedelta(days=35)
    empty = [
        d
        for d in (end + timedelta(days=n) for n in range(2, 40))
        if calendar.is_working_day(d) and not plan_reminders(plan, calendar, d, d)
    ]
    assert empty
    async with db.session() as s, s.begin():
        rows = await s.execute(
            select(Ward.id, Assignment.id, Occurrence.due)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .join(Ward, Task.ward_id == Ward.id)
            .where(
                Task.stt == 1,
                Unit.code == "VHXH",
                Occurrence.checkin.is_(False),
            )
        )
        for ward_id, aid, due in rows.all():
            request, _ = await request_extension(s, ward_id, aid, None, None, due, empty[0], "Chờ số liệu", now)
            await decide_extension(s, request, True, None, "", now)  # type: ignore[arg-type]
    while now.date() + timedelta(days=35) <= empty[0]:
        now += timedelta(days=1)
        await _plan(db, plan, calendar, now)
        assert await _snapshot(db, INCREMENTAL) == await _snapshot(db, FULL), now
    due_day = {r for r in (await _snapshot(db, INCREMENTAL))[0] if r[1] == "due" and r[2].date() == empty[0]}
    assert due_day
