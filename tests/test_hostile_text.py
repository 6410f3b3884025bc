"""Text that cannot be stored as is (NUL, lone surrogates) is stored escaped, on both
databases, and the person is told "recorded" only when it was."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from store.models import InboundMessage, StatusReport
from store.text import storable
from tests.helpers import linked, say


def test_storable_escapes_only_what_cannot_be_stored() -> None:
    assert storable("đã xong 50%") == "đã xong 50%"
    assert storable("a\x00b") == "a\\x00b"
    assert storable("a\ud800b\udfffc") == "a\\ud800b\\udfffc"
    assert storable("😀 \t\n") == "😀 \t\n"
    storable("x\ud800\x00").encode("utf-8")  # encodable: no exception


async def _one_open_task(ctx: AppContext, conv: Conversation, unit: str) -> tuple[str, int]:
    chat = await linked(ctx, conv, unit)
    replies = await say(conv, chat, "/tasks")
    numbers = [int(line.split(".")[0]) for line in replies[0].splitlines()[1:]]
    for n in numbers[1:]:
        await say(conv, chat, f"{n}: không phát sinh")
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
