"""The desk's decisions and the chat's are one: the same words reach the unit, the same
history is kept, whichever way the office decided."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.desk.app import desk_app
from store.models import Reminder, StatusReport
from tests.desk_support import csrf_of, log_in, two_wards
from tests.helpers import linked, say


async def _bodies(ctx: AppContext, prefix: str) -> list[str]:
    async with ctx.db.read() as s:
        rows = await s.scalars(select(Reminder.body).where(Reminder.key.like(f"{prefix}%")).order_by(Reminder.id))
        return [b or "" for b in rows]


async def test_returning_at_the_desk_tells_the_unit_what_the_chat_would(ctx: AppContext) -> None:
    wards = await two_wards(ctx)
    conv = Conversation(ctx)
    office_chat = await linked(ctx, conv, "VHXH", role="office", name="Văn phòng VHXH")
    answer = await say(conv, office_chat, "/tralai 4 VHXH thiếu chữ ký")
    assert answer and "4" in answer[0]
    by_chat = await _bodies(ctx, "returned:")
    await say(conv, wards.chat_vhxh, "4 xong CV 46/UBND-VHXH ngày 21/6/2026")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=desk_app(ctx, secret=b"k" * 32)), base_url="http://desk.test"
    ) as client:
        await log_in(client, ctx, wards.office_a)
        csrf = csrf_of((await client.get("/nhiem-vu/4")).text)
        await client.post("/nhiem-vu/4/tra-lai", data={"csrf": csrf, "don_vi": "VHXH", "ly_do": "thiếu chữ ký"})
    by_desk = (await _bodies(ctx, "returned:"))[len(by_chat) :]
    assert by_chat and by_desk == by_chat  # the same words, to the same people
    async with ctx.db.read() as s:
        returned = list(await s.scalars(select(StatusReport.note).where(StatusReport.review == "returned")))
    assert returned == ["thiếu chữ ký", "thiếu chữ ký"]


async def test_approving_at_the_desk_moves_the_deadline_as_duyet_does(ctx: AppContext) -> None:
    from store.models import Assignment, ExtensionRequest

    wards = await two_wards(ctx)  # VHXH asked to extend task 1 to 15/07/2026
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=desk_app(ctx, secret=b"k" * 32)), base_url="http://desk.test"
    ) as client:
        await log_in(client, ctx, wards.office_a)
        csrf = csrf_of((await client.get("/nhiem-vu/1")).text)
        await client.post("/nhiem-vu/1/duyet-gia-han", data={"csrf": csrf, "don_vi": "VHXH"})
        page = await client.get("/nhiem-vu/1")
    assert "15/07/2026" in page.text and "Nguyễn Thị Lan" in page.text  # who decided, in the task's history
    async with ctx.db.read() as s:
        request = await s.scalar(select(ExtensionRequest))
        extended = list(await s.scalars(select(Assignment.extended_due).where(Assignment.extended_due.is_not(None))))
        told = await _bodies(ctx, f"ext:{request.id if request else 0}:approved:")
    assert request is not None and request.state == "approved" and request.decided_by == wards.office_a
    assert [d.isoformat() if d is not None else None for d in extended] == ["2026-07-15"]
    conv = Conversation(ctx)
    office_chat = await linked(ctx, conv, "VHXH", role="office", name="Văn phòng VHXH")
    await say(conv, wards.chat_vhxh, "/giahan 1 31/07/2026 chờ số liệu")
    await say(conv, office_chat, "/duyet 1 VHXH")
    async with ctx.db.read() as s:
        second = (await s.scalars(select(ExtensionRequest).order_by(ExtensionRequest.id))).all()[-1]
    by_chat = await _bodies(ctx, f"ext:{second.id}:approved:")
    assert told and by_chat
    assert by_chat[0] == told[0].replace("15/07/2026", "31/07/2026")  # the same words, another day
