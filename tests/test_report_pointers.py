"""Each assignment's report pointers (store/progress.py) equal what its history says, however
the reports arrive; the standing reads them for a live cut-off and the history for an earlier
one, with the same answer; the migration sets them for the history already there."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from bot.context import AppContext
from scheduler.clock import ManualClock
from scheduler.planner import plan_rows
from scheduler.reminders import plan_occurrences
from store import progress
from store.db import MIGRATIONS
from store.models import Assignment, Occurrence, StatusReport, Task
from store.reporting import load_snapshot
from store.statuses import record_status
from store.sync import activated_dates, sync_plan

STATUSES = ("done", "in_progress", "blocked", "not_started", "not_applicable")


@dataclass(frozen=True)
class Said:
    id: int
    status: str
    at: datetime


def expected(history: list[Said], checkin: bool, cutoff: datetime | None = None, since: datetime | None = None):  # type: ignore[no-untyped-def]
    """The three reports, read off the whole history the slow, obvious way."""
    seen = sorted((r for r in history if cutoff is None or r.at <= cutoff), key=lambda r: (r.at, r.id))
    last = seen[-1].id if seen else None
    blocked = [r for r in seen if r.status == "blocked" and (since is None or r.at >= since)]
    run = None
    for r in reversed(seen):
        if not progress.completes(r.status, checkin):
            break
        run = r.id
    return last, run, blocked[-1].id if blocked else None


async def _assignments(ctx: AppContext) -> dict[bool, int]:
    """One assignment of a deadline and one of a periodic check-in."""
    async with ctx.db.session() as s:
        rows = (
            await s.execute(
                select(Occurrence.checkin, Assignment.id)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.ward_id == ctx.ward_id)
                .order_by(Assignment.id)
            )
        ).all()
    found: dict[bool, int] = {}
    for checkin, aid in rows:
        found.setdefault(bool(checkin), aid)
    assert set(found) == {True, False}
    return found


async def _record(ctx: AppContext, aid: int, status: str, at: datetime) -> Said:
    async with ctx.db.session() as s, s.begin():
        await record_status(s, aid, None, None, status, None, None, at)
        newest = await s.scalar(select(func.max(StatusReport.id)))
    return Said(int(newest or 0), status, at)


async def _pointers(ctx: AppContext, aid: int) -> tuple[int | None, int | None, int | None]:
    """The three pointers, after checking what the assignment keeps beside them: the run's
    start time and its copy of the latest report."""
    async with ctx.db.session() as s:
        a = await s.get(Assignment, aid)
        assert a is not None
        run = await s.get(StatusReport, a.run_report_id) if a.run_report_id else None
        assert a.run_report_at == (run.created_at if run else None)
        last = await s.get(StatusReport, a.last_report_id) if a.last_report_id else None
        if last is not None:
            assert (a.status, a.review, a.status_at) == (last.status, last.review, last.created_at)
        return a.last_report_id, a.run_report_id, a.blocked_report_id


async def test_pointers_follow_every_report_in_order_back_dated_or_at_the_same_instant(
    ctx: AppContext, clock: ManualClock
) -> None:
    rng = random.Random(7)
    base = clock.now()
    for checkin, aid in (await _assignments(ctx)).items():
        history: list[Said] = []
        for n in range(30):
            # Mostly forward in time; some at the very instant of an earlier report (same
            # created_at, later id), some dated days before the latest (the office recording
            # an earlier day).
            pick = rng.random()
            if history and pick < 0.15:
                at = rng.choice(history).at
            elif history and pick < 0.35:
                at = max(r.at for r in history) - timedelta(hours=rng.randrange(1, 200))
            else:
                at = base + timedelta(hours=n * 5)
            history.append(await _record(ctx, aid, rng.choice(STATUSES), at))
            assert await _pointers(ctx, aid) == expected(history, checkin), (checkin, n)
        # Rebuilt from the history in one statement: the same pointers.
        async with ctx.db.session() as s, s.begin():
            # Written as SQL: "x" is no status, and the model's column refuses it.
            await s.execute(
                text(
                    "UPDATE assignments SET last_report_id = NULL, run_report_id = NULL, run_report_at = NULL,"
                    " status = 'x', status_at = NULL WHERE id = :aid"
                ),
                {"aid": aid},
            )
            await s.execute(progress.rebuild([aid]))
        assert await _pointers(ctx, aid) == expected(history, checkin)


async def test_a_standing_as_of_an_earlier_day_reads_the_history_and_a_live_one_the_pointers(
    ctx: AppContext, clock: ManualClock
) -> None:
    rng = random.Random(11)
    base = clock.now()
    histories: dict[int, tuple[bool, list[Said]]] = {}
    for checkin, aid in (await _assignments(ctx)).items():
        histories[aid] = (checkin, [])
        # Recorded in a shuffled order; some at the very instant of another (a time given
        # to the minute with `nhacviec record --at`), ordered by id then.
        instants = [base + timedelta(hours=7 * n + rng.randrange(0, 5)) for n in range(24)]
        instants += rng.sample(instants, 6)
        rng.shuffle(instants)
        for at in instants:
            histories[aid][1].append(await _record(ctx, aid, rng.choice(STATUSES), at))
    since = base + timedelta(days=2)
    for cutoff in (base + timedelta(days=1), base + timedelta(days=4), base + timedelta(days=30)):
        async with ctx.db.read() as s:
            snap = await load_snapshot(
                s,
                ctx.ward_id,
                cutoff=cutoff,
                since=since,
                started_by=date(2100, 1, 1),
                periods_from=date(2000, 1, 1),
                completing=progress.COMPLETES_DEADLINE,
                checkin_completing=progress.COMPLETES_CHECKIN,
            )
        got = {a.assignment_id: a for a in snap.assignments}
        for aid, (checkin, history) in histories.items():
            a = got[aid]
            ids = (
                a.last.id if a.last else None,
                a.completing.id if a.completing else None,
                a.last_blocked.id if a.last_blocked else None,
            )
            assert ids == expected(history, checkin, cutoff, since), (checkin, cutoff)


def _migrate(connection: Connection, revision: str, down: bool = False) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(cfg, revision)


async def test_the_upgrade_sets_the_pointers_of_the_history_already_there(ctx: AppContext, clock: ManualClock) -> None:
    aids = await _assignments(ctx)
    rng = random.Random(3)
    for aid in aids.values():
        for n in range(12):
            await _record(ctx, aid, rng.choice(STATUSES), clock.now() + timedelta(hours=n))
    kept = {aid: await _pointers(ctx, aid) for aid in aids.values()}
    assert all(p[0] is not None for p in kept.values())
    async with ctx.db.engine.begin() as conn:
        await conn.run_sync(_migrate, "0008s", True)
    async with ctx.db.engine.begin() as conn:
        await conn.run_sync(_migrate, "head")
    assert {aid: await _pointers(ctx, aid) for aid in aids.values()} == kept


async def test_an_occurrence_that_becomes_a_check_in_has_its_completing_run_read_again(
    ctx: AppContext, clock: ManualClock
) -> None:
    # "Đang làm" does not complete a deadline but fulfils a periodic check-in: when the plan's
    # new wording turns the occurrence into a check-in, the run the pointers keep changes.
    aid = (await _assignments(ctx))[False]
    said = await _record(ctx, aid, "in_progress", clock.now())
    assert (await _pointers(ctx, aid))[1] is None
    async with ctx.db.session() as s:
        occurrence_id = await s.scalar(select(Assignment.occurrence_id).where(Assignment.id == aid))
        key, stt = (
            await s.execute(
                select(Occurrence.key, Task.stt)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Occurrence.id == occurrence_id)
            )
        ).one()
    end = clock.now().date() + timedelta(days=35)
    async with ctx.db.session() as s, s.begin():
        occurrences = plan_occurrences(ctx.plan, end, await activated_dates(s, ctx.settings.ward))
        rows = plan_rows(ctx.plan, occurrences, end)
        tasks = [
            replace(t, occurrences=[replace(o, checkin=True) if o.key == key else o for o in t.occurrences])
            if t.stt == stt
            else t
            for t in rows.tasks
        ]
        await sync_plan(s, ctx.settings.ward, replace(rows, tasks=tasks), clock.now())
    assert await _pointers(ctx, aid) == (said.id, said.id, None)


async def test_a_done_given_at_the_instant_of_a_blocker_completes_as_of_an_earlier_day(
    ctx: AppContext, clock: ManualClock
) -> None:
    # Two reports to the minute (`nhacviec record --at`): blocked, then done. A view of the
    # next day, after a later report exists, reads the history: the done ends the run there.
    aid = (await _assignments(ctx))[False]
    at = clock.now()
    await _record(ctx, aid, "blocked", at)
    done = await _record(ctx, aid, "done", at)
    await _record(ctx, aid, "in_progress", at + timedelta(days=3))
    async with ctx.db.read() as s:
        snap = await load_snapshot(
            s,
            ctx.ward_id,
            cutoff=at + timedelta(days=1),
            since=at - timedelta(days=1),
            started_by=date(2100, 1, 1),
            periods_from=date(2000, 1, 1),
            completing=progress.COMPLETES_DEADLINE,
            checkin_completing=progress.COMPLETES_CHECKIN,
        )
    state = next(a for a in snap.assignments if a.assignment_id == aid)
    assert state.last is not None and state.last.id == done.id
    assert state.completing is not None and state.completing.id == done.id


async def test_two_reports_at_once_on_one_assignment_both_move_the_pointers(
    ctx: AppContext, clock: ManualClock
) -> None:
    # After a done, a blocker (recorded, not yet committed) and a done a minute later from
    # another worker: the second waits for the first's row lock (SQLite: its write lock) and
    # starts its completing run anew after the blocker; read before the blocker committed,
    # it would have carried on the first done's run.
    aid = (await _assignments(ctx))[False]
    start = await _record(ctx, aid, "done", clock.now())
    first = ctx.db.session()
    async with first.begin():
        await record_status(first, aid, None, None, "blocked", None, None, clock.now() + timedelta(minutes=1))

        async def second() -> None:
            async with ctx.db.session() as s, s.begin():
                await record_status(s, aid, None, None, "done", None, None, clock.now() + timedelta(minutes=2))

        racing = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not racing.done()  # held until the first commits
    await first.close()
    await asyncio.wait_for(racing, 10)
    async with ctx.db.session() as s:
        ids = list(
            await s.scalars(select(StatusReport.id).where(StatusReport.assignment_id == aid).order_by(StatusReport.id))
        )
    assert ids[0] == start.id
    assert await _pointers(ctx, aid) == (ids[2], ids[2], ids[1])
