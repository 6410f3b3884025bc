"""A message that is not a command: a request in words, one or several status replies, an
answer to the question the bot asked last, or a button pressed under a reminder."""

from __future__ import annotations

import re

from bot.conversation import products, retraction
from bot.conversation.recording import record_piece, report, store
from bot.conversation.registry import COMMANDS
from bot.conversation.tasks import leading_task, open_views, refs_in, replied_reminders, task_view, ward_labels
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.reading.replies import STATUSES, ParsedReply, needs_confirmation, parse_reply, read_confirmation
from bot.reading.task_refs import read_answers
from bot.reading.wording import NO_TASK_PART, UNREADABLE_PART
from bot.texts import common as texts
from store.queries import AssignmentView, assignment_view


async def free_text(t: Turn, text: str) -> Reply:
    # "sai", "không phải": what the bot just recorded is taken back; "1", "2 50%", "3: lý do"
    # answer the question asked after that — read before a number is taken for a task.
    for early in (retraction.retraction, retraction.restated):
        if (answered := await early(t, text)) is not None:
            return answered
    # "xin gia hạn nhiệm vụ 4 đến 15/7 vì …", "hội nghị 12, trực tuyến 8": requests in
    # words, read before any status so they are never taken for one.
    for words in COMMANDS.words_readers:
        if (asked := await words(t, text)) is not None:
            return asked
    # "1 xong; 4 đang làm 50%, 7 vướng: chờ hướng dẫn", "6, 7 xong": several at once.
    if (answers := await several(t, text)) is not None:
        return answers
    # "3: đã xong", "II.3 xong" — an explicit task label always wins.
    if (ref := await leading_task(t, text)) is not None:
        target = await task_view(t, ref.stt)
        if target is None:
            # Never file it under another task: a wrong label gets a question back.
            return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=ref.label))]
        return await report(t, target, ref.rest)
    # A reply to a reminder attaches to that reminder's task; a reply to a message that
    # carried several tasks asks which, among those tasks only.
    if t.msg.reply_to_message_id:
        replied = await replied_reminders(t)
        if len(replied) == 1:
            return await report(t, replied[0], text)
        if len(replied) > 1:
            if parse_reply(text).status == "none":
                return [OutboundMessage(texts.ASK_AGAIN)]
            t.ask("which", None, text)
            return [OutboundMessage(texts.ask_which_of([v.task_label for v in replied]))]
    if (answered := await pending(t, text)) is not None:
        return answered
    return await _unlabelled(t, text)


async def _unlabelled(t: Turn, text: str) -> Reply:
    """A status with no task named: the unit's one open task, or the question which."""
    parsed = parse_reply(text)
    if parsed.status == "none":
        return [OutboundMessage(texts.ASK_AGAIN)]
    views = await open_views(t)
    if len(views) == 1:
        return await store(t, views[0], parsed)
    if not views:
        return [OutboundMessage(texts.NO_OPEN_TASKS)]
    t.ask("which", None, text)
    labels = {v.task_stt: v.task_label for v in views}
    return [OutboundMessage(texts.ask_which([labels[stt] for stt in sorted(labels)]))]


async def pending(t: Turn, text: str) -> Reply | None:
    """An answer to the question the bot asked last (which task, what percent, why, is it
    really done, the product); None when the message is something else."""
    if (product := await products.evidence_answer(t, text)) is not None:
        return product  # a document number, a link or a file: a task's evidence
    kind = t.identity.pending_kind
    if kind == "confirm":
        return await _confirmed(t, text)
    if kind == "which":
        return await _which(t, text)
    if kind in ("percent", "reason"):
        return await _percent_or_reason(t, kind, text)
    if kind == "restate":
        return await retraction.restated_in_words(t, text, parse_reply(text))
    return None


async def _confirmed(t: Turn, text: str) -> Reply | None:
    identity = t.identity
    if not identity.pending_assignment_id:
        return None
    answered = read_confirmation(text, ParsedReply("unclear_done", None, identity.pending_text or None))
    view = await assignment_view(t.s, identity.pending_assignment_id)
    if answered is None or view is None:
        return None  # not an answer to the question: read it as a new reply
    return await store(t, view, answered)


async def _which(t: Turn, text: str) -> Reply | None:
    refs = await refs_in(t, text)
    ref = next((r for r in refs if not r.rest and r.sep in ("", ".", ")")), None)
    if ref is None:
        return None
    view = await task_view(t, ref.stt)
    if view is None:
        return [OutboundMessage(texts.NOT_YOUR_TASK.format(stt=ref.label))]
    return await report(t, view, t.identity.pending_text or "")


async def _percent_or_reason(t: Turn, kind: str, text: str) -> Reply | None:
    if not t.identity.pending_assignment_id:
        return None
    view = await assignment_view(t.s, t.identity.pending_assignment_id)
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
    return await store(t, view, parsed)


async def several(t: Turn, text: str) -> Reply | None:
    """Several answers in one line, each read on its own and recorded, one confirmation
    listing them all; a part that cannot be read, or names no task, is asked about — never
    folded into another part. None when the text names fewer than two tasks."""
    open_stt = [v.task_stt for v in await open_views(t)]
    answers = read_answers(text, await ward_labels(t), open_stt, t.ctx.today())
    if answers is None:
        return None
    lines: list[str] = []
    asked_reason: AssignmentView | None = None
    for answer in answers:
        if not answer.refs:
            lines.append(NO_TASK_PART.format(words=answer.words.strip()))
            continue
        for ref in answer.refs:
            line, blocked_without_reason = await _one_of_several(t, ref.stt, ref.label, answer.reply, answer.words)
            lines.append(line)
            if blocked_without_reason is not None:
                asked_reason = blocked_without_reason
    t.ask(None)
    if asked_reason is not None:
        t.ask("reason", asked_reason.id)
        lines.append(texts.ASK_REASON)
    return [OutboundMessage("\n".join(lines))]


async def _one_of_several(
    t: Turn, stt: int | None, label: str, parsed: ParsedReply, words: str
) -> tuple[str, AssignmentView | None]:
    """The line for one task of a message with several answers, and the task when it was
    reported blocked without a reason (the one question asked after the list)."""
    view = await task_view(t, stt)
    if view is None:
        return texts.NOT_YOUR_TASK.format(stt=label), None
    if parsed.status == "none":
        return UNREADABLE_PART.format(label=view.task_label, words=words.strip()), None
    if needs_confirmation(parsed):
        return texts.ask_fully_done(view.task_label), None
    line = await record_piece(t, view, parsed, words)
    return line, view if parsed.status == "blocked" and not parsed.note else None


async def button(t: Turn, data: str) -> Reply:
    """A status button under a reminder (Telegram): "st:<assignment>:<status>"."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "st" or not parts[1].isdigit() or parts[2] not in STATUSES:
        return [OutboundMessage(texts.BUTTON_UNKNOWN)]
    view = await assignment_view(t.s, int(parts[1]))
    if view is None or view.unit_id != t.person.unit_id:
        return [OutboundMessage(texts.BUTTON_UNKNOWN)]
    status = next(st for st in STATUSES if st == parts[2])
    answer = await store(t, view, ParsedReply(status))
    if status == "in_progress":
        t.ask("percent", view.id)
        answer.append(OutboundMessage(texts.ASK_PERCENT))
    return answer
