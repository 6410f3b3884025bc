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

import re
from datetime import UTC

from bot.actions.notices import notify, notify_office
from bot.actions.status import record_status
from bot.conversation import products
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.reading.replies import ParsedReply, needs_confirmation, parse_reply
from bot.texts import common as texts
from bot.texts import review as tr
from scheduler.folding import fold
from scheduler.plan import Plan
from store import statuses
from store.enums import PersonRole, Review
from store.queries import AssignmentView, current_assignments, people_with_role

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
        return [OutboundMessage(await products.add_evidence(t, view, found))]
    return [OutboundMessage(texts.ASK_AGAIN_FOR.format(stt=view.task_label))]


async def _record_reviewed(t: Turn, view: AssignmentView, parsed: ParsedReply, words: str, *, ask: bool) -> str:
    t.ask(None)
    if parsed.status == "done":
        return await products.record_done(t, view, words, parsed.percent, parsed.note, ask)
    await statuses.record_status(
        t.s, view.id, t.person.id, t.inbound_id, "not_applicable", None, parsed.note, t.ctx.now(), review=Review.PENDING
    )
    body = tr.decline_notice(view.task_label, view.unit_name, view.unit_code, words or parsed.note or "")
    await notify_office(t.s, t.ward_id, f"decline:a{view.id}:{t.inbound_id}", body, t.ctx.now())
    return tr.declined(view.task_label)


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


async def blocked_told(t: Turn, view: AssignmentView, reason: str) -> None:
    """The office hears of a blocker at once; a coordinating unit the reason names is
    nudged. The office's key is the planner's (blocked:a{id}:{reported}:p{person}), so the
    notice it would queue when the overdue nag is held back is not sent a second time."""
    now = t.ctx.now()
    stamp = f"{now.astimezone(UTC):%Y%m%d%H%M%S}"
    views = await current_assignments(t.s, t.ward_id, t.ctx.today())
    coordinating = {v.unit_code: v for v in views if v.task_stt == view.task_stt and v.role == "coordinate"}
    nudged: list[str] = []
    nobody: list[str] = []
    for code in named_coordinators(t.plan, reason, list(coordinating)):
        other = coordinating[code]
        heads = await people_with_role(t.s, t.ward_id, (PersonRole.HEAD,), other.unit_id)
        if not heads:
            nobody.append(other.unit_name)
            continue
        nudged.append(other.unit_name)
        body = tr.coordinator_nudge(view.task_label, view.content, view.unit_name, reason)
        await notify(t.s, t.ward_id, heads, f"nudge:a{other.id}:{stamp}", body, now)
    body = tr.blocked_now_notice(view.task_label, view.unit_name, view.unit_code, reason, nudged, nobody)
    await notify_office(t.s, t.ward_id, f"blocked:a{view.id}:{stamp}", body, now)
