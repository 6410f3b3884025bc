"""What a plan file changes against the running database, task by task, found the way the
sync finds them (store/task_match.py): by id, then by words, then by number.

Pure: a Plan and the database's rows (store.plan_state.RunningPlan) in, a PlanDiff out. Used
by `nhacviec check --against`, by the bot at a reload (a change that looks like another task
under the same id holds the edit back and tells the office) and by the desk's plan intake;
the Vietnamese words are bot/texts/plan.py's.

"Same id, different work": a task found by its id (or, without ids, by its old number) whose
words have little in common with what the database holds (under DIFFERENT) and whose
deadline or lead changed too. Its reports would stay with the id, so they would count for
work nobody reported on: the office confirms (`check --against … --confirm`) or gives the new
work a new id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from scheduler.plan.model import Plan, Task
from store.task_match import HeldTask, MatchedBy, WantedTask, match_tasks, similarity

if TYPE_CHECKING:  # the rows only: `nhacviec --help` imports this without SQLAlchemy
    from store.plan_state import RunningPlan, RunningTask

DIFFERENT = 0.35  # below this share of words in common, with a new deadline or lead: other work


class DiffKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    RESTORED = "restored"
    RENUMBERED = "renumbered"
    REWORDED = "reworded"
    DEADLINE_MOVED = "deadline_moved"
    LEAD_CHANGED = "lead_changed"
    COORDINATE_CHANGED = "coordinate_changed"
    OTHER_WORK = "other_work"  # same id, different work


@dataclass(frozen=True)
class TaskDiff:
    kind: DiffKind
    uid: str
    label: str  # the task's label in the plan file (the running one for a removed task)
    old_label: str = ""
    old: str = ""
    new: str = ""
    reports: int = 0  # reports on the task in the database: they stay with its id
    old_deadline: str = ""  # OTHER_WORK: both deadlines, to show what makes it look like other work
    new_deadline: str = ""


@dataclass(frozen=True)
class PlanDiff:
    first_load: bool
    changes: tuple[TaskDiff, ...] = ()
    reports_kept: int = 0  # reports on tasks the plan still has, each with its own task
    reports_on_removed: int = 0  # reports on tasks the plan no longer has (kept, not shown)
    matched: dict[str, str] = field(default_factory=dict)  # plan task uid → the id its row holds

    @property
    def other_work(self) -> tuple[TaskDiff, ...]:
        return tuple(c for c in self.changes if c.kind == DiffKind.OTHER_WORK)

    @property
    def digest(self) -> str:
        """What the office confirms: the "same id, different work" changes, exactly."""
        parts = sorted(f"{c.uid}\x1f{c.new}\x1f{c.old}" for c in self.other_work)
        return hashlib.sha256("\x1e".join(parts).encode()).hexdigest() if parts else ""

    def held_back(self, confirmed: str | None) -> bool:
        """True when a reload must keep the running plan: other work under an id, unconfirmed."""
        return bool(self.other_work) and self.digest != confirmed


def compare_plan(plan: Plan, running: RunningPlan | None) -> PlanDiff:
    if running is None:
        return PlanDiff(True, tuple(TaskDiff(DiffKind.ADDED, t.uid, t.name, new=t.content) for t in plan.tasks))
    held = {r.id: r for r in running.tasks}
    found = match_tasks(
        [WantedTask(t.uid, t.stt, t.content, t.uid_written) for t in plan.tasks],
        [HeldTask(r.id, r.uid, r.stt, r.content, r.active) for r in running.tasks],
    )
    changes: list[TaskDiff] = []
    kept = 0
    matched: dict[str, str] = {}
    for i, task in enumerate(plan.tasks):
        if i not in found:
            changes.append(TaskDiff(DiffKind.ADDED, task.uid, task.name, new=task.content))
            continue
        row = held[found[i][0]]
        kept += row.reports
        matched[task.uid] = row.uid or task.uid
        changes += _task_changes(task, row, found[i][1])
    paired = {hid for hid, _ in found.values()}
    gone = [r for r in running.tasks if r.id not in paired and r.active]
    changes += [TaskDiff(DiffKind.REMOVED, r.uid or "", r.label, old=r.content, reports=r.reports) for r in gone]
    on_removed = sum(r.reports for r in running.tasks if r.id not in paired)
    return PlanDiff(False, tuple(changes), kept, on_removed, matched)


def _task_changes(task: Task, row: RunningTask, how: MatchedBy) -> list[TaskDiff]:
    def diff(kind: DiffKind, old: str = "", new: str = "") -> TaskDiff:
        # The id the task keeps: its row's (a task written without one is found by its words).
        return TaskDiff(kind, row.uid or task.uid, task.name, row.label, old, new, row.reports)

    out: list[TaskDiff] = []
    if not row.active:
        out.append(diff(DiffKind.RESTORED))
    elif row.label != task.name:
        out.append(diff(DiffKind.RENUMBERED, row.label, task.name))
    deadline_moved = row.deadline_text != task.deadline_text
    lead_changed = bool(row.leads) and tuple(sorted(task.lead)) != row.leads
    reworded = row.content != task.content
    if (
        reworded
        and how in (MatchedBy.ID, MatchedBy.NUMBER)
        and (deadline_moved or lead_changed)
        and similarity(row.content, task.content) < DIFFERENT
    ):
        other = diff(DiffKind.OTHER_WORK, row.content, task.content)
        return [*out, replace(other, old_deadline=row.deadline_text, new_deadline=task.deadline_text)]
    if reworded:
        out.append(diff(DiffKind.REWORDED, row.content, task.content))
    if deadline_moved:
        out.append(diff(DiffKind.DEADLINE_MOVED, row.deadline_text, task.deadline_text))
    if lead_changed:
        out.append(diff(DiffKind.LEAD_CHANGED, ", ".join(row.leads), ", ".join(sorted(task.lead))))
    # Coordinating units are reminded too: a change is news for them, never a sign of other work.
    if row.leads and tuple(sorted(task.coordinate)) != row.coordinates:
        out.append(
            diff(
                DiffKind.COORDINATE_CHANGED,
                ", ".join(row.coordinates) or "—",
                ", ".join(sorted(task.coordinate)) or "—",
            )
        )
    return out
