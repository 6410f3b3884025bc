"""The channel-agnostic conversation: linking, commands, status replies.

Every inbound message is stored raw in its own transaction before it is interpreted, so a
crash while interpreting loses nothing, and a redelivered message is stored (and answered)
once.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.people import LinkRefusal, link_throttled, redeem_code
from bot.commands.city import CityCommands
from bot.commands.extensions import ExtensionCommands
from bot.commands.office import OfficeCommands
from bot.commands.people import PeopleCommands, refused_text
from bot.commands.review import ReviewCommands
from bot.commands.targets import TargetCommands
from bot.commands.unit import UnitCommands
from bot.conversation.turn import COMMANDS, Reply, Turn
from bot.messages import InboundMessage, OutboundMessage
from bot.reading.replies import STATUSES, ParsedReply, needs_confirmation, parse_reply, read_confirmation
from bot.reading.task_refs import split_answers
from bot.texts import common as texts
from bot.texts import wards as texts_wards
from scheduler.folding import fold
from store.inbound import mark_processed, store_inbound
from store.models import ChatIdentity, Person
from store.outbox import insert_reminders, queue_reply
from store.people import adopt_sender, identity_by_chat
from store.queries import (
    AssignmentView,
    assignment_view,
    task_labels,
)

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/(?P<name>[a-zA-Z_]+)(?:@\w+)?(?:\s+(?P<args>.*))?$", re.S)
_LINK_TEXT = re.compile(r"^(?:lien\s*ket|link|ma|start)\s*:?\s*(?P<code>\d{6})$")

# The terminal shows replies as they are made; every messenger gets them through the outbox.
INLINE_CHANNELS = frozenset({"console"})
__all__ = ["COMMANDS", "Conversation", "INLINE_CHANNELS"]


class Conversation(
    ReviewCommands, CityCommands, PeopleCommands, ExtensionCommands, TargetCommands, OfficeCommands, UnitCommands
):
    # --- entry point -----------------------------------------------------------------------

    async def handle(self, msg: InboundMessage, *, buttons: bool = False) -> Reply:
        """Store `msg`, interpret it and return the replies for its chat."""
        now = self.ctx.now()
        async with self.ctx.db.session() as session, session.begin():
            inbound_id = await store_inbound(
                session,
                {
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
                },
            )
        if inbound_id is None:
            log.info("duplicate inbound %s/%s/%s ignored", msg.channel, msg.chat_id, msg.message_id)
            return []
        await self._fetch_files(msg, inbound_id)  # evidence files, before any transaction
        try:
            answered = None
            if self._reads_only(msg):
                # A summary or an export: read in a read session (on SQLite no write lock is
                # held while it reads), then answered in a short write transaction below.
                async with self.ctx.db.read() as session:
                    answered = await self._interpret(session, msg, inbound_id, buttons, reading=True)
            async with self.ctx.db.session() as session, session.begin():
                if answered is None:  # anything that writes: read and written in one transaction
                    answered = await self._interpret(session, msg, inbound_id, buttons)
                assert answered is not None
                await mark_processed(session, inbound_id, now, answered.outcome, answered.identity_id)
                await insert_reminders(session, answered.queued)
                if answered.replies and msg.channel not in INLINE_CHANNELS:
                    # Queued with what it confirms, in the same transaction: a reply the bot
                    # gives is sent, or retried like any reminder — never lost to a 502.
                    identity = await identity_by_chat(session, msg.channel, msg.chat_id)
                    person = await session.get(Person, identity.person_id) if identity else None
                    await queue_reply(
                        session,
                        person.ward_id if person else self.ctx.ward_id,
                        inbound_id,
                        msg.channel,
                        msg.chat_id,
                        identity.person_id if identity else None,
                        *_joined(answered.replies),
                        now,
                    )
        finally:
            self._forget_files(inbound_id)
        if msg.channel not in INLINE_CHANNELS:
            # The answer (or a file asked for, which has no text answer) is in the outbox.
            self.ctx.wake()
        return answered.replies

    @staticmethod
    def _reads_only(msg: InboundMessage) -> bool:
        command = _COMMAND.match((msg.text or "").strip())
        registered = COMMANDS.get(command["name"].lower()) if command else None
        return registered is not None and registered.reads_only and not msg.callback_data

    async def _interpret(
        self, s: AsyncSession, msg: InboundMessage, inbound_id: int, buttons: bool, *, reading: bool = False
    ) -> Answered | None:
        """The answer to `msg`. `reading`: `s` is a read session and the message a reads-only
        command; None when it turns out to need a write (a stranger, a sender to adopt), to be
        interpreted again in a write transaction."""
        text = (msg.text or "").strip()
        identity = await identity_by_chat(s, msg.channel, msg.chat_id)
        if (
            reading
            and identity is not None
            and identity.sender_id is None
            and msg.private
            and msg.sender_id is not None
        ):
            return None  # _same_sender records the sender: a write
        if identity is not None and not await _same_sender(s, identity, msg):
            # Someone other than the person who linked this chat: a stranger here.
            identity = None
        command = _COMMAND.match(text)
        if identity is None:
            return None if reading else Answered(*await self._unlinked(s, msg, text, command))
        person = await s.get(Person, identity.person_id)
        assert person is not None
        if person.unlinked_at is not None:
            # Unlinked by the office (/huy): the chat is a stranger's until linked again.
            return None if reading else Answered(*await self._unlinked(s, msg, text, command))
        plan = self._home_plan(person)
        if plan is None:
            return Answered([OutboundMessage(texts_wards.WARD_NOT_SERVED)], "ward_not_served", identity.id)
        turn = Turn(s, msg, person, identity, inbound_id, buttons, person.ward_id, plan)
        if msg.callback_data:
            return Answered(await self._button(turn, msg.callback_data), "button", identity.id)
        if command:
            name = command["name"].lower()
            registered = COMMANDS.get(name)
            if registered is None:
                return Answered(
                    [OutboundMessage(texts.UNKNOWN_COMMAND.format(name=name))], "unknown_command", identity.id
                )
            if not registered.allows(person.role):
                refusal = texts.OFFICE_ONLY if registered.office_only else refused_text(registered.roles)
                return Answered([OutboundMessage(refusal)], "refused", identity.id)
            turn.args = (command["args"] or "").strip()
            if (answer := await self._choose_ward(turn, name)) is not None:
                return Answered(answer, f"/{name}", identity.id)
            replies: Reply = await registered.handler(self, turn)
            return Answered(replies, f"/{name}", identity.id, turn.queued)
        return Answered(await self._free_text(turn, text), "text", identity.id)

    # --- linking ---------------------------------------------------------------------------

    async def _unlinked(
        self, s: AsyncSession, msg: InboundMessage, text: str, command: re.Match[str] | None
    ) -> tuple[Reply, str, int | None]:
        """A chat (or a sender) not linked: it can only link, and only in a private chat."""
        code = None
        if command and command["name"].lower() == "start" and command["args"]:
            code = command["args"].strip()
        elif m := _LINK_TEXT.match(fold(text)):
            code = m["code"]
        elif re.fullmatch(r"\d{6}", text):
            code = text
        if not msg.private:
            # In a group a code is seen by everyone, and the link would be everyone's.
            if code is not None:
                return [OutboundMessage(texts.LINK_IN_GROUP)], "link_in_group", None
            if command:
                return [OutboundMessage(texts.HOW_TO_LINK_IN_GROUP)], "unlinked", None
            return [], "unlinked_group", None  # the group's own talk is not for the bot
        if code is None:
            return [OutboundMessage(texts.HOW_TO_LINK)], "unlinked", None
        return await self._link(s, msg, code), "link", None

    async def _link(self, s: AsyncSession, msg: InboundMessage, code: str) -> Reply:
        now = self.ctx.now()
        refusal = await link_throttled(s, msg.channel, msg.chat_id, now)
        if refusal is not None:
            return [OutboundMessage(texts.LINK_THROTTLED if refusal == LinkRefusal.CHAT else texts.LINK_BUSY)]
        person = await redeem_code(s, code, msg.channel, msg.chat_id, msg.sender_id, msg.sender_name or "", now)
        if person is None:
            return [OutboundMessage(texts.LINK_BAD_CODE)]
        return [OutboundMessage(await self._welcome(s, person))]

    # --- statuses --------------------------------------------------------------------------

    async def _free_text(self, t: Turn, text: str) -> Reply:
        # "xin gia hạn nhiệm vụ 4 đến 15/7 vì …", "hội nghị 12, trực tuyến 8": requests in
        # words, read before any status so they are never taken for one.
        for words in (self._extension_words, self._target_words):
            if (asked := await words(t, text)) is not None:
                return asked
        # "1 xong; 4 đang làm 50%, 7 vướng: chờ hướng dẫn", "6, 7 xong": several at once.
        if (several := await self._several(t, text)) is not None:
            return several
        # "3: đã xong", "II.3 xong" — an explicit task label always wins.
        if (ref := await self._leading_task(t, text)) is not None:
            target = await self._task_view(t, ref.stt)
            if target is None:
                # Never file it under another task: a wrong label gets a question back.
                return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=ref.label))]
            return await self._report(t, target, ref.rest)
        # A reply to a reminder attaches to that reminder's task; a reply to a message that
        # carried several tasks asks which, among those tasks only.
        if t.msg.reply_to_message_id:
            replied = await self._replied_reminders(t)
            if len(replied) == 1:
                return await self._report(t, replied[0], text)
            if len(replied) > 1:
                if parse_reply(text).status == "none":
                    return [OutboundMessage(texts.ASK_AGAIN)]
                t.identity.pending_kind, t.identity.pending_text, t.identity.pending_assignment_id = "which", text, None
                return [OutboundMessage(texts.ask_which_of([v.task_label for v in replied]))]
        pending = await self._pending(t, text)
        if pending is not None:
            return pending
        parsed = parse_reply(text)
        if parsed.status == "none":
            return [OutboundMessage(texts.ASK_AGAIN)]
        open_views = await self._open(t.s, t.person)
        if len(open_views) == 1:
            return await self._store(t, open_views[0], parsed)
        if not open_views:
            return [OutboundMessage(texts.NO_OPEN_TASKS)]
        t.identity.pending_kind, t.identity.pending_text, t.identity.pending_assignment_id = "which", text, None
        labels = {v.task_stt: v.task_label for v in open_views}
        return [OutboundMessage(texts.ask_which([labels[stt] for stt in sorted(labels)]))]

    async def _pending(self, t: Turn, text: str) -> Reply | None:
        """An answer to the question the bot asked last (which task, what percent, why)."""
        identity = t.identity
        if (product := await self._evidence_answer(t, text)) is not None:
            return product  # a document number, a link or a file: a task's evidence
        kind = identity.pending_kind
        if kind == "confirm" and identity.pending_assignment_id:
            answered = read_confirmation(text, ParsedReply("unclear_done", None, identity.pending_text or None))
            view = await assignment_view(t.s, identity.pending_assignment_id)
            if answered is None or view is None:
                return None  # not an answer to the question: read it as a new reply
            return await self._store(t, view, answered)
        if kind == "which":
            refs = await self._task_refs(t, text)
            ref = next((r for r in refs if not r.rest and r.sep in ("", ".", ")")), None)
            if ref is None:
                return None
            view = await self._task_view(t, ref.stt)
            if view is None:
                return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=ref.label))]
            return await self._report(t, view, identity.pending_text or "")
        if kind in ("percent", "reason") and identity.pending_assignment_id:
            view = await assignment_view(t.s, identity.pending_assignment_id)
            if view is None:
                return None
            parsed = parse_reply(text)
            if kind == "percent":
                m = re.fullmatch(r"(\d{1,3})\s*%?", text.strip())
                if m and int(m[1]) <= 100:
                    parsed = ParsedReply("done" if int(m[1]) == 100 else "in_progress", int(m[1]), view.note)
                elif parsed.status == "none":
                    return None
            elif parsed.status in ("none", "blocked"):
                parsed = ParsedReply("blocked", parsed.percent, parsed.note or text.strip())
            return await self._store(t, view, parsed)
        return None

    async def _several(self, t: Turn, text: str) -> Reply | None:
        """Several answers in one line, each recorded, one confirmation listing them all; None
        when the text names fewer than two tasks (the one-task paths handle it)."""
        labels = await task_labels(t.s, t.ward_id)
        pieces = split_answers(text, labels)
        if pieces is None:
            return None
        lines: list[str] = []
        asked_reason: AssignmentView | None = None
        for refs, words in pieces:
            parsed = parse_reply(words)
            for ref in refs:
                view = await self._task_view(t, ref.stt)
                if view is None:
                    lines.append(texts.NOT_YOUR_TASK.format(stt=ref.label))
                elif parsed.status == "none":
                    lines.append(texts.ASK_AGAIN_FOR.format(stt=view.task_label))
                elif needs_confirmation(parsed):
                    lines.append(texts.ask_fully_done(view.task_label))
                else:
                    lines.append(await self._record_piece(t, view, parsed, words))
                    if parsed.status == "blocked" and not parsed.note:
                        asked_reason = view
        identity = t.identity
        identity.pending_kind = identity.pending_assignment_id = identity.pending_text = None
        if asked_reason is not None:
            identity.pending_kind, identity.pending_assignment_id = "reason", asked_reason.id
            lines.append(texts.ASK_REASON)
        return [OutboundMessage("\n".join(lines))]

    async def _button(self, t: Turn, data: str) -> Reply:
        parts = data.split(":")
        if len(parts) != 3 or parts[0] != "st" or not parts[1].isdigit() or parts[2] not in STATUSES:
            return [OutboundMessage(texts.BUTTON_UNKNOWN)]
        view = await assignment_view(t.s, int(parts[1]))
        if view is None or view.unit_id != t.person.unit_id:
            return [OutboundMessage(texts.BUTTON_UNKNOWN)]
        status = next(st for st in STATUSES if st == parts[2])
        reply = await self._store(t, view, ParsedReply(status))
        if status == "in_progress":
            t.identity.pending_kind, t.identity.pending_assignment_id = "percent", view.id
            reply.append(OutboundMessage(texts.ASK_PERCENT))
        return reply


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
    the chat identity it came through, and the files queued for the chat."""

    replies: Reply
    outcome: str
    identity_id: int | None
    queued: list[dict[str, Any]] = field(default_factory=list)


def _joined(replies: Reply) -> tuple[str, list[tuple[str, str]]]:
    """The replies to one message as one message, so they cannot arrive out of order; the
    buttons of the last reply that has any ride on it."""
    buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
    return "\n\n".join(r.text for r in replies), [(b.label, b.data) for b in buttons]
