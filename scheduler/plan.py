"""The plan file (`data/tasks.yaml`): schema, validation with precise errors, resolution.

A ward writes its own plan in this format; nothing here knows about any one plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scheduler.deadlines import Conditional, DeadlineError, DeadlineRule, Ongoing, Recurring, parse_deadline
from scheduler.folding import fold
from scheduler.periods import Freq
from scheduler.policy import ReminderPolicy


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
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = []


class GroupSpec(UnitSpec):
    members: list[str] = Field(min_length=1)


class PolicySpec(_Strict):
    before_working_days: list[int] | None = None
    on_due: bool | None = None
    overdue_every_working_days: int | None = Field(default=None, ge=1)
    escalate_after_working_days: int | None = Field(default=None, ge=0)
    send_time: time | None = None
    checkin: Freq | None = None
    checkin_before_working_days: int | None = Field(default=None, ge=0)
    checkin_coordinators: bool | None = None

    @field_validator("before_working_days")
    @classmethod
    def _positive(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError("số ngày làm việc trước hạn phải lớn hơn 0")
        return v


class TaskSpec(_Strict):
    stt: int = Field(ge=1)
    content: str
    lead: list[str]
    coordinate: list[str] = []
    product: str | None = ""
    deadline: str
    reminders: PolicySpec | None = None

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
    cycles: list[CycleSpec] = []


class TargetSpec(_Strict):
    code: str
    name: str
    comparator: Literal[">=", "<=", "="]
    value: float
    unit: str = ""
    tasks: list[int] = []


class PlanInfo(_Strict):
    code: str
    title: str
    ward: str
    issued: date
    signed_by: str | None = None
    coordinating_unit: str


class PlanFile(_Strict):
    plan: PlanInfo
    units: list[UnitSpec] = Field(min_length=1)
    groups: list[GroupSpec] = []
    reminders: PolicySpec = PolicySpec()
    reporting: ReportingSpec | None = None
    targets: list[TargetSpec] = []
    tasks: list[TaskSpec] = Field(min_length=1)


# --- resolved plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    stt: int
    content: str
    lead: tuple[str, ...]  # unit codes, groups expanded
    coordinate: tuple[str, ...]
    product: str
    deadline_text: str
    rule: DeadlineRule
    policy: ReminderPolicy
    lead_as_written: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportCycle:
    code: str
    name: str
    due_text: str
    rule: Recurring
    period_start: tuple[int, int]  # (day, month)
    period_start_previous_year: bool
    period_end: tuple[int, int]


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    comparator: str
    value: float
    unit: str
    tasks: tuple[int, ...]


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
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def year(self) -> int:
        return self.issued.year

    def task(self, stt: int) -> Task | None:
        return next((t for t in self.tasks if t.stt == stt), None)

    def find_unit(self, text: str) -> Unit | None:
        """A unit by its code, full name or alias, with or without diacritics."""
        code = self._names.get(_unit_key(text))
        return self.units.get(code) if code else None


def _unit_key(text: str) -> str:
    return fold(text).strip(" .;")


# --- loading -------------------------------------------------------------------------------


def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map YAML paths such as ("tasks", 3, "deadline") to 1-based line numbers."""
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

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def _where(path: tuple[Any, ...], raw: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> str:
    """'Nhiệm vụ STT 3, trường "deadline" (dòng 120)' for a path into the file."""
    parts: list[str] = []
    if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
        tasks = raw.get("tasks") or []
        stt = tasks[path[1]].get("stt") if path[1] < len(tasks) and isinstance(tasks[path[1]], dict) else None
        parts.append(f"Nhiệm vụ STT {stt}" if stt is not None else f"Nhiệm vụ thứ {path[1] + 1}")
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
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(str(path), [f"không đọc được tệp: {exc.strerror}"]) from None
    return parse_plan(text, str(path))


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark is not None else ""
        raise PlanError(source, [f"YAML không hợp lệ{where}: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(raw, dict):
        raise PlanError(source, ["tệp kế hoạch phải là một bảng (mapping) YAML"])
    lines = _line_index(text)
    try:
        spec = PlanFile.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_where(tuple(err['loc']), raw, lines)}: {_pydantic_message(err)}" for err in exc.errors()]
        raise PlanError(source, problems) from None
    return _resolve(spec, raw, lines, source)


def _pydantic_message(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "thiếu trường bắt buộc"
    if kind == "extra_forbidden":
        return "trường không được hỗ trợ"
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")


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
        units[u.code] = Unit(code=u.code, name=u.name, aliases=tuple(u.aliases))
        for n in (u.code, u.name, *u.aliases):
            register(n, u.code, ("units", i))
    for i, g in enumerate(spec.groups):
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

    base_policy = ReminderPolicy().merged(spec.reminders.model_dump())
    tasks: list[Task] = []
    seen: dict[int, int] = {}
    for i, t in enumerate(spec.tasks):
        if t.stt in seen:
            problems.append(
                f"{_where(('tasks', i, 'stt'), raw, lines)}: STT {t.stt} bị trùng với nhiệm vụ thứ {seen[t.stt] + 1}"
            )
        seen[t.stt] = i
        lead = expand(t.lead, ("tasks", i, "lead"))
        coordinate = [c for c in expand(t.coordinate, ("tasks", i, "coordinate")) if c not in lead]
        try:
            rule = parse_deadline(t.deadline, spec.plan.issued.year, spec.plan.issued)
        except DeadlineError as exc:
            problems.append(f"{_where(('tasks', i, 'deadline'), raw, lines)}: {exc}")
            continue
        policy = base_policy.merged(t.reminders.model_dump()) if t.reminders else base_policy
        tasks.append(
            Task(
                stt=t.stt,
                content=t.content,
                lead=tuple(lead),
                coordinate=tuple(coordinate),
                product=" ".join((t.product or "").split()),
                deadline_text=" ".join(t.deadline.split()),
                rule=rule,
                policy=policy,
                lead_as_written=tuple(t.lead),
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
                rule = parse_deadline(c.due, spec.plan.issued.year, spec.plan.issued)
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
                )
            )
    targets = [
        Target(code=t.code, name=t.name, comparator=t.comparator, value=t.value, unit=t.unit, tasks=tuple(t.tasks))
        for t in spec.targets
    ]
    for i, tg in enumerate(targets):
        for stt in tg.tasks:
            if stt not in seen:
                problems.append(f"{_where(('targets', i, 'tasks'), raw, lines)}: không có nhiệm vụ STT {stt}")
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
        _names=names,
    )


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
                f'Nhiệm vụ {t.stt}: {len(t.lead)} đơn vị chủ trì ({names}) — chưa đúng "một việc – một đầu mối"'
            )
        if not t.product:
            warnings.append(f"Nhiệm vụ {t.stt}: chưa rõ sản phẩm/kết quả")
        if isinstance(t.rule, Ongoing | Conditional):
            warnings.append(f'Nhiệm vụ {t.stt}: chưa rõ thời gian ("{t.deadline_text}")')
    return warnings
