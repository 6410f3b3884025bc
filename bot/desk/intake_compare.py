"""What changes for people when a plan replaces the running one.

Tasks are matched by their label ("II.3"): the running bot keeps a task's reports under its
label, so a task whose label stays keeps its history. This is the one place that compares
two plans for the desk; the plan-identity work (stable task ids, `check --against`) brings
its own comparison, which should replace `compare_plans` here without touching the pages
(they read only `PlanChange.kind`, `.label` and `.text`).
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.plan import Plan, Task


@dataclass(frozen=True)
class PlanChange:
    kind: str  # added, removed, reworded, deadline, lead, coordinate, unit_added, unit_removed, plan
    label: str  # the task's label, the unit's code, or the plan field
    text: str  # in Vietnamese: before → after, or what it is


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _units(task: Task, key: str) -> str:
    return ", ".join(getattr(task, key)) or "—"


def compare_plans(old: Plan, new: Plan) -> list[PlanChange]:
    """Every difference a unit head would notice, in the new plan's order, removals last."""
    out: list[PlanChange] = []
    for field, label in (("ward", "tên phường"), ("code", "số kế hoạch"), ("issued", "ngày ban hành")):
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
    before = {t.name: t for t in old.tasks}
    after = {t.name: t for t in new.tasks}
    for name, task in after.items():
        was = before.get(name)
        if was is None:
            out.append(PlanChange("added", name, _short(task.content)))
            continue
        if " ".join(was.content.split()) != " ".join(task.content.split()):
            out.append(PlanChange("reworded", name, f"{_short(was.content, 60)} → {_short(task.content, 60)}"))
        if was.deadline_text.strip() != task.deadline_text.strip():
            out.append(PlanChange("deadline", name, f"{was.deadline_text} → {task.deadline_text}"))
        for key in ("lead", "coordinate"):
            if list(getattr(was, key)) != list(getattr(task, key)):
                out.append(PlanChange(key, name, f"{_units(was, key)} → {_units(task, key)}"))
    for name, task in before.items():
        if name not in after:
            out.append(PlanChange("removed", name, _short(task.content)))
    return out


def _lists(old: Plan, new: Plan) -> list[PlanChange]:
    """Report cycles and targets kept, added or dropped (a Word file rarely carries them)."""
    out = []
    for what, before, after in (
        ("kỳ báo cáo", [c.name for c in old.cycles], [c.name for c in new.cycles]),
        ("chỉ tiêu", [t.name for t in old.targets], [t.name for t in new.targets]),
    ):
        if before != after:
            out.append(
                PlanChange("plan", what, f"{', '.join(before) or 'không có'} → {', '.join(after) or 'không có'}")
            )
    return out
