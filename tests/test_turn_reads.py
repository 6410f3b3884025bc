"""A command that only reads (a summary, an export, the task list) is answered from a read
session: on SQLite its reading holds no write lock. Its answer and files are still queued
with the message marked processed, in one write transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import bot.commands.office
from bot.context import AppContext
from bot.conversation.handle import Conversation
from store.db import READ_ONLY
from store.enums import ReminderKind
from store.models import InboundMessage as InboundRow
from store.models import Reminder
from tests.helpers import linked, say


@pytest.fixture
def sessions_read(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each standing the office asks for is built in a read session."""
    seen: list[bool] = []
    real = bot.commands.office.build_standing

    async def spy(s: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(bool((await s.connection()).sync_connection.get_execution_options().get(READ_ONLY)))
        return await real(s, *args, **kwargs)

    monkeypatch.setattr(bot.commands.office, "build_standing", spy)
    return seen


async def test_a_summary_is_read_in_a_read_session_and_its_answer_queued(
    ctx: AppContext, sessions_read: list[bool]
) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", channel="telegram", chat_id="501")
    assert await say(conv, office, "/summary", channel="telegram")
    assert sessions_read == [True]
    async with ctx.db.session() as s:
        inbound = (await s.scalars(select(InboundRow).where(InboundRow.text == "/summary"))).one()
        reply = (await s.scalars(select(Reminder).where(Reminder.kind == ReminderKind.REPLY))).all()
    assert inbound.processed_at is not None and inbound.outcome == "/summary"
    assert any("TỔNG HỢP TIẾN ĐỘ" in (r.body or "") for r in reply)


async def test_a_chart_asked_in_a_read_session_is_queued_as_a_file(ctx: AppContext, sessions_read: list[bool]) -> None:
    conv = Conversation(ctx)
    office = await linked(ctx, conv, "VHXH", role="office", channel="telegram", chat_id="502")
    await say(conv, office, "/summary chart", channel="telegram")
    assert sessions_read == [True]
    async with ctx.db.session() as s:
        files = (await s.scalars(select(Reminder).where(Reminder.kind == ReminderKind.FILE))).all()
    assert [f.chat_id for f in files] == ["502"] and '"photo"' in (files[0].attachment or "")


async def test_a_command_that_writes_still_runs_in_the_write_transaction(
    ctx: AppContext, sessions_read: list[bool]
) -> None:
    conv = Conversation(ctx)
    head = await linked(ctx, conv, "VHXH")
    replies = await say(conv, head, "4: đang làm 60%")
    assert "60%" in replies[0]
    office = await linked(ctx, conv, "VHXH", role="office", chat_id="office")
    # A stranger's /summary is answered (how to link) and records the stranger: not a read.
    assert "liên kết" in (await say(conv, "stranger", "/summary"))[0].lower()
    assert "60%" in (await say(conv, office, "/summary"))[0]
    assert sessions_read == [True]
