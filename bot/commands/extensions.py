"""Extensions of a deadline: a unit asks (/giahan, or in words), the office answers
(/duyet, /tuchoi), both sides are told through the outbox."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import review, unit_reports
from bot.actions.common import ActionError
from bot.conversation.registry import COMMANDS, EVERYONE, OFFICE
from bot.conversation.tasks import open_views, refs_in, replan, task_view
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.texts import common as texts
from bot.texts import extensions as tx
from bot.texts.commands import ABOUT, USAGE
from scheduler.folding import fold
from scheduler.plan import Plan
from scheduler.plan import Unit as PlanUnit
from store.extensions import PendingExtension, pending_extensions
from store.queries import task_by_label

_DAY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$")
# "xin gia hạn …", "4: đề nghị gia hạn …", "cho gia hạn …" (folded): a request, never a status.
_ASKS = re.compile(
    r"^(?:(?P<pre>[0-9ivxl][\w.]*)\s*[:\-]\s*)?(?:kinh\s+)?(?:xin|de nghi|dn|cho|can)?\s*(?:duoc\s+)?gia han\b"
)
_BODY = re.compile(
    r"gia han\s*(?:cho\s+)?(?:(?:nhiem vu|nv|viec)\s*)?(?:(?P<label>[0-9ivxl][\w.]*)\s+)?"
    r"(?:(?:den het|toi het|den|toi|sang|thanh)\s+)?(?:(?:ngay|hom)\s+)?"
    r"(?P<day>\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*(?:\d{4}|\d{2}))?)(?![\d/])"
)
# What may stand between the date and the reason: "vì", "do", "lý do:", ",".
_REASON_LEAD = re.compile(r"^[\s,;:.\-–]*(?:(?:bởi\s+vì|vì|vi|do|lý\s+do|ly\s+do|lí\s+do)\b)?[\s,;:.\-–]*", re.I)


def read_day(text: str, today: date) -> date | None:
    """DD/MM/YYYY, DD/MM/YY or DD/MM — without a year, the next such day from `today`."""
    m = _DAY.match(text.strip())
    if m is None:
        return None
    day, month = int(m[1]), int(m[2])
    try:
        if m[3]:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, month, day)
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


@COMMANDS.command(
    "giahan",
    roles=EVERYONE,
    usage=USAGE["giahan"],
    description=ABOUT["giahan"],
)
async def cmd_giahan(t: Turn) -> Reply:
    """/giahan N DATE REASON — a unit asks the office for more time on task N."""
    refs = await refs_in(t, t.args)
    ref = next((r for r in refs if r.rest and r.separated and not r.sep), None)
    if ref is None:
        return [OutboundMessage(tx.USAGE_GIAHAN)]
    day_text, _, reason = ref.rest.partition(" ")
    day = read_day(day_text, t.ctx.today())
    if day is None:
        return [OutboundMessage(tx.USAGE_GIAHAN)]
    return await _ask_extension(t, ref.stt, ref.label, day, day_text, reason.strip())


@COMMANDS.words
async def extension_words(t: Turn, text: str) -> Reply | None:
    """ "xin gia hạn nhiệm vụ 4 đến 15/7 vì chờ ý kiến lãnh đạo": a request in words, or
    None when the text does not ask for an extension (it is read as a report then)."""
    folded = fold(text)
    asks = _ASKS.match(folded)
    if asks is None:
        return None
    body = _BODY.search(folded, asks.end() - len("gia han"))
    if body is None:
        return [OutboundMessage(tx.USAGE_GIAHAN)]
    label = body["label"] or asks["pre"]
    day_text = re.sub(r"\s+", "", body["day"])
    day = read_day(day_text, t.ctx.today())
    if day is None:
        return [OutboundMessage(tx.USAGE_GIAHAN)]
    # The reason as written (with its diacritics): what follows the date in the message.
    # Folding keeps one character per character of NFC text, so positions carry over.
    original = " ".join(unicodedata.normalize("NFC", text).split())
    tail = original[body.end() :] if len(original) == len(folded) else folded[body.end() :]
    reason = _REASON_LEAD.sub("", tail, count=1).strip()
    if label is None:
        views = [v for v in await open_views(t) if not v.checkin]
        if len(views) != 1:
            return [OutboundMessage(tx.USAGE_GIAHAN)]
        return await _ask_extension(t, views[0].task_stt, views[0].task_label, day, day_text, reason)
    task = await task_by_label(t.s, t.ward_id, label)
    return await _ask_extension(t, task.stt if task else None, label, day, day_text, reason)


async def _ask_extension(t: Turn, stt: int | None, label: str, day: date, day_text: str, reason: str) -> Reply:
    view = await task_view(t, stt)
    if view is None:
        return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=label))]
    by = unit_reports.Reporter(t.ward_id, t.person, t.inbound_id, t.msg.channel)
    try:
        text = await unit_reports.ask_extension(t.s, by, view, day, day_text, reason, t.ctx.now(), t.ctx.today())
    except ActionError as refused:
        return [OutboundMessage(str(refused))]
    return [OutboundMessage(text)]


@COMMANDS.command(
    "duyet",
    roles=OFFICE,
    usage=USAGE["duyet"],
    description=ABOUT["duyet"],
)
async def cmd_duyet(t: Turn) -> Reply:
    """/duyet N [UNIT] — approve a pending extension (office)."""
    found = await _pending_request(t, tx.USAGE_DUYET, reason_needed=False)
    if isinstance(found, list):
        return found
    pending, _ = found

    async def replan_now(_: AsyncSession) -> None:
        await replan(t)  # the new day's reminders exist at once, not at the next planning run

    answer = await review.approve_extension(t.s, t.ward_id, pending, t.person, t.ctx.now(), replan_now)
    return [OutboundMessage(answer)]


@COMMANDS.command(
    "tuchoi",
    roles=OFFICE,
    usage=USAGE["tuchoi"],
    description=ABOUT["tuchoi"],
)
async def cmd_tuchoi(t: Turn) -> Reply:
    """/tuchoi N [UNIT] REASON — refuse a pending extension (office)."""
    found = await _pending_request(t, tx.USAGE_TUCHOI, reason_needed=True)
    if isinstance(found, list):
        return found
    pending, reason = found
    answer = await review.refuse_extension(t.s, t.ward_id, pending, t.person, reason, t.ctx.now())
    return [OutboundMessage(answer)]


async def _pending_request(t: Turn, usage: str, *, reason_needed: bool) -> tuple[PendingExtension, str] | Reply:
    """The request a /duyet or /tuchoi is about, and the words after it; or the answer
    explaining why there is none."""
    refs = await refs_in(t, t.args)
    ref = next((r for r in refs if not r.sep and (not r.rest or r.separated)), None)
    if ref is None:
        return [OutboundMessage(usage)]
    if ref.stt is None:
        return [OutboundMessage(texts.NO_SUCH_TASK.format(stt=ref.label))]
    unit, words = _leading_unit(t.plan, ref.rest)
    if not reason_needed and words:
        return [OutboundMessage(texts.UNKNOWN_UNIT.format(unit=words) + "\n" + usage)]
    if reason_needed and not words:
        return [OutboundMessage(usage)]
    pending = await pending_extensions(t.s, t.ward_id, ref.stt)
    if unit is not None:
        pending = [p for p in pending if p.unit_code == unit.code]
    if not pending:
        where = f" của {unit.name}" if unit is not None else ""
        return [OutboundMessage(tx.NO_PENDING.format(label=ref.label, unit=where))]
    if len(pending) > 1:
        units = ", ".join(p.unit_code for p in pending)
        example = f"/{'tuchoi' if reason_needed else 'duyet'} {ref.label} {pending[0].unit_code}"
        return [OutboundMessage(tx.WHICH_UNIT.format(label=ref.label, n=len(pending), units=units, example=example))]
    return pending[0], words


def _leading_unit(plan: Plan, rest: str) -> tuple[PlanUnit | None, str]:
    """ "VP cần làm trước kỳ họp" → (VP, "cần làm trước kỳ họp"); no unit named → (None, rest)."""
    words = rest.split()
    for n in range(len(words), 0, -1):
        unit = plan.find_unit(" ".join(words[:n]))
        if unit is not None:
            return unit, " ".join(words[n:])
    return None, rest.strip()
