"""The channel-agnostic conversation: linking, commands, status replies.

Every inbound message is stored raw in its own transaction before it is interpreted, so a
crash while interpreting loses nothing, and a redelivered message is stored (and answered)
once.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.actions import (
    ActionError,
    LinkRefusal,
    activate_task,
    link_throttled,
    queue_manual_reminder,
    record_on_behalf,
    record_status,
    redeem_code,
    task_name,
)
from bot.channel import Attachment, InboundMessage, OutboundMessage
from bot.commands import EVERYONE, OFFICE, Registry
from bot.context import AppContext
from bot.reminder_text import status_buttons, tasks_list
from bot.replies import STATUSES, ParsedReply, needs_confirmation, parse_reply, read_confirmation
from bot.report import build_standing
from bot.report.digest import summary_text as standing_summary_text
from bot.report.files import write_chart, write_report_files
from bot.report.history import history_text
from bot.report.wording import data_period, vn_datetime
from bot.summary import Summary, build_summary, overdue_text
from bot.task_refs import TaskRef, split_answers, task_refs
from scheduler.attachments import direct_row
from scheduler.folding import fold
from scheduler.plan import Plan
from scheduler.plan import Unit as PlanUnit
from scheduler.planner import plan_ward
from scheduler.standing import PlanStanding
from scheduler.windows import WindowError, cycle_by_word, latest_cycle_window, live_window, upcoming_window
from store.delivery import reply_targets
from store.enums import ReminderKind
from store.history import task_history
from store.inbound import mark_processed, store_inbound
from store.models import ChatIdentity, Person, Unit
from store.models import Task as TaskRow
from store.outbox import insert_reminders, queue_reply
from store.people import adopt_sender, identity_by_chat
from store.queries import (
    AssignmentView,
    assignment_view,
    assignment_views,
    current_assignments,
    open_assignments,
    task_by_label,
    task_labels,
)

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/(?P<name>[a-zA-Z_]+)(?:@\w+)?(?:\s+(?P<args>.*))?$", re.S)
_LINK_TEXT = re.compile(r"^(?:lien\s*ket|link|ma|start)\s*:?\s*(?P<code>\d{6})$")
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
HISTORY_LIMIT = 60
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

Reply = list[OutboundMessage]


@dataclass
class Turn:
    """One inbound message from a linked person, with what answering it needs."""

    s: AsyncSession
    msg: InboundMessage
    person: Person
    identity: ChatIdentity
    inbound_id: int
    buttons: bool
    args: str = ""


COMMANDS = Registry()
# The terminal shows replies as they are made; every messenger gets them through the outbox.
INLINE_CHANNELS = frozenset({"console"})


class Conversation:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

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
        async with self.ctx.db.session() as session, session.begin():
            replies, outcome, identity_id = await self._interpret(session, msg, inbound_id, buttons)
            await mark_processed(session, inbound_id, now, outcome, identity_id)
            if replies and msg.channel not in INLINE_CHANNELS:
                # Queued with what it confirms, in the same transaction: a reply the bot
                # gives is sent, or retried like any reminder — never lost to a 502.
                identity = await identity_by_chat(session, msg.channel, msg.chat_id)
                await queue_reply(
                    session,
                    self.ctx.ward_id,
                    inbound_id,
                    msg.channel,
                    msg.chat_id,
                    identity.person_id if identity else None,
                    *_joined(replies),
                    now,
                )
        if msg.channel not in INLINE_CHANNELS:
            # The answer (or a file asked for, which has no text answer) is in the outbox.
            self.ctx.wake()
        return replies

    async def _interpret(
        self, s: AsyncSession, msg: InboundMessage, inbound_id: int, buttons: bool
    ) -> tuple[Reply, str, int | None]:
        text = (msg.text or "").strip()
        identity = await identity_by_chat(s, msg.channel, msg.chat_id)
        if identity is not None and not await _same_sender(s, identity, msg):
            # Someone other than the person who linked this chat: a stranger here.
            identity = None
        command = _COMMAND.match(text)
        if identity is None:
            return await self._unlinked(s, msg, text, command)
        person = await s.get(Person, identity.person_id)
        assert person is not None
        turn = Turn(s, msg, person, identity, inbound_id, buttons)
        if msg.callback_data:
            return await self._button(turn, msg.callback_data), "button", identity.id
        if command:
            name = command["name"].lower()
            registered = COMMANDS.get(name)
            if registered is None:
                return [OutboundMessage(texts.UNKNOWN_COMMAND.format(name=name))], "unknown_command", identity.id
            if not registered.allows(person.role):
                return [OutboundMessage(texts.OFFICE_ONLY)], "refused", identity.id
            turn.args = (command["args"] or "").strip()
            replies: Reply = await registered.handler(self, turn)
            return replies, f"/{name}", identity.id
        return await self._free_text(turn, text), "text", identity.id

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

    async def _welcome(self, s: AsyncSession, person: Person) -> str:
        unit = await s.get(Unit, person.unit_id) if person.unit_id else None
        role = texts.PERSON_ROLE_LABELS.get(person.role, person.role)
        lines = [texts.WELCOME.format(name=person.name, unit=unit.name if unit else "—", role=role)]
        if unit is not None:
            lines.append(await self._tasks_text(s, unit.id))
        lines.append(texts.HELP_SHORT)
        return "\n\n".join(lines)

    # --- statuses --------------------------------------------------------------------------

    async def _open(self, s: AsyncSession, person: Person) -> list[AssignmentView]:
        if person.unit_id is None:
            return []
        return await open_assignments(s, self.ctx.ward_id, person.unit_id, self.ctx.today())

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

    async def _free_text(self, t: Turn, text: str) -> Reply:
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

    async def _report(self, t: Turn, view: AssignmentView, text: str) -> Reply:
        parsed = parse_reply(text)
        if parsed.status == "none":
            if t.identity.pending_kind == "reason" and t.identity.pending_assignment_id == view.id:
                return await self._store(t, view, ParsedReply("blocked", None, text))
            return [OutboundMessage(texts.ASK_AGAIN_FOR.format(stt=view.task_label))]
        return await self._store(t, view, parsed)

    async def _pending(self, t: Turn, text: str) -> Reply | None:
        """An answer to the question the bot asked last (which task, what percent, why)."""
        identity = t.identity
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

    async def _task_refs(self, t: Turn, text: str) -> list[TaskRef]:
        """The ways `text` starts with a task label, read against the ward's own labels."""
        return task_refs(text, await task_labels(t.s, self.ctx.ward_id))

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
        views = await current_assignments(t.s, self.ctx.ward_id, self.ctx.today(), t.person.unit_id)
        return next((v for v in views if v.task_stt == stt), None)

    async def _replied_reminders(self, t: Turn) -> list[AssignmentView]:
        """The unit's tasks of the reminder message a chat message replies to (one message
        may carry several: everything due for a head at one moment)."""
        msg = t.msg
        assert msg.reply_to_message_id is not None
        ids = await reply_targets(t.s, msg.channel, msg.chat_id, msg.reply_to_message_id)
        views = [v for v in await assignment_views(t.s, set(ids)) if v.unit_id == t.person.unit_id]
        return sorted(views, key=lambda v: v.task_stt)

    async def _several(self, t: Turn, text: str) -> Reply | None:
        """Several answers in one line, each recorded, one confirmation listing them all; None
        when the text names fewer than two tasks (the one-task paths handle it)."""
        labels = await task_labels(t.s, self.ctx.ward_id)
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
                    await record_status(t.s, view.id, t.person.id, t.inbound_id, parsed, self.ctx.now())
                    lines.append(texts.confirm(view.task_label, parsed.status, parsed.percent, parsed.note))
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

    # --- commands --------------------------------------------------------------------------

    @COMMANDS.command("start", roles=EVERYONE, usage="/start", description="chào lại và xem nhiệm vụ đang mở")
    async def _cmd_start(self, t: Turn) -> Reply:
        """Welcome again (the chat is already linked)."""
        return [OutboundMessage(await self._welcome(t.s, t.person))]

    @COMMANDS.command("help", roles=EVERYONE, usage="/help", description="danh sách lệnh")
    async def _cmd_help(self, t: Turn) -> Reply:
        """List the commands."""
        return [OutboundMessage(COMMANDS.help_text(t.person.role))]

    async def _tasks_text(self, s: AsyncSession, unit_id: int) -> str:
        views = await open_assignments(s, self.ctx.ward_id, unit_id, self.ctx.today())
        return tasks_list(views, self.ctx.calendar, self.ctx.today())

    @COMMANDS.command("tasks", roles=EVERYONE, usage="/tasks", description="nhiệm vụ đang mở của đơn vị")
    async def _cmd_tasks(self, t: Turn) -> Reply:
        """My unit's open tasks."""
        if t.person.unit_id is None:
            return [OutboundMessage(texts.NO_UNIT)]
        views = await self._open(t.s, t.person)
        text = tasks_list(views, self.ctx.calendar, self.ctx.today())
        if t.buttons and len(views) == 1:
            return [OutboundMessage(text, status_buttons(views[0].id))]
        return [OutboundMessage(text)]

    @COMMANDS.command(
        "status",
        roles=EVERYONE,
        usage="/status N NỘI_DUNG",
        description="báo cáo nhiệm vụ số N, ví dụ /status 3 đang làm 50%",
    )
    async def _cmd_status(self, t: Turn) -> Reply:
        """/status N TEXT — report on task N (a number or a label such as II.3)."""
        ref = next((r for r in await self._task_refs(t, t.args) if r.rest and r.separated), None)
        if ref is None:
            return [OutboundMessage(texts.USAGE_STATUS)]
        view = await self._task_view(t, ref.stt)
        if view is None:
            return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=ref.label))]
        return await self._report(t, view, ref.rest)

    @COMMANDS.command(
        "prefer",
        roles=EVERYONE,
        usage="/prefer",
        description="nhận nhắc việc qua kênh đang dùng (khi liên kết cả Telegram và Zalo)",
    )
    async def _cmd_prefer(self, t: Turn) -> Reply:
        """Receive reminders on this channel (a person linked on Telegram and Zalo gets one copy)."""
        channel = t.identity.channel
        t.person.preferred_channel = channel
        return [OutboundMessage(texts.PREFERRED.format(channel=texts.CHANNEL_NAMES.get(channel, channel)))]

    async def _summary(self, s: AsyncSession) -> Summary:
        ctx = self.ctx
        return await build_summary(s, ctx.ward_id, ctx.now(), ctx.settings.silent_after_days, ctx.calendar)

    @COMMANDS.command(
        "summary",
        roles=OFFICE,
        usage="/summary [N|chart]",
        description="tổng hợp tiến độ theo nhiệm vụ, theo đơn vị, đơn vị chưa báo cáo; "
        "/summary N: lịch sử báo cáo nhiệm vụ N; /summary chart: biểu đồ",
    )
    async def _cmd_summary(self, t: Turn) -> Reply:
        """The standing of the plan (office): the same classification as the export and the
        digest; `/summary N` a task's history; `/summary chart` the chart alone."""
        arg = fold(t.args)
        if not arg:
            standing = await self._live_standing(t.s)
            return [OutboundMessage(standing_summary_text(standing, self.ctx.calendar))]
        if arg in ("chart", "bieu do", "bieudo"):
            return await self._summary_chart(t)
        ref = re.sub(r"^(?:nv|nhiem vu|so)\s*", "", arg)
        task = await task_by_label(t.s, self.ctx.ward_id, ref)
        if task is None:
            if re.fullmatch(r"[0-9ivx]+(?:[. ][0-9a-z]+)*\)?", ref):
                return [OutboundMessage(texts.NO_TASK.format(stt=t.args.strip()))]
            return [OutboundMessage(texts.USAGE_SUMMARY)]
        return [OutboundMessage(await self._history(t.s, task))]

    async def _live_standing(self, s: AsyncSession) -> PlanStanding:
        today = self.ctx.today()
        window = live_window(self.ctx.plan, today)
        return await build_standing(s, self.ctx.plan, self.ctx.ward_id, window, window.cutoff(today), self.ctx.calendar)

    async def _history(self, s: AsyncSession, task: TaskRow) -> str:
        rows = await task_history(s, self.ctx.ward_id, task.stt, limit=HISTORY_LIMIT)
        label = task.label or str(task.stt)
        return history_text(label, task.content, rows, self.ctx.calendar.zone, limit=HISTORY_LIMIT)

    async def _summary_chart(self, t: Turn) -> Reply:
        """The chart goes out through the outbox as a photo to this chat; no text reply."""
        standing = await self._live_standing(t.s)
        folder = self.ctx.settings.files_path.resolve()
        path = await write_chart(standing, folder, f"bieu-do-{standing.cutoff:%Y%m%d}")
        caption = texts.CHART_CAPTION.format(plan=standing.plan_code, day=texts.vn_date(standing.cutoff))
        await self._queue_file(t, f"chart:{t.inbound_id}", Attachment(str(path), path.name, "photo", caption))
        return []

    async def _queue_file(self, t: Turn, key: str, attachment: Attachment, body: str = "") -> None:
        """A file for the asking chat, as an outbox row addressed to it."""
        row = direct_row(
            self.ctx.ward_id,
            key,
            ReminderKind.FILE,
            self.ctx.now(),
            t.person.id,
            body,
            channel=t.msg.channel,
            chat_id=t.msg.chat_id,
            attachment=attachment,
        )
        await insert_reminders(t.s, [row])

    @COMMANDS.command(
        "export",
        roles=OFFICE,
        usage="/export [6thang|nam]",
        description="bảng tổng hợp (Excel) và dự thảo báo cáo (Word) của kỳ báo cáo gửi thành phố",
    )
    async def _cmd_export(self, t: Turn) -> Reply:
        """The report files of a cycle (office), sent to this chat as documents."""
        plan, today = self.ctx.plan, self.ctx.today()
        try:
            if t.args:
                window = latest_cycle_window(cycle_by_word(plan, t.args.split()[0]), today)
            else:
                window = upcoming_window(plan, today)
        except WindowError as exc:
            return [OutboundMessage(f"{exc}\n{texts.USAGE_EXPORT}")]
        title = texts.cycle_title(window.cycle_name or "Báo cáo", window.year or window.end.year)
        if today < window.start:
            start = texts.vn_date(window.start)
            return [OutboundMessage(texts.EXPORT_NOT_STARTED.format(title=title, start=start))]
        folder = self.ctx.settings.files_path.resolve()
        files = await write_report_files(t.s, plan, self.ctx.ward_id, self.ctx.calendar, folder, window, today)
        period = data_period(window)
        xlsx_caption = texts.EXPORT_XLSX_CAPTION.format(title=title, period=period)
        docx_caption = texts.EXPORT_DOCX_CAPTION.format(title=title)
        await self._queue_file(
            t, f"export:{t.inbound_id}:xlsx", Attachment(str(files.xlsx), files.xlsx.name, "document", xlsx_caption)
        )
        await self._queue_file(
            t, f"export:{t.inbound_id}:docx", Attachment(str(files.docx), files.docx.name, "document", docx_caption)
        )
        cutoff = texts.vn_date(files.cutoff)
        return [OutboundMessage(texts.EXPORT_READY.format(title=title, period=period, cutoff=cutoff))]

    @COMMANDS.command(
        "ghinhan",
        roles=OFFICE,
        usage="/ghinhan N ĐƠN_VỊ NỘI_DUNG",
        description="ghi nhận hộ tình trạng đơn vị báo qua điện thoại hoặc văn bản, ví dụ /ghinhan 3 VP đã xong",
    )
    async def _cmd_ghinhan(self, t: Turn) -> Reply:
        """/ghinhan N UNIT TEXT — record a status a unit gave by phone or on paper (office)."""
        m = re.fullmatch(r"(\d{1,3})\s+(.+)", t.args, re.S)
        found = _unit_and_text(self.ctx.plan, m[2]) if m else None
        if m is None or found is None:
            return [OutboundMessage(texts.USAGE_GHINHAN)]
        unit, text = found
        now = self.ctx.now()
        try:
            done = await record_on_behalf(
                t.s,
                self.ctx.ward_id,
                int(m[1]),
                unit.code,
                text,
                now,
                now,
                self.ctx.today(),
                recorder=t.person,
                recorder_label=t.person.name,
                via="chat",
            )
        except ActionError as exc:
            return [OutboundMessage(str(exc))]
        p = done.parsed
        confirm = texts.confirm(done.view.task_stt, p.status, p.percent, p.note)
        at = vn_datetime(now, self.ctx.calendar.zone)
        return [OutboundMessage(texts.RECORDED_ON_BEHALF.format(confirm=confirm, unit=unit.name, at=at))]

    @COMMANDS.command("overdue", roles=OFFICE, usage="/overdue", description="nhiệm vụ quá hạn")
    async def _cmd_overdue(self, t: Turn) -> Reply:
        """Overdue tasks (office)."""
        return [OutboundMessage(overdue_text(await self._summary(t.s)))]

    @COMMANDS.command(
        "remind",
        roles=OFFICE,
        usage="/remind N [ĐƠN_VỊ]",
        description="nhắc ngay nhiệm vụ N (cho mọi đơn vị của nhiệm vụ, hoặc một đơn vị)",
    )
    async def _cmd_remind(self, t: Turn) -> Reply:
        """/remind N [unit] — nudge now (office)."""
        refs = await self._task_refs(t, t.args)
        ref = next((r for r in refs if not r.sep and (not r.rest or r.separated)), None)
        if ref is None:
            return [OutboundMessage(texts.USAGE_REMIND)]
        if ref.stt is None:
            return [OutboundMessage(texts.NO_SUCH_TASK.format(stt=ref.label))]
        unit_code = None
        if ref.rest:
            unit = self.ctx.plan.find_unit(ref.rest)
            if unit is None:
                return [OutboundMessage(texts.UNKNOWN_UNIT.format(unit=ref.rest))]
            unit_code = unit.code
        try:
            queued = await queue_manual_reminder(
                t.s, self.ctx.ward_id, ref.stt, unit_code, self.ctx.now(), self.ctx.today()
            )
        except ActionError as exc:
            return [OutboundMessage(str(exc))]
        return [OutboundMessage(texts.remind_queued(ref.label, len(queued.units), queued.nobody))]

    @COMMANDS.command(
        "activate",
        roles=OFFICE,
        usage="/activate N DD/MM/YYYY",
        description="đặt thời hạn cho nhiệm vụ có điều kiện, ví dụ /activate 15 30/09/2026",
    )
    async def _cmd_activate(self, t: Turn) -> Reply:
        """/activate N DATE — give a conditional task its date (office)."""
        refs = await self._task_refs(t, t.args)
        ref = next((r for r in refs if not r.sep and r.separated and re.fullmatch(r"\S+", r.rest)), None)
        due = _parse_day(ref.rest) if ref else None
        if ref is None or due is None:
            return [OutboundMessage(texts.USAGE_ACTIVATE)]
        if ref.stt is None:
            return [OutboundMessage(texts.NO_SUCH_TASK.format(stt=ref.label))]
        try:
            task = await activate_task(t.s, self.ctx.ward_id, ref.stt, due)
        except ActionError as exc:
            return [OutboundMessage(str(exc))]
        # Occurrences and reminders follow at once rather than at the next daily planning.
        settings = self.ctx.settings
        await plan_ward(
            t.s,
            settings.ward,
            self.ctx.plan,
            self.ctx.calendar,
            self.ctx.now(),
            ahead_days=settings.plan_ahead_days,
            stale_after=timedelta(hours=settings.stale_after_hours),
        )
        return [OutboundMessage(texts.ACTIVATED.format(stt=task_name(task), due=texts.vn_date(due)))]


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


def _joined(replies: Reply) -> tuple[str, list[tuple[str, str]]]:
    """The replies to one message as one message, so they cannot arrive out of order; the
    buttons of the last reply that has any ride on it."""
    buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
    return "\n\n".join(r.text for r in replies), [(b.label, b.data) for b in buttons]


def _unit_and_text(plan: Plan, rest: str) -> tuple[PlanUnit, str] | None:
    """ "VP đã xong" or "Văn phòng HĐND và UBND phường đã xong" → (unit, "đã xong"): the
    longest run of leading words that names a unit."""
    words = rest.split()
    for n in range(len(words) - 1, 0, -1):
        unit = plan.find_unit(" ".join(words[:n]))
        if unit is not None:
            return unit, " ".join(words[n:])
    return None


def _parse_day(text: str) -> date | None:
    try:
        if m := _DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None
