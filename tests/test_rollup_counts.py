"""The city roll-up counts in SQL (store/rollup.py) what the standing classifies in Python
(scheduler/standing.py): the same four classes for every ward, whatever the reports, the
office's reviews, the extensions, the cut-off day and the settings. A view of a day before
the newest report is not counted from the pointers: the ward is handed back to Python."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import select, update

from bot.context import AppContext
from scheduler.planner import plan_ward
from scheduler.standing import classify_plan, snapshot_bounds
from scheduler.windows import live_window
from store.models import Assignment, Occurrence, Task
from store.progress import COMPLETES_CHECKIN, COMPLETES_DEADLINE
from store.reporting import load_snapshot
from store.rollup import SEVERITY, CountBounds, count_standings, fixed_offset
from store.statuses import record_status
from tests.conftest import local

# Weighted so that every status meets every review on the latest report of some assignment.
STATUSES = ("done", "done", "in_progress", "blocked", "not_started", "not_applicable", "not_applicable")
REVIEWS = (None, "no_evidence", "pending", "pending", "confirmed", "returned", "unblocked")


async def _random_history(ctx: AppContext, ward_id: int, rng: random.Random) -> datetime:
    """Reports, reviews and extensions on most assignments of the ward, recorded in a
    shuffled order; returns the newest report's instant."""
    async with ctx.db.session() as s:
        rows = (
            await s.execute(
                select(Assignment.id, Occurrence.start, Occurrence.due)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .where(Task.ward_id == ward_id)
            )
        ).all()
    first, last = local("2026-05-10T08:00"), local("2026-11-30T17:00")
    said = []
    for aid, start, _due in rows:
        low = max(first, local(f"{start.isoformat()}T08:00")) if start else first
        if rng.random() < 0.1 or low >= last:
            continue
        for _ in range(rng.randrange(1, 5)):
            at = low + timedelta(minutes=rng.randrange(0, int((last - low).total_seconds() // 60)))
            said.append((aid, rng.choice(STATUSES), rng.choice(REVIEWS), at))
    rng.shuffle(said)
    async with ctx.db.session() as s, s.begin():
        for aid, status, review, at in said:
            await record_status(s, aid, None, None, status, None, None, at, review=review)
        for aid, _start, due in rows:
            if rng.random() < 0.15:
                extended = due + timedelta(days=rng.randrange(-3, 40))
                await s.execute(update(Assignment).where(Assignment.id == aid).values(extended_due=extended))
    return max(at for _, _, _, at in said)


async def test_the_counts_in_sql_are_the_standings_for_every_day_setting_and_history(ctx: AppContext) -> None:
    async with ctx.db.session() as s, s.begin():
        ward_id = (
            await plan_ward(s, "counted", ctx.plan, ctx.calendar, local("2026-05-10T07:00"), ahead_days=300)
        ).ward_id
    newest = await _random_history(ctx, ward_id, random.Random(5))
    zone = ctx.calendar.zone
    compared = stale = tracked_apart = 0
    for day in (date(2026, 7, 15), date(2026, 12, 1), date(2026, 12, 10), date(2026, 12, 31), date(2027, 1, 8)):
        for confirm_done in (True, False):
            plan = replace(ctx.plan, confirm_done=confirm_done)
            window = live_window(plan, day)
            cutoff = window.cutoff(day)
            b = snapshot_bounds(window, cutoff, zone)
            offset = fixed_offset(zone, cutoff)
            assert offset == timedelta(hours=7)
            for against in ("extended", "original"):
                # Half the views with a start of tracking after many periods fell due.
                tracking = date(2026, 9, 1) if confirm_done == (against == "extended") else None
                async with ctx.db.read() as s:
                    counted = await count_standings(
                        s,
                        [ward_id],
                        CountBounds(
                            cutoff=b.cutoff,
                            cutoff_day=cutoff,
                            since=b.since,
                            started_by=b.started_by,
                            periods_from=b.periods_from,
                            tracking_from=((ward_id, tracking),) if tracking else (),
                        ),
                        confirm_done=confirm_done,
                        extended=against == "extended",
                        offset=offset,
                    )
                    snapshot = await load_snapshot(
                        s,
                        ward_id,
                        cutoff=b.cutoff,
                        since=b.since,
                        started_by=b.started_by,
                        periods_from=b.periods_from,
                        completing=COMPLETES_DEADLINE,
                        checkin_completing=COMPLETES_CHECKIN,
                    )
                standing = classify_plan(
                    plan,
                    snapshot,
                    window,
                    cutoff,
                    zone,
                    against,
                    tracking_from=tracking,
                )
                if newest > b.cutoff:
                    # Reports newer than the cut-off: only the history can say how it stood.
                    assert counted[ward_id] is None
                    stale += 1
                    continue
                got = counted[ward_id]
                assert got is not None
                # Counter is invariant: its Standing keys are the plain strings SEVERITY names.
                python = cast("Counter[str]", standing.counts())
                assert {k: got[k] for k in SEVERITY} == {k: python[k] for k in SEVERITY}, (day, confirm_done, against)
                assert sum(python[k] for k in SEVERITY[:4]) > 20  # a real mix, not an empty ward
                compared += 1
                if tracking is not None:
                    untracked = classify_plan(plan, snapshot, window, cutoff, zone, against)
                    tracked_apart += untracked.counts()["overdue"] != python["overdue"]
    # The start of tracking moved some task × unit out of "overdue" in the views compared.
    assert compared >= 8 and stale >= 4 and tracked_apart > 0


def test_a_zone_with_daylight_saving_is_not_counted_in_sql() -> None:
    from zoneinfo import ZoneInfo

    assert fixed_offset(ZoneInfo("Asia/Ho_Chi_Minh"), date(2026, 12, 1)) == timedelta(hours=7)
    assert fixed_offset(ZoneInfo("Europe/Berlin"), date(2026, 12, 1)) is None
