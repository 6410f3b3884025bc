"""A leader is a role the console offers (issue 24, item 7): acting as the ward's leadership,
/summary answers with the standing and the units' rating, as for the office."""

from __future__ import annotations

from bot.channels.console import choices, ensure_console_person
from bot.context import AppContext
from bot.conversation.handle import Conversation
from tests.helpers import say


async def test_the_console_offers_a_leader_whose_summary_works(ctx: AppContext) -> None:
    picked = [(code, role) for code, role, label in choices(ctx) if role == "leader"]
    assert picked == [(ctx.plan.coordinating_unit, "leader")]
    identity = await ensure_console_person(ctx, *picked[0])
    assert identity.display_name == "Lãnh đạo"
    summary = (await say(Conversation(ctx), identity.chat_id, "/summary"))[0]
    assert summary.startswith("TỔNG HỢP TIẾN ĐỘ") and "XẾP LOẠI ĐƠN VỊ" in summary
