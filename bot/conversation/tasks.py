"""The tasks a turn talks about: the unit's open ones, a label read against the ward's own
labels, the tasks of the reminder a message replies to; and what a command queues for the
asking chat or re-plans at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.conversation.turn import Turn
from bot.messages import Attachment
from bot.reading.task_refs import TaskRef, task_refs
from bot.texts import common as texts
from bot.texts.people import role_label
from bot.texts.reminders import tasks_list
from scheduler.attachments import direct_row
from scheduler.folding import fold
from scheduler.planner import plan_ward
from store.delivery import reply_targets
from store.enums import ReminderKind
from store.models import Person, Unit
from store.queries import AssignmentView, assignment_views, current_assignments, open_assignments, task_labels

# Words a status reply starts with: "3 xong", "II.3 đang làm" name task 3 without a separator.
_STATUS_STARTERS = (
    "xong",
    "da ",
    "dang",
    "vuong",
    "chua",
    "hoan thanh",
    "khong",
    "kho khan",
    "ht",
    "dg",
    "ko ",
    "k ",
    "de nghi",
    "cho ",
    "tam",
    "sap",
    "gan",
)


async def welcome(ctx: AppContext, s: AsyncSession, person: Person) -> str:
    unit = await s.get(Unit, person.unit_id) if person.unit_id else None
    title = ctx.plan_of(person.ward_id).head_title(unit.code, unit.name) if unit else ""
    role = role_label(person.role, title, unit.name if unit else "—")
    lines = [texts.WELCOME.format(name=person.name, unit=unit.name if unit else "—", role=role)]
    if unit is not None:
        lines.append(await tasks_text(ctx, s, person.ward_id, unit.id))
    lines.append(texts.HELP_SHORT)
    return "\n\n".join(lines)


async def current_views(t: Turn, ward_id: int) -> list[AssignmentView]:
    """The current assignments in `ward_id` of the turn's unit (none for a person without a
    unit), read once per turn until it records a status (`forget_views`): a reply is read by
    several readers in turn, each of which used to query them again."""
    if t.person.unit_id is None:
        return []
    if t.views is None or t.views[0] != ward_id:
        t.views = (ward_id, await current_assignments(t.s, ward_id, t.ctx.today(), t.person.unit_id))
    return t.views[1]


def forget_views(t: Turn) -> None:
    """The turn recorded something: its unit's assignments are read again when next asked."""
    t.views = None


async def open_views(t: Turn) -> list[AssignmentView]:
    """The open assignments of the turn's unit (none for a person without a unit)."""
    return [v for v in await current_views(t, t.person.ward_id) if v.is_open]


async def ward_labels(t: Turn) -> dict[int, str]:
    """The turn's ward's task labels, read once per turn."""
    if t.labels is None or t.labels[0] != t.ward_id:
        t.labels = (t.ward_id, await task_labels(t.s, t.ward_id))
    return t.labels[1]


async def refs_in(t: Turn, text: str) -> list[TaskRef]:
    """The ways `text` starts with a task label, read against the ward's own labels."""
    return task_refs(text, await ward_labels(t))


async def leading_task(t: Turn, text: str) -> TaskRef | None:
    """The task a free-text report names first ("II.3: xong", "3 đang làm"): a label set
    apart by a separator, or followed by a status word."""
    for ref in await refs_in(t, text):
        if ref.rest and ref.separated and (ref.sep or fold(ref.rest).startswith(_STATUS_STARTERS)):
            return ref
    return None


async def task_view(t: Turn, stt: int | None) -> AssignmentView | None:
    """The unit's current assignment of task `stt` (None for a task the ward does not have)."""
    if stt is None:
        return None
    return next((v for v in await current_views(t, t.ward_id) if v.task_stt == stt), None)


async def replied_reminders(t: Turn) -> list[AssignmentView]:
    """The unit's tasks of the reminder message a chat message replies to (one message
    may carry several: everything due for a head at one moment)."""
    msg = t.msg
    assert msg.reply_to_message_id is not None
    ids = await reply_targets(t.s, msg.channel, msg.chat_id, msg.reply_to_message_id)
    views = [v for v in await assignment_views(t.s, set(ids)) if v.unit_id == t.person.unit_id]
    return sorted(views, key=lambda v: v.task_stt)


async def tasks_text(ctx: AppContext, s: AsyncSession, ward_id: int, unit_id: int) -> str:
    views = await open_assignments(s, ward_id, unit_id, ctx.today())
    return tasks_list(views, ctx.calendar, ctx.today())


def queue_file(t: Turn, key: str, attachment: Attachment, body: str = "") -> None:
    """A file for the asking chat, as an outbox row addressed to it (queued with the answer)."""
    row = direct_row(
        t.ward_id,
        key,
        ReminderKind.FILE,
        t.ctx.now(),
        t.person.id,
        body,
        channel=t.msg.channel,
        chat_id=t.msg.chat_id,
        attachment=attachment,
    )
    t.queued.append(row)


async def replan(t: Turn) -> None:
    """Plan the turn's ward at once (a task activated, an extension approved), so its new
    reminders exist now rather than at the next planning run."""
    settings = t.ctx.settings
    await plan_ward(
        t.s,
        t.ctx.wards[t.ward_id].key,
        t.plan,
        t.ctx.calendar,
        t.ctx.now(),
        ahead_days=settings.plan_ahead_days,
        stale_after=timedelta(hours=settings.stale_after_hours),
    )
