"""A unit's own report on one task, as plain functions shared by the chat and the desk: a
done with its product, a blocker told to the office (and to a coordinating unit its reason
names), a decline the office reviews, a request for more time.

Each takes the session, the ward, the assignment reported on, who reports and the inbound
message that carries the words (a chat message, or the desk's record of the form), records
the report as the chat always did and tells the office through the outbox with the same
words and the same keys. What the unit is answered stays with the caller (a chat turn may
ask a question back; the desk shows a line)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.common import ActionError
from bot.actions.evidence_files import FetchedFile
from bot.actions.notices import notify, notify_office
from bot.messages import Attachment
from bot.reading.evidence import Found, describe
from bot.texts import common as texts
from bot.texts import extensions as tx
from bot.texts import review as tr
from scheduler.attachments import direct_row, encode
from scheduler.folding import fold
from scheduler.plan import Plan
from store import statuses
from store.enums import AssignmentRole, PersonRole, ReminderKind, Review, Status
from store.evidence import add_evidence as store_evidence
from store.evidence import evidence_between, set_notice_attachment
from store.extensions import request_extension
from store.models import Person
from store.notices import hold_office_notice, set_notice_text
from store.outbox import insert_reminders
from store.queries import AssignmentView, current_assignments, people_with_role

# Evidence that arrives within one slot reaches each office person as one message.
EVIDENCE_SLOT = timedelta(minutes=10)


def evidence_slot(now: datetime) -> tuple[datetime, datetime]:
    """The slot `now` falls in: [start, end), on the UTC ten-minute grid."""
    utc = now.astimezone(UTC)
    start = utc.replace(minute=utc.minute - utc.minute % 10, second=0, microsecond=0)
    return start, start + EVIDENCE_SLOT


@dataclass(frozen=True)
class Reporter:
    """Who reports and where the words were kept."""

    ward_id: int
    person: Person
    inbound_id: int | None
    channel: str  # the channel the files came through (a file's id is that channel's)


# --- a done and its product ------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    kind: str  # "already" (nothing new), "no_evidence", "with_evidence"
    shown: list[str]  # the products, as the confirmation names them


async def report_done(
    s: AsyncSession,
    by: Reporter,
    view: AssignmentView,
    words: str,
    percent: int | None,
    note: str | None,
    found: Sequence[Found],
    files: Sequence[FetchedFile],
    confirm: bool,
    now: datetime,
) -> Done:
    """A done report: with its product it waits for the office (told in the slot's one
    message); without one it is kept as "báo xong, chưa có sản phẩm"."""
    if not found and not files and view.status == Status.DONE and view.review in (Review.PENDING, Review.CONFIRMED):
        return Done("already", [])  # "xong" again for work whose product the office has
    if not found and not files:
        await statuses.record_status(
            s, view.id, by.person.id, by.inbound_id, Status.DONE, percent, note, now, review=Review.NO_EVIDENCE
        )
        return Done("no_evidence", [])
    review = Review.PENDING if confirm else None
    await statuses.record_status(
        s, view.id, by.person.id, by.inbound_id, Status.DONE, percent, note, now, review=review
    )
    return Done("with_evidence", await keep_evidence(s, by, view, found, files, words, now))


async def keep_evidence(
    s: AsyncSession,
    by: Reporter,
    view: AssignmentView,
    found: Sequence[Found],
    files: Sequence[FetchedFile],
    words: str,
    now: datetime,
) -> list[str]:
    """The products kept as the task's evidence and the office told; what was kept, in words."""
    common = {
        "ward_id": by.ward_id,
        "assignment_id": view.id,
        "inbound_id": by.inbound_id,
        "person_id": by.person.id,
        "text": words,
        "created_at": now,
    }
    rows = [{**common, "kind": f.kind, "doc_number": f.doc_number, "doc_date": f.doc_date, "url": f.url} for f in found]
    rows += [
        {
            **common,
            "kind": "file",
            "channel": by.channel,
            "file_id": f.file.file_id,
            "filename": f.file.filename,
            "mime": f.file.mime,
            "size": f.size if f.size is not None else f.file.size,
            "sha256": f.sha256,
            "path": f.path,
            "fetch_state": "stored" if f.stored else "failed",
            "fetch_error": f.error,
        }
        for f in files
    ]
    await store_evidence(s, rows)
    await evidence_to_office(s, by.ward_id, now)
    return [describe(f) for f in found] + [_file_words(f) for f in files]


def _file_words(f: FetchedFile) -> str:
    if not f.stored:
        return tr.FILE_NOT_FETCHED
    return tr.file_words(f.file.kind == "photo", f.file.filename)


def _file_notice_words(
    mime: str | None, filename: str | None, path: str | None, error: str | None, file_id: str | None
) -> str:
    photo = (mime or "").startswith("image") or filename is None
    return tr.file_notice_words(photo, path, error, file_id)


async def evidence_to_office(s: AsyncSession, ward_id: int, now: datetime) -> None:
    """The office hears of evidence in one message per person per slot, rewritten from
    the slot's evidence while it is pending; a slot with one file carries it."""
    start, end = evidence_slot(now)
    ids = await hold_office_notice(s, ward_id, f"evidence:{start:%Y%m%d%H%M}", end, now)
    if not ids:
        return
    arrived = await evidence_between(s, ward_id, start, end)
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
    await set_notice_text(s, ids, tr.evidence_notice(items))
    stored = [a for a in arrived if a.evidence.path]
    attachment = None
    if len(stored) == 1:
        ev = stored[0].evidence
        assert ev.path is not None
        kind = "photo" if (ev.mime or "image").startswith("image") and not ev.filename else "document"
        caption = tr.evidence_caption(stored[0].task_label, stored[0].unit_name)
        attachment = encode(Attachment(ev.path, ev.path.rsplit("/", 1)[-1], kind, caption))
    await set_notice_attachment(s, ids, attachment)


# --- a decline, a blocker --------------------------------------------------------------------


async def report_decline(
    s: AsyncSession, by: Reporter, view: AssignmentView, words: str, note: str | None, now: datetime
) -> str:
    """ "Không phát sinh" / "không thuộc chức năng": not applicable, pending until the office
    accepts or refuses it; the office told at once."""
    await statuses.record_status(
        s, view.id, by.person.id, by.inbound_id, Status.NOT_APPLICABLE, None, note, now, review=Review.PENDING
    )
    body = tr.decline_notice(view.task_label, view.unit_name, view.unit_code, words or note or "")
    await notify_office(s, by.ward_id, f"decline:a{view.id}:{by.inbound_id}", body, now)
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


async def blocked_told(
    s: AsyncSession, ward_id: int, plan: Plan, view: AssignmentView, reason: str, now: datetime, today: date
) -> None:
    """The office hears of a blocker at once; a coordinating unit the reason names is
    nudged. The office's key is the planner's (blocked:a{id}:{reported}:p{person}), so the
    notice it would queue when the overdue nag is held back is not sent a second time."""
    stamp = f"{now.astimezone(UTC):%Y%m%d%H%M%S}"
    views = await current_assignments(s, ward_id, today)
    coordinating = {
        v.unit_code: v for v in views if v.task_stt == view.task_stt and v.role == AssignmentRole.COORDINATE
    }
    nudged: list[str] = []
    nobody: list[str] = []
    for code in named_coordinators(plan, reason, list(coordinating)):
        other = coordinating[code]
        heads = await people_with_role(s, ward_id, (PersonRole.HEAD,), other.unit_id)
        if not heads:
            nobody.append(other.unit_name)
            continue
        nudged.append(other.unit_name)
        body = tr.coordinator_nudge(view.task_label, view.content, view.unit_name, reason)
        await notify(s, ward_id, heads, f"nudge:a{other.id}:{stamp}", body, now)
    body = tr.blocked_now_notice(view.task_label, view.unit_name, view.unit_code, reason, nudged, nobody)
    await notify_office(s, ward_id, f"blocked:a{view.id}:{stamp}", body, now)


# --- more time -------------------------------------------------------------------------------


def extension_refusal(view: AssignmentView, day: date, day_text: str, reason: str, today: date) -> str | None:
    """Why a request for more time cannot be made (None: it can), checked before anything
    is kept."""
    if not reason:
        return tx.NEED_REASON.format(label=view.task_label, day=day_text)
    if view.checkin:
        return tx.CHECKIN.format(label=view.task_label)
    if not view.is_open:
        return tx.CLOSED.format(label=view.task_label)
    if day <= today:
        return tx.IN_PAST.format(day=texts.vn_date(day))
    if day <= view.effective_due:
        due = texts.vn_date(view.effective_due)
        return tx.NOT_LATER.format(label=view.task_label, due=due, day=texts.vn_date(day))
    return None


async def ask_extension(
    s: AsyncSession,
    by: Reporter,
    view: AssignmentView,
    day: date,
    day_text: str,
    reason: str,
    now: datetime,
    today: date,
) -> str:
    """/giahan: the unit asks for `day` instead of its deadline; the office told at once.
    A request that cannot be made is an ActionError saying why."""
    refused = extension_refusal(view, day, day_text, reason, today)
    if refused is not None:
        raise ActionError(refused)
    current = view.effective_due
    request, replaced = await request_extension(
        s, by.ward_id, view.id, by.person.id, by.inbound_id, current, day, reason, now
    )
    body = tx.office_notice(
        view.unit_name, view.unit_code, view.task_label, view.content, current, day, reason, by.person.name
    )
    office = await people_with_role(s, by.ward_id, (PersonRole.OFFICE,))
    rows = [
        direct_row(by.ward_id, f"ext:{request.id}:asked:p{p.id}", ReminderKind.NOTICE, now, p.id, body) for p in office
    ]
    await insert_reminders(s, rows)
    previous = replaced[-1].new_due if replaced else None
    return tx.requested(view.task_label, current, day, reason, previous, len(rows))
