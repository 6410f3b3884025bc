"""People managed from chat by the office (/moi, /danhsach, /huy), a head's absence (/vang)
and a unit postponing its next reminder (/hoanlai)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.actions.common import ActionError
from bot.actions.people import create_person, issue_link_code
from bot.conversation.registry import COMMANDS, OFFICE
from bot.conversation.tasks import refs_in
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.texts import people as tp
from bot.texts.commands import ABOUT, USAGE
from bot.texts.links import deep_link
from scheduler.dispatcher import GROUPED_KINDS
from scheduler.folding import fold
from scheduler.plan import Plan
from scheduler.plan import Unit as PlanUnit
from store.enums import PersonRole, ReminderKind
from store.models import Person, Unit
from store.postpone import next_pending, postpone
from store.queries import active_units, assignment_view, people_with_role
from store.roster import RosterEntry, roster, set_away, unlink_person

UNIT_PEOPLE = frozenset({PersonRole.HEAD, PersonRole.DEPUTY})
HEADS = frozenset({PersonRole.HEAD})
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
POSTPONE_DEFAULT, POSTPONE_MAX = 3, 10
_DAYS = re.compile(r"(\d{1,3})?\s*(?:ngay(?: lam viec)?)?")
# Reminders that come before (or on) the deadline: never postponed past it.
_BEFORE_DEADLINE = (ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.CHECKIN)


def refused_text(roles: frozenset[PersonRole]) -> str:
    """Why a unit command is refused to someone else (the office's refusal is texts.OFFICE_ONLY)."""
    return tp.HEAD_ONLY if roles == HEADS else tp.UNIT_ONLY


def parse_unit_role(plan: Plan, words: list[str]) -> tuple[PlanUnit, str, list[str]] | None:
    """ĐƠN_VỊ VAI_TRÒ rest…: the unit (code, name or alias, possibly several words), the role
    (English or Vietnamese, one or two words) and the remaining words."""
    for end in range(len(words) - 1, 0, -1):
        unit = plan.find_unit(" ".join(words[:end]))
        if unit is None:
            continue
        for size in (2, 1):
            role = tp.ROLE_WORDS.get(fold(" ".join(words[end : end + size])))
            if role is not None and end + size <= len(words):
                return unit, role, words[end + size :]
    return None


def _title(t: Turn, unit: Unit | None) -> str:
    return t.plan.head_title(unit.code, unit.name) if unit is not None else ""


def _role_of(t: Turn, person: Person, unit: Unit | None) -> str:
    return tp.role_label(person.role, _title(t, unit), unit.name if unit else "—")


@COMMANDS.command(
    "moi",
    roles=OFFICE,
    usage=USAGE["moi"],
    description=ABOUT["moi"],
)
async def cmd_moi(t: Turn) -> Reply:
    """Add a person and issue the same single-use code as `nhacviec link`."""
    parsed = parse_unit_role(t.plan, t.args.split())
    if parsed is None or not parsed[2]:
        return [OutboundMessage(tp.USAGE_MOI)]
    plan_unit, role, name_words = parsed
    name = " ".join(name_words)[:200]
    now = t.ctx.now()
    try:
        person = await create_person(t.s, t.ward_id, name, role, plan_unit.code, now)
        issued = await issue_link_code(t.s, person, now, timedelta(hours=t.ctx.settings.link_code_ttl_hours))
    except ActionError as exc:
        return [OutboundMessage(str(exc))]
    username = t.ctx.settings.telegram_bot_username or t.ctx.telegram_username
    link = deep_link(username, issued.code) if username else None
    label = tp.role_label(role, plan_unit.title, plan_unit.name)
    expires = tp.at_local(issued.expires_at, t.ctx.calendar.zone)
    return [OutboundMessage(tp.invited(name, label, plan_unit.name, issued.code, expires, link))]


@COMMANDS.command(
    "danhsach",
    roles=OFFICE,
    usage=USAGE["danhsach"],
    description=ABOUT["danhsach"],
    reads_only=True,
)
async def cmd_danhsach(t: Turn) -> Reply:
    entries = await roster(t.s, t.ward_id)
    units = {u.id: u for u in await _units(t)}
    by_unit: dict[int | None, list[RosterEntry]] = {}
    for e in entries:
        by_unit.setdefault(e.person.unit_id, []).append(e)
    order = {r: i for i, r in enumerate((PersonRole.HEAD, PersonRole.DEPUTY, PersonRole.OFFICE, PersonRole.LEADER))}
    blocks = []
    for unit in units.values():
        people = sorted(by_unit.get(unit.id, []), key=lambda e: (order.get(e.person.role, 9), e.person.id))
        blocks.append(tp.roster_unit(unit.code, unit.name, [_line(t, e, unit) for e in people]))
    others = by_unit.get(None, [])
    if others:
        blocks.append(tp.roster_unit("—", tp.NO_UNIT, [_line(t, e, None) for e in others]))
    return [OutboundMessage(tp.roster(blocks))]


def _line(t: Turn, e: RosterEntry, unit: Unit | None) -> str:
    last = t.ctx.calendar.local_date(e.last_answer) if e.last_answer else None
    away = e.person.away_until if e.person.away_until and e.person.away_until >= t.ctx.today() else None
    role = _role_of(t, e.person, unit)
    return tp.roster_line(e.person.name, role, e.channels, e.unreachable, last, away)


async def _units(t: Turn) -> list[Unit]:
    """The ward's units in plan order."""
    rows = {u.code: u for u in (await active_units(t.s, t.ward_id)).values()}
    return [rows[code] for code in t.plan.units if code in rows]


@COMMANDS.command(
    "huy",
    roles=OFFICE,
    usage=USAGE["huy"],
    description=ABOUT["huy"],
)
async def cmd_huy(t: Turn) -> Reply:
    words = t.args.split()
    if not words:
        return [OutboundMessage(tp.USAGE_HUY)]
    units = {u.id: u for u in await _units(t)}
    candidates = [e.person for e in await roster(t.s, t.ward_id)]
    parsed = parse_unit_role(t.plan, words) if len(words) >= 2 else None
    if parsed is not None:
        plan_unit, role, rest = parsed
        candidates = [
            p for p in candidates if p.role == role and p.unit_id in units and units[p.unit_id].code == plan_unit.code
        ]
        name = fold(" ".join(rest))
    else:
        name = fold(t.args)
    if name:
        exact = [p for p in candidates if fold(p.name) == name]
        candidates = exact or [p for p in candidates if name in fold(p.name)]
    if not candidates:
        return [OutboundMessage(tp.NO_ONE.format(who=t.args.strip()))]
    if len(candidates) > 1:
        return [
            OutboundMessage(
                tp.ambiguous(
                    [
                        f"{units[p.unit_id].code if p.unit_id in units else '—'} — {p.name} "
                        f"({_role_of(t, p, units.get(p.unit_id or 0))})"
                        for p in candidates
                    ]
                )
            )
        ]
    person = candidates[0]
    if person.id == t.person.id:
        return [OutboundMessage(tp.NOT_SELF)]
    unit = units.get(person.unit_id or 0)
    await unlink_person(t.s, person, t.ctx.now())
    return [OutboundMessage(tp.unlinked(person.name, _role_of(t, person, unit), unit.name if unit else "—"))]


@COMMANDS.command(
    "vang",
    roles=HEADS,
    usage=USAGE["vang"],
    description=ABOUT["vang"],
)
async def cmd_vang(t: Turn) -> Reply:
    arg = fold(t.args)
    if arg in ("", "het", "xong", "ve", "da ve"):
        await set_away(t.s, t.person, None)
        return [OutboundMessage(tp.AWAY_CLEARED)]
    m = _DATE.match(arg)
    try:
        until = date(int(m[3]), int(m[2]), int(m[1])) if m else None
    except ValueError:
        until = None
    if until is None:
        return [OutboundMessage(tp.USAGE_VANG)]
    today = t.ctx.today()
    if until < today:
        return [OutboundMessage(tp.AWAY_PAST)]
    if until > today + timedelta(days=366):
        return [OutboundMessage(tp.AWAY_TOO_FAR)]
    await set_away(t.s, t.person, until)
    deputies = await people_with_role(t.s, t.ward_id, (PersonRole.DEPUTY,), t.person.unit_id)
    names = [p.name for p in deputies if p.unlinked_at is None]
    return [OutboundMessage(tp.away_set(until, names))]


@COMMANDS.command(
    "hoanlai",
    roles=UNIT_PEOPLE,
    usage=USAGE["hoanlai"],
    description=ABOUT["hoanlai"],
)
async def cmd_hoanlai(t: Turn) -> Reply:
    # "/hoanlai 4", "/hoanlai 4 3", "/hoanlai 4 3 ngày (làm việc)".
    ref, count = None, None
    for r in await refs_in(t, t.args):
        count = _DAYS.fullmatch(fold(r.rest).strip()) if r.stt is not None else None
        if count is not None:
            ref = r
            break
    if ref is None or ref.stt is None or count is None or t.person.unit_id is None:
        return [OutboundMessage(tp.USAGE_HOANLAI)]
    days = int(count[1]) if count[1] else POSTPONE_DEFAULT
    if not 1 <= days <= POSTPONE_MAX:
        return [OutboundMessage(tp.USAGE_HOANLAI)]
    calendar, now = t.ctx.calendar, t.ctx.now()
    rows = await next_pending(t.s, t.ward_id, ref.stt, t.person.unit_id, GROUPED_KINDS, now)
    if not rows:
        return [OutboundMessage(tp.NOTHING_TO_POSTPONE.format(label=ref.label))]
    first = rows[0]
    assert first.assignment_id is not None
    view = await assignment_view(t.s, first.assignment_id)
    if view is None:
        return [OutboundMessage(tp.NOTHING_TO_POSTPONE.format(label=ref.label))]
    local = first.due_at.astimezone(calendar.zone)
    day = calendar.add_working_days(local.date(), days)
    clamped_to = None
    if first.kind in _BEFORE_DEADLINE:
        # Never past the deadline: at the latest, the reminder of the due day itself.
        deadline = calendar.on_or_before(view.due)
        if local.date() >= deadline:
            return [OutboundMessage(tp.at_deadline(view.task_label, deadline))]
        if day > deadline:
            day, clamped_to = deadline, deadline
    target = calendar.local_instant(day, local.time())
    # One reminder at the new time, none before it: the latest reminder up to then is
    # the one kept (on the due day, the due-day reminder), the earlier ones are skipped.
    upto = [r for r in rows if r.due_at <= target]
    keep = upto[-1]
    if not await postpone(t.s, keep, target, upto[:-1], now):
        return [OutboundMessage(tp.POSTPONE_BUSY.format(label=view.task_label))]
    at = tp.at_local(target, calendar.zone)
    overdue = keep.kind == ReminderKind.OVERDUE
    return [OutboundMessage(tp.postponed(view.task_label, at, overdue=overdue, clamped_to=clamped_to))]
