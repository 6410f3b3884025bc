"""What changes for people when a plan replaces the running one.

The tasks are compared the way the running bot will match them (scheduler/plan/compare.py,
the comparison `nhacviec check --against` prints): by stable id, then by words, then by
number; reports follow the id. What a plan carries beside its tasks (its number and date,
its units, report cycles and targets) is compared here, from the two plan files. The pages
read only `PlanChange.kind`, `.label` and `.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts import intake as tx
from bot.texts.intake import task_change_text
from scheduler.plan import Plan
from scheduler.plan.compare import PlanDiff


@dataclass(frozen=True)
class PlanChange:
    kind: str  # a scheduler.plan.compare.DiffKind for a task; unit_added, unit_removed, plan
    label: str  # the task's label, the unit's code, or the plan field
    text: str  # in Vietnamese: before → after, or what it is


def compare_plans(old: Plan, new: Plan, tasks: PlanDiff) -> list[PlanChange]:
    """Every difference a unit head would notice: the plan's own fields and units, then each
    task as the running bot will match it."""
    out: list[PlanChange] = []
    for field, label in tx.PLAN_FIELDS:
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            out.append(PlanChange("plan", label, f"{before} → {after}"))
    out += _lists(old, new)
    for code, unit in new.units.items():
        if code not in old.units:
            out.append(PlanChange("unit_added", code, unit.name))
    for code, unit in old.units.items():
        if code not in new.units:
            out.append(PlanChange("unit_removed", code, unit.name))
    out += [PlanChange(c.kind.value, c.label, task_change_text(c)) for c in tasks.changes]
    return out


def _lists(old: Plan, new: Plan) -> list[PlanChange]:
    """Report cycles and targets kept, added or dropped (a Word file rarely carries them)."""
    out = []
    for what, before, after in (
        (tx.CYCLES, [c.name for c in old.cycles], [c.name for c in new.cycles]),
        (tx.TARGETS, [t.name for t in old.targets], [t.name for t in new.targets]),
    ):
        if before != after:
            out.append(PlanChange("plan", what, tx.list_change(before, after)))
    return out
