"""The channel-agnostic conversation: store a message, then answer it.

Every inbound message is stored raw in its own transaction before it is interpreted, so a
crash while interpreting loses nothing, and a redelivered message is stored (and answered)
once. Then a stranger is linked (bot/conversation/linking.py), a command goes to its handler
(bot/commands/, through the registry) and anything else is read as words
(bot/conversation/free_text.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.evidence_files import FetchedFile
from bot.context import AppContext, NotReadYet, ReplySender
from bot.conversation.free_text import button, free_text
from bot.conversation.linking import unlinked
from bot.conversation.products import fetch_files
from bot.conversation.registry import COMMANDS
from bot.conversation.turn import Reply, Turn
from bot.conversation.wards import choose_ward, home_plan
from bot.messages import FileSource, InboundMessage, OutboundMessage
from bot.texts import common as texts
from bot.texts import wards as texts_wards
from store.db import database_away
from store.inbound import claim_answer, store_inbound
from store.models import ChatIdentity, Person
from store.outbox import LeasedReply, insert_reminders, queue_leased_reply, queue_reply, queued_for_claim
from store.people import adopt_sender, identity_with_person

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/(?P<name>[a-zA-Z_]+)(?:@\w+)?(?:\s+(?P<args>.*))?$", re.S)

# The terminal shows replies as they are made; every messenger gets them through the outbox.
INLINE_CHANNELS = frozenset({"console"})
__all__ = ["COMMANDS", "Conversation", "INLINE_CHANNELS"]


class Conversation:
    """Answers the messages of every channel; `file_sources` (set by the channel adapters)
    says how each channel fetches a file a person sent."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.file_sources: dict[str, FileSource] = {}
        # Stored messages whose answer met the database away: inbound id → (message, buttons).
        self.held: dict[int, tuple[InboundMessage, bool]] = {}
        # How each messenger reads a stored raw update back (for messages a stopped process
        # stored and never answered): channel → (raw JSON → message or None, buttons).
        self.readers: dict[str, tuple[Callable[[str], InboundMessage | None], bool]] = {}
        # Answers waiting for the person's ward to be served (its plan file still being read).
        self.waiting: set[asyncio.Task[bool]] = set()

    async def handle(self, msg: InboundMessage, *, buttons: bool = False) -> Reply:
        """Store `msg`, interpret it and return the replies for its chat (the console and
        tests: any failure is raised)."""
        inbound_id = await self.store(msg)
        if inbound_id is None:
            return []
        while True:
            try:
                return await self.interpret(msg, inbound_id, buttons=buttons)
            except NotReadYet as pending:
                await pending.reading.progress()

    async def receive(self, msg: InboundMessage, *, buttons: bool = False) -> None:
        """What a messenger calls: raises when `msg` could not be stored, so its platform is
        told to send it again (a webhook answers 503, a poller holds its place); once
        stored, never raises — an answer the database was away for is produced later from
        the stored row (`answer_held`), a bug is answered with an apology."""
        inbound_id = await self.store(msg)
        if inbound_id is not None:
            await self.settle(msg, inbound_id, buttons=buttons)

    async def store(self, msg: InboundMessage) -> int | None:
        """The raw message, in its own transaction (one statement, committed when it
        returns); None when it was stored before."""
        async with self.ctx.db.one_statement() as session, session.begin():
            inbound_id = await store_inbound(session, _inbound_row(msg, self.ctx.now()))
        if inbound_id is None:
            log.info("duplicate inbound %s/%s/%s ignored", msg.channel, msg.chat_id, msg.message_id)
        return inbound_id

    async def settle(self, msg: InboundMessage, inbound_id: int, *, buttons: bool) -> bool:
        """Answer a stored message, containing what fails: True when it is answered (or
        apologised to, or waits for its ward's plan to be read). The database away: kept in
        `held` for `answer_held`."""
        try:
            await self.interpret(msg, inbound_id, buttons=buttons)
        except NotReadYet as pending:
            # Stored, and answered once the ward's plan is read: the channel's next messages
            # (a stranger's, a served ward's) do not wait behind it.
            task = asyncio.create_task(self._when_read(pending, msg, inbound_id, buttons))
            self.waiting.add(task)
            task.add_done_callback(self.waiting.discard)
            return True
        except Exception as exc:
            if database_away(exc):
                log.warning(
                    "inbound %s stored, answer postponed: the database is away (%s)", inbound_id, type(exc).__name__
                )
                self.held[inbound_id] = (msg, buttons)
                return False
            log.exception("error answering inbound %s (%s chat %s)", inbound_id, msg.channel, msg.chat_id)
            return await self._apologise(msg, inbound_id)
        self.held.pop(inbound_id, None)
        return True

    async def _when_read(self, pending: NotReadYet, msg: InboundMessage, inbound_id: int, buttons: bool) -> bool:
        await pending.reading.progress()
        return await self.settle(msg, inbound_id, buttons=buttons)

    async def answer_held(self) -> int:
        """Answer the messages stored while the database went away before their answer;
        how many are still held (it stops at the first that meets the database away)."""
        for inbound_id, (msg, buttons) in list(self.held.items()):
            if not await self.settle(msg, inbound_id, buttons=buttons):
                break
        return len(self.held)

    async def _apologise(self, msg: InboundMessage, inbound_id: int) -> bool:
        """A message whose interpretation failed (a bug, not the database): marked
        answered with outcome "error" and answered with an apology, once."""
        now = self.ctx.now()
        try:
            async with self.ctx.db.session() as session, session.begin():
                if not await claim_answer(session, inbound_id, now, "error", None):
                    return True
                if msg.channel not in INLINE_CHANNELS:
                    await queue_reply(
                        session, self.ctx.ward_id, inbound_id, msg.channel, msg.chat_id, None, texts.APOLOGY, [], now
                    )
        except Exception as exc:
            log.warning("could not record the failure of inbound %s (%s)", inbound_id, type(exc).__name__)
            if database_away(exc):
                self.held[inbound_id] = (msg, False)
            return False
        self.held.pop(inbound_id, None)
        self.ctx.wake()
        return True

    async def interpret(self, msg: InboundMessage, inbound_id: int, *, buttons: bool = False) -> Reply:
        """Interpret stored message `inbound_id` and queue its answer; [] when it was
        answered already (by another worker, or by an earlier try)."""
        now = self.ctx.now()
        files = await fetch_files(self.ctx, self.file_sources, msg)  # before any transaction
        answered = None
        if _reads_only(msg):
            # A summary or an export: read in a read session (on SQLite no write lock is
            # held while it reads), then answered in a short write transaction below.
            async with self.ctx.db.read() as session:
                answered = await _interpret(self.ctx, session, msg, inbound_id, buttons, files, reading=True)
        try:
            async with self.ctx.db.session() as session, session.begin():
                if answered is None:  # anything that writes: read and written in one transaction
                    answered = await _interpret(self.ctx, session, msg, inbound_id, buttons, files)
                assert answered is not None
                # Claimed with its outcome, in one statement: a transaction that finds it
                # answered already (by another worker, or by an earlier try) undoes its work.
                if not await claim_answer(session, inbound_id, now, answered.outcome, answered.identity_id):
                    raise _AnsweredAlready
                await insert_reminders(session, answered.queued)
                replies, leased = self.ctx.replies, None
                if answered.replies and msg.channel not in INLINE_CHANNELS:
                    leased = await _queue_answer(session, replies, msg, inbound_id, answered, self.ctx.ward_id, now)
                queued = queued_for_claim(session)
        except _AnsweredAlready:
            log.info("inbound %s was answered already", inbound_id)
            return []
        if leased is not None and replies is not None:
            replies.hand_over(leased)  # committed: sent now, without a claim of its own
        if queued and msg.channel not in INLINE_CHANNELS:
            # An answer not handed over, a file asked for, a notice to the office: claimed now.
            self.ctx.wake()
        return answered.replies


class _AnsweredAlready(Exception):
    """Rolls back the transaction of an answer to a message another one answered first."""


async def _queue_answer(
    session: AsyncSession,
    replies: ReplySender | None,
    msg: InboundMessage,
    inbound_id: int,
    answered: Answered,
    default_ward: int,
    now: datetime,
) -> LeasedReply | None:
    """Queue the answer with what it confirms, in the same transaction: a reply the bot
    gives is sent, or retried like any reminder — never lost to a 502. Claimed by the
    running dispatcher (`replies`) when it sends on the channel, with the "sending" attempt
    of its send (scheduler/dispatcher/direct.py): returned, to hand over once committed."""
    ward_id = answered.ward_id if answered.ward_id is not None else default_ward
    text, buttons = _joined(answered.replies)
    leased = replies.lease(msg.channel, now) if replies is not None else None
    answer = (ward_id, inbound_id, msg.channel, msg.chat_id, answered.person_id, text, buttons, now)
    if leased is None:
        await queue_reply(session, *answer)
        return None
    return await queue_leased_reply(session, leased, *answer)


_TEXT_FIELDS = ("channel", "chat_id", "message_id", "sender_id", "sender_name", "text", "reply_to_message_id", "raw")


def _inbound_row(msg: InboundMessage, now: Any) -> dict[str, Any]:
    """The row stored for `msg`; ValueError for a message an adapter built from an update
    of the wrong shape (a list where a name belongs): it is refused as unreadable (a
    webhook answers 400), never retried as if the database were away."""
    for name in _TEXT_FIELDS:
        value = getattr(msg, name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"unreadable update: {name} is {type(value).__name__}")
    return {
        "channel": msg.channel,
        "chat_id": msg.chat_id,
        "message_id": msg.message_id,
        "sender_id": msg.sender_id,
        "sender_name": msg.sender_name,
        "text": msg.text or "",
        "reply_to_message_id": msg.reply_to_message_id,
        "raw": msg.raw if msg.raw is not None else json.dumps(asdict(msg), default=str, ensure_ascii=False),
        "sent_at": msg.sent_at,
        "received_at": now,
    }


def _reads_only(msg: InboundMessage) -> bool:
    command = _COMMAND.match((msg.text or "").strip())
    registered = COMMANDS.get(command["name"].lower()) if command else None
    if registered is None or not registered.reads_only or msg.callback_data:
        return False
    return msg.channel not in registered.writes_on


async def _linked_identity(
    s: AsyncSession, msg: InboundMessage, *, reading: bool
) -> tuple[ChatIdentity | None, Person | None, bool]:
    """The chat's identity and its person when the message comes from the person who
    linked it (None, None for a stranger), and whether finding out needs a write (a sender
    to adopt) in a read session."""
    found = await identity_with_person(s, msg.channel, msg.chat_id)
    if found is None:
        return None, None, False
    identity, person = found
    if reading and identity.sender_id is None and msg.private and msg.sender_id is not None:
        return None, None, True  # _same_sender records the sender: a write
    if not await _same_sender(s, identity, msg):
        return None, None, False  # someone other than the person who linked this chat: a stranger here
    return identity, person, False


async def _interpret(
    ctx: AppContext,
    s: AsyncSession,
    msg: InboundMessage,
    inbound_id: int,
    buttons: bool,
    files: list[FetchedFile],
    *,
    reading: bool = False,
) -> Answered | None:
    """The answer to `msg`. `reading`: `s` is a read session and the message a reads-only
    command; None when it turns out to need a write (a stranger, a sender to adopt), to be
    interpreted again in a write transaction."""
    text = (msg.text or "").strip()
    command = _COMMAND.match(text)
    identity, person, needs_write = await _linked_identity(s, msg, reading=reading)
    if needs_write:
        return None
    if identity is None or person is None or person.unlinked_at is not None:
        # A stranger, or a person the office unlinked (/huy): the chat can only link.
        if reading:
            return None
        replies, outcome, linked = await unlinked(ctx, s, msg, text, command)
        return Answered(replies, outcome, None, person=linked or person)
    plan = home_plan(ctx, person)
    if plan is None:
        return Answered([OutboundMessage(texts_wards.WARD_NOT_SERVED)], "ward_not_served", identity.id, person=person)
    turn = Turn(ctx, s, msg, person, identity, inbound_id, buttons, person.ward_id, plan, files=files)
    if msg.callback_data:
        return Answered(await button(turn, msg.callback_data), "button", identity.id, person=person)
    if command:
        return await _command(turn, command["name"].lower(), command["args"] or "")
    return Answered(await free_text(turn, text), "text", identity.id, person=person)


async def _command(t: Turn, name: str, args: str) -> Answered:
    identity_id, person = t.identity.id, t.person
    registered = COMMANDS.get(name)
    if registered is None:
        unknown = [OutboundMessage(texts.UNKNOWN_COMMAND.format(name=name))]
        return Answered(unknown, "unknown_command", identity_id, person=person)
    if not registered.allows(person.role):
        return Answered([OutboundMessage(registered.refusal())], "refused", identity_id, person=person)
    t.args = args.strip()
    if (answer := await choose_ward(t, name)) is not None:
        return Answered(answer, f"/{name}", identity_id, person=person)
    replies = await registered.handler(t)
    return Answered(replies, f"/{name}", identity_id, t.queued, person=person)


async def _same_sender(s: AsyncSession, identity: ChatIdentity, msg: InboundMessage) -> bool:
    """Whether `msg` comes from the person who linked its chat.

    A chat linked before senders were recorded trusts its first private message and records
    its sender; in a group such a link cannot tell its person from the others, so nobody
    acts through it until the person links again in a private chat."""
    if identity.sender_id is None:
        if not msg.private:
            return False
        if msg.sender_id is not None:
            await adopt_sender(s, identity, msg.sender_id)
        return True
    return msg.sender_id == identity.sender_id


@dataclass
class Answered:
    """What a message is answered with: the replies, how it was handled (inbound outcome),
    the chat identity it came through, the files queued for the chat, and the person
    answered (None for a stranger): their ward is the reply's."""

    replies: Reply
    outcome: str
    identity_id: int | None
    queued: list[dict[str, Any]] = field(default_factory=list)
    person: Person | None = None

    @property
    def ward_id(self) -> int | None:
        return self.person.ward_id if self.person is not None else None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person is not None else None


def _joined(replies: Reply) -> tuple[str, list[tuple[str, str]]]:
    """The replies to one message as one message, so they cannot arrive out of order; the
    buttons of the last reply that has any ride on it."""
    buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
    return "\n\n".join(r.text for r in replies), [(b.label, b.data) for b in buttons]
