"""The office's decisions on what units report: confirm a done (/xacnhan) or return it
(/tralai), clear a blocker (/gobo), accept or refuse a decline (/chapnhan, /khongchapnhan).

Each decision is the use case the desk calls too (bot/actions/review.py): kept as a status
report of its own (so `/summary N` shows it), the unit told at once. How reports get here:
bot/conversation/recording.py and products.py.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.actions import review
from bot.conversation.registry import COMMANDS, OFFICE
from bot.conversation.tasks import refs_in
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.texts import common as texts
from bot.texts import review as tr
from bot.texts.commands import ABOUT, USAGE
from store.queries import AssignmentView, current_assignments


async def _review_target(
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
    refs = await refs_in(t, t.args)
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
        for v in await current_assignments(t.s, t.ward_id, t.ctx.today())
        if v.task_stt == ref.stt and (unit_code is None or v.unit_code == unit_code)
    ]
    candidates = [v for v in views if wanted(v)]
    if not candidates:
        return [OutboundMessage(tr.nothing_to(ref.label, what))]
    if len(candidates) > 1:
        return [OutboundMessage(tr.name_the_unit(ref.label, [v.unit_code for v in candidates], usage))]
    return candidates[0], rest.strip()


@COMMANDS.command(
    "xacnhan",
    roles=OFFICE,
    usage=USAGE["xacnhan"],
    description=ABOUT["xacnhan"],
)
async def cmd_xacnhan(t: Turn) -> Reply:
    """/xacnhan N [unit] — the office confirms a done task; it counts from the day reported."""
    found = await _review_target(t, tr.USAGE_XACNHAN, review.can_confirm, tr.AWAITING_CONFIRMATION)
    if isinstance(found, list):
        return found
    view, _ = found
    answer = await review.confirm_report(t.s, t.ward_id, view, t.person, t.inbound_id, t.ctx.now(), t.ctx.calendar)
    return [OutboundMessage(answer)]


@COMMANDS.command(
    "tralai",
    roles=OFFICE,
    usage=USAGE["tralai"],
    description=ABOUT["tralai"],
)
async def cmd_tralai(t: Turn) -> Reply:
    """/tralai N [unit] REASON — the office returns a done task: open again, unit told why."""
    found = await _review_target(t, tr.USAGE_TRALAI, review.can_return, tr.DONE_TO_RETURN, reason_required=True)
    if isinstance(found, list):
        return found
    view, reason = found
    answer = await review.return_report(t.s, t.ward_id, view, t.person, t.inbound_id, reason, t.ctx.now())
    return [OutboundMessage(answer)]


@COMMANDS.command(
    "gobo",
    roles=OFFICE,
    usage=USAGE["gobo"],
    description=ABOUT["gobo"],
)
async def cmd_gobo(t: Turn) -> Reply:
    """/gobo N [unit] — the office clears a blocker; overdue nags resume."""
    found = await _review_target(t, tr.USAGE_GOBO, review.is_blocked, tr.ANY_BLOCKER)
    if isinstance(found, list):
        return found
    view, _ = found
    answer = await review.clear_blocker(t.s, t.ward_id, view, t.person, t.inbound_id, t.ctx.now())
    return [OutboundMessage(answer)]


@COMMANDS.command(
    "chapnhan",
    roles=OFFICE,
    usage=USAGE["chapnhan"],
    description=ABOUT["chapnhan"],
)
async def cmd_chapnhan(t: Turn) -> Reply:
    """/chapnhan N UNIT — the office accepts a decline: not applicable to that unit."""
    found = await _review_target(t, tr.USAGE_CHAPNHAN, review.decline_pending, tr.DECLINE_TO_REVIEW, unit_required=True)
    if isinstance(found, list):
        return found
    view, _ = found
    answer = await review.accept_decline(t.s, t.ward_id, view, t.person, t.inbound_id, t.ctx.now())
    return [OutboundMessage(answer)]


@COMMANDS.command(
    "khongchapnhan",
    roles=OFFICE,
    usage=USAGE["khongchapnhan"],
    description=ABOUT["khongchapnhan"],
)
async def cmd_khongchapnhan(t: Turn) -> Reply:
    """/khongchapnhan N UNIT REASON — the office refuses a decline: open again, unit told why."""
    found = await _review_target(
        t,
        tr.USAGE_KHONGCHAPNHAN,
        review.decline_pending,
        tr.DECLINE_TO_REVIEW,
        unit_required=True,
        reason_required=True,
    )
    if isinstance(found, list):
        return found
    view, reason = found
    answer = await review.refuse_decline(t.s, t.ward_id, view, t.person, t.inbound_id, reason, t.ctx.now())
    return [OutboundMessage(answer)]
