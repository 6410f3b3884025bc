"""Text that cannot be stored as is (NUL, lone surrogates) is stored escaped, on both
databases, and the person is told "recorded" only when it was."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from store.models import InboundMessage, Reminder, StatusReport
from store.text import storable
from tests.helpers import linked, say


def test_storable_escapes_only_what_cannot_be_stored() -> None:
    assert storable("đã xong 50%") == "đã xong 50%"
    assert storable("a\x00b") == "a\\x00b"
    assert storable("a\ud800b\udfffc") == "a\\ud800b\\udfffc"
    assert storable("😀 \t\n") == "😀 \t\n"
    storable("x\ud800\x00").encode("utf-8")  # encodable: no exception


async def _one_open_task(ctx: AppContext, conv: Conversation, unit: str, channel: str = "console") -> tuple[str, int]:
    chat = await linked(ctx, conv, unit)
    replies = await say(conv, chat, "/tasks")
    numbers = [int(line.split(".")[0]) for line in replies[0].splitlines()[1:]]
    for n in numbers[1:]:
        await say(conv, chat, f"{n}: không phát sinh")
    if channel != "console":  # the same person, now writing from a messenger
        chat = await linked(ctx, conv, unit, channel=channel, chat_id=f"{unit}-{channel}")
    return chat, numbers[0]


async def test_nul_and_lone_surrogates_are_stored_escaped_and_the_status_recorded(ctx: AppContext) -> None:
    conv = Conversation(ctx)
    chat, stt = await _one_open_task(ctx, conv, "TTDVSNC")
    text = "vướng: thiếu\x00 kinh phí \ud800 và hướng dẫn"
    replies = await say(conv, chat, text, message_id="hostile-1")
    assert replies and replies[0].startswith(f"Đã ghi nhận: Nhiệm vụ {stt}"), replies
    async with ctx.db.session() as s:
        inbound = await s.scalar(select(InboundMessage).where(InboundMessage.message_id == "hostile-1"))
        assert inbound is not None
        assert inbound.text == "vướng: thiếu\\x00 kinh phí \\ud800 và hướng dẫn"
        assert inbound.outcome is not None and inbound.processed_at is not None
        report = await s.scalar(select(StatusReport).where(StatusReport.inbound_id == inbound.id))
        assert report is not None and report.status == "blocked"
        assert report.note is not None and "\\x00" in report.note and "\\ud800" in report.note
        assert "kinh phí" in report.note


async def test_over_long_ids_and_names_from_a_platform_are_cut_not_lost(ctx: AppContext) -> None:
    from bot.messages import InboundMessage as Msg

    conv = Conversation(ctx)
    msg = Msg(
        channel="zalo",
        chat_id="c" * 64,
        message_id="m" * 200,
        text="xin chào\x00",
        sender_id="s" * 100,
        sender_name="Tên rất dài " * 40,
        raw='{"x": "\ud800"}',
    )
    await conv.handle(msg)
    async with ctx.db.session() as s:
        row = await s.scalar(select(InboundMessage).where(InboundMessage.channel == "zalo"))
        assert row is not None
        assert row.text == "xin chào\\x00" and len(row.message_id) == 64 and len(row.sender_name or "") == 200
        assert row.raw == '{"x": "\\ud800"}'  # still valid JSON


async def test_a_nul_and_a_lone_surrogate_reach_every_stored_string_of_a_telegram_turn_escaped(
    ctx: AppContext,
) -> None:
    """A blocker reported in a messenger: the answer (queued in the outbox), the office's
    notice (it quotes the reason) and the report's note all hold the reason; none may be lost
    to PostgreSQL's "text fields cannot contain NUL" or to a UnicodeEncodeError."""
    conv = Conversation(ctx)
    await linked(ctx, conv, "VHXH", role="office", chat_id="office", channel="telegram")
    chat, _stt = await _one_open_task(ctx, conv, "TTDVSNC", channel="telegram")
    reason = "thiếu\x00 kinh phí \ud800 và hướng dẫn"
    await say(conv, chat, f"vướng: {reason}", channel="telegram", message_id="hostile-2")
    async with ctx.db.session() as s:
        inbound = await s.scalar(select(InboundMessage).where(InboundMessage.message_id == "hostile-2"))
        assert inbound is not None and inbound.processed_at is not None
        bodies = list(await s.scalars(select(Reminder.body).where(Reminder.created_at >= inbound.received_at)))
    escaped = "thiếu\\x00 kinh phí \\ud800 và hướng dẫn"
    told = [b for b in bodies if b and escaped in b]
    assert len(told) >= 2, bodies  # the answer to the head (or its question) and the office's notice
    assert not any(b and ("\x00" in b or "\ud800" in b) for b in bodies)


@pytest.mark.parametrize(("bad", "shown"), [("\x00", "\\x00"), ("\udfff", "\\udfff")], ids=["nul", "surrogate"])
async def test_an_unstorable_pending_question_and_reply_body_are_stored_escaped(
    ctx: AppContext, bad: str, shown: str
) -> None:
    """Whatever builds the row, the statement's strings are made storable on their way to
    the driver: a reply body, its buttons and a pending question written straight through
    the store (PostgreSQL refuses a NUL, every driver a lone surrogate)."""
    from store.models import ChatIdentity
    from store.outbox import queue_reply

    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "TTDVSNC", channel="telegram", chat_id="direct")
    async with ctx.db.session() as s, s.begin():
        identity = await s.scalar(select(ChatIdentity).where(ChatIdentity.chat_id == chat))
        assert identity is not None
        identity.pending_kind, identity.pending_text = "which", f"xong{bad} 50%"
        buttons = [(f"Nút{bad}", "st:1")]
        await queue_reply(s, ctx.ward_id, 999_001, "telegram", chat, None, f"Đã nhận: {bad}", buttons, ctx.now())
    async with ctx.db.session() as s:
        identity = await s.scalar(select(ChatIdentity).where(ChatIdentity.chat_id == chat))
        reply = await s.scalar(select(Reminder).where(Reminder.key == "reply:999001"))
    assert identity is not None and identity.pending_text == f"xong{shown} 50%"
    assert reply is not None and reply.body == f"Đã nhận: {shown}"
    assert reply.buttons is not None and bad not in reply.buttons
