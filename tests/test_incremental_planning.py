"""Re-planning is incremental: a ward whose inputs did not change stops after one read, and
whatever changes (a status, the plan, the day, an activated task) is planned again.

Each test checks the incremental pass against a full one: after it, a planning with the
fingerprint forgotten must find nothing left to insert.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from bot.context import AppContext
from scheduler.clock import ManualClock
from scheduler.plan import parse_plan
from scheduler.planner import PlanningResult, plan_ward
from store.enums import Status
from store.models import Assignment, Occurrence, Reminder, Task, Unit, Ward
from store.statuses import record_status
from tests.conftest import PLAN_PATH, local


async def _plan(ctx: AppContext, plan_text: str | None = None) -> PlanningResult:
    plan = parse_plan(plan_text) if plan_text is not None else ctx.plan
    async with ctx.db.session() as s, s.begin():
        return await plan_ward(s, ctx.settings.ward, plan, ctx.calendar, ctx.now())


async def _nothing_missed(ctx: AppContext, plan_text: str | None = None) -> None:
    """A full planning (fingerprint forgotten) after the incremental one adds nothing."""
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Ward).values(plan_fingerprint=None))
    assert (await _plan(ctx, plan_text)).inserted == 0


async def _count(ctx: AppContext, *where: object) -> int:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count(Reminder.id)).where(*where)) or 0  # type: ignore[arg-type]


async def _lead_assignment(ctx: AppContext, stt: int, unit: str) -> int:
    async with ctx.db.session() as s:
        aid = await s.scalar(
            select(Assignment.id)
            .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
            .join(Task, Occurrence.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Task.stt == stt, Unit.code == unit)
        )
    assert aid is not None
    return aid


async def test_an_unchanged_ward_is_not_planned_again(ctx: AppContext) -> None:
    # A row removed behind the planner's back is not put back: the re-plan stopped at the
    # fingerprint, before computing or inserting anything.
    total = await _count(ctx)
    assert total > 0
    async with ctx.db.session() as s, s.begin():
        victim = await s.scalar(
            select(Reminder.id).where(Reminder.kind != "escalate", Reminder.due_at > ctx.now()).limit(1)
        )
        await s.execute(delete(Reminder).where(Reminder.id == victim))
    assert (await _plan(ctx)).inserted == 0
    assert await _count(ctx) == total - 1
    # The same row comes back from a full planning: the skip was the fingerprint's doing.
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Ward).values(plan_fingerprint=None))
    assert (await _plan(ctx)).inserted == 1


async def test_a_reopened_assignment_is_planned_again(ctx: AppContext, clock: ManualClock) -> None:
    # Task 1 (VHXH leads, due before 10/5/2026), seen from early May.
    clock.current = local("2026-05-04T07:00")
    aid = await _lead_assignment(ctx, 1, "VHXH")
    async with ctx.db.session() as s, s.begin():
        await record_status(s, aid, None, None, Status.DONE, None, None, clock.now())
        await s.execute(delete(Reminder).where(Reminder.assignment_id == aid))
    await _plan(ctx)
    assert await _count(ctx, Reminder.assignment_id == aid) == 0  # closed: nothing planned
    clock.advance(minutes=10)
    async with ctx.db.session() as s, s.begin():
        await record_status(s, aid, None, None, Status.IN_PROGRESS, 50, None, clock.now())
    result = await _plan(ctx)
    assert result.inserted > 0 and await _count(ctx, Reminder.assignment_id == aid) == result.inserted
    await _nothing_missed(ctx)


async def test_an_edited_plan_is_planned_again(ctx: AppContext, clock: ManualClock) -> None:
    clock.current = local("2026-05-04T07:00")
    await _plan(ctx)
    text = PLAN_PATH.read_text(encoding="utf-8")
    edited = text.replace('deadline: "Trước 10/5/2026"', 'deadline: "Trước 20/5/2026"')
    assert edited != text
    result = await _plan(ctx, edited)
    assert [c.kind for c in result.changes] == ["deadline_changed"]
    assert result.inserted > 0
    await _nothing_missed(ctx, edited)


async def test_a_new_day_extends_the_horizon(ctx: AppContext, clock: ManualClock) -> None:
    clock.current = local("2026-05-04T07:00")
    await _plan(ctx)
    before = await _count(ctx)
    clock.current = local("2026-05-20T07:00")  # the 35-day horizon reaches new reminders
    result = await _plan(ctx)
    assert result.inserted > 0 and await _count(ctx) == before + result.inserted
    await _nothing_missed(ctx)


async def test_an_activated_task_is_planned_at_once(ctx: AppContext, clock: ManualClock) -> None:
    await _plan(ctx)
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Task).where(Task.stt == 15).values(activated_due=date(2026, 7, 15)))
    result = await _plan(ctx)
    assert result.inserted > 0
    await _nothing_missed(ctx)


async def test_an_escalation_ending_unsent_makes_a_full_planning(ctx: AppContext, clock: ManualClock) -> None:
    # A queued escalation holds back the pair's later ones; once it ends unsent (its period
    # answered), a later missed period may be escalated, so its state is one of planning's
    # inputs. Seen here by a row removed behind the planner's back coming back.
    clock.current = local("2026-09-15T08:00")
    await _plan(ctx)
    assert await _count(ctx, Reminder.kind == "escalate", Reminder.state == "pending") > 0
    async with ctx.db.session() as s, s.begin():
        victim = await s.scalar(
            select(Reminder.id).where(Reminder.kind != "escalate", Reminder.due_at > clock.now()).limit(1)
        )
        await s.execute(delete(Reminder).where(Reminder.id == victim))
    clock.advance(minutes=10)
    assert (await _plan(ctx)).inserted == 0
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Reminder).where(Reminder.kind == "escalate").values(state="skipped"))
    assert (await _plan(ctx)).inserted == 1


async def test_two_wards_keep_their_own_fingerprint(ctx: AppContext) -> None:
    async with ctx.db.session() as s, s.begin():
        other = await plan_ward(s, "other", ctx.plan, ctx.calendar, ctx.now() + timedelta(minutes=1))
    assert other.inserted > 0 and other.ward_id != ctx.ward_id
    assert (await _plan(ctx)).inserted == 0
    async with ctx.db.session() as s:
        prints = list(await s.scalars(select(Ward.plan_fingerprint).order_by(Ward.id)))
    assert len(prints) == 2 and None not in prints
