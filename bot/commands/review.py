"""Done means a product: evidence with a done report, the office's confirmation or return,
blockers told to the office at once (and to a coordinating unit they name), declines the
office accepts or refuses.

How a report moves (store.enums.Review on the report and the assignment):
- "xong" with a product (a document number and date, a link, a photo/file) → done, "chờ
  xác nhận" (`pending`) when the plan asks for confirmation (`confirm_done`, default true);
  without one → done, "báo xong, chưa có sản phẩm" (`no_evidence`), and the bot asks for
  the product the plan names (a pending "evidence" question that never blocks other replies).
  The assignment is closed for reminders either way: the unit did its part; the standing
  counts it as done only once the office confirms (scheduler/standing.py).
- /xacnhan → a "done" report by the office (`confirmed`): done, dated the day the unit said so.
- /tralai → an "in progress" report by the office (`returned`): open again, reminded, the
  unit told the reason at once.
- "vướng: lý do" → the office is told at once (the same outbox key the planner's notice
  uses, so never twice); overdue nags pause (scheduler.nags); a coordinating unit the reason
  names is nudged. /gobo clears it (`unblocked`).
- "không phát sinh" / "không thuộc chức năng" → not applicable, `pending` until the office
  accepts it (/chapnhan: `confirmed`) or refuses it (/khongchapnhan: open again, `returned`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.actions.evidence_files import FetchedFile, fetch_and_store
from bot.conversation.core import ConversationCore
from bot.conversation.registry import OFFICE
from bot.conversation.turn import COMMANDS, Reply, Turn
from bot.messages import Attachment, InboundMessage, OutboundMessage
from bot.reading.evidence import Found, describe, parse_evidence
from bot.reading.replies import ParsedReply, needs_confirmation, parse_reply
from bot.texts import common as texts
from bot.texts import review as tr
from scheduler.attachments import encode
from scheduler.folding import fold
from scheduler.plan import Plan
from store import statuses
from store.enums import PersonRole, ReminderKind, Review, Status
from store.evidence import add_evidence, evidence_between, set_notice_attachment
from store.notices import hold_office_notice, set_notice_text
from store.outbox import insert_reminders, reminder_row
from store.people import identity_by_chat
from store.queries import AssignmentView, assignment_views, current_assignments, people_with_role

# Evidence that arrives within one slot reaches each office person as one message.
EVIDENCE_SLOT = timedelta(minutes=10)


def evidence_slot(now: datetime) -> tuple[datetime, datetime]:
    """The slot `now` falls in: [start, end), on the UTC ten-minute grid."""
    utc = now.astimezone(UTC)
    start = utc.replace(minute=utc.minute - utc.minute % 10, second=0, microsecond=0)
    return start, start + EVIDENCE_SLOT


def _unique(found: list[Found]) -> list[Found]:
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for f in found:
        key = (f.doc_number, f.url)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _file_words(f: FetchedFile) -> str:
    if not f.stored:
        return tr.FILE_NOT_FETCHED
    return "ảnh" if f.file.kind == "photo" else f"tệp {f.file.filename or ''}".strip()


def named_coordinators(plan: Plan, reason: str, codes: list[str]) -> list[str]:
    """The coordinating units (of `codes`) that a blocker's reason names: by code, name,
    alias, or the name's head ("Văn phòng" for "Văn phòng HĐND và UBND phường")."""
    folded = f" {re.sub(r'[^a-z0-9]+', ' ', fold(reason))} "
    named = []
    for code in codes:
        unit = plan.units.get(code)
        if unit is None:
            continue
        names = {unit.code, unit.name, *unit.aliases}
        for n in list(names):
            head = re.split(r"\s+(?:HĐND|UBND|phường|-|\()", n, maxsplit=1)[0]
            names.add(head)
        for n in names:
            key = re.sub(r"[^a-z0-9]+", " ", fold(n)).strip()
            if key and (len(key.split()) >= 2 or n == unit.code) and f" {key} " in folded:
                named.append(code)
                break
    return named


class ReviewCommands(ConversationCore):
    # --- files that came with a message ------------------------------------------------------

    def _fetched_files(self) -> dict[int, list[FetchedFile]]:
        if not hasattr(self, "_fetched"):
            self._fetched: dict[int, list[FetchedFile]] = {}
        return self._fetched

    async def _fetch_files(self, msg: InboundMessage, inbound_id: int) -> None:
        """Fetch a message's files before it is interpreted, outside any transaction: the
        network is never waited on with the database held."""
        if not msg.attachments:
            return
        async with self.ctx.db.read() as s:
            identity = await identity_by_chat(s, msg.channel, msg.chat_id)
        if identity is None or (identity.sender_id is not None and identity.sender_id != msg.sender_id):
            return  # a stranger's file is not fetched: nobody's disk fills from outside
        folder = self.ctx.settings.evidence_folder().resolve()
        source = self.file_sources.get(msg.channel)
        self._fetched_files()[inbound_id] = [
            await fetch_and_store(source, f, folder, self.ctx.now()) for f in msg.attachments
        ]

    def _forget_files(self, inbound_id: int) -> None:
        self._fetched_files().pop(inbound_id, None)

    def _files_of(self, t: Turn) -> list[FetchedFile]:
        return self._fetched_files().get(t.inbound_id, [])

    # --- reports ------------------------------------------------------------------------------

    async def _store(self, t: Turn, view: AssignmentView, parsed: ParsedReply) -> Reply:
        if needs_confirmation(parsed) or view.checkin or parsed.status not in ("done", "not_applicable", "blocked"):
            return await super()._store(t, view, parsed)
        if parsed.status == "blocked":
            reply = await super()._store(t, view, parsed)
            if parsed.note:
                await self._blocked_told(t, view, parsed.note)
            return reply
        line = await self._record_reviewed(t, view, parsed, t.msg.text)
        return [OutboundMessage(line)]

    async def _record_piece(self, t: Turn, view: AssignmentView, parsed: ParsedReply, words: str) -> str:
        """One answer of several in a line ("4 xong CV 45/UBND-VHXH; 7 vướng: …")."""
        if view.checkin or parsed.status not in ("done", "not_applicable", "blocked"):
            return await super()._record_piece(t, view, parsed, words)
        if parsed.status == "blocked":
            line = await super()._record_piece(t, view, parsed, words)
            if parsed.note:
                await self._blocked_told(t, view, parsed.note)
            return line
        line = await self._record_reviewed(t, view, parsed, words, ask=False)
        return line

    async def _report(self, t: Turn, view: AssignmentView, text: str) -> Reply:
        """ "4: CV 45/UBND-VHXH ngày 20/6" — no status, but a product: it is task 4's evidence."""
        asked_why = t.identity.pending_kind == "reason" and t.identity.pending_assignment_id == view.id
        if parse_reply(text).status == "none" and not asked_why:
            found = _unique(parse_evidence(text, self.ctx.today()))
            if found or self._files_of(t):
                return [OutboundMessage(await self._add_evidence(t, view, found))]
        return await super()._report(t, view, text)

    async def _record_reviewed(
        self, t: Turn, view: AssignmentView, parsed: ParsedReply, words: str, *, ask: bool = True
    ) -> str:
        now = self.ctx.now()
        identity = t.identity
        identity.pending_kind = identity.pending_assignment_id = identity.pending_text = None
        if parsed.status == "not_applicable":
            await statuses.record_status(
                t.s, view.id, t.person.id, t.inbound_id, "not_applicable", None, parsed.note, now, review=Review.PENDING
            )
            body = tr.decline_notice(view.task_label, view.unit_name, view.unit_code, words or parsed.note or "")
            await self._tell_office(t, f"decline:a{view.id}:{t.inbound_id}", body)
            return tr.declined(view.task_label)
        found = _unique(parse_evidence(words, self.ctx.today()) + parse_evidence(parsed.note or "", self.ctx.today()))
        files = self._files_of(t)
        confirm = t.plan.confirm_done
        if not found and not files and view.status == Status.DONE and view.review in (Review.PENDING, Review.CONFIRMED):
            # "xong" again for work whose product the office has (or is looking at): nothing new.
            return tr.already_done(view.task_label, view.review == Review.CONFIRMED)
        if not found and not files:
            await statuses.record_status(
                t.s,
                view.id,
                t.person.id,
                t.inbound_id,
                "done",
                parsed.percent,
                parsed.note,
                now,
                review=Review.NO_EVIDENCE,
            )
            if not ask:
                return tr.done_without_evidence_short(view.task_label)
            identity.pending_kind, identity.pending_assignment_id = "evidence", view.id
            return tr.done_without_evidence(view.task_label, view.product)
        await statuses.record_status(
            t.s,
            view.id,
            t.person.id,
            t.inbound_id,
            "done",
            parsed.percent,
            parsed.note,
            now,
            review=Review.PENDING if confirm else None,
        )
        shown = await self._keep_evidence(t, view, found, files, words)
        return tr.done_with_evidence(view.task_label, shown, confirm)

    async def _add_evidence(self, t: Turn, view: AssignmentView, found: list[Found]) -> str:
        """A product given after the done report (or for work in progress)."""
        identity = t.identity
        identity.pending_kind = identity.pending_assignment_id = identity.pending_text = None
        files = self._files_of(t)
        confirm = t.plan.confirm_done
        if view.status == Status.DONE:
            # The done stands; the report now has its product: it waits for the office.
            await statuses.record_status(
                t.s,
                view.id,
                t.person.id,
                t.inbound_id,
                "done",
                view.percent,
                None,
                self.ctx.now(),
                review=Review.PENDING if confirm else None,
            )
        shown = await self._keep_evidence(t, view, found, files, t.msg.text)
        return tr.evidence_added(view.task_label, shown, confirm and view.status == Status.DONE)

    async def _keep_evidence(
        self, t: Turn, view: AssignmentView, found: list[Found], files: list[FetchedFile], words: str
    ) -> list[str]:
        now = self.ctx.now()
        rows = [
            {
                "ward_id": t.ward_id,
                "assignment_id": view.id,
                "inbound_id": t.inbound_id,
                "person_id": t.person.id,
                "kind": f.kind,
                "text": words,
                "doc_number": f.doc_number,
                "doc_date": f.doc_date,
                "url": f.url,
                "created_at": now,
            }
            for f in found
        ]
        rows += [
            {
                "ward_id": t.ward_id,
                "assignment_id": view.id,
                "inbound_id": t.inbound_id,
                "person_id": t.person.id,
                "kind": "file",
                "text": words,
                "channel": t.msg.channel,
                "file_id": f.file.file_id,
                "filename": f.file.filename,
                "mime": f.file.mime,
                "size": f.size if f.size is not None else f.file.size,
                "sha256": f.sha256,
                "path": f.path,
                "fetch_state": "stored" if f.stored else "failed",
                "fetch_error": f.error,
                "created_at": now,
            }
            for f in files
        ]
        await add_evidence(t.s, rows)
        await self._evidence_to_office(t)
        return [describe(f) for f in found] + [_file_words(f) for f in files]

    async def _evidence_to_office(self, t: Turn) -> None:
        """The office hears of evidence in one message per person per slot, rewritten from
        the slot's evidence while it is pending; a slot with one file carries it."""
        now = self.ctx.now()
        start, end = evidence_slot(now)
        ids = await hold_office_notice(t.s, t.ward_id, f"evidence:{start:%Y%m%d%H%M}", end, now)
        if not ids:
            return
        arrived = await evidence_between(t.s, t.ward_id, start, end)
        grouped: dict[tuple[str, str, int | None], list[str]] = {}
        meta: dict[tuple[str, str, int | None], tuple[str, str, str | None]] = {}
        for a in arrived:
            key = (a.task_label, a.unit_code, a.evidence.inbound_id)
            ev = a.evidence
            if ev.kind == "file":
                words = (
                    f"{'ảnh' if (ev.mime or '').startswith('image') or ev.filename is None else 'tệp'}"
                    f" (lưu tại {ev.path})"
                    if ev.path
                    else f"ảnh/tệp chưa tải được ({ev.fetch_error}; mã tệp {(ev.file_id or '')[:60]})"
                )
            else:
                words = describe(Found(ev.kind, ev.doc_number, ev.doc_date, ev.url))  # type: ignore[arg-type]
            grouped.setdefault(key, []).append(words)
            meta[key] = (a.unit_name, a.product, a.person)
        items = [(k[0], meta[k][0], meta[k][1], meta[k][2], v) for k, v in grouped.items()]
        body = tr.evidence_notice(items)
        await set_notice_text(t.s, ids, body)
        stored = [a for a in arrived if a.evidence.path]
        attachment = None
        if len(stored) == 1:
            ev = stored[0].evidence
            assert ev.path is not None
            kind = "photo" if (ev.mime or "image").startswith("image") and not ev.filename else "document"
            caption = f"Sản phẩm nhiệm vụ {stored[0].task_label} — {stored[0].unit_name}"
            attachment = encode(Attachment(ev.path, ev.path.rsplit("/", 1)[-1], kind, caption))
        await set_notice_attachment(t.s, ids, attachment)

    async def _evidence_answer(self, t: Turn, text: str) -> Reply | None:
        """A message that gives a product: the answer to the bot's question for it, or a
        photo/file for the one task of the unit waiting for its product. None when it is
        something else (read as a new reply: a pending question never blocks others)."""
        identity = t.identity
        if identity.pending_kind not in (None, "evidence"):
            return None  # the answer to another question (why blocked, what percent, which task)
        found = _unique(parse_evidence(text, self.ctx.today()))
        files = self._files_of(t)
        if not found and not files:
            return None
        status = parse_reply(text).status
        if identity.pending_kind == "evidence" and identity.pending_assignment_id and status in ("none", "done"):
            views = await assignment_views(t.s, {identity.pending_assignment_id})
            if views:
                return [OutboundMessage(await self._add_evidence(t, views[0], found))]
        if status != "none" or t.person.unit_id is None:
            return None
        waiting = [
            v
            for v in await current_assignments(t.s, t.ward_id, self.ctx.today(), t.person.unit_id)
            if v.status == Status.DONE and v.review == Review.NO_EVIDENCE
        ]
        if len(waiting) == 1:
            return [OutboundMessage(await self._add_evidence(t, waiting[0], found))]
        if files:
            return [OutboundMessage(tr.EVIDENCE_WHICH)]
        return None

    # --- blockers -------------------------------------------------------------------------------

    async def _blocked_told(self, t: Turn, view: AssignmentView, reason: str) -> None:
        """The office hears of a blocker at once; a coordinating unit the reason names is
        nudged. The office's key is the planner's (blocked:a{id}:{reported}:p{person}), so the
        notice it would queue when the overdue nag is held back is not sent a second time."""
        now = self.ctx.now()
        stamp = f"{now.astimezone(UTC):%Y%m%d%H%M%S}"
        views = await current_assignments(t.s, t.ward_id, self.ctx.today())
        coordinating = {v.unit_code: v for v in views if v.task_stt == view.task_stt and v.role == "coordinate"}
        nudged: list[str] = []
        nobody: list[str] = []
        rows = []
        for code in named_coordinators(t.plan, reason, list(coordinating)):
            other = coordinating[code]
            heads = await people_with_role(t.s, t.ward_id, (PersonRole.HEAD,), other.unit_id)
            if not heads:
                nobody.append(other.unit_name)
                continue
            nudged.append(other.unit_name)
            body = tr.coordinator_nudge(view.task_label, view.content, view.unit_name, reason)
            rows += [
                reminder_row(
                    t.ward_id,
                    f"nudge:a{other.id}:{stamp}:p{p.id}",
                    ReminderKind.NOTICE,
                    now,
                    now,
                    person_id=p.id,
                    body=body,
                )
                for p in heads
            ]
        body = tr.blocked_now_notice(view.task_label, view.unit_name, view.unit_code, reason, nudged, nobody)
        office = await people_with_role(t.s, t.ward_id, (PersonRole.OFFICE,))
        rows += [
            reminder_row(
                t.ward_id,
                f"blocked:a{view.id}:{stamp}:p{p.id}",
                ReminderKind.NOTICE,
                now,
                now,
                person_id=p.id,
                body=body,
            )
            for p in office
        ]
        await insert_reminders(t.s, rows)

    # --- telling people -------------------------------------------------------------------------

    async def _tell_office(self, t: Turn, key: str, body: str) -> None:
        now = self.ctx.now()
        office = await people_with_role(t.s, t.ward_id, (PersonRole.OFFICE,))
        await insert_reminders(
            t.s,
            [
                reminder_row(t.ward_id, f"{key}:p{p.id}", ReminderKind.NOTICE, now, now, person_id=p.id, body=body)
                for p in office
            ],
        )

    async def _decide(
        self,
        t: Turn,
        view: AssignmentView,
        status: str,
        percent: int | None,
        note: str | None,
        review: Review,
        what: str,
        body: str,
    ) -> None:
        """The office's decision on a unit's report, kept as a status report of its own (so
        `/summary N` shows it), and the unit told at once."""
        await statuses.record_status(
            t.s, view.id, t.person.id, t.inbound_id, status, percent, note, self.ctx.now(), review=review
        )
        await self._tell_unit_of_review(t, view, f"{what}:a{view.id}:{t.inbound_id}", body)

    async def _tell_unit_of_review(self, t: Turn, view: AssignmentView, key: str, body: str) -> None:
        """A message to the unit's head and deputies (a deputy may be the one who reported),
        else its own office staff, at once."""
        now = self.ctx.now()
        people = await people_with_role(t.s, t.ward_id, (PersonRole.HEAD, PersonRole.DEPUTY), view.unit_id)
        if not people:
            people = await people_with_role(t.s, t.ward_id, (PersonRole.OFFICE,), view.unit_id)
        await insert_reminders(
            t.s,
            [
                reminder_row(t.ward_id, f"{key}:p{p.id}", ReminderKind.NOTICE, now, now, person_id=p.id, body=body)
                for p in people
            ],
        )

    # --- the office's decisions -----------------------------------------------------------------

    async def _review_target(
        self,
        t: Turn,
        usage: str,
        wanted: Callable[[AssignmentView], bool],
        what: str,
        *,
        unit_required: bool = False,
        reason_required: bool = False,
    ) -> tuple[AssignmentView, str] | Reply:
        """The assignment an office decision is about ("4", "4 VHXH", "4 VHXH lý do") and
        the words after the unit; or the answer that says what is missing."""
        refs = await self._task_refs(t, t.args)
        ref = next((r for r in refs if not r.sep and (not r.rest or r.separated)), None)
        if ref is None:
            return [OutboundMessage(usage)]
        if ref.stt is None:
            return [OutboundMessage(texts.NO_SUCH_TASK.format(stt=ref.label))]
        words = ref.rest.split()
        unit_code, rest = None, ref.rest
        for n in range(len(words), 0, -1):
            unit = t.plan.find_unit(" ".join(words[:n]))
            if unit is not None:
                unit_code, rest = unit.code, " ".join(words[n:])
                break
        if (unit_required and unit_code is None) or (reason_required and not rest.strip()):
            return [OutboundMessage(usage)]
        views = [
            v
            for v in await current_assignments(t.s, t.ward_id, self.ctx.today())
            if v.task_stt == ref.stt and (unit_code is None or v.unit_code == unit_code)
        ]
        candidates = [v for v in views if wanted(v)]
        if not candidates:
            return [OutboundMessage(tr.nothing_to(ref.label, what))]
        if len(candidates) > 1:
            return [OutboundMessage(tr.name_the_unit(ref.label, [v.unit_code for v in candidates], usage))]
        return candidates[0], rest.strip()

    def _reported_day(self, view: AssignmentView) -> datetime:
        return view.done_at or view.status_at or self.ctx.now()

    @COMMANDS.command(
        "xacnhan",
        roles=OFFICE,
        usage="/xacnhan N [ĐƠN_VỊ]",
        description="xác nhận nhiệm vụ N đã hoàn thành (đã xem sản phẩm đơn vị gửi)",
    )
    async def _cmd_xacnhan(self, t: Turn) -> Reply:
        """/xacnhan N [unit] — the office confirms a done task; it counts from the day reported."""
        found = await self._review_target(
            t,
            tr.USAGE_XACNHAN,
            lambda v: v.status == Status.DONE and v.review != Review.CONFIRMED,
            "báo xong chờ xác nhận",
        )
        if isinstance(found, list):
            return found
        view, _ = found
        reported = self.ctx.calendar.local_date(self._reported_day(view))
        body = tr.confirmed_to_unit(view.task_label, reported)
        await self._decide(t, view, "done", view.percent, None, Review.CONFIRMED, "confirmed", body)
        return [OutboundMessage(tr.confirmed_reply(view.task_label, view.unit_name, reported))]

    @COMMANDS.command(
        "tralai",
        roles=OFFICE,
        usage="/tralai N [ĐƠN_VỊ] LÝ_DO",
        description="trả lại nhiệm vụ N đơn vị báo xong (nêu lý do); nhiệm vụ mở lại và tiếp tục được nhắc",
    )
    async def _cmd_tralai(self, t: Turn) -> Reply:
        """/tralai N [unit] REASON — the office returns a done task: open again, unit told why."""
        found = await self._review_target(
            t, tr.USAGE_TRALAI, lambda v: v.status == Status.DONE, "báo xong để trả lại", reason_required=True
        )
        if isinstance(found, list):
            return found
        view, reason = found
        body = tr.returned_to_unit(view.task_label, view.content, reason, view.product)
        await self._decide(t, view, "in_progress", None, reason, Review.RETURNED, "returned", body)
        return [OutboundMessage(tr.returned_reply(view.task_label, view.unit_name))]

    @COMMANDS.command(
        "gobo",
        roles=OFFICE,
        usage="/gobo N [ĐƠN_VỊ]",
        description="gỡ vướng nhiệm vụ N: đơn vị hết vướng mắc, nhắc quá hạn tiếp tục",
    )
    async def _cmd_gobo(self, t: Turn) -> Reply:
        """/gobo N [unit] — the office clears a blocker; overdue nags resume."""
        found = await self._review_target(
            t, tr.USAGE_GOBO, lambda v: v.status == Status.BLOCKED, "đơn vị nào báo vướng"
        )
        if isinstance(found, list):
            return found
        view, _ = found
        body = tr.unblocked_to_unit(view.task_label)
        await self._decide(t, view, "in_progress", view.percent, None, Review.UNBLOCKED, "unblocked", body)
        return [OutboundMessage(tr.unblocked_reply(view.task_label, view.unit_name))]

    @COMMANDS.command(
        "chapnhan",
        roles=OFFICE,
        usage="/chapnhan N ĐƠN_VỊ",
        description="chấp nhận đề nghị không thực hiện (không phát sinh, không thuộc chức năng) của đơn vị",
    )
    async def _cmd_chapnhan(self, t: Turn) -> Reply:
        """/chapnhan N UNIT — the office accepts a decline: not applicable to that unit."""
        found = await self._review_target(
            t, tr.USAGE_CHAPNHAN, _decline_pending, "đề nghị không thực hiện chờ xem xét", unit_required=True
        )
        if isinstance(found, list):
            return found
        view, _ = found
        body = tr.decline_accepted_to_unit(view.task_label)
        await self._decide(t, view, "not_applicable", None, None, Review.CONFIRMED, "accepted", body)
        return [OutboundMessage(tr.accepted_reply(view.task_label, view.unit_name))]

    @COMMANDS.command(
        "khongchapnhan",
        roles=OFFICE,
        usage="/khongchapnhan N ĐƠN_VỊ LÝ_DO",
        description="không chấp nhận đề nghị không thực hiện (nêu lý do); nhiệm vụ mở lại và tiếp tục được nhắc",
    )
    async def _cmd_khongchapnhan(self, t: Turn) -> Reply:
        """/khongchapnhan N UNIT REASON — the office refuses a decline: open again, unit told why."""
        found = await self._review_target(
            t,
            tr.USAGE_KHONGCHAPNHAN,
            _decline_pending,
            "đề nghị không thực hiện chờ xem xét",
            unit_required=True,
            reason_required=True,
        )
        if isinstance(found, list):
            return found
        view, reason = found
        body = tr.decline_refused_to_unit(view.task_label, view.content, reason)
        await self._decide(t, view, "not_started", None, reason, Review.RETURNED, "refused", body)
        return [OutboundMessage(tr.refused_reply(view.task_label, view.unit_name))]


def _decline_pending(v: AssignmentView) -> bool:
    return v.status == Status.NOT_APPLICABLE and v.review == Review.PENDING
