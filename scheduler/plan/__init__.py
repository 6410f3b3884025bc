"""The plan file (`data/tasks.yaml`) and the plan it describes.

A ward writes its own plan in this format; nothing here knows about any one plan.

- `schema`: the file's fields, checked one by one (pydantic);
- `model`: the resolved plan the scheduler and the bot use (Plan, Unit, Task, Target, …);
- `resolve`: schema → model, checking what needs the whole file, one function per part;
- `load`: bytes → text → YAML tree → schema → resolve (`load_plan`, `parse_plan`);
- `yaml`: a YAML reader safe against hostile files (size, alias and depth budgets);
- `messages`: PlanError and the Vietnamese words for every problem, naming its place.

Callers import from here; the modules inside are the package's own business.
"""

from __future__ import annotations

from scheduler.plan.load import load_plan, parse_plan
from scheduler.plan.messages import PlanError
from scheduler.plan.model import Plan, ReportCycle, Section, Target, Task, Unit, six_clear_warnings, task_label
from scheduler.plan.schema import LABEL_MAX, MAX_WORKING_DAYS, PlanFile

__all__ = [
    "LABEL_MAX",
    "MAX_WORKING_DAYS",
    "Plan",
    "PlanError",
    "PlanFile",
    "ReportCycle",
    "Section",
    "Target",
    "Task",
    "Unit",
    "load_plan",
    "parse_plan",
    "six_clear_warnings",
    "task_label",
]
