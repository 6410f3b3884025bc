"""The daily planner: sync the plan into the database and insert the coming reminders.

Idempotent by construction — reminder rows carry a unique key and are inserted with
ON CONFLICT DO NOTHING — so running it every few minutes, from several workers, is safe.
Each task's occurrences are expanded once here and given both to the database sync and
to reminder planning, so the two can never disagree about which periods exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.extensions import with_extensions
from scheduler.nags import before_tracking, blocked_with_reason
from scheduler.occurrences import Occurrence
from scheduler.plan import Plan
from scheduler.reminders import PlannedReminder, first_escalations, horizon, plan_occurrences, plan_reminders
from scheduler.vn_holidays import HOLIDAYS_VERSION
from scheduler.workcal import WorkingCalendar
from store.enums import CLOSED, AssignmentRole, DeadlineKind, PersonRole, ReminderKind
from store.outbox import insert_reminders, notice_rows, reminder_row
from store.queries import AssignmentView, blocked_assignments, escalated_pairs, people_with_role
from store.reporting import first_served
from store.sync import (
    Change,
    OccurrenceRow,
    PlanningState,
    PlanRows,
    TaskRow,
    UnitRow,
    activated_dates,
    add_periods,
    planned_fingerprint,
    planning_state,
    set_planned_fingerprint,
    state_with_escalations,
    sync_plan,
)
from store.task_match import WantedTask
from store.wards import lock_ward


@dataclass
class PlanningResult:
    ward_id: int
    inserted: int
    changes: list[Change] = field(default_factory=list)


def reminder_key(assignment_id: int, due: date, kind: str, seq: int) -> str:
    """One reminder of a kind and sequence per assignment and due day: when a deadline moves
    (an edit, an extension), the reminders of the new day are new rows, not "already sent"."""
    # The day as %Y%m%d without strftime (a quarter of the cost of a first planning's keys).
    return f"a{assignment_id}:{due.isoformat().replace('-', '')}:{kind}:{seq}"


def plan_rows(plan: Plan, occurrences: dict[int, list[Occurrence]], end: date) -> PlanRows:
    """The plan as the rows the database keeps."""
    return PlanRows(
        ward_name=plan.ward,
        plan_code=plan.code,
        coordinating_unit=plan.coordinating_unit,
        units=[UnitRow(u.code, u.name) for u in plan.units.values()],
        tasks=[
            TaskRow(
                stt=t.stt,
                content=t.content,
                product=t.product,
                deadline_text=t.deadline_text,
                deadline_kind=DeadlineKind(t.rule.kind),
                roles={code: AssignmentRole.LEAD for code in t.lead}
                | {code: AssignmentRole.COORDINATE for code in t.coordinate},
                occurrences=[OccurrenceRow(o.key, o.due, o.start, o.checkin) for o in occurrences[t.stt]],
                horizon=horizon(t, end),
                label=t.label,
                section=t.section,
                uid=t.uid,
                uid_written=t.uid_written,
            )
            for t in plan.tasks
        ],
    )


@cache
def _rules_digest() -> str:
    """The planning rules themselves: the source of the scheduler and of the plan sync. A
    deployment of changed rules plans every ward in full once, then incrementally again;
    workers running the same code agree on it."""
    h = hashlib.sha256(HOLIDAYS_VERSION.encode())
    here = Path(__file__).resolve().parent
    store = here.parent / "store"
    # Every module of the scheduler, its packages (scheduler/plan/) included.
    for path in sorted(here.rglob("*.py")) + [store / "sync.py", store / "task_match.py", store / "outbox.py"]:
        h.update(path.relative_to(here.parent).as_posix().encode())
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


_plan_digests: dict[int, tuple[Plan, str]] = {}


def _plan_digest(plan: Plan) -> str:
    """A plan's content (its repr is deterministic: dataclasses, lists and dicts in file
    order), remembered per plan object: a plan is replaced, never edited in place."""
    known = _plan_digests.get(id(plan))
    if known is None or known[0] is not plan:
        if len(_plan_digests) > 4096:
            _plan_digests.clear()
        known = _plan_digests[id(plan)] = (plan, hashlib.sha256(repr(plan).encode()).hexdigest())
    return known[1]


def calendar_digest(calendar: WorkingCalendar) -> str:
    """The calendar's content, in a fixed order (the repr of its sets of days is not)."""
    swaps = [
        (year, sorted(s.days_off), sorted(s.not_days_off), sorted(s.weekend_workdays))
        for year, s in sorted(calendar.swaps.items())
    ]
    return hashlib.sha256(repr((swaps, calendar.office_hours, str(calendar.zone))).encode()).hexdigest()


def _fingerprint(inputs: str, state: str) -> str:
    return hashlib.sha256(f"{inputs}|{state}".encode()).hexdigest()


@dataclass(frozen=True)
class Window:
    """The days a planning covers: from the oldest day a reminder may still be sent on (the
    catch-up window) to the horizon's last day."""

    first: date
    end: date

    def __str__(self) -> str:
        return f"{self.first}..{self.end}"

    @classmethod
    def parse(cls, text: str | None) -> Window | None:
        first, _, end = (text or "").partition("..")
        try:
            return cls(date.fromisoformat(first), date.fromisoformat(end))
        except ValueError:
            return None

    def advances(self, previous: Window | None) -> bool:
        """Whether this window only moved forward from `previous`: then only days past
        `previous.end` are new (none when only the first day moved: in the evening, when the
        catch-up window leaves a day behind)."""
        return previous is not None and previous.first <= self.first and previous.end <= self.end


async def plan_ward(
    session: AsyncSession,
    ward_key: str,
    plan: Plan,
    calendar: WorkingCalendar,
    now: datetime,
    *,
    ahead_days: int = 35,
    stale_after: timedelta = timedelta(hours=20),
    blocked_notice: Callable[[AssignmentView], str] | None = None,
) -> PlanningResult:
    """Sync the plan and queue the coming reminders. `blocked_notice` words the office's
    notice about a blocked unit whose nag is held back (made in bot/; none without it).

    Incremental: what a planning reads — the plan, the calendar, the planning rules, and
    from the database the activated dates, the assignments with their statuses and the
    escalations held — is kept per ward as a fingerprint, with the window of days it
    covered. A re-plan with the same fingerprint and window would insert nothing (every row
    it wants exists, and within a day the set of wanted rows only shrinks as reminders go
    stale) and stops after one read. With the same fingerprint and a later window — the
    next morning — only the days that entered the window are planned (`_advance`). A ward
    with a blocked unit is planned in full every time when notices are wanted: the office's
    notice falls due with the clock."""
    await lock_ward(session, ward_key)
    end = calendar.local_date(now) + timedelta(days=ahead_days)
    # A reminder older than the catch-up window is never created: it could only be dropped.
    oldest = now - stale_after
    window = Window(calendar.local_date(oldest), end)
    inputs = "|".join(
        (
            _rules_digest(),
            _plan_digest(plan),
            calendar_digest(calendar),
            str(stale_after),
            "notices" if blocked_notice is not None else "",
        )
    )
    known = await planned_fingerprint(session, ward_key)
    if known is not None and known.fingerprint is not None:
        state = await planning_state(session, known.ward_id)
        unchanged = _fingerprint(inputs, state.digest) == known.fingerprint
        if unchanged and not (state.blocked and blocked_notice is not None):
            previous = Window.parse(known.window)
            if previous == window:
                return PlanningResult(ward_id=known.ward_id, inserted=0)
            if window.advances(previous):
                assert previous is not None
                advanced = await _advance(
                    session, known.ward_id, plan, calendar, now, oldest, window, previous.end, state
                )
                if advanced is not None:
                    digest = _fingerprint(inputs, advanced.digest)
                    await set_planned_fingerprint(session, known.ward_id, digest, str(window))
                    return PlanningResult(ward_id=known.ward_id, inserted=advanced.inserted)

    identities = [WantedTask(t.uid, t.stt, t.content, t.uid_written) for t in plan.tasks]
    # A ward without a row has no task, so no date given to one.
    activated = await activated_dates(session, ward_key, identities) if known is not None else {}
    occurrences = plan_occurrences(plan, end, activated)
    report = await sync_plan(session, ward_key, plan_rows(plan, occurrences, end), now)
    ward_id = report.ward_id
    # The escalations held are read once, after the rows are queued (`state_with_escalations`).
    held = await planning_state(session, ward_id, escalations=False)
    # A ward without a row was first served now; a first load's assignments have no outbox row.
    first = _First(served=now if known is None else None, escalated=set() if report.first_load else None)
    new_rows = await _reminder_rows(session, ward_id, plan, calendar, occurrences, window, oldest, now, held, first)
    if blocked_notice is not None:
        new_rows += await _blocked_notices(session, ward_id, new_rows, now, blocked_notice)
    inserted = await insert_reminders(session, new_rows)
    after = await state_with_escalations(session, ward_id, held)
    await set_planned_fingerprint(session, ward_id, _fingerprint(inputs, after), str(window))
    return PlanningResult(ward_id=ward_id, inserted=inserted, changes=report.changes)


async def _state_after(session: AsyncSession, ward_id: int, held: PlanningState, rows: list[dict[str, Any]]) -> str:
    """The database state's digest once `rows` are queued: `held`'s, read after the plan rows
    were synced, unless an escalation was queued (escalations held are part of it)."""
    if any(row["kind"] == ReminderKind.ESCALATE for row in rows):
        return await state_with_escalations(session, ward_id, held)
    return held.digest


@dataclass(frozen=True)
class _Advanced:
    inserted: int
    digest: str  # the database state's after the advance


async def _advance(
    session: AsyncSession,
    ward_id: int,
    plan: Plan,
    calendar: WorkingCalendar,
    now: datetime,
    oldest: datetime,
    window: Window,
    since: date,
    state: PlanningState,
) -> _Advanced | None:
    """The daily advance: nothing changed since the ward's planning up to `since` but the
    clock (`state` is the database state that planning left). Every row wanted on a day up
    to `since` was inserted then (a later planning wants a subset of those: fewer rows are
    still within the catch-up window, tracking starts no earlier), so only the days after
    `since` are planned, and the plan rows get only the periods that entered the horizon
    (store.sync.add_periods). None, with nothing written, when the rows are not as that
    planning left them: the caller plans in full."""
    end = window.end
    if since == end:
        return _Advanced(0, state.digest)
    before = plan_occurrences(plan, since, state.activated)
    occurrences = plan_occurrences(plan, end, state.activated)
    entered = _entered(before, occurrences)
    if entered is None:
        return None
    horizons = {t.stt: horizon(t, since) for t in plan.tasks}
    if not await add_periods(session, ward_id, plan_rows(plan, entered, end).tasks, horizons):
        return None
    # New periods brought new assignments: read again what they are.
    held = await planning_state(session, ward_id) if any(entered.values()) else state
    new_days = Window(max(since + timedelta(days=1), window.first), end)
    rows = await _reminder_rows(session, ward_id, plan, calendar, occurrences, new_days, oldest, now, held)
    inserted = await insert_reminders(session, rows)
    return _Advanced(inserted, await _state_after(session, ward_id, held, rows))


def _entered(
    before: dict[int, list[Occurrence]], after: dict[int, list[Occurrence]]
) -> dict[int, list[Occurrence]] | None:
    """Per task, the occurrences `after` adds to `before`; None when it changes or drops one
    (a longer horizon only ever adds periods: anything else is planned in full)."""
    out: dict[int, list[Occurrence]] = {}
    for stt, occs in after.items():
        old = {o.key: o for o in before.get(stt, [])}
        if any(old.get(o.key, o) != o for o in occs) or not old.keys() <= {o.key for o in occs}:
            return None
        out[stt] = [o for o in occs if o.key not in old]
    return out


@dataclass(frozen=True)
class _First:
    """What a first planning knows without reading it: when the ward was first served (a
    ward without a row: now), and which escalations are held (a first load: none)."""

    served: datetime | None = None
    escalated: set[tuple[int, str]] | None = None


async def _reminder_rows(
    session: AsyncSession,
    ward_id: int,
    plan: Plan,
    calendar: WorkingCalendar,
    occurrences: dict[int, list[Occurrence]],
    window: Window,
    oldest: datetime,
    now: datetime,
    held: PlanningState,
    first: _First = _First(),
) -> list[dict[str, Any]]:
    """The outbox rows of the reminders planned on the days of `window` that are still
    wanted: their assignment (in `held`) open, not stale, tracked, and one escalation per
    task and unit."""
    planned = plan_reminders(plan, calendar, window.first, window.end, occurrences=occurrences, escalate_once=False)
    # A unit given more time (/duyet) is reminded against its extended day instead (which
    # may bring reminders to days the plan's own deadline leaves empty).
    planned = with_extensions(plan, calendar, window.first, window.end, occurrences, planned, held.extended)
    if not planned:
        return []
    # Periods due before the start of tracking (by default the day the plan was first
    # served) are not nagged: nobody was asked for them (scheduler/nags.py).
    served = first.served or (await first_served(session, [ward_id])).get(ward_id, now)
    tracking = plan.tracking_from or calendar.local_date(served)
    wanted: list[tuple[PlannedReminder, int]] = []
    for r in planned:
        found = held.assignments.get((r.task_stt, r.occurrence_key, r.unit))
        if found is None or found[1] in CLOSED or r.at < oldest:
            continue
        if before_tracking(r.kind, r.occurrence_key, r.due, tracking):
            continue
        wanted.append((r, found[0]))
    # Leadership hears once per task and unit: the first escalation of a period still open,
    # none once one is queued or sent (an answered period's escalation is skipped unsent, so
    # the next missed period may still be escalated).
    if any(r.kind == ReminderKind.ESCALATE for r, _ in wanted):
        escalated = first.escalated if first.escalated is not None else await escalated_pairs(session, ward_id)
        once = set(first_escalations([r for r, _ in wanted], escalated))
        wanted = [(r, aid) for r, aid in wanted if r in once]
    return [
        reminder_row(ward_id, reminder_key(aid, r.due, r.kind, r.seq), r.kind, r.at, now, assignment_id=aid, seq=r.seq)
        for r, aid in wanted
    ]


async def _blocked_notices(
    session: AsyncSession,
    ward_id: int,
    rows: list[dict[str, Any]],
    now: datetime,
    words: Callable[[AssignmentView], str],
) -> list[dict[str, Any]]:
    """The office hears once about a unit blocked with a reason, when the overdue nag it is
    spared (one of the planned `rows`) would have gone out (the dispatcher skips the nag:
    scheduler.nags.nag_paused). The key carries the blocked report's time: a new blocker is
    told again, the same one never twice."""
    blocked = {v.id: v for v in await blocked_assignments(session, ward_id) if blocked_with_reason(v)}
    due_now: dict[int, datetime] = {}
    for row in rows:
        aid = row["assignment_id"]
        if row["kind"] == ReminderKind.OVERDUE and aid in blocked and row["due_at"] <= now:
            due_now[aid] = row["due_at"]
    if not due_now:
        return []
    office = await people_with_role(session, ward_id, (PersonRole.OFFICE,))
    notices = []
    for aid, at in due_now.items():
        view = blocked[aid]
        stamp = f"{view.status_at:%Y%m%d%H%M%S}" if view.status_at else "0"
        notices += notice_rows(ward_id, office, f"blocked:a{aid}:{stamp}", words(view), now, due_at=at)
    return notices
