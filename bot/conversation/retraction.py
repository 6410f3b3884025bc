""" "sai" / "không phải" / "nhầm rồi" right after the bot recorded something: the reports of
that message are taken back as a whole (store/statuses.py retract_last: marked, never
deleted; every standing leaves them out) and the bot asks again, with numbered answers
that work on Zalo too. Later than 10 minutes, after the office confirmed the product, or
once something newer was recorded on the task, the report stays and the person is told how
to correct it.
"""

from __future__ import annotations

from bot.actions.notices import notify_office
from bot.conversation.recording import store
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.reading.answers import read_restatement
from bot.reading.replies import ParsedReply, is_retraction, read_confirmation
from bot.texts import common as texts
from store import statuses
from store.enums import Review, Status
from store.models import StatusReport
from store.queries import AssignmentView, assignment_view

# The inbound outcomes of a person's own replies (bot/conversation/handle.py): a reply in
# words or a button. The office's decisions (/xacnhan, /tralai…) are commands, never undone
# by "sai".
OWN_REPLIES = ("text", "button")
# What the office was told of at once (a blocker, a decline, a product to confirm): it hears
# that the report was taken back.
_TOLD = (Status.BLOCKED, Status.NOT_APPLICABLE)


async def retraction(t: Turn, text: str) -> Reply | None:
    """The answer to "sai" and its kin; None when the message is something else."""
    if not is_retraction(text):
        return None
    if t.identity.pending_kind == "confirm" and read_confirmation(text, ParsedReply("unclear_done")) is not None:
        return None  # "không phải" answers "đã hoàn thành hẳn chưa?": not done
    done = await statuses.retract_last(t.s, t.person.id, t.inbound_id, t.ctx.now(), outcomes=OWN_REPLIES)
    views = [v for aid in done.assignment_ids if (v := await assignment_view(t.s, aid)) is not None]
    labels = [v.task_label for v in views]
    if done.outcome == "nothing" or not labels:
        return [OutboundMessage(texts.NOTHING_TO_RETRACT)]
    if done.outcome == "too_late":
        return [OutboundMessage(texts.retract_too_late(labels, done.reports[-1].created_at, t.ctx.calendar.zone))]
    if done.outcome == "confirmed":
        return [OutboundMessage(texts.retract_refused_confirmed(labels))]
    if done.outcome == "superseded":
        return [OutboundMessage(texts.retract_refused_superseded(labels))]
    # Undone now, or before ("sai" twice): the question is asked again either way.
    if len(views) == 1:
        t.ask("restate", views[0].id)
    else:
        t.ask(None)
    if done.outcome == "already":
        return [OutboundMessage(texts.already_retracted(labels))]
    await _tell_office(t, views, done.reports)
    return [OutboundMessage(texts.retracted(labels))]


async def restated(t: Turn, text: str) -> Reply | None:
    """A numbered answer ("1", "2 50%", "3: chờ kinh phí") to the question asked after a
    retraction; None when there is no such question or the message is not one."""
    if t.identity.pending_kind != "restate" or not t.identity.pending_assignment_id:
        return None
    parsed = read_restatement(text)
    view = await assignment_view(t.s, t.identity.pending_assignment_id)
    if parsed is None or view is None:
        return None
    return await _store_restated(t, view, parsed)


async def restated_in_words(t: Turn, text: str, parsed: ParsedReply) -> Reply | None:
    """A reply in words ("đang làm 50%") to the same question: it is about that task."""
    view = await assignment_view(t.s, t.identity.pending_assignment_id or 0)
    if parsed.status == "none" or view is None:
        return None
    return await store(t, view, parsed)


async def _store_restated(t: Turn, view: AssignmentView, parsed: ParsedReply) -> Reply:
    answer = await store(t, view, parsed)
    if parsed.status == "in_progress" and parsed.percent is None:
        t.ask("percent", view.id)  # as the "Đang làm" button does
        answer.append(OutboundMessage(texts.ASK_PERCENT))
    return answer


async def _tell_office(t: Turn, views: list[AssignmentView], reports: list[StatusReport]) -> None:
    labels = {v.id: v.task_label for v in views}
    told = [
        (labels[r.assignment_id], str(r.status), r.created_at)
        for r in reports
        if r.status in _TOLD or r.review == Review.PENDING
    ]
    if told:
        body = texts.retraction_notice(views[0].unit_name, views[0].unit_code, told, t.ctx.calendar.zone)
        await notify_office(t.s, t.ward_id, f"retract:{t.inbound_id}", body, t.ctx.now())
