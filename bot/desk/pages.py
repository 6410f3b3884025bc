"""`/` (the ward at a glance) and `/nhiem-vu/<label>` (one task: its history, its evidence,
the office's decisions)."""

from __future__ import annotations

import json
import mimetypes
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from bot.actions import review as usecases
from bot.actions.common import ActionError
from bot.actions.tasks import queue_manual_reminder
from bot.desk.choice import choose
from bot.desk.matrix import CELL_STANDINGS, build_matrix
from bot.desk.web import HEAD_ROLES, Desk, Refusal, form_of, see_other
from bot.texts import desk as td
from bot.texts import review as tr
from bot.texts.common import ROLE_LABELS, STATUS_LABELS, remind_queued
from bot.texts.desk import ACTIONS, CHANNEL_LABELS, FLAG_LABELS, FOUR_LABELS, REPORT_KINDS, STANDING_LABELS
from bot.texts.report import period_label
from scheduler.planner import plan_ward
from store.desk import Visitor, desk_history, evidence_item, evidence_of_task
from store.enums import AssignmentRole, PersonRole
from store.extensions import pending_extensions, task_extensions
from store.inbound import mark_processed, store_inbound
from store.models import Person, Task
from store.queries import AssignmentView, active_units, current_assignments, task_by_label

FLAG_MARKS = {"awaiting_confirmation": "✓?", "returned": "↩", "blocked": "!", "extension_pending": "+"}
DESK_CHANNEL = "desk"  # the pseudo-channel of actions taken at the desk, in the task's history
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


async def unit_code_of(s: AsyncSession, v: Visitor) -> str | None:
    if v.unit_id is None:
        return None
    unit = (await active_units(s, v.ward_id)).get(v.unit_id)
    return unit.code if unit is not None else None


# --- the matrix ------------------------------------------------------------------------------


async def matrix_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    ward_id = desk.ward_for(v, request)
    plan = desk.plan(ward_id)
    choice = choose(plan, request.query_params, desk.ctx.today())
    settings = desk.ctx.settings
    m = await build_matrix(s, plan, ward_id, choice.window, choice.today, desk.ctx.calendar, settings.on_time_against)
    unit = request.query_params.get("don-vi") or None
    if v.role in HEAD_ROLES:
        unit = await unit_code_of(s, v)  # a head sees their own unit's tasks
        if unit is None:
            raise Refusal(403, td.NO_UNIT)
    standing = request.query_params.get("tinh-trang") or None
    if standing not in CELL_STANDINGS:
        standing = None
    shown = m.shown_units(unit)
    codes = {c for c, _ in shown}
    rows = [
        r
        for r in m.rows
        if any(code in codes and (standing is None or cell.standing == standing) for code, cell in r.cells.items())
    ]
    return desk.render(
        request,
        "matrix.html",
        ward_name=plan.ward,
        plan=plan,
        ward_id=ward_id,
        other_ward=ward_id != v.ward_id,
        m=m,
        rows=rows,
        units=shown,
        all_units=m.units,
        unit=unit,
        standing=standing,
        choice=choice,
        cycles=plan.cycles,
        standing_labels=STANDING_LABELS,
        four_labels=FOUR_LABELS,
        flag_labels=FLAG_LABELS,
        flag_marks=FLAG_MARKS,
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        marker_labels=tr.MARKER_LABELS,
        head=v.role in HEAD_ROLES,
    )


# --- one task --------------------------------------------------------------------------------


async def _task_and_views(
    desk: Desk, s: AsyncSession, v: Visitor, ward_id: int, label: str
) -> tuple[Task, list[AssignmentView]]:
    task = await task_by_label(s, ward_id, label)
    if task is None:
        raise Refusal(404, td.no_task(label))
    views = [x for x in await current_assignments(s, ward_id, desk.ctx.today()) if x.task_id == task.id]
    order = list(desk.plan(ward_id).units)
    views.sort(
        key=lambda x: (x.role != AssignmentRole.LEAD, order.index(x.unit_code) if x.unit_code in order else len(order))
    )
    if v.role in HEAD_ROLES:
        views = [x for x in views if x.unit_id == v.unit_id]
        if not views:
            raise Refusal(403, td.not_your_task(label))
    return task, views


async def task_page(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    ward_id = desk.ward_for(v, request)
    plan = desk.plan(ward_id)
    label = request.path_params["label"]
    task, views = await _task_and_views(desk, s, v, ward_id, label)
    own_unit = {x.unit_code for x in views} if v.role in HEAD_ROLES else None
    history = [row for row in await desk_history(s, ward_id, task.id) if own_unit is None or row.unit_code in own_unit]
    extensions = [e for e in await task_extensions(s, ward_id, task.stt) if own_unit is None or e.unit_code in own_unit]
    pending = {p.unit_code: p for p in await pending_extensions(s, ward_id, task.stt)}
    evidence = [e for e in await evidence_of_task(s, ward_id, task.id) if own_unit is None or e[1] in own_unit]
    spec = plan.task(task.stt)
    return desk.render(
        request,
        "task.html",
        ward_name=plan.ward,
        ward_id=ward_id,
        other_ward=ward_id != v.ward_id,
        task=task,
        label=task.label or str(task.stt),
        spec=spec,
        views=views,
        history=history,
        extensions=extensions,
        pending=pending,
        evidence=evidence,
        can_act=desk.can_act(v, ward_id),
        can_report=v.role in HEAD_ROLES and ward_id == v.ward_id,
        report_kinds=REPORT_KINDS,
        today=desk.ctx.today(),
        can_confirm=usecases.can_confirm,
        can_return=usecases.can_return,
        is_blocked=usecases.is_blocked,
        decline_pending=usecases.decline_pending,
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        review_label=tr.review_label,
        channel_labels=CHANNEL_LABELS,
        period_label=period_label,
        image_types=IMAGE_TYPES,
        flash=desk.flash.pop(v.session_id, None),
    )


async def record_desk_action(s: AsyncSession, v: Visitor, words: str, action: str, now: datetime) -> int:
    """The action as an inbound message on the desk's pseudo-channel: the task's history
    then shows who did what, when, and where (as a chat command's message does)."""
    inbound_id = await store_inbound(
        s,
        {
            "channel": DESK_CHANNEL,
            "chat_id": str(v.person_id),
            "message_id": f"{action}:{int(now.timestamp() * 1_000_000)}:{secrets.token_hex(4)}",
            "sender_id": str(v.person_id),
            "sender_name": v.name,
            "text": words,
            "reply_to_message_id": None,
            "raw": json.dumps({"desk": action, "person_id": v.person_id, "session": v.session_id}),
            "sent_at": now,
            "received_at": now,
        },
    )
    assert inbound_id is not None  # the message id is new by construction
    return inbound_id


async def task_action(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    ward_id = desk.ward_for(v, request)
    label = request.path_params["label"]
    action = request.path_params["action"]
    back = f"/nhiem-vu/{label}" + (f"?phuong={ward_id}" if ward_id != v.ward_id else "")
    if action not in ACTIONS:
        raise Refusal(404, td.NO_SUCH_ACTION)
    if not desk.can_act(v, ward_id):
        raise Refusal(403, td.OFFICE_ONLY)
    task, views = await _task_and_views(desk, s, v, ward_id, label)
    form = form_of(request)
    unit = str(form.get("don_vi") or "")
    reason = " ".join(str(form.get("ly_do") or "").split())[:1000]
    try:
        text = await _act(desk, s, v, ward_id, task.stt, views, action, unit, reason)
    except ActionError as exc:
        desk.flash[v.session_id] = ("error", str(exc))
        return see_other(back)
    desk.flash[v.session_id] = ("ok", text)
    return see_other(back)


async def _act(
    desk: Desk,
    s: AsyncSession,
    v: Visitor,
    ward_id: int,
    stt: int,
    views: list[AssignmentView],
    action: str,
    unit: str,
    reason: str,
) -> str:
    ctx = desk.ctx
    now = ctx.now()
    person = await s.get(Person, v.person_id)
    assert person is not None
    label = views[0].task_label if views else str(stt)
    words = td.action_words(action, label, unit, reason)
    if action == "nhac-ngay":
        await record_desk_action(s, v, words, action, now)
        queued = await queue_manual_reminder(s, ward_id, stt, unit or None, now, ctx.today())
        ctx.wake()
        return remind_queued(queued.task, len(queued.units), queued.nobody)
    if action in ("duyet-gia-han", "tu-choi-gia-han"):
        pending = [p for p in await pending_extensions(s, ward_id, stt) if p.unit_code == unit]
        if not pending:
            raise ActionError(td.no_pending_extension(label, unit))
        await record_desk_action(s, v, words, action, now)
        if action == "duyet-gia-han":

            async def replan(session: AsyncSession) -> None:
                st = ctx.settings
                await plan_ward(
                    session,
                    ctx.wards[ward_id].key,
                    ctx.plan_of(ward_id),
                    ctx.calendar,
                    ctx.now(),
                    ahead_days=st.plan_ahead_days,
                    stale_after=timedelta(hours=st.stale_after_hours),
                )

            text = await usecases.approve_extension(s, ward_id, pending[0], person, now, replan)
        else:
            text = await usecases.refuse_extension(s, ward_id, pending[0], person, reason, now)
        ctx.wake()
        return text
    view = next((x for x in views if x.unit_code == unit), None)
    if view is None:
        raise ActionError(td.not_assigned_to(label, unit))
    inbound_id = await record_desk_action(s, v, words, action, now)
    if action == "xac-nhan":
        text = await usecases.confirm_report(s, ward_id, view, person, inbound_id, now, ctx.calendar)
    elif action == "tra-lai":
        text = await usecases.return_report(s, ward_id, view, person, inbound_id, reason, now)
    elif action == "go-vuong":
        text = await usecases.clear_blocker(s, ward_id, view, person, inbound_id, now)
    elif action == "chap-nhan":
        text = await usecases.accept_decline(s, ward_id, view, person, inbound_id, now)
    else:
        text = await usecases.refuse_decline(s, ward_id, view, person, inbound_id, reason, now)
    await mark_processed(s, inbound_id, now, "desk", None)
    ctx.wake()
    return text


# --- evidence files --------------------------------------------------------------------------


async def evidence_file(desk: Desk, request: Request, s: AsyncSession, v: Visitor) -> Response:
    """A photo (shown) or a file (downloaded) a unit sent, only to that ward's people (a head:
    their own unit's)."""
    try:
        evidence_id = int(request.path_params["id"])
    except ValueError:
        raise Refusal(404, td.NO_SUCH_FILE) from None
    found = await evidence_item(s, evidence_id)
    if found is None:
        raise Refusal(404, td.NO_SUCH_FILE)
    ev, unit_id = found
    allowed = ev.ward_id == v.ward_id or (v.role == PersonRole.CITY and ev.ward_id in desk.ctx.wards)
    if not allowed or (v.role in HEAD_ROLES and unit_id != v.unit_id):
        raise Refusal(404, td.NO_SUCH_FILE)
    if ev.kind != "file" or not ev.path:
        raise Refusal(404, td.FILE_NOT_FETCHED)
    path = desk.evidence_path(ev.path)
    if path is None:
        raise Refusal(404, td.FILE_GONE)
    mime = (ev.mime or mimetypes.guess_type(path.name)[0] or "").lower()
    name = ev.filename or path.name
    if mime in IMAGE_TYPES:
        return FileResponse(path, media_type=mime, content_disposition_type="inline", filename=name)
    return FileResponse(path, media_type="application/octet-stream", filename=name)
