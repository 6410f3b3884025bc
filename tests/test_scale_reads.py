"""Reads for many wards: read sessions take no write lock, the roll-up loads every ward in one
pass and agrees with the per-ward load, and the last report per unit is what was reported."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.context import AppContext
from scheduler.clock import ManualClock
from scheduler.planner import plan_ward
from scheduler.standing import CHECKIN_COMPLETING, COMPLETING, classify_plan, snapshot_bounds
from scheduler.windows import live_window
from store.enums import Status
from store.models import Assignment, Occurrence, Task, Unit, Ward
from store.queries import last_report_at
from store.reporting import load_snapshot, load_snapshots
from store.statuses import record_status


async def test_a_read_session_does_not_hold_up_a_writer(ctx: AppContext) -> None:
    # With the read transaction open (and having read), a writer commits at once: on SQLite
    # the read took no write lock (a BEGIN IMMEDIATE read would keep the writer waiting for
    # the busy timeout, 30 s). The reader keeps its snapshot meanwhile.
    async with ctx.db.read() as reader:
        before = await reader.scalar(select(func.count(Ward.id)))
        assert before is not None
        async with asyncio.timeout(10):
            async with ctx.db.session() as writer, writer.begin():
                writer.add(Ward(key="written-meanwhile"))
        assert await reader.scalar(select(func.count(Ward.id))) == before
    async with ctx.db.read() as reader:
        assert await reader.scalar(select(func.count(Ward.id))) == before + 1


async def _two_wards(ctx: AppContext, clock: ManualClock) -> tuple[int, int]:
    async with ctx.db.session() as s, s.begin():
        other = (await plan_ward(s, "other", ctx.plan, ctx.calendar, clock.now())).ward_id
        units = {
            (ward, code): aid
            for ward, code, aid in (
                await s.execute(
                    select(Task.ward_id, Unit.code, func.min(Assignment.id))
                    .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                    .join(Task, Occurrence.task_id == Task.id)
                    .join(Unit, Assignment.unit_id == Unit.id)
                    .where(Task.stt == 1)
                    .group_by(Task.ward_id, Unit.code)
                )
            ).all()
        }
        # Different answers in the two wards, so a mix-up shows.
        await record_status(s, units[(ctx.ward_id, "VHXH")], None, None, Status.DONE, None, None, clock.now())
        await record_status(
            s, units[(other, "VHXH")], None, None, Status.BLOCKED, None, "chờ", clock.now() + timedelta(minutes=1)
        )
    return ctx.ward_id, other


async def test_the_roll_up_loads_each_ward_as_the_ward_alone(ctx: AppContext, clock: ManualClock) -> None:
    first, other = await _two_wards(ctx, clock)
    today = ctx.today()
    window = live_window(ctx.plan, today)
    cutoff = window.cutoff(today)
    b = snapshot_bounds(window, cutoff, ctx.calendar.zone)
    kw = dict(
        cutoff=b.cutoff,
        since=b.since,
        started_by=b.started_by,
        periods_from=b.periods_from,
        completing=COMPLETING,
        checkin_completing=CHECKIN_COMPLETING,
    )
    async with ctx.db.read() as s:
        together = await load_snapshots(s, [other, first, 999_999], **kw)  # type: ignore[arg-type]
        alone = {w: await load_snapshot(s, w, **kw) for w in (first, other)}  # type: ignore[arg-type]
    assert together[first] == alone[first] and together[other] == alone[other]
    assert together[first] != together[other]
    assert together[999_999].assignments == ()
    counts = {w: classify_plan(ctx.plan, together[w], window, cutoff, ctx.calendar.zone).counts() for w in alone}
    assert counts[first] != counts[other]


async def test_last_report_per_unit_is_the_latest_of_its_assignments(ctx: AppContext, clock: ManualClock) -> None:
    first, other = await _two_wards(ctx, clock)
    async with ctx.db.session() as s, s.begin():
        aid = await s.scalar(
            select(Assignment.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Unit.ward_id == first, Unit.code == "VHXH")
            .order_by(Assignment.id.desc())
            .limit(1)
        )
        assert aid is not None
        await record_status(s, aid, None, None, Status.IN_PROGRESS, 20, None, clock.now() + timedelta(hours=2))
    async with ctx.db.read() as s:
        mine = await last_report_at(s, first)
        theirs = await last_report_at(s, other)
        vhxh = {
            w: await s.scalar(select(Unit.id).where(Unit.ward_id == w, Unit.code == "VHXH")) for w in (first, other)
        }
    assert mine == {vhxh[first]: clock.now() + timedelta(hours=2)}
    assert theirs == {vhxh[other]: clock.now() + timedelta(minutes=1)}
