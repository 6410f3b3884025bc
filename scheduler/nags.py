"""When an overdue series stops: pure predicates shared by planning and the dispatcher.

- A unit blocked with a reason is not nagged: nagging cannot unblock it. The office hears
  about the blocker once instead, at the moment the nag would have gone out.
- Recurring work has at most one overdue series per task and unit: when the next period
  takes over, an earlier one still open stops being nagged. It stays "không báo cáo" (not
  done, overdue) in the standing, the summary and the export — it is not closed as done or
  not applicable, which would make the figures lie.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from scheduler.occurrences import Occurrence
from store.enums import ReminderKind, Status
from store.queries import AssignmentView, takes_over

PAUSED_KINDS = (ReminderKind.OVERDUE,)
UNTRACKED_KINDS = (ReminderKind.OVERDUE, ReminderKind.ESCALATE)


def before_tracking(kind: str, occurrence_key: str, due: date, tracking_from: date | None) -> bool:
    """A period of recurring work due before the start of tracking is not nagged nor
    escalated (nobody was asked for it; scheduler/standing.py does not count it overdue)."""
    if tracking_from is None or kind not in UNTRACKED_KINDS:
        return False
    return due < tracking_from and occurrence_key[:4].isdigit()


def blocked_with_reason(view: AssignmentView) -> bool:
    return view.status == Status.BLOCKED and bool((view.note or "").strip())


def nag_paused(kind: str, view: AssignmentView | None) -> bool:
    """Whether a reminder of `kind` about `view` must wait: an overdue nag while the unit is
    blocked with a reason."""
    return view is not None and kind in PAUSED_KINDS and blocked_with_reason(view)


def series_end(occurrences: Sequence[Occurrence], index: int) -> date | None:
    """The day the occurrence at `index` of a recurring task stops being nagged: the day
    the next period takes over (None for the last one known, or work that is not periodic)."""
    occ = occurrences[index]
    if occ.checkin or occ.start is None:
        return None
    for nxt in occurrences[index + 1 :]:
        if not nxt.checkin and nxt.start is not None and nxt.start > occ.start:
            return takes_over(occ.due, nxt.start, nxt.due)
    return None
