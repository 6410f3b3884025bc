"""The ward's leadership is reported to, not nagged: a reminder of a task the UBND unit leads
is addressed to the Chủ tịch without the chat-style "Trả lời: 7 xong" line or buttons."""

from __future__ import annotations

from datetime import timedelta

from bot.context import AppContext
from bot.texts.reminders import LEADERSHIP_CLOSING, for_leadership, render_group, render_reminder
from scheduler.planner import plan_ward
from store.queries import AssignmentView, current_assignments


async def _view(ctx: AppContext, unit: str) -> AssignmentView:
    async with ctx.db.session() as s, s.begin():
        await plan_ward(
            s, ctx.settings.ward, ctx.plan, ctx.calendar, ctx.now(), ahead_days=60, stale_after=timedelta(hours=36)
        )
    async with ctx.db.session() as s:
        views = [v for v in await current_assignments(s, ctx.ward_id, ctx.today()) if v.unit_code == unit]
    assert views, unit
    return views[0]


def test_leadership_is_the_chu_tich_and_the_deputies_not_a_unit_head() -> None:
    assert for_leadership("Chủ tịch UBND phường") and for_leadership("Phó Chủ tịch UBND phường")
    assert not for_leadership("Trưởng phòng Văn hóa - Xã hội")
    assert not for_leadership("Chánh Văn phòng HĐND và UBND phường")


async def test_a_reminder_to_the_chu_tich_reports_without_nagging(ctx: AppContext) -> None:
    view = await _view(ctx, "UBND")
    title = ctx.plan.head_title("UBND", view.unit_name)
    one = render_reminder("due", view, ctx.today(), ctx.calendar, [], buttons=True, title=title)
    assert "Kính gửi đồng chí Chủ tịch UBND phường," in one.text
    assert "Trả lời:" not in one.text and LEADERSHIP_CLOSING in one.text and one.buttons == ()
    group = render_group(
        [("due", view, []), ("before", view, [])], ctx.today(), ctx.calendar, buttons=True, title=title
    )
    assert "Trả lời nhiều việc" not in group.text and LEADERSHIP_CLOSING in group.text and group.buttons == ()


async def test_a_unit_head_still_gets_how_to_answer(ctx: AppContext) -> None:
    view = await _view(ctx, "VHXH")
    title = ctx.plan.head_title("VHXH", view.unit_name)
    text = render_reminder("due", view, ctx.today(), ctx.calendar, [], buttons=False, title=title).text
    assert "Kính gửi Trưởng phòng Văn hóa - Xã hội," in text and f"Trả lời: {view.task_label} xong" in text
