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

from bot.actions import unit_reports
from bot.actions.evidence_files import FetchedFile, fetch_and_store
from bot.context import AppContext
from bot.conversation.turn import Reply, Turn
from bot.messages import FileSource, InboundMessage, OutboundMessage
from bot.reading.evidence import Found, parse_evidence
from bot.reading.replies import parse_reply
from bot.texts import review as tr
from store import statuses
from store.enums import Review, Status
from store.people import identity_by_chat
from store.queries import AssignmentView, assignment_views, current_assignments


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
    by = unit_reports.Reporter(t.ward_id, t.person, t.inbound_id, t.msg.channel)
    confirm = t.plan.confirm_done
    done = await unit_reports.report_done(t.s, by, view, words, percent, note, found, t.files, confirm, t.ctx.now())
    if done.kind == "already":
        return tr.already_done(view.task_label, view.review == Review.CONFIRMED)
    if done.kind == "no_evidence":
        if not ask:
            return tr.done_without_evidence_short(view.task_label)
        t.ask("evidence", view.id)
        return tr.done_without_evidence(view.task_label, view.product)
    return tr.done_with_evidence(view.task_label, done.shown, confirm)


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
    by = unit_reports.Reporter(t.ward_id, t.person, t.inbound_id, t.msg.channel)
    return await unit_reports.keep_evidence(t.s, by, view, found, t.files, words, t.ctx.now())


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
