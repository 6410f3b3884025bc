"""The plan file (`data/tasks.yaml`): schema, validation with precise errors, resolution.

A ward writes its own plan in this format; nothing here knows about any one plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scheduler.deadlines import (
    Conditional,
    DeadlineError,
    DeadlineRule,
    Milestones,
    Once,
    Ongoing,
    Period,
    Recurring,
    parse_deadline,
)
from scheduler.folding import fold
from scheduler.periods import Freq
from scheduler.plan_messages import bad_scalar_problem, decode_plan_bytes, pydantic_problem, yaml_problem
from scheduler.plan_yaml import (
    MAX_PLAN_BYTES,
    YamlBudgetError,
    compose,
    construct,
    first_unstorable_line,
    size_problem,
    unstorable,
    walk_strings,
)
from scheduler.policy import ReminderPolicy
from scheduler.rating_rules import RatingRules
from scheduler.titles import derive_head_title
from store.labels import label_key


class PlanError(ValueError):
    """An invalid plan file; `problems` names task, field and line for each problem."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: kế hoạch không hợp lệ\n" + "\n".join(f"- {p}" for p in problems))


# --- schema --------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitSpec(_Strict):
    # Widths of the database columns (units.code, units.name).
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = []
    # How the texts address the unit's head ("Chủ tịch UBND phường"); derived from the name
    # when absent (scheduler.titles).
    head_title: str | None = Field(default=None, min_length=1, max_length=120)
    # Reminders of this unit also go to its deputies (cấp phó, đầu mối), not only to its head.
    remind_deputies: bool | None = None


class GroupSpec(UnitSpec):
    # An empty membership is allowed so that a drafted plan can name a group the plan uses
    # ("Các Sở, ban, ngành") before the office knows its members; a task whose only lead is
    # such a group is still an error (nobody would be reminded).
    members: list[str] = []


# About a year of working days: the furthest a reminder may sit from its due day. The
# planner walks the working calendar day by day, and occurrences are expanded this far
# ahead, so a larger figure would stall every tick rather than remind anybody.
MAX_WORKING_DAYS = 250
# Plan and deadline years the calendar and the database can hold; a year outside is a typo.
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_STT = 9999  # tasks.stt is a 32-bit integer column; no appendix has more than a few hundred rows


class PolicySpec(_Strict):
    before_working_days: list[int] | None = Field(default=None, max_length=10)
    on_due: bool | None = None
    overdue_backoff_working_days: list[int] | None = Field(default=None, min_length=1, max_length=20)
    overdue_every_working_days: int | None = Field(default=None, ge=1, le=MAX_WORKING_DAYS)
    escalate_after_working_days: int | None = Field(default=None, ge=0, le=MAX_WORKING_DAYS)
    send_time: time | None = None
    checkin: Freq | None = None
    checkin_before_working_days: int | None = Field(default=None, ge=0, le=MAX_WORKING_DAYS)
    checkin_coordinators: bool | None = None

    @field_validator("before_working_days")
    @classmethod
    def _positive(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError("số ngày làm việc trước hạn phải lớn hơn 0")
        if v is not None and any(x > MAX_WORKING_DAYS for x in v):
            big = max(v)
            raise ValueError(f"số ngày làm việc trước hạn phải nhỏ hơn hoặc bằng {MAX_WORKING_DAYS} (đang ghi {big})")
        return v

    @field_validator("overdue_backoff_working_days")
    @classmethod
    def _gaps(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError("khoảng cách giữa hai lần nhắc quá hạn phải lớn hơn 0 ngày làm việc")
        if v is not None and any(x > MAX_WORKING_DAYS for x in v):
            raise ValueError(
                f"khoảng cách giữa hai lần nhắc quá hạn phải nhỏ hơn hoặc bằng {MAX_WORKING_DAYS} ngày làm việc"
            )
        return v


# A task number as printed: 3, "a" (a sub-task under 1), "1.2" or a Roman numeral.
_STT_TEXT = re.compile(r"^(?:[A-Za-zĐđ]|[IVXLivxl]{1,6}|\d{1,3}(?:\.\d{1,3})*)$")
_LABEL_TEXT = re.compile(r"^(?:[A-Za-zĐđ]|[IVXLivxl]{1,6}|\d{1,3})(?:\.(?:[A-Za-zĐđ]|[IVXLivxl]{1,6}|\d{1,3}))*$")
_STT_HELP = "STT phải là số (1, 2…), một chữ cái (a, b…), số La Mã (I, II…) hoặc dạng 1.2"


def _stt_value(v: Any) -> int | str:
    if isinstance(v, bool):
        raise ValueError(_STT_HELP)
    if isinstance(v, int):
        if v < 1:
            raise ValueError("STT phải lớn hơn hoặc bằng 1")
        if v > MAX_STT:
            raise ValueError(f"STT phải nhỏ hơn hoặc bằng {MAX_STT} (đang ghi {v})")
        return v
    if isinstance(v, str):
        text = v.strip().rstrip(".)")
        if text.isascii() and text.isdigit():
            return _stt_value(int(text) if len(text) <= 9 else MAX_STT + 1)
        if _STT_TEXT.match(text):
            return text
    raise ValueError(_STT_HELP)


class SectionSpec(_Strict):
    """A heading of the appendix ("II", "II.1") that groups tasks; never a task itself."""

    label: str
    title: str = ""

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, v: Any) -> str:
        text = str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else ""
        if len(text) > LABEL_MAX or not _LABEL_TEXT.match(text):
            raise ValueError('nhãn mục phải có dạng "II", "II.1" hoặc "A"')
        return text


class TaskSpec(_Strict):
    stt: int | str
    section: str | None = None
    content: str
    lead: list[str]
    coordinate: list[str] = []
    product: str | None = ""
    deadline: str
    # A year written in the deadline column's header ("Thời gian (Năm 2026)"): the plan
    # year for this cell only; the cell itself keeps the plan's wording in `deadline`.
    deadline_year: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    # Columns of the appendix that are not part of the model ("Ghi chú", "Theo dõi, đôn
    # đốc"): header → text, kept so that importing a plan loses nothing.
    notes: dict[str, str] = {}
    reminders: PolicySpec | None = None

    @field_validator("stt", mode="before")
    @classmethod
    def _stt(cls, v: Any) -> int | str:
        return _stt_value(v)

    @field_validator("section", mode="before")
    @classmethod
    def _section(cls, v: Any) -> str | None:
        if v is None:
            return None
        return SectionSpec._label(v)

    @field_validator("content")
    @classmethod
    def _content(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("nội dung công việc đang để trống")
        return " ".join(v.split())

    @field_validator("lead")
    @classmethod
    def _lead(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("thiếu cơ quan chủ trì")
        return v


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")


class CycleSpec(_Strict):
    code: str
    name: str
    due: str
    period_start: str
    period_start_previous_year: bool = False
    period_end: str

    @field_validator("period_start", "period_end")
    @classmethod
    def _day_month(cls, v: str) -> str:
        m = _DAY_MONTH.match(v)
        if not m:
            raise ValueError("phải có dạng ngày/tháng, ví dụ 15/12")
        date(2024, int(m[2]), int(m[1]))  # raises ValueError on 31/2 or month 13
        return v


class ReportingSpec(_Strict):
    compiled_by: str
    recipient: str = ""
    # What the bot does before each cycle's due date, in working days before it (null: not at
    # all): ask every unit with work for its state, and remind the compiling unit, files attached.
    sweep_before_working_days: int | None = Field(default=10, ge=0, le=60)
    report_due_before_working_days: int | None = Field(default=3, ge=0, le=60)
    cycles: list[CycleSpec] = []


class TargetSpec(_Strict):
    code: str
    name: str
    comparator: Literal[">=", "<=", "="]
    value: float
    unit: str = ""
    tasks: list[int | str] = []  # task labels; a plan without sections may use its STT numbers
    # What units report for it (/chitieu KEY SỐ …), each figure under a short key:
    # value: the figure itself (key `figure`, default the target's code);
    # share: `part` out of `total`, in percent (8 of 12 → 66.7%);
    # reduction: the fall of `figure` against the previous year, in percent — the previous
    # year is `baseline` (one number, or per unit code) or the unit's figure a year earlier.
    measure: Literal["value", "share", "reduction"] = "value"
    figure: str | None = None
    part: str | None = None
    total: str | None = None
    baseline: float | dict[str, float] | None = None
    labels: dict[str, str] = {}  # key → what it counts, as /chitieu asks for it
    units: list[str] = []  # who reports it; default: the lead units of its tasks


class PlanInfo(_Strict):
    code: str = Field(max_length=100)  # wards.plan_code
    title: str
    ward: str = Field(max_length=200)  # wards.name
    issued: date
    # The year deadlines without a year belong to, when it is not the year of issue (a plan
    # signed in December for the next year).
    year: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    signed_by: str | None = None
    coordinating_unit: str
    # Every unit's reminders also go to its deputies (a unit may say otherwise).
    remind_deputies: bool = False
    # A done task with its product counts as done only once the office confirms it
    # (/xacnhan); false: it counts when the unit reports it.
    confirm_done: bool = True
    # Periods that fell due before this day are neither nagged nor counted overdue.
    tracking_from: date | None = None

    @field_validator("issued")
    @classmethod
    def _issued(cls, v: date) -> date:
        if not MIN_YEAR <= v.year <= MAX_YEAR:
            raise ValueError(f"năm ban hành phải từ {MIN_YEAR} đến {MAX_YEAR} (đang ghi {v.isoformat()})")
        return v


class PlanFile(_Strict):
    plan: PlanInfo
    sections: list[SectionSpec] = []
    units: list[UnitSpec] = Field(min_length=1)
    groups: list[GroupSpec] = []
    reminders: PolicySpec = PolicySpec()
    reporting: ReportingSpec | None = None
    targets: list[TargetSpec] = []
    rating: RatingRules = RatingRules()
    tasks: list[TaskSpec] = Field(min_length=1)


# --- resolved plan -------------------------------------------------------------------------


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
        code = self._names.get(_unit_key(text))
        return self.units.get(code) if code else None


def _unit_key(text: str) -> str:
    return fold(text).strip(" .;")


LABEL_MAX = 32


def task_label(section: str | None, stt: int | str) -> str:
    return f"{section}.{stt}" if section else str(stt)


# --- loading -------------------------------------------------------------------------------


def _line_index(root: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map YAML paths such as ("tasks", 3, "deadline") to 1-based line numbers (the tree
    was composed within the loader's budget, so walking it is bounded)."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _task_name(raw: dict[str, Any], index: int) -> str:
    """How the checker names a task: "Nhiệm vụ STT 3" or, in a plan with sections, "Nhiệm vụ II.3"."""
    tasks = raw.get("tasks") or []
    item = tasks[index] if isinstance(tasks, list) and index < len(tasks) else None
    if not isinstance(item, dict) or item.get("stt") is None:
        return f"Nhiệm vụ thứ {index + 1}"
    stt, section = item.get("stt"), item.get("section")
    if section is not None:
        return f"Nhiệm vụ {task_label(str(section), str(stt).strip())}"
    return f"Nhiệm vụ STT {stt}"


def _where(path: tuple[Any, ...], raw: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> str:
    """'Nhiệm vụ STT 3, trường "deadline" (dòng 120)' for a path into the file."""
    parts: list[str] = []
    if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
        parts.append(_task_name(raw, path[1]))
        if len(path) >= 3:
            parts.append(f'trường "{".".join(str(p) for p in path[2:])}"')
    else:
        parts.append(f'trường "{".".join(str(p) for p in path)}"')
    line = None
    for cut in range(len(path), 0, -1):
        line = lines.get(tuple(path[:cut]))
        if line is not None:
            break
    text = ", ".join(parts)
    return f"{text} (dòng {line})" if line else text


def load_plan(path: Path | str) -> Plan:
    path = Path(path)
    try:
        # Read at most one byte past the limit: a huge file (or /dev/zero) is never held whole.
        with path.open("rb") as f:
            data = f.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanError(str(path), [f"không đọc được tệp: {exc.strerror}"]) from None
    if len(data) > MAX_PLAN_BYTES:
        try:
            size = max(path.stat().st_size, len(data))
        except OSError:
            size = len(data)
        raise PlanError(str(path), [size_problem(size)])
    try:
        text = decode_plan_bytes(data)
    except ValueError as exc:
        raise PlanError(str(path), [str(exc)]) from None
    return parse_plan(text, str(path))


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    if len(text) > MAX_PLAN_BYTES:
        raise PlanError(source, [size_problem(len(text.encode("utf-8", "surrogatepass")))])
    if (bad := first_unstorable_line(text)) is not None:
        # PyYAML would refuse it too, in English and without the line.
        raise PlanError(source, [f"dòng {bad[0]}: {bad[1]}"])
    try:
        root = compose(text)
        raw = construct(root) if root is not None else None
    except YamlBudgetError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise PlanError(source, [f"YAML không hợp lệ ở dòng {line}: {exc}" if line else str(exc)]) from None
    except yaml.YAMLError as exc:
        raise PlanError(source, [yaml_problem(exc, text)]) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML builds dates and numbers itself and lets 2026-13-05 escape as a bare ValueError.
        raise PlanError(source, [bad_scalar_problem(text, ValueError(str(exc)))]) from None
    if not isinstance(raw, dict):
        raise PlanError(source, ["tệp kế hoạch phải là một bảng (mapping) YAML: các trường plan, units, tasks…"])
    lines = _line_index(root)
    # Escapes in quoted text ("\0", "\ud800") make characters no database column can keep.
    bad_text = [
        f"{_where(where, raw, lines)}: {problem}"
        for where, value in walk_strings(raw)
        if (problem := unstorable(value)) is not None
    ]
    if bad_text:
        raise PlanError(source, bad_text)
    try:
        spec = PlanFile.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_where(tuple(err['loc']), raw, lines)}: {pydantic_problem(err)}" for err in exc.errors()]
        raise PlanError(source, problems) from None
    return _resolve(spec, raw, lines, source)


def _resolve(spec: PlanFile, raw: dict[str, Any], lines: dict[tuple[Any, ...], int], source: str) -> Plan:
    problems: list[str] = []
    units: dict[str, Unit] = {}
    names: dict[str, str] = {}
    groups: dict[str, tuple[str, ...]] = {}

    def register(key_text: str, code: str, where: tuple[Any, ...]) -> None:
        key = _unit_key(key_text)
        if key in names and names[key] != code:
            problems.append(f'{_where(where, raw, lines)}: tên "{key_text}" đã dùng cho {names[key]}')
        names[key] = code

    for i, u in enumerate(spec.units):
        if u.code in units:
            problems.append(f"{_where(('units', i, 'code'), raw, lines)}: mã đơn vị {u.code} bị trùng")
        deputies = spec.plan.remind_deputies if u.remind_deputies is None else u.remind_deputies
        head_title = " ".join(u.head_title.split()) if u.head_title else ""
        units[u.code] = Unit(u.code, u.name, tuple(u.aliases), head_title, deputies)
        for n in (u.code, u.name, *u.aliases):
            register(n, u.code, ("units", i))
    for i, g in enumerate(spec.groups):
        if g.head_title is not None or g.remind_deputies is not None:
            problems.append(
                f"{_where(('groups', i), raw, lines)}: nhóm {g.code} không có thủ trưởng riêng; "
                "ghi head_title, remind_deputies ở từng đơn vị trong units"
            )
        members = []
        for m in g.members:
            code = names.get(_unit_key(m))
            if code is None or code not in units:
                problems.append(f'{_where(("groups", i, "members"), raw, lines)}: không có đơn vị "{m}"')
            else:
                members.append(code)
        groups[g.code] = tuple(members)
        for n in (g.code, g.name, *g.aliases):
            register(n, g.code, ("groups", i))

    def expand(refs: list[str], where: tuple[Any, ...]) -> list[str]:
        out: list[str] = []
        for ref in refs:
            code = names.get(_unit_key(ref))
            if code is None:
                problems.append(f'{_where(where, raw, lines)}: không có đơn vị "{ref}" trong danh sách units/groups')
                continue
            for member in groups.get(code, (code,)):
                if member not in out:
                    out.append(member)
        return out

    if _unit_key(spec.plan.coordinating_unit) not in names:
        problems.append(
            f'{_where(("plan", "coordinating_unit"), raw, lines)}: không có đơn vị "{spec.plan.coordinating_unit}"'
        )
    coordinating = names.get(_unit_key(spec.plan.coordinating_unit), spec.plan.coordinating_unit)

    sections: list[Section] = []
    section_labels: dict[str, int] = {}
    for i, sec in enumerate(spec.sections):
        key = label_key(sec.label)
        if key in section_labels:
            problems.append(
                f"{_where(('sections', i, 'label'), raw, lines)}: "
                f"mục {sec.label} bị trùng với mục thứ {section_labels[key] + 1}"
            )
        section_labels[key] = i
        sections.append(Section(label=sec.label, title=" ".join(sec.title.split())))

    # The STT stays the task number only where it always was one: flat, numeric plans.
    numbered_by_stt = not spec.sections and all(isinstance(t.stt, int) and t.section is None for t in spec.tasks)
    plan_year = spec.plan.year or spec.plan.issued.year
    base_policy = ReminderPolicy().merged(spec.reminders.model_dump())
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    by_label: dict[str, int] = {}
    for i, t in enumerate(spec.tasks):
        label = task_label(t.section, t.stt)
        key = label_key(label)
        if t.section is not None and label_key(t.section) not in section_labels:
            problems.append(
                f'{_where(("tasks", i, "section"), raw, lines)}: không có mục "{t.section}" trong danh sách sections'
            )
        if key in seen:
            problems.append(
                f"{_where(('tasks', i, 'stt'), raw, lines)}: STT {label} bị trùng với nhiệm vụ thứ {seen[key] + 1}"
            )
        if len(label) > LABEL_MAX:
            # The database keeps labels in a column of this width (tasks.label).
            problems.append(f"{_where(('tasks', i, 'stt'), raw, lines)}: nhãn {label} dài quá {LABEL_MAX} ký tự")
        seen[key] = i
        number = t.stt if numbered_by_stt and isinstance(t.stt, int) else i + 1
        by_label[key] = number
        lead = expand(t.lead, ("tasks", i, "lead"))
        if t.lead and not lead and all(_unit_key(r) in names for r in t.lead):
            problems.append(
                f"{_where(('tasks', i, 'lead'), raw, lines)}: nhóm chủ trì chưa có đơn vị thành viên "
                "— điền members của nhóm hoặc ghi đơn vị chủ trì cụ thể"
            )
        coordinate = [c for c in expand(t.coordinate, ("tasks", i, "coordinate")) if c not in lead]
        try:
            rule = _deadline(t.deadline, t.deadline_year or plan_year, spec.plan.issued)
        except DeadlineError as exc:
            problems.append(f"{_where(('tasks', i, 'deadline'), raw, lines)}: {exc}")
            continue
        policy = base_policy.merged(t.reminders.model_dump()) if t.reminders else base_policy
        tasks.append(
            Task(
                stt=number,
                content=t.content,
                lead=tuple(lead),
                coordinate=tuple(coordinate),
                product=" ".join((t.product or "").split()),
                deadline_text=" ".join(t.deadline.split()),
                rule=rule,
                policy=policy,
                lead_as_written=tuple(t.lead),
                label=label,
                section=t.section,
                deadline_year=t.deadline_year,
                notes=tuple((k, " ".join(v.split())) for k, v in t.notes.items()),
            )
        )

    cycles: list[ReportCycle] = []
    if spec.reporting is not None:
        if _unit_key(spec.reporting.compiled_by) not in names:
            problems.append(
                f'{_where(("reporting", "compiled_by"), raw, lines)}: không có đơn vị "{spec.reporting.compiled_by}"'
            )
        for i, c in enumerate(spec.reporting.cycles):
            try:
                rule = _deadline(c.due, plan_year, spec.plan.issued)
            except DeadlineError as exc:
                problems.append(f"{_where(('reporting', 'cycles', i, 'due'), raw, lines)}: {exc}")
                continue
            if not isinstance(rule, Recurring):
                problems.append(
                    f"{_where(('reporting', 'cycles', i, 'due'), raw, lines)}: "
                    'kỳ báo cáo phải lặp lại (ví dụ "trước ngày 10/6 hằng năm")'
                )
                continue
            cycles.append(
                ReportCycle(
                    code=c.code,
                    name=c.name,
                    due_text=c.due,
                    rule=rule,
                    period_start=_dm(c.period_start),
                    period_start_previous_year=c.period_start_previous_year,
                    period_end=_dm(c.period_end),
                    sweep_before_working_days=spec.reporting.sweep_before_working_days,
                    report_due_before_working_days=spec.reporting.report_due_before_working_days,
                )
            )
    targets: list[Target] = []
    for i, tg in enumerate(spec.targets):
        measured: list[int] = []
        for ref in tg.tasks:
            found = by_label.get(label_key(str(ref)))
            if found is None:
                problems.append(f"{_where(('targets', i, 'tasks'), raw, lines)}: không có nhiệm vụ {ref}")
            else:
                measured.append(found)
        targets.append(_target(tg, i, measured, tasks, names, raw, lines, problems))
    # A key means one figure across the plan ("hoinghi" for two targets): one description.
    described: dict[str, str] = {}
    for target in targets:
        for key, text in target.labels:
            described.setdefault(key, text)
    targets = [replace(t, labels=tuple((k, described[k]) for k in t.keys if k in described)) for t in targets]
    if problems:
        raise PlanError(source, problems)
    return Plan(
        code=spec.plan.code,
        title=" ".join(spec.plan.title.split()),
        ward=spec.plan.ward,
        issued=spec.plan.issued,
        coordinating_unit=coordinating,
        units=units,
        tasks=sorted(tasks, key=lambda t: t.stt),
        policy=base_policy,
        cycles=cycles,
        targets=targets,
        groups=groups,
        sections=sections,
        plan_year=spec.plan.year,
        compiled_by=names.get(_unit_key(spec.reporting.compiled_by), "") if spec.reporting else "",
        report_recipient=spec.reporting.recipient if spec.reporting else "",
        confirm_done=spec.plan.confirm_done,
        tracking_from=spec.plan.tracking_from,
        rating=spec.rating,
        _names=names,
    )


_TARGET_KEY = re.compile(r"[a-z][a-z0-9_]{0,30}")


def _target(
    tg: TargetSpec,
    i: int,
    measured: list[int],
    tasks: list[Task],
    names: dict[str, str],
    raw: dict[str, Any],
    lines: dict[tuple[Any, ...], int],
    problems: list[str],
) -> Target:
    """A target as units report it: its keys checked, its reporting units resolved."""

    def where(name: str) -> str:
        return _where(("targets", i, name), raw, lines)

    figure = tg.figure or (tg.code if tg.measure != "share" else "")
    keys = {"figure": figure} if tg.measure != "share" else {"part": tg.part or "", "total": tg.total or ""}
    for name, key in keys.items():
        if not key:
            problems.append(f'{where(name)}: chỉ tiêu đo bằng tỷ lệ (measure: share) cần "part" và "total"')
        elif not _TARGET_KEY.fullmatch(key):
            problems.append(f'{where(name)}: mã số liệu "{key}" chỉ gồm chữ thường không dấu, số và "_"')
    if tg.measure == "share" and tg.part and tg.part == tg.total:
        problems.append(f'{where("part")}: "part" và "total" phải là hai số liệu khác nhau')
    for name in ("part", "total") if tg.measure != "share" else ("figure",):
        if getattr(tg, name):
            problems.append(f'{where(name)}: không dùng cho chỉ tiêu đo bằng "{tg.measure}"')
    baseline: list[tuple[str, float]] = []
    if isinstance(tg.baseline, dict):
        for text, number in tg.baseline.items():
            code = names.get(_unit_key(text))
            if code is None:
                problems.append(f'{where("baseline")}: không có đơn vị "{text}"')
            else:
                baseline.append((code, number))
    elif tg.baseline is not None:
        baseline.append(("", tg.baseline))
    units: list[str] = []
    for text in tg.units:
        code = names.get(_unit_key(text))
        if code is None:
            problems.append(f'{where("units")}: không có đơn vị "{text}"')
        elif code not in units:
            units.append(code)
    if not tg.units:
        for stt in measured:
            task = next(t for t in tasks if t.stt == stt)
            units += [c for c in task.lead if c not in units]
    return Target(
        code=tg.code,
        name=tg.name,
        comparator=tg.comparator,
        value=tg.value,
        unit=tg.unit,
        tasks=tuple(measured),
        measure=tg.measure,
        figure=figure if tg.measure != "share" else "",
        part=tg.part or "" if tg.measure == "share" else "",
        total=tg.total or "" if tg.measure == "share" else "",
        baseline=tuple(baseline),
        labels=tuple(tg.labels.items()),
        units=tuple(units),
    )


def _rule_dates(rule: DeadlineRule) -> list[date]:
    if isinstance(rule, Once):
        return [rule.due]
    if isinstance(rule, Recurring):
        return [rule.start] + ([rule.end] if rule.end else [])
    if isinstance(rule, Period):
        return [rule.start, rule.end]
    if isinstance(rule, Milestones):
        return [m.due for m in rule.items]
    if isinstance(rule, Ongoing):
        return [rule.start] if rule.start else []
    return []


def _deadline(text: str, plan_year: int, issued: date) -> DeadlineRule:
    """parse_deadline, with every date it names inside the years a plan can run in: the
    working calendar, the occurrences after a due day and the database all need a year
    after it ("Trước 10/5/9999" would end the calendar at year 10000)."""
    try:
        rule = parse_deadline(text, plan_year, issued)
    except DeadlineError:
        raise
    except (ValueError, OverflowError):
        # A date the calendar cannot hold (year 0, 99999) met outside the parser's own checks.
        raise DeadlineError(
            f'Thời hạn "{" ".join(text.split())}" có ngày không hợp lệ (năm phải từ {MIN_YEAR} đến {MAX_YEAR})'
        ) from None
    for day in _rule_dates(rule):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise DeadlineError(
                f'Năm {day.year} trong thời hạn "{" ".join(text.split())}" nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}'
            )
    return rule


def _dm(text: str) -> tuple[int, int]:
    m = _DAY_MONTH.match(text)
    assert m is not None  # validated by CycleSpec
    return int(m[1]), int(m[2])


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
