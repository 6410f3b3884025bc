"""Answers for messages that were stored but not answered: nothing a person wrote is lost
to a database outage, and nobody is asked to send it again.

Two sources: the messages this process stored while the database went away before their
answer (`Conversation.held`, tried again every few seconds), and, once at start, those a
stopped process stored and never answered (read back from their raw update by the
channel's reader). `claim_answer` makes each answered once, whoever gets there first.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from bot.actions.notices import notify_office
from bot.conversation.handle import Conversation
from bot.texts.operator import inbound_held_notice
from store.db import database_away
from store.inbound import unanswered

log = logging.getLogger(__name__)

RETRY_SECONDS = 3.0
LEFT_BATCH = 200


async def answer_left_unanswered(conv: Conversation, started: datetime, max_age: timedelta) -> int:
    """Answer the messages of the channels served here stored before `started` (and within
    `max_age`: a message older than the bot's horizon is not answered weeks later) and
    never answered; how many were answered."""
    if not conv.readers:
        return 0
    async with conv.ctx.db.read() as s:
        rows = await unanswered(s, list(conv.readers), started - max_age, started, LEFT_BATCH)
        left = [(row.id, row.channel, row.raw or "") for row in rows]
    done = 0
    for inbound_id, channel, raw in left:
        read, buttons = conv.readers[channel]
        try:
            msg = read(raw)
        except Exception as exc:  # a raw update this code no longer reads
            log.warning("stored inbound %s cannot be read back (%s); left unanswered", inbound_id, type(exc).__name__)
            continue
        if msg is None:
            continue
        if not await conv.settle(msg, inbound_id, buttons=buttons):
            break  # the database is away again: these are held and tried again
        done += 1
    if done:
        log.info("answered %d message(s) stored before the start and never answered", done)
    return done


async def keep_answering(conv: Conversation, stop: asyncio.Event, max_age: timedelta) -> None:
    """Run beside the channels: once the messages left by a stopped process, then the held
    ones every few seconds, until `stop`."""
    started = conv.ctx.now()
    pending_start = True
    while not stop.is_set():
        try:
            if pending_start:
                await answer_left_unanswered(conv, started, max_age)
                pending_start = False
            if conv.held:
                await conv.answer_held()
        except Exception as exc:
            if not database_away(exc):
                log.exception("answering stored messages failed")
            else:
                log.warning("answering stored messages: the database is away (%s)", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
        except TimeoutError:
            pass


async def tell_office_of_hold(conv: Conversation, channel: str, seconds: float) -> None:
    """Each served ward's office hears that `channel`'s messages could not be stored for
    `seconds` (ending now), and that none was lost. One notice per hold."""
    ended = conv.ctx.now()
    began = ended - timedelta(seconds=seconds)
    body = inbound_held_notice(channel, began, ended, conv.ctx.calendar.zone)
    key = f"held:{channel}:{ended.astimezone(UTC):%Y%m%d%H%M%S}"
    async with conv.ctx.db.session() as s, s.begin():
        for ward in conv.ctx.served():
            await notify_office(s, ward.ward_id, key, body, ended)
    conv.ctx.wake()
