"""The way to the desk from chat: `/web` answers with a one-time login link, sent through the
person's own channel (on Zalo, which carries no files, this is how files reach the office)."""

from __future__ import annotations

from bot.actions.desk_links import desk_now, issue_login_link
from bot.conversation.registry import COMMANDS, EVERYONE
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.texts.commands import ABOUT, USAGE
from bot.texts.links import login_message


@COMMANDS.command(
    "web",
    roles=EVERYONE,
    usage=USAGE["web"],
    description=ABOUT["web"],
)
async def cmd_web(t: Turn) -> Reply:
    """A one-time link to the desk for this person (10 minutes by default)."""
    settings = t.ctx.settings
    url = await issue_login_link(t.s, settings, t.person, desk_now(t.ctx))
    return [OutboundMessage(login_message(url, settings.desk_link_minutes))]
