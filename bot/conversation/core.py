"""What every part of the conversation shares: the unit's open tasks, reading a task label,
recording a status, queuing a file for the asking chat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.status import record_status
from bot.context import AppContext
from bot.conversation.turn import Reply, Turn
from bot.messages import Attachment, FileSource, OutboundMessage
from bot.reading.replies import ParsedReply, needs_confirmation, parse_reply
from bot.reading.task_refs import TaskRef, task_refs
from bot.texts import common as texts
from bot.texts.people import role_label
from bot.texts.reminders import tasks_list
from scheduler.attachments import direct_row
from scheduler.folding import fold
from scheduler.planner import plan_ward
from store.delivery import reply_targets
from store.enums import ReminderKind
from store.models import Person, Unit
from store.queries import (
    AssignmentView,
    assignment_views,
    current_assignments,
    open_assignments,
    task_labels,
)

_STATUS_STARTERS = (
    "xong",
    "da ",
    "dang",
    "vuong",
    "chua",
    "hoan thanh",
    "khong",
    "kho khan",
    "ht",
    "dg",
    "ko ",
    "k ",
    "de nghi",
    "cho ",
    "tam",
    "sap",
    "gan",
)


class ConversationCore:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        # How each channel fetches a file a person sent (set by the channel adapters).
        self.file_sources: dict[str, FileSource] = {}

    async def _welcome(self, s: AsyncSession, person: Person) -> str:
        unit = await s.get(Unit, person.unit_id) if person.unit_id else None
        title = self.ctx.plan_of(person.ward_id).head_title(unit.code, unit.name) if unit else ""
        role = role_label(person.role, title, unit.name if unit else "—")
        lines = [texts.WELCOME.format(name=person.name, unit=unit.name if unit else "—", role=role)]
        if unit is not None:
            lines.append(await self._tasks_text(s, person.ward_id, unit.id))
        lines.append(texts.HELP_SHORT)
        return "\n\n".join(lines)

    async def _open(self, s: AsyncSession, person: Person) -> list[AssignmentView]:
        if person.unit_id is None:
            return []
        return await open_assignments(s, person.ward_id, person.unit_id, self.ctx.today())

    async def _store(self, t: Turn, view: AssignmentView, parsed: ParsedReply) -> Reply:
        """Keep the report, clear any question asked, confirm in one line. A done the reader
        is not sure of ("cơ bản xong") is not recorded: the bot asks first."""
        identity = t.identity
        if needs_confirmation(parsed):
            identity.pending_kind, identity.pending_assignment_id = "confirm", view.id
            identity.pending_text = parsed.note or ""
            return [OutboundMessage(texts.ask_fully_done(view.task_label))]
        await record_status(t.s, view.id, t.person.id, t.inbound_id, parsed, self.ctx.now())
        identity.pending_kind = identity.pending_assignment_id = identity.pending_text = None
        reply = [OutboundMessage(texts.confirm(view.task_label, parsed.status, parsed.percent, parsed.note))]
        if parsed.status == "blocked" and not parsed.note:
            identity.pending_kind, identity.pending_assignment_id = "reason", view.id
            reply.append(OutboundMessage(texts.ASK_REASON))
        return reply

    async def _record_piece(self, t: Turn, view: AssignmentView, parsed: ParsedReply, words: str) -> str:
        """Record one answer of several given in one line; its line of the confirmation."""
        await record_status(t.s, view.id, t.person.id, t.inbound_id, parsed, self.ctx.now())
        return texts.confirm(view.task_label, parsed.status, parsed.percent, parsed.note)

    async def _report(self, t: Turn, view: AssignmentView, text: str) -> Reply:
        parsed = parse_reply(text)
        if parsed.status == "none":
            if t.identity.pending_kind == "reason" and t.identity.pending_assignment_id == view.id:
                return await self._store(t, view, ParsedReply("blocked", None, text))
            return [OutboundMessage(texts.ASK_AGAIN_FOR.format(stt=view.task_label))]
        return await self._store(t, view, parsed)

    async def _task_refs(self, t: Turn, text: str) -> list[TaskRef]:
        """The ways `text` starts with a task label, read against the ward's own labels."""
        return task_refs(text, await task_labels(t.s, t.ward_id))

    async def _leading_task(self, t: Turn, text: str) -> TaskRef | None:
        """The task a free-text report names first ("II.3: xong", "3 đang làm"): a label set
        apart by a separator, or followed by a status word."""
        for ref in await self._task_refs(t, text):
            if ref.rest and ref.separated and (ref.sep or fold(ref.rest).startswith(_STATUS_STARTERS)):
                return ref
        return None

    async def _task_view(self, t: Turn, stt: int | None) -> AssignmentView | None:
        """The unit's current assignment of task `stt` (None for a task the ward does not have)."""
        if t.person.unit_id is None or stt is None:
            return None
        views = await current_assignments(t.s, t.ward_id, self.ctx.today(), t.person.unit_id)
        return next((v for v in views if v.task_stt == stt), None)

    async def _replied_reminders(self, t: Turn) -> list[AssignmentView]:
        """The unit's tasks of the reminder message a chat message replies to (one message
        may carry several: everything due for a head at one moment)."""
        msg = t.msg
        assert msg.reply_to_message_id is not None
        ids = await reply_targets(t.s, msg.channel, msg.chat_id, msg.reply_to_message_id)
        views = [v for v in await assignment_views(t.s, set(ids)) if v.unit_id == t.person.unit_id]
        return sorted(views, key=lambda v: v.task_stt)

    async def _tasks_text(self, s: AsyncSession, ward_id: int, unit_id: int) -> str:
        views = await open_assignments(s, ward_id, unit_id, self.ctx.today())
        return tasks_list(views, self.ctx.calendar, self.ctx.today())

    def _queue_file(self, t: Turn, key: str, attachment: Attachment, body: str = "") -> None:
        """A file for the asking chat, as an outbox row addressed to it (queued with the answer)."""
        row = direct_row(
            t.ward_id,
            key,
            ReminderKind.FILE,
            self.ctx.now(),
            t.person.id,
            body,
            channel=t.msg.channel,
            chat_id=t.msg.chat_id,
            attachment=attachment,
        )
        t.queued.append(row)

    async def _replan(self, t: Turn) -> None:
        """Plan the turn's ward at once (a task activated, an extension approved), so its new
        reminders exist now rather than at the next planning run."""
        settings = self.ctx.settings
        await plan_ward(
            t.s,
            self.ctx.wards[t.ward_id].key,
            t.plan,
            self.ctx.calendar,
            self.ctx.now(),
            ahead_days=settings.plan_ahead_days,
            stale_after=timedelta(hours=settings.stale_after_hours),
        )
