from datetime import date

from sqlalchemy import func, select, update

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.texts.common import plan_change
from scheduler.clock import ManualClock
from scheduler.plan import parse_plan
from scheduler.planner import plan_ward
from store.models import Assignment, Occurrence, Reminder, StatusReport, Task
from tests.conftest import PLAN_PATH, local
from tests.helpers import linked, say

TEXT = PLAN_PATH.read_text(encoding="utf-8")


async def _counts(ctx: AppContext) -> tuple[int, int, int, int]:
    async with ctx.db.session() as s:
        return (
            (await s.execute(select(func.count(Task.id)))).scalar_one(),
            (await s.execute(select(func.count(Occurrence.id)))).scalar_one(),
            (await s.execute(select(func.count(Assignment.id)))).scalar_one(),
            (await s.execute(select(func.count(Reminder.id)))).scalar_one(),
        )


async def test_the_migrated_schema_holds_the_plan(ctx: AppContext) -> None:
    tasks, occurrences, assignments, reminders = await _counts(ctx)
    assert tasks == 19 and occurrences > 19 and assignments > 60 and reminders > 0


async def test_syncing_the_same_plan_twice_changes_nothing(ctx: AppContext) -> None:
    before = await _counts(ctx)
    async with ctx.db.session() as s, s.begin():
        result = await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now())
    assert result.changes == [] and result.inserted == 0
    assert await _counts(ctx) == before


async def test_a_plan_edit_keeps_reported_statuses_and_moves_reminders(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    assert (await say(conv, chat, "4: đang làm 60%"))[0].startswith("Đã ghi nhận: Nhiệm vụ 4")
    before = await _task4_lead_reminder_dates(ctx)
    assert date(2026, 6, 30) in before  # there were June reminders (and July nags) to move

    edited = TEXT.replace('deadline: "Quý II/2026"', 'deadline: "Quý III/2026"')
    edited = edited.replace(
        "  - stt: 19\n",
        "  - stt: 20\n    content: Nhiệm vụ mới\n    lead: [VP]\n"
        '    product: Báo cáo\n    deadline: "Trước 15/9/2026"\n\n  - stt: 19\n',
    )
    # Task 17 loses its coordinating unit.
    t17, t18 = edited.index("  - stt: 17\n"), edited.index("  - stt: 18\n")
    row17 = edited[t17:t18].replace('coordinate: ["Trung tâm Dịch vụ sự nghiệp công"]', "coordinate: []")
    edited = edited[:t17] + row17 + edited[t18:]
    new_plan = parse_plan(edited)
    async with ctx.db.session() as s, s.begin():
        result = await plan_ward(s, ctx.settings.ward, new_plan, ctx.calendar, ctx.now())
    joined = "\n".join(plan_change(c) for c in result.changes)
    assert 'Nhiệm vụ 4: thời hạn "Quý II/2026" → "Quý III/2026"' in joined
    assert "Thêm nhiệm vụ 20" in joined
    assert "Nhiệm vụ 17: bỏ đơn vị TTDVSNC" in joined

    async with ctx.db.session() as s:
        a = (
            await s.execute(
                select(Assignment, Occurrence)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.stt == 4, Assignment.role == "lead")
            )
        ).one()
        assert a.Occurrence.due == date(2026, 9, 30)
        assert (a.Assignment.status, a.Assignment.percent) == ("in_progress", 60)
        assert await s.scalar(select(func.count(StatusReport.id))) == 1
    # The June reminders of task 4 are gone; September's will come from the planner.
    due_dates = await _task4_lead_reminder_dates(ctx)
    assert all(d >= date(2026, 9, 1) for d in due_dates)


async def _task4_lead_reminder_dates(ctx: AppContext) -> set[date]:
    async with ctx.db.session() as s:
        return {
            r.due_at.date()
            for r in await s.scalars(
                select(Reminder)
                .join(Assignment, Reminder.assignment_id == Assignment.id)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.stt == 4, Assignment.role == "lead")
            )
        }


async def test_removing_a_task_deactivates_it_without_losing_reports(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    await say(conv, chat, "4: đã xong")
    start = TEXT.index("  - stt: 4\n")
    end = TEXT.index("  - stt: 5\n")
    new_plan = parse_plan(TEXT[:start] + TEXT[end:])
    async with ctx.db.session() as s, s.begin():
        result = await plan_ward(s, ctx.settings.ward, new_plan, ctx.calendar, ctx.now())
    assert any("Bỏ nhiệm vụ 4" in plan_change(c) for c in result.changes)
    async with ctx.db.session() as s:
        # Its row keeps its label and its reports; its number steps aside for the task that
        # may take it (store/sync.py): a number names one active task.
        task = await s.scalar(select(Task).where(Task.label == "4"))
        assert task is not None and not task.active and task.stt < 0
        assert await s.scalar(select(func.count(StatusReport.id))) == 1


async def test_workers_starting_together_plan_the_ward_once(db_url: str, plan, calendar) -> None:  # type: ignore[no-untyped-def]
    """Several processes start at once: their first syncs must not collide."""
    import asyncio

    from scheduler.clock import ManualClock
    from store.db import Database
    from tests.conftest import local

    clock = ManualClock(local("2026-06-22T07:00"))
    databases = [Database(db_url) for _ in range(3)]
    await databases[0].upgrade()

    async def start(db: Database) -> int:
        async with db.session() as s, s.begin():
            return (await plan_ward(s, "default", plan, calendar, clock.now())).ward_id

    try:
        ward_ids = await asyncio.gather(*(start(db) for db in databases))
        assert len(set(ward_ids)) == 1
        async with databases[0].session() as s:
            assert await s.scalar(select(func.count(Task.id))) == 19
    finally:
        for db in databases:
            await db.dispose()


async def test_a_moved_deadline_gets_its_reminders_again_even_a_kind_already_sent(
    ctx: AppContext, clock: ManualClock
) -> None:
    # Task 4 ("Quý II/2026") was reminded 3 working days before 30/6 — on 25/6 at 08:00.
    clock.current = local("2026-06-25T09:00")
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now())
    async with ctx.db.session() as s, s.begin():
        await s.execute(
            update(Reminder).where(Reminder.kind == "before", Reminder.seq == 3).values(state="sent", attempts=1)
        )
    # The deadline moves to the end of July: the "3 days before" reminder is due again then.
    moved = parse_plan(TEXT.replace('deadline: "Quý II/2026"', 'deadline: "Trước 01/8/2026"'))
    clock.current = local("2026-07-20T09:00")
    async with ctx.db.session() as s, s.begin():
        await plan_ward(s, ctx.settings.ward, moved, ctx.calendar, ctx.now())
    async with ctx.db.session() as s:
        rows = (
            await s.execute(
                select(Reminder.state, Reminder.due_at)
                .join(Assignment, Assignment.id == Reminder.assignment_id)
                .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
                .join(Task, Task.id == Occurrence.task_id)
                .where(Task.stt == 4, Assignment.role == "lead", Reminder.kind == "before", Reminder.seq == 3)
            )
        ).all()
    states = sorted((state, ctx.calendar.local_date(at)) for state, at in rows)
    assert ("pending", date(2026, 7, 28)) in states and ("sent", date(2026, 6, 25)) in states
