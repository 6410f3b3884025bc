"""Done means a product: the files a message brings, the document numbers and links a unit
names, kept as the task's evidence, and the office told of them in one message per slot.

How a report moves (store.enums.Review on the report and the assignment):
- "xong" with a product (a document number and date, a link, a photo/file) → done, "chờ
  xác nhận" (`pending`) when the plan asks for confirmation (`confirm_done`, default true);
  without one → done, "báo xong, chưa có sản phẩm" (`no_evidence`), and the bot asks for
  the product the plan names (a pending "evidence" question that never blocks other replies).
  The assignment is closed for reminders either way: the unit did its part; the standing
  counts it as done only once the office confirms (scheduler/standing.py).
- The office's /xacnhan and /tralai are in bot/commands/review.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.actions.evidence_files import FetchedFile, fetch_and_store
from bot.context import AppContext
from bot.conversation.turn import Reply, Turn
from bot.messages import Attachment, FileSource, InboundMessage, OutboundMessage
from bot.reading.evidence import Found, describe, parse_evidence
from bot.reading.replies import parse_reply
from bot.texts import review as tr
from scheduler.attachments import encode
from store import statuses
from store.enums import Review, Status
from store.evidence import add_evidence as store_evidence
from store.evidence import evidence_between, set_notice_attachment
from store.notices import hold_office_notice, set_notice_text
from store.people import identity_by_chat
from store.queries import AssignmentView, assignment_views, current_assignments

# Evidence that arrives within one slot reaches each office person as one message.
EVIDENCE_SLOT = timedelta(minutes=10)


def evidence_slot(now: datetime) -> tuple[datetime, datetime]:
    """The slot `now` falls in: [start, end), on the UTC ten-minute grid."""
    utc = now.astimezone(UTC)
    start = utc.replace(minute=utc.minute - utc.minute % 10, second=0, microsecond=0)
    return start, start + EVIDENCE_SLOT


def found_in(t: Turn, *texts: str) -> list[Found]:
    """The documents and links named in `texts`, each once."""
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for text in texts:
        for f in parse_evidence(text, t.ctx.today()):
            key = (f.doc_number, f.url)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _file_words(f: FetchedFile) -> str:
    if not f.stored:
        return tr.FILE_NOT_FETCHED
    return "ảnh" if f.file.kind == "photo" else f"tệp {f.file.filename or ''}".strip()


async def fetch_files(ctx: AppContext, sources: Mapping[str, FileSource], msg: InboundMessage) -> list[FetchedFile]:
    """Fetch a message's files before it is interpreted, outside any transaction: the
    network is never waited on with the database held. A stranger's file is not fetched:
    nobody's disk fills from outside."""
    if not msg.attachments:
        return []
    async with ctx.db.read() as s:
        identity = await identity_by_chat(s, msg.channel, msg.chat_id)
    if identity is None or (identity.sender_id is not None and identity.sender_id != msg.sender_id):
        return []
    folder = ctx.settings.evidence_folder().resolve()
    source = sources.get(msg.channel)
    return [await fetch_and_store(source, f, folder, ctx.now()) for f in msg.attachments]


async def record_done(
    t: Turn, view: AssignmentView, words: str, percent: int | None, note: str | None, ask: bool
) -> str:
    """A done report: with its product it waits for the office; without one the bot asks
    for the product the plan names (`ask`) — the line that says so."""
    found = found_in(t, words, note or "")
    confirm = t.plan.confirm_done
    if not found and not t.files and view.status == Status.DONE and view.review in (Review.PENDING, Review.CONFIRMED):
        # "xong" again for work whose product the office has (or is looking at): nothing new.
        return tr.already_done(view.task_label, view.review == Review.CONFIRMED)
    now = t.ctx.now()
    if not found and not t.files:
        await statuses.record_status(
            t.s, view.id, t.person.id, t.inbound_id, "done", percent, note, now, review=Review.NO_EVIDENCE
        )
        if not ask:
            return tr.done_without_evidence_short(view.task_label)
        t.ask("evidence", view.id)
        return tr.done_without_evidence(view.task_label, view.product)
    review = Review.PENDING if confirm else None
    await statuses.record_status(t.s, view.id, t.person.id, t.inbound_id, "done", percent, note, now, review=review)
    shown = await keep_evidence(t, view, found, words)
    return tr.done_with_evidence(view.task_label, shown, confirm)


async def add_evidence(t: Turn, view: AssignmentView, found: list[Found]) -> str:
    """A product given after the done report (or for work in progress)."""
    t.ask(None)
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
            t.ctx.now(),
            review=Review.PENDING if confirm else None,
        )
    shown = await keep_evidence(t, view, found, t.msg.text)
    return tr.evidence_added(view.task_label, shown, confirm and view.status == Status.DONE)


async def keep_evidence(t: Turn, view: AssignmentView, found: list[Found], words: str) -> list[str]:
    now = t.ctx.now()
    common = {
        "ward_id": t.ward_id,
        "assignment_id": view.id,
        "inbound_id": t.inbound_id,
        "person_id": t.person.id,
        "text": words,
        "created_at": now,
    }
    rows = [{**common, "kind": f.kind, "doc_number": f.doc_number, "doc_date": f.doc_date, "url": f.url} for f in found]
    rows += [
        {
            **common,
            "kind": "file",
            "channel": t.msg.channel,
            "file_id": f.file.file_id,
            "filename": f.file.filename,
            "mime": f.file.mime,
            "size": f.size if f.size is not None else f.file.size,
            "sha256": f.sha256,
            "path": f.path,
            "fetch_state": "stored" if f.stored else "failed",
            "fetch_error": f.error,
        }
        for f in t.files
    ]
    await store_evidence(t.s, rows)
    await evidence_to_office(t)
    return [describe(f) for f in found] + [_file_words(f) for f in t.files]


def _file_notice_words(
    mime: str | None, filename: str | None, path: str | None, error: str | None, file_id: str | None
) -> str:
    if path:
        return f"{'ảnh' if (mime or '').startswith('image') or filename is None else 'tệp'} (lưu tại {path})"
    return f"ảnh/tệp chưa tải được ({error}; mã tệp {(file_id or '')[:60]})"


async def evidence_to_office(t: Turn) -> None:
    """The office hears of evidence in one message per person per slot, rewritten from
    the slot's evidence while it is pending; a slot with one file carries it."""
    now = t.ctx.now()
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
            words = _file_notice_words(ev.mime, ev.filename, ev.path, ev.fetch_error, ev.file_id)
        else:
            words = describe(Found(ev.kind, ev.doc_number, ev.doc_date, ev.url))  # type: ignore[arg-type]
        grouped.setdefault(key, []).append(words)
        meta[key] = (a.unit_name, a.product, a.person)
    items = [(k[0], meta[k][0], meta[k][1], meta[k][2], v) for k, v in grouped.items()]
    await set_notice_text(t.s, ids, tr.evidence_notice(items))
    stored = [a for a in arrived if a.evidence.path]
    attachment = None
    if len(stored) == 1:
        ev = stored[0].evidence
        assert ev.path is not None
        kind = "photo" if (ev.mime or "image").startswith("image") and not ev.filename else "document"
        caption = f"Sản phẩm nhiệm vụ {stored[0].task_label} — {stored[0].unit_name}"
        attachment = encode(Attachment(ev.path, ev.path.rsplit("/", 1)[-1], kind, caption))
    await set_notice_attachment(t.s, ids, attachment)


async def evidence_answer(t: Turn, text: str) -> Reply | None:
    """A message that gives a product: the answer to the bot's question for it, or a
    photo/file for the one task of the unit waiting for its product. None when it is
    something else (read as a new reply: a pending question never blocks others)."""
    identity = t.identity
    if identity.pending_kind not in (None, "evidence"):
        return None  # the answer to another question (why blocked, what percent, which task)
    found = found_in(t, text)
    if not found and not t.files:
        return None
    status = parse_reply(text).status
    if identity.pending_kind == "evidence" and identity.pending_assignment_id and status in ("none", "done"):
        views = await assignment_views(t.s, {identity.pending_assignment_id})
        if views:
            return [OutboundMessage(await add_evidence(t, views[0], found))]
    if status != "none" or t.person.unit_id is None:
        return None
    waiting = [
        v
        for v in await current_assignments(t.s, t.ward_id, t.ctx.today(), t.person.unit_id)
        if v.status == Status.DONE and v.review == Review.NO_EVIDENCE
    ]
    if len(waiting) == 1:
        return [OutboundMessage(await add_evidence(t, waiting[0], found))]
    if t.files:
        return [OutboundMessage(tr.EVIDENCE_WHICH)]
    return None
