"""A plan edited while the bot runs is read and synced off the event loop, so a chat is
answered while a big plan is still being read (issue 25, item 7). On SQLite and PostgreSQL.

No timing: the plan read is held on a gate until the chat has been answered; read on the
event loop, it would hold the answer back instead and the order would be the other way."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import bot.app.service
from bot.app.service import Ticker, make_dispatcher, open_context
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.settings import Settings
from bot.texts import common as texts
from scheduler.clock import ManualClock
from store.models import Task
from tests.conftest import PLAN_PATH, local
from tests.helpers import say


@pytest.fixture
async def running(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[AppContext, Path]]:
    plan = tmp_path / "plans" / "ke-hoach.yaml"
    plan.parent.mkdir()
    shutil.copy(PLAN_PATH, plan)
    settings = Settings(  # type: ignore[call-arg]
        database_url=db_url, plan_path=plan, files_path=tmp_path / "files", _env_file=None
    )
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        yield ctx, plan
    finally:
        await ctx.db.dispose()


async def test_a_chat_is_answered_while_an_edited_plan_is_still_being_read(
    running: tuple[AppContext, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, plan = running
    ticker = Ticker(ctx, make_dispatcher(ctx, {}))
    await ticker.plan_if_due()  # the plan files as first seen
    reading, release = threading.Event(), threading.Event()
    order: list[str] = []
    real_check = bot.app.service.check_plan

    def slow_check(path: Path, calendar: Any) -> Any:
        reading.set()
        release.wait(20)  # a gate, not a measure: reached only if the test never opens it
        order.append("plan read")
        return real_check(path, calendar)

    monkeypatch.setattr(bot.app.service, "check_plan", slow_check)
    os.utime(plan, (5, 5))  # the office saved the file
    reload = asyncio.create_task(ticker.plan_if_due())
    assert await asyncio.to_thread(reading.wait, 20)
    assert await say(Conversation(ctx), "555", "/help") == [texts.HOW_TO_LINK]
    order.append("chat answered")
    release.set()
    await reload
    assert order == ["chat answered", "plan read"]


async def test_a_reloaded_plan_is_synced_on_a_worker_thread(
    running: tuple[AppContext, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, plan = running
    ticker = Ticker(ctx, make_dispatcher(ctx, {}))
    await ticker.plan_if_due()
    threads: list[bool] = []
    real_plan = bot.app.service.plan_ward

    async def watched(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return await real_plan(*args, **kwargs)

    monkeypatch.setattr(bot.app.service, "plan_ward", watched)
    edited = plan.read_text(encoding="utf-8").replace('product: "Kế hoạch triển khai"', 'product: "Kế hoạch (sửa)"')
    plan.write_text(edited, encoding="utf-8")
    os.utime(plan, (7, 7))
    await ticker.plan_if_due()
    assert threads == [False]  # planned once, not on the event loop's thread
    assert "Kế hoạch (sửa)" in [t.product for t in ctx.plan_of(ctx.ward_id).tasks]
    async with ctx.db.session() as s:
        assert await s.scalar(select(Task.product).where(Task.stt == 1)) == "Kế hoạch (sửa)"
