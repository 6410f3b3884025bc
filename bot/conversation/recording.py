"""Recording what a unit says about one task: the status kept with its confirmation line, a
done with its product (bot/conversation/products.py), a decline sent to the office, a
blocker told to the office at once and to a coordinating unit its reason names.

- "vướng: lý do" → the office is told at once (the same outbox key the planner's notice
  uses, so never twice); overdue nags pause (scheduler.nags); a coordinating unit the reason
  names is nudged. The office's /gobo clears it (bot/commands/review.py).
- "không phát sinh" / "không thuộc chức năng" → not applicable, `pending` until the office
  accepts it (/chapnhan) or refuses it (/khongchapnhan).
"""

from __future__ import annotations

from bot.actions import unit_reports
from bot.actions.status import record_status
from bot.conversation import products
from bot.conversation.tasks import forget_views
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.reading.replies import ParsedReply, needs_confirmation, parse_reply
from bot.texts import common as texts
from store.queries import AssignmentView

# Re-exported: the chat's tests name it here.
named_coordinators = unit_reports.named_coordinators

# Reports the office reviews: a done (its product) and a decline (not applicable).
_REVIEWED = ("done", "not_applicable")


async def store(t: Turn, view: AssignmentView, parsed: ParsedReply) -> Reply:
    """Keep the report, clear any question asked, confirm in one line. A done the reader
    is not sure of ("cơ bản xong") is not recorded: the bot asks first."""
    if needs_confirmation(parsed):
        t.ask("confirm", view.id, parsed.note or "")
        return [OutboundMessage(texts.ask_fully_done(view.task_label))]
    if parsed.status in _REVIEWED:
        return [OutboundMessage(await _record_reviewed(t, view, parsed, t.msg.text, ask=True))]
    await record_status(t.s, view.id, t.person.id, t.inbound_id, parsed, t.ctx.now())
    forget_views(t)
    t.ask(None)
    reply = [OutboundMessage(texts.confirm(view.task_label, parsed.status, parsed.percent, parsed.note))]
    if parsed.status == "blocked":
        if not parsed.note:
            t.ask("reason", view.id)
            reply.append(OutboundMessage(texts.ASK_REASON))
        else:
            await blocked_told(t, view, parsed.note)
    return reply


async def record_piece(t: Turn, view: AssignmentView, parsed: ParsedReply, words: str) -> str:
    """Record one answer of several given in one line ("4 xong CV 45/UBND-VHXH; 7 vướng: …");
    its line of the confirmation."""
    if parsed.status in _REVIEWED:
        return await _record_reviewed(t, view, parsed, words, ask=False)
    await record_status(t.s, view.id, t.person.id, t.inbound_id, parsed, t.ctx.now())
    forget_views(t)
    if parsed.status == "blocked" and parsed.note:
        await blocked_told(t, view, parsed.note)
    return texts.confirm(view.task_label, parsed.status, parsed.percent, parsed.note)


async def report(t: Turn, view: AssignmentView, text: str) -> Reply:
    """The words a unit gave about task `view`: a status, the reason the bot asked for, or
    — with no status — a product ("4: CV 45/UBND-VHXH ngày 20/6" is task 4's evidence)."""
    asked_why = t.identity.pending_kind == "reason" and t.identity.pending_assignment_id == view.id
    parsed = parse_reply(text)
    if parsed.status != "none":
        return await store(t, view, parsed)
    if asked_why:
        return await store(t, view, ParsedReply("blocked", None, text))
    found = products.found_in(t, text)
    if found or t.files:
        added = await products.add_evidence(t, view, found)
        forget_views(t)
        return [OutboundMessage(added)]
    return [OutboundMessage(texts.ASK_AGAIN_FOR.format(stt=view.task_label))]


async def _record_reviewed(t: Turn, view: AssignmentView, parsed: ParsedReply, words: str, *, ask: bool) -> str:
    t.ask(None)
    if parsed.status == "done":
        line = await products.record_done(t, view, words, parsed.percent, parsed.note, ask)
    else:
        line = await unit_reports.report_decline(t.s, reporter(t), view, words, parsed.note, t.ctx.now())
    forget_views(t)
    return line


def reporter(t: Turn) -> unit_reports.Reporter:
    return unit_reports.Reporter(t.ward_id, t.person, t.inbound_id, t.msg.channel)


async def blocked_told(t: Turn, view: AssignmentView, reason: str) -> None:
    """The office hears of a blocker at once (see unit_reports.blocked_told)."""
    await unit_reports.blocked_told(t.s, t.ward_id, t.plan, view, reason, t.ctx.now(), t.ctx.today())
