"""A chat (or a sender) not linked yet: it can only link, with a one-time code, and only in a
private chat; a stranger learns nothing but how to link."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.people import LinkRefusal, link_throttled, redeem_code
from bot.context import AppContext
from bot.conversation.tasks import welcome
from bot.conversation.turn import Reply
from bot.messages import InboundMessage, OutboundMessage
from bot.texts import common as texts
from scheduler.folding import fold
from store.models import Person
from store.people import CodeState

_LINK_TEXT = re.compile(r"^(?:lien\s*ket|link|ma|start)\s*:?\s*(?P<code>\d{6})$")


def code_in(text: str, command: re.Match[str] | None) -> str | None:
    """The link code a message carries: "/start 123456", "LIENKET 123456" (Zalo has no
    commands), or the six digits alone."""
    if command and command["name"].lower() == "start" and command["args"]:
        return command["args"].strip()
    if m := _LINK_TEXT.match(fold(text)):
        return m["code"]
    if re.fullmatch(r"\d{6}", text):
        return text
    return None


async def unlinked(
    ctx: AppContext, s: AsyncSession, msg: InboundMessage, text: str, command: re.Match[str] | None
) -> tuple[Reply, str, Person | None]:
    """The answer to a chat that is not linked, how it was handled, and the person it is
    now linked to (a good code)."""
    code = code_in(text, command)
    if not msg.private:
        # In a group a code is seen by everyone, and the link would be everyone's.
        if code is not None:
            return [OutboundMessage(texts.LINK_IN_GROUP)], "link_in_group", None
        if command:
            return [OutboundMessage(texts.HOW_TO_LINK_IN_GROUP)], "unlinked", None
        return [], "unlinked_group", None  # the group's own talk is not for the bot
    if code is None:
        return [OutboundMessage(texts.HOW_TO_LINK)], "unlinked", None
    replies, person = await link(ctx, s, msg, code)
    return replies, "link", person


async def link(ctx: AppContext, s: AsyncSession, msg: InboundMessage, code: str) -> tuple[Reply, Person | None]:
    now = ctx.now()
    refusal = await link_throttled(s, msg.channel, msg.chat_id, now)
    if refusal is not None:
        return [OutboundMessage(texts.LINK_THROTTLED if refusal == LinkRefusal.CHAT else texts.LINK_BUSY)], None
    got = await redeem_code(s, code, msg.channel, msg.chat_id, msg.sender_id, msg.sender_name or "", now)
    if got.person is None:
        return [OutboundMessage(_NOT_LINKED[got.state or CodeState.UNKNOWN])], None
    return [OutboundMessage(await welcome(ctx, s, got.person))], got.person


# What a code that did not link is answered with; only UNKNOWN was counted as a wrong code.
_NOT_LINKED = {
    CodeState.UNKNOWN: texts.LINK_BAD_CODE,
    CodeState.USED: texts.LINK_CODE_USED,
    CodeState.EXPIRED: texts.LINK_CODE_EXPIRED,
    CodeState.LINKED_HERE: texts.LINK_ALREADY_LINKED,
}
