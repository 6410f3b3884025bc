"""A unit head reports on their unit's task from the desk: done with its product, in
progress with a percent, blocked with a reason, a decline, a request for more time.

The same use cases as the chat (bot/actions/status.py, bot/actions/unit_reports.py): the
report is kept in the same history, by the head, on the desk's channel, and the office is
told exactly as when the head writes it in chat. A head acts only on an assignment of their
own unit in their own ward (the form names the assignment; anything else is refused)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from bot.actions import unit_reports
from bot.actions.common import ActionError
from bot.actions.evidence_files import FetchedFile, store_bytes
from bot.actions.status import record_status
from bot.desk.choice import parse_day
from bot.desk.pages import DESK_CHANNEL, IMAGE_TYPES, record_desk_action
from bot.desk.web import HEAD_ROLES, MAX_UPLOAD, Desk, Refusal, form_of, see_other
from bot.messages import InboundFile
from bot.reading.evidence import parse_evidence
from bot.reading.replies import ParsedReply
from bot.texts import common as texts
from bot.texts import desk as td
from bot.texts import review as tr
from store.desk import Visitor
from store.enums import Review, Status
from store.inbound import mark_processed
from store.models import Person
from store.queries import AssignmentView, current_assignments, task_by_label

LIMIT = 1000  # characters kept of a note, a reason or a product


def _text(form: FormData, name: str) -> str:
    return " ".join(str(form.get(name) or "").split())[:LIMIT]


async def _own_view(desk: Desk, s: AsyncSession, v: Visitor, label: str, form: FormData) -> AssignmentView:
    """The assignment the form names, only if it is current and the head's own unit's."""
    task = await task_by_label(s, v.ward_id, label)
    if task is None or v.unit_id is None:
        raise Refusal(403, td.NOT_YOUR_ASSIGNMENT.format(label=label[:40]))
    views = [
        x
        for x in await current_assignments(s, v.ward_id, desk.ctx.today(), v.unit_id)
        if x.task_id == task.id and x.unit_id == v.unit_id
    ]
    asked = str(form.get("phan_cong") or "")
    view = next((x for x in views if str(x.id) == asked), None)
    if view is None:
        raise Refusal(403, td.NOT_YOUR_ASSIGNMENT.format(label=label[:40]))
    return view


async def head_report(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    if v.role not in HEAD_ROLES:
        raise Refusal(403, td.HEADS_ONLY)
    if request.query_params.get("phuong") not in (None, str(v.ward_id)):
        raise Refusal(403, td.OWN_WARD_TASKS_ONLY)
    label = request.path_params["label"]
    kind = request.path_params["kind"]
    if kind not in td.REPORT_KINDS:
        raise Refusal(404, td.NO_SUCH_REPORT)
    form = form_of(request)
    view = await _own_view(desk, s, v, label, form)
    person = await s.get(Person, v.person_id)
    assert person is not None
    try:
        text = await _report(desk, s, v, person, view, kind, form)
    except ActionError as refused:
        desk.flash[v.session_id] = ("error", str(refused))
    else:
        desk.flash[v.session_id] = ("ok", text)
    return see_other(f"/nhiem-vu/{label}")


async def _report(
    desk: Desk, s: AsyncSession, v: Visitor, person: Person, view: AssignmentView, kind: str, form: FormData
) -> str:
    ctx = desk.ctx
    now, today = ctx.now(), ctx.today()
    note = _text(form, "ghi_chu")
    reason = _text(form, "ly_do")
    label = view.task_label
    if kind == "xong":
        product = _text(form, "san_pham")
        detail = "; ".join(x for x in (product, note) if x)
        files = await _upload(desk, form, now)
        named = td.with_files(detail, [str(f.file.filename) for f in files]) if files else detail
        by = await _kept(s, v, person, td.report_words(kind, label, named.strip("; ")), kind, now)
        found = parse_evidence(detail, today) if detail else []
        confirm = ctx.plan_of(v.ward_id).confirm_done
        done = await unit_reports.report_done(s, by, view, detail, None, note or None, found, files, confirm, now)
        text = _done_line(view, done, confirm)
    elif kind == "dang-lam":
        percent = _percent(str(form.get("phan_tram") or ""))
        detail = "; ".join(x for x in (f"{percent}%" if percent is not None else "", note) if x)
        by = await _kept(s, v, person, td.report_words(kind, label, detail), kind, now)
        await record_status(
            s, view.id, person.id, by.inbound_id, ParsedReply("in_progress", percent, note or None), now
        )
        text = texts.confirm(label, Status.IN_PROGRESS, percent, note or None)
    elif kind == "vuong":
        if not reason:
            raise ActionError(td.NEED_BLOCK_REASON)
        by = await _kept(s, v, person, td.report_words(kind, label, reason), kind, now)
        await record_status(s, view.id, person.id, by.inbound_id, ParsedReply("blocked", None, reason), now)
        await unit_reports.blocked_told(s, v.ward_id, ctx.plan_of(v.ward_id), view, reason, now, today)
        text = texts.confirm(label, Status.BLOCKED, None, reason)
    elif kind == "khong-thuc-hien":
        if not reason:
            raise ActionError(td.NEED_DECLINE_REASON)
        words = td.report_words(kind, label, reason)
        by = await _kept(s, v, person, words, kind, now)
        text = await unit_reports.report_decline(s, by, view, words, reason, now)
    else:
        day_text = str(form.get("ngay") or "").strip()
        if not day_text:
            raise ActionError(td.NEED_DAY)
        day = parse_day(day_text)
        refused = unit_reports.extension_refusal(view, day, texts.vn_date(day), reason, today)
        if refused is not None:
            raise ActionError(refused)  # before the words are kept: a refusal records nothing
        words = td.report_words(kind, label, td.extension_detail(texts.vn_date(day), reason))
        by = await _kept(s, v, person, words, kind, now)
        text = await unit_reports.ask_extension(s, by, view, day, texts.vn_date(day), reason, now, today)
    assert by.inbound_id is not None
    await mark_processed(s, by.inbound_id, now, "desk", None)
    ctx.wake()
    return text


async def _kept(
    s: AsyncSession, v: Visitor, person: Person, words: str, kind: str, now: datetime
) -> unit_reports.Reporter:
    """The head's words kept as a message on the desk's channel: the history shows who
    reported, when and where, as for a chat message."""
    inbound_id = await record_desk_action(s, v, words, f"bao-cao-{kind}", now)
    return unit_reports.Reporter(v.ward_id, person, inbound_id, DESK_CHANNEL)


async def _upload(desk: Desk, form: FormData, now: datetime) -> list[FetchedFile]:
    """The scan or photo sent with a done, kept in the evidence folder as the chat keeps a
    file (under its hash, never under the sender's name). Its size was bounded before the
    form was read (bot.desk.web.read_form)."""
    sent = form.get("tep")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return []
    content = await sent.read(MAX_UPLOAD + 1)
    if not content:
        return []
    if len(content) > MAX_UPLOAD:
        raise ActionError(td.upload_too_large(MAX_UPLOAD))
    mime = (sent.content_type or "").split(";")[0].strip().lower() or None
    kind = "photo" if mime in IMAGE_TYPES else "document"
    file = InboundFile(f"desk:{secrets.token_hex(8)}", kind, sent.filename[:200], mime, len(content))
    try:
        return [store_bytes(content, file, desk.ctx.settings.evidence_folder().resolve(), now)]
    except OSError:
        raise ActionError(td.FILE_NOT_KEPT) from None


def _percent(text: str) -> int | None:
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 100:
        raise ActionError(td.PERCENT_RANGE)
    return int(text)


def _done_line(view: AssignmentView, done: unit_reports.Done, confirm: bool) -> str:
    if done.kind == "already":
        return tr.already_done(view.task_label, view.review == Review.CONFIRMED)
    if done.kind == "no_evidence":
        return tr.done_without_evidence(view.task_label, view.product)
    return tr.done_with_evidence(view.task_label, done.shown, confirm)
