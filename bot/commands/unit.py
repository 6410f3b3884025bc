"""Commands every linked person may use."""

from __future__ import annotations

from bot.conversation.recording import report
from bot.conversation.registry import COMMANDS, EVERYONE
from bot.conversation.tasks import open_views, refs_in, task_view, welcome
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.texts import common as texts
from bot.texts.commands import ABOUT, USAGE
from bot.texts.reminders import status_buttons, tasks_list


@COMMANDS.command("start", roles=EVERYONE, usage=USAGE["start"], description=ABOUT["start"])
async def cmd_start(t: Turn) -> Reply:
    """Welcome again (the chat is already linked)."""
    return [OutboundMessage(await welcome(t.ctx, t.s, t.person))]


@COMMANDS.command("help", roles=EVERYONE, usage=USAGE["help"], description=ABOUT["help"])
async def cmd_help(t: Turn) -> Reply:
    """List the commands."""
    return [OutboundMessage(COMMANDS.help_text(t.person.role))]


@COMMANDS.command("tasks", roles=EVERYONE, usage=USAGE["tasks"], description=ABOUT["tasks"], reads_only=True)
async def cmd_tasks(t: Turn) -> Reply:
    """My unit's open tasks."""
    if t.person.unit_id is None:
        return [OutboundMessage(texts.NO_UNIT)]
    views = await open_views(t)
    text = tasks_list(views, t.ctx.calendar, t.ctx.today())
    if t.buttons and len(views) == 1:
        return [OutboundMessage(text, status_buttons(views[0].id))]
    return [OutboundMessage(text)]


@COMMANDS.command(
    "status",
    roles=EVERYONE,
    usage=USAGE["status"],
    description=ABOUT["status"],
)
async def cmd_status(t: Turn) -> Reply:
    """/status N TEXT — report on task N (a number or a label such as II.3)."""
    ref = next((r for r in await refs_in(t, t.args) if r.rest and r.separated), None)
    if ref is None:
        return [OutboundMessage(texts.USAGE_STATUS)]
    view = await task_view(t, ref.stt)
    if view is None:
        return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=ref.label))]
    return await report(t, view, ref.rest)


@COMMANDS.command(
    "prefer",
    roles=EVERYONE,
    usage=USAGE["prefer"],
    description=ABOUT["prefer"],
)
async def cmd_prefer(t: Turn) -> Reply:
    """Receive reminders on this channel (a person linked on Telegram and Zalo gets one copy)."""
    channel = t.identity.channel
    t.person.preferred_channel = channel
    return [OutboundMessage(texts.PREFERRED.format(channel=texts.CHANNEL_NAMES.get(channel, channel)))]
