"""The resolved plan: units, sections, tasks with their deadline rules and reminder policy,
report cycles and targets, as the scheduler and the bot use them.

Built from a checked file by scheduler.plan.resolve; frozen, so a plan is replaced, never
edited in place (the planner keeps a digest per plan object).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scheduler.deadlines import Conditional, DeadlineRule, Ongoing, Recurring
from scheduler.folding import unit_key
from scheduler.policy import ReminderPolicy
from scheduler.rating_rules import RatingRules
from scheduler.titles import derive_head_title
from store.labels import label_key


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    head_title: str = ""  # as the plan states it; `title` derives one when empty
    remind_deputies: bool = False

    @property
    def title(self) -> str:
        """How texts address the unit's head."""
        return self.head_title or derive_head_title(self.name)


@dataclass(frozen=True)
class Section:
    label: str
    title: str


@dataclass(frozen=True)
class Task:
    # In a plan without sections and with numeric STTs, `stt` is the STT as printed (so
    # "nhiệm vụ 3" keeps meaning what it always meant). In any other plan it is the task's
    # 1-based position in the plan: a stable integer for code that still keys tasks by
    # number, while people see and type `label` ("II.3", "II.1.a").
    stt: int
    content: str
    lead: tuple[str, ...]  # unit codes, groups expanded
    coordinate: tuple[str, ...]
    product: str
    deadline_text: str
    rule: DeadlineRule
    policy: ReminderPolicy
    lead_as_written: tuple[str, ...] = ()
    label: str = ""
    section: str | None = None
    deadline_year: int | None = None
    notes: tuple[tuple[str, str], ...] = ()
    deadline_ignored: tuple[str, ...] = ()  # words of the deadline cell set aside when it was read
    # The task's identity (scheduler.plan.ids): the file's `id`, or one derived from the
    # content when the file gives none (`uid_written` False: matched by content as well).
    uid: str = ""
    uid_written: bool = False
    position: int = 0  # its place among the file's tasks, from 0 (scheduler.plan.ids.with_ids)

    @property
    def name(self) -> str:
        """What people call the task: its label, or its number where it was built without one."""
        return self.label or str(self.stt)


@dataclass(frozen=True)
class ReportCycle:
    code: str
    name: str
    due_text: str
    rule: Recurring
    period_start: tuple[int, int]  # (day, month)
    period_start_previous_year: bool
    period_end: tuple[int, int]
    sweep_before_working_days: int | None = 10
    report_due_before_working_days: int | None = 3


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    comparator: str
    value: float
    unit: str
    tasks: tuple[int, ...]  # Task.stt of each task the target measures
    measure: str = "value"  # value | share | reduction (see TargetSpec)
    figure: str = ""  # value, reduction: the key of the reported figure
    part: str = ""  # share
    total: str = ""  # share
    baseline: tuple[tuple[str, float], ...] = ()  # (unit code, previous year's figure); "" for every unit
    labels: tuple[tuple[str, str], ...] = ()  # (key, what it counts)
    units: tuple[str, ...] = ()  # unit codes that report it

    @property
    def keys(self) -> tuple[str, ...]:
        """The figures a unit reports for this target, in the order /chitieu asks them."""
        return (self.total, self.part) if self.measure == "share" else (self.figure,)

    def label(self, key: str) -> str:
        return dict(self.labels).get(key, key)

    def baseline_for(self, unit: str) -> float | None:
        given = dict(self.baseline)
        return given.get(unit, given.get(""))


@dataclass
class Plan:
    code: str
    title: str
    ward: str
    issued: date
    coordinating_unit: str
    units: dict[str, Unit]
    tasks: list[Task]
    policy: ReminderPolicy
    cycles: list[ReportCycle] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    plan_year: int | None = None
    compiled_by: str = ""  # the unit code that compiles the report to the city (reporting.compiled_by)
    report_recipient: str = ""  # who the report goes to (reporting.recipient)
    confirm_done: bool = True  # plan.confirm_done: a done counts once the office confirms it
    tracking_from: date | None = None  # plan.tracking_from: earlier periods are not counted
    rating: RatingRules = field(default_factory=RatingRules)  # how units are rated (docs/rating.md)
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def year(self) -> int:
        return self.plan_year or self.issued.year

    def task(self, stt: int) -> Task | None:
        return next((t for t in self.tasks if t.stt == stt), None)

    def task_by_label(self, text: str) -> Task | None:
        """A task by the label people write: "II.3", "ii.3", "II 3", "II.1.a", "II.1a)"."""
        key = label_key(text)
        return next((t for t in self.tasks if label_key(t.label) == key), None) if key else None

    def section_path(self, section: str | None) -> list[Section]:
        """The headings a task of `section` sits under, outermost first ("II.1" → II, II.1),
        those the plan declares."""
        if not section:
            return []
        parts = label_key(section).split(".")
        wanted = [".".join(parts[: i + 1]) for i in range(len(parts))]
        declared = {label_key(s.label): s for s in self.sections}
        return [declared[k] for k in wanted if k in declared]

    def head_title(self, code: str, name: str = "") -> str:
        """The title of a unit's head, by code (derived from `name` for a unit the plan no
        longer has)."""
        unit = self.units.get(code)
        return unit.title if unit is not None else derive_head_title(name or code)

    def find_unit(self, text: str) -> Unit | None:
        """A unit by its code, full name or alias, with or without diacritics."""
        code = self._names.get(unit_key(text))
        return self.units.get(code) if code else None


def task_label(section: str | None, stt: int | str) -> str:
    return f"{section}.{stt}" if section else str(stt)


def six_clear_warnings(plan: Plan) -> list[str]:
    """'Một việc – một đầu mối, 6 rõ' warnings: several leads, no product, no concrete time."""
    warnings: list[str] = []
    for t in plan.tasks:
        if len(t.lead) > 1:
            names = ", ".join(t.lead)
            warnings.append(
                f'Nhiệm vụ {t.name}: {len(t.lead)} đơn vị chủ trì ({names}) — chưa đúng "một việc – một đầu mối"'
            )
        if not t.product:
            warnings.append(f"Nhiệm vụ {t.name}: chưa rõ sản phẩm/kết quả")
        if isinstance(t.rule, Ongoing | Conditional):
            warnings.append(f'Nhiệm vụ {t.name}: chưa rõ thời gian ("{t.deadline_text}")')
    return warnings
