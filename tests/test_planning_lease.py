"""A province on one database: wards are served before they are planned, planning goes on
ward by ward beside the answers, and each ward is planned by one worker at a time (a lease
on its row), so several workers share the wards instead of each planning all of them."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

import bot.app.service as service
from bot.app.service import Ticker, make_dispatcher, open_context
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.settings import Settings
from scheduler.clock import ManualClock
from store.db import Database
from store.models import Reminder, Task, Ward
from store.wards import release_planning_lease, take_planning_lease
from tests.conftest import PLAN_PATH, RecordingChannel, local
from tests.fakes.waiting import until
from tests.helpers import linked, outbox_settled, say


async def _count(ctx: AppContext, model: Any) -> int:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count()).select_from(model)) or 0


async def _forget_planning(ctx: AppContext) -> None:
    """The outbox emptied and the fingerprint forgotten: the next planning has work to do."""
    async with ctx.db.session() as s, s.begin():
        await s.execute(update(Ward).values(plan_fingerprint=None))
        await s.execute(delete(Reminder).where(Reminder.assignment_id.is_not(None)))


async def test_a_ward_leased_by_one_worker_is_not_taken_by_another(ctx: AppContext) -> None:
    now = ctx.now()
    async with ctx.db.session() as s, s.begin():
        assert await take_planning_lease(s, ctx.ward_id, "a:1", now, 300)
    async with ctx.db.session() as s, s.begin():
        assert not await take_planning_lease(s, ctx.ward_id, "b:2", now + timedelta(seconds=299), 300)
        assert await take_planning_lease(s, ctx.ward_id, "a:1", now, 300)  # its holder renews it
    async with ctx.db.session() as s, s.begin():
        await release_planning_lease(s, ctx.ward_id, "b:2")  # not b's to give back
        assert not await take_planning_lease(s, ctx.ward_id, "b:2", now, 300)
        await release_planning_lease(s, ctx.ward_id, "a:1")
        assert await take_planning_lease(s, ctx.ward_id, "b:2", now, 300)


async def test_an_expired_lease_is_taken_over(ctx: AppContext) -> None:
    now = ctx.now()
    async with ctx.db.session() as s, s.begin():
        assert await take_planning_lease(s, ctx.ward_id, "dead:1", now, 300)
    async with ctx.db.session() as s, s.begin():
        assert await take_planning_lease(s, ctx.ward_id, "b:2", now + timedelta(seconds=301), 300)
        owner = await s.scalar(select(Ward.planning_owner).where(Ward.id == ctx.ward_id))
    assert owner == "b:2"


async def test_a_ticker_leaves_a_ward_another_worker_is_planning_and_plans_it_once_free(ctx: AppContext) -> None:
    await _forget_planning(ctx)
    async with ctx.db.session() as s, s.begin():
        assert await take_planning_lease(s, ctx.ward_id, "other:1", ctx.now(), 300)
    ticker = Ticker(ctx, make_dispatcher(ctx, {}))
    await ticker.plan_if_due()
    assert ticker.leased_elsewhere == 1
    assert await _count(ctx, Reminder) == 0  # the other worker's ward: nothing done twice
    async with ctx.db.session() as s, s.begin():
        await release_planning_lease(s, ctx.ward_id, "other:1")
    await ticker.plan_if_due()  # still due here: planned now the lease is free
    assert await _count(ctx, Reminder) > 0
    async with ctx.db.session() as s:
        owner = await s.scalar(select(Ward.planning_owner).where(Ward.id == ctx.ward_id))
    assert owner is None  # given back after planning


async def test_two_workers_planning_together_share_the_wards(db: Database, tmp_path: Path) -> None:
    # Two Tickers on one database, planning four wards at once: every ward is planned by
    # one of them at a time (the lease), and no lease is left behind.
    folder = tmp_path / "plans"
    folder.mkdir()
    text = PLAN_PATH.read_text(encoding="utf-8")
    for i in range(4):
        (folder / f"w{i}.yaml").write_text(text.replace("Phường Nhị Chiểu", f"Phường Thử {i}"), encoding="utf-8")
    settings = Settings(database_url=db.url, plan_path=folder, files_path=tmp_path / "f", _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(local("2026-06-22T07:00"))
    first = await open_context(settings, clock, plan_first=False)
    second = await open_context(settings, clock, plan_first=False)
    try:
        assert sorted(first.wards) == sorted(second.wards)
        assert await _count(first, Task) == 0  # served, not planned yet
        planners: list[Ticker] = []
        for n, c in enumerate((first, second)):
            ticker = Ticker(c, make_dispatcher(c, {}))
            ticker.dispatcher.config.worker = f"worker:{n}"
            planners.append(ticker)
        await asyncio.gather(*(t.plan_if_due() for t in planners))
        while any(len(t._planned) < 4 for t in planners):
            await asyncio.gather(*(t.plan_if_due() for t in planners))
        async with first.db.session() as s:
            counts = dict((await s.execute(select(Reminder.ward_id, func.count()).group_by(Reminder.ward_id))).all())
            owners = list(await s.scalars(select(Ward.planning_owner)))
        assert sorted(counts) == sorted(first.wards) and min(counts.values()) > 0
        assert owners == [None] * 4
    finally:
        await first.db.dispose()
        await second.db.dispose()


async def test_the_service_serves_every_ward_before_planning_it(tmp_path: Path, db: Database) -> None:
    settings = Settings(database_url=db.url, files_path=tmp_path / "f", _env_file=None)  # type: ignore[call-arg]
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")), plan_first=False)
    try:
        assert ctx.ward_id in ctx.wards
        assert await _count(ctx, Task) == 0 and await _count(ctx, Reminder) == 0
        ticker = Ticker(ctx, make_dispatcher(ctx, {}))
        await ticker.tick()
        assert await _count(ctx, Task) == len(ctx.plan.tasks) and await _count(ctx, Reminder) > 0
    finally:
        await ctx.db.dispose()


async def test_the_ticker_answers_while_a_ward_is_being_planned(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = RecordingChannel("telegram")  # a messenger: answers go through the outbox
    ticker = Ticker(ctx, make_dispatcher(ctx, {"telegram": channel}))
    wakeups = asyncio.create_task(ticker.serve_wakeups())
    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH", channel="telegram")
    await until(lambda: outbox_settled(ctx, chat), what="the welcome sent")
    await _forget_planning(ctx)

    # Planning runs on a worker thread with its own event loop (bot/app/offload.py): the
    # gate is a thread's, not this loop's.
    entered, gate = threading.Event(), threading.Event()
    real = service.plan_ward

    async def slow_planning(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await asyncio.to_thread(gate.wait, 60)  # a ward that takes as long as the test needs
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "plan_ward", slow_planning)
    tick = asyncio.create_task(ticker.tick())
    try:
        assert await asyncio.to_thread(entered.wait, 15)
        before = len(channel.texts_to(chat))
        await say(conv, chat, "/tasks", channel="telegram")
        await until(lambda: len(channel.texts_to(chat)) > before, what="the answer during planning")
        assert not tick.done()  # the ward is still being planned
    finally:
        gate.set()
        await tick
        ticker.dispatcher.stopping = True
        ticker.woken.set()
        await wakeups
    assert await _count(ctx, Reminder) > 0


def _plans(folder: Path, n: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    text = PLAN_PATH.read_text(encoding="utf-8")
    paths = [folder / f"w{i}.yaml" for i in range(n)]
    for i, path in enumerate(paths):
        path.write_text(text.replace("Phường Nhị Chiểu", f"Phường Thử {i}"), encoding="utf-8")
    return paths


async def test_a_restart_serves_wards_from_their_rows_and_reads_a_plan_when_needed(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _plans(tmp_path / "plans", 3)
    settings = Settings(database_url=db.url, plan_path=tmp_path / "plans", _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(local("2026-06-22T07:00"))
    first = await open_context(settings, clock, plan_first=False)  # every file read: new wards
    await first.db.dispose()
    paths[2].write_text(paths[2].read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")

    read: list[Path] = []
    real = service.check_plan

    def counted(path: Path, calendar: Any = None) -> Any:
        read.append(path)
        return real(path, calendar)

    monkeypatch.setattr(service, "check_plan", counted)
    ctx = await open_context(settings, clock, plan_first=False)
    try:
        assert read == [paths[2]]  # only the edited file is read at start
        assert sorted(ctx.wards) == sorted(first.wards)
        unread = [w for w in ctx.served() if not w.read]
        assert len(unread) == 1  # the first ward's plan is read (ctx.plan), the other waits
        ward = unread[0]
        assert ctx.plan_of(ward.ward_id).ward == f"Phường Thử {paths.index(ward.path)}"
        assert ward.read
    finally:
        await ctx.db.dispose()


async def test_two_plan_files_with_the_same_bytes_are_refused_at_a_restart(db: Database, tmp_path: Path) -> None:
    from bot.wards import WardError

    paths = _plans(tmp_path / "plans", 2)
    settings = Settings(database_url=db.url, plan_path=tmp_path / "plans", _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(local("2026-06-22T07:00"))
    await (await open_context(settings, clock, plan_first=False)).db.dispose()
    (tmp_path / "plans" / "copy.yaml").write_bytes(paths[0].read_bytes())
    with pytest.raises(WardError):
        await open_context(settings, clock, plan_first=False)
