"""A checked plan file resolved into a Plan: unit names and groups, sections, tasks with their
deadline rules and reminder policies, report cycles, targets.

The schema checks each field alone; what needs the whole file is checked here: a name used
for two units, a lead that names no unit, an STT used twice, a target about a missing task.
One function per part of the file, called in the file's order, each adding what is wrong to
the same `Problems`: the clerk sees every problem of the file at once, in file order, before
anything is resolved into a plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from scheduler.deadlines import (
    DeadlineError,
    DeadlineRule,
    Milestones,
    Once,
    Ongoing,
    Period,
    Recurring,
    checked_reading,
    parse_deadline,
)
from scheduler.plan.ids import derived_id
from scheduler.plan.messages import PlanError, where
from scheduler.plan.model import Plan, ReportCycle, Section, Target, Task, Unit, task_label, unit_key
from scheduler.plan.schema import LABEL_MAX, MAX_YEAR, MIN_YEAR, PlanFile, TargetSpec, day_month
from scheduler.policy import ReminderPolicy
from store.labels import label_key


@dataclass
class Problems:
    """What is wrong with the file, each line naming its place (task, field, line)."""

    raw: dict[str, Any]
    lines: dict[tuple[Any, ...], int]
    found: list[str] = field(default_factory=list)

    def add(self, path: tuple[Any, ...], text: str) -> None:
        self.found.append(f"{where(path, self.raw, self.lines)}: {text}")


@dataclass
class Directory:
    """Every name a unit or a group goes by (code, name, aliases; folded) → its code, and the
    member units of each group."""

    problems: Problems
    names: dict[str, str] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def register(self, text: str, code: str, path: tuple[Any, ...]) -> None:
        key = unit_key(text)
        if key in self.names and self.names[key] != code:
            self.problems.add(path, f'tên "{text}" đã dùng cho {self.names[key]}')
        self.names[key] = code

    def code(self, text: str) -> str | None:
        """The code of the unit or group `text` names, or None."""
        return self.names.get(unit_key(text))

    def expand(self, refs: list[str], path: tuple[Any, ...]) -> list[str]:
        """The unit codes `refs` name, groups replaced by their members, each code once."""
        out: list[str] = []
        for ref in refs:
            code = self.code(ref)
            if code is None:
                self.problems.add(path, f'không có đơn vị "{ref}" trong danh sách units/groups')
                continue
            for member in self.groups.get(code, (code,)):
                if member not in out:
                    out.append(member)
        return out


def resolve(spec: PlanFile, raw: dict[str, Any], lines: dict[tuple[Any, ...], int], source: str) -> Plan:
    """The plan `spec` describes, or a PlanError listing every problem (`raw` and `lines`,
    the file as parsed and its line numbers, name each problem's place)."""
    problems = Problems(raw, lines)
    directory = Directory(problems)
    units = _units(spec, directory)
    _groups(spec, units, directory)
    coordinating = _coordinating_unit(spec, directory)
    sections, section_labels = _sections(spec, problems)
    base_policy = ReminderPolicy().merged(spec.reminders.model_dump())
    tasks, by_label = _tasks(spec, directory, section_labels, base_policy)
    cycles = _cycles(spec, directory)
    targets = _targets(spec, by_label, tasks, directory)
    if problems.found:
        raise PlanError(source, problems.found)
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
        groups=directory.groups,
        sections=sections,
        plan_year=spec.plan.year,
        compiled_by=(directory.code(spec.reporting.compiled_by) or "") if spec.reporting else "",
        report_recipient=spec.reporting.recipient if spec.reporting else "",
        confirm_done=spec.plan.confirm_done,
        tracking_from=spec.plan.tracking_from,
        rating=spec.rating,
        _names=directory.names,
    )


# --- units and groups ----------------------------------------------------------------------


def _units(spec: PlanFile, directory: Directory) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for i, u in enumerate(spec.units):
        if u.code in units:
            directory.problems.add(("units", i, "code"), f"mã đơn vị {u.code} bị trùng")
        deputies = spec.plan.remind_deputies if u.remind_deputies is None else u.remind_deputies
        head_title = " ".join(u.head_title.split()) if u.head_title else ""
        units[u.code] = Unit(u.code, u.name, tuple(u.aliases), head_title, deputies)
        for n in (u.code, u.name, *u.aliases):
            directory.register(n, u.code, ("units", i))
    return units


def _groups(spec: PlanFile, units: dict[str, Unit], directory: Directory) -> None:
    """Each group's members (units only: a group does not contain a group) into `directory`."""
    for i, g in enumerate(spec.groups):
        if g.head_title is not None or g.remind_deputies is not None:
            directory.problems.add(
                ("groups", i),
                f"nhóm {g.code} không có thủ trưởng riêng; ghi head_title, remind_deputies ở từng đơn vị trong units",
            )
        members = []
        for m in g.members:
            code = directory.code(m)
            if code is None or code not in units:
                directory.problems.add(("groups", i, "members"), f'không có đơn vị "{m}"')
            else:
                members.append(code)
        directory.groups[g.code] = tuple(members)
        for n in (g.code, g.name, *g.aliases):
            directory.register(n, g.code, ("groups", i))


def _coordinating_unit(spec: PlanFile, directory: Directory) -> str:
    written = spec.plan.coordinating_unit
    code = directory.code(written)
    if code is None:
        directory.problems.add(("plan", "coordinating_unit"), f'không có đơn vị "{written}"')
    return code or written


# --- sections and tasks --------------------------------------------------------------------


def _sections(spec: PlanFile, problems: Problems) -> tuple[list[Section], dict[str, int]]:
    """The sections, and each one's position by its label key."""
    sections: list[Section] = []
    positions: dict[str, int] = {}
    for i, sec in enumerate(spec.sections):
        key = label_key(sec.label)
        if key in positions:
            problems.add(("sections", i, "label"), f"mục {sec.label} bị trùng với mục thứ {positions[key] + 1}")
        positions[key] = i
        sections.append(Section(label=sec.label, title=" ".join(sec.title.split())))
    return sections, positions


def _tasks(
    spec: PlanFile, directory: Directory, section_labels: dict[str, int], base_policy: ReminderPolicy
) -> tuple[list[Task], dict[str, int]]:
    """The tasks whose deadline could be read, and every task's number by its label key."""
    # The STT stays the task number only where it always was one: flat, numeric plans.
    numbered_by_stt = not spec.sections and all(isinstance(t.stt, int) and t.section is None for t in spec.tasks)
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    by_label: dict[str, int] = {}
    uids = _task_ids(spec, directory.problems)
    by_id: dict[str, int] = {}
    for i, t in enumerate(spec.tasks):
        label = task_label(t.section, t.stt)
        _check_label(spec, i, label, seen, section_labels, directory.problems)
        number = t.stt if numbered_by_stt and isinstance(t.stt, int) else i + 1
        by_label[label_key(label)] = number
        by_id[f"id:{uids[i]}"] = number
        task = _task(spec, i, number, label, base_policy, directory)
        if task is not None:
            tasks.append(replace(task, uid=uids[i], uid_written=t.id is not None, position=i))
    # A target may name its tasks by id too: an id never changes with a renumbering.
    return tasks, by_label | by_id


def _task_ids(spec: PlanFile, problems: Problems) -> list[str]:
    """Every task's id: the one written (unique in the plan), else one derived from its
    content that no written id takes (scheduler.plan.ids)."""
    written: dict[str, int] = {}
    for i, t in enumerate(spec.tasks):
        if t.id is None:
            continue
        if t.id in written:
            problems.add(("tasks", i, "id"), f"mã {t.id} bị trùng với nhiệm vụ thứ {written[t.id] + 1}")
        written.setdefault(t.id, i)
    taken = set(written)
    uids: list[str] = []
    for t in spec.tasks:
        uid = t.id if t.id is not None else derived_id(t.content, taken)
        taken.add(uid)
        uids.append(uid)
    return uids


def _check_label(
    spec: PlanFile, i: int, label: str, seen: dict[str, int], section_labels: dict[str, int], problems: Problems
) -> None:
    """A task's section exists, its label is not taken (`seen`: label key → position) and fits."""
    t = spec.tasks[i]
    key = label_key(label)
    if t.section is not None and label_key(t.section) not in section_labels:
        problems.add(("tasks", i, "section"), f'không có mục "{t.section}" trong danh sách sections')
    if key in seen:
        problems.add(("tasks", i, "stt"), f"STT {label} bị trùng với nhiệm vụ thứ {seen[key] + 1}")
    if len(label) > LABEL_MAX:
        # The database keeps labels in a column of this width (tasks.label).
        problems.add(("tasks", i, "stt"), f"nhãn {label} dài quá {LABEL_MAX} ký tự")
    seen[key] = i


def _task(
    spec: PlanFile, i: int, number: int, label: str, base_policy: ReminderPolicy, directory: Directory
) -> Task | None:
    """Task `i` with its units resolved, or None when its deadline cannot be read."""
    t = spec.tasks[i]
    lead = directory.expand(t.lead, ("tasks", i, "lead"))
    if t.lead and not lead and all(directory.code(r) is not None for r in t.lead):
        directory.problems.add(
            ("tasks", i, "lead"),
            "nhóm chủ trì chưa có đơn vị thành viên — điền members của nhóm hoặc ghi đơn vị chủ trì cụ thể",
        )
    coordinate = [c for c in directory.expand(t.coordinate, ("tasks", i, "coordinate")) if c not in lead]
    year = t.deadline_year or _plan_year(spec)
    try:
        # exact or read; unsure/unknown raise the one question the office must answer
        reading = checked_reading(t.deadline, year, spec.plan.issued)
        rule = _deadline(reading.kept, year, spec.plan.issued)
    except DeadlineError as exc:
        directory.problems.add(("tasks", i, "deadline"), str(exc))
        return None
    return Task(
        stt=number,
        content=t.content,
        lead=tuple(lead),
        coordinate=tuple(coordinate),
        product=" ".join((t.product or "").split()),
        deadline_text=" ".join(t.deadline.split()),
        rule=rule,
        policy=base_policy.merged(t.reminders.model_dump()) if t.reminders else base_policy,
        lead_as_written=tuple(t.lead),
        label=label,
        section=t.section,
        deadline_year=t.deadline_year,
        notes=tuple((k, " ".join(v.split())) for k, v in t.notes.items()),
        deadline_ignored=reading.ignored,
    )


def _plan_year(spec: PlanFile) -> int:
    return spec.plan.year or spec.plan.issued.year


# --- deadlines -----------------------------------------------------------------------------


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


# --- reporting -----------------------------------------------------------------------------


def _cycles(spec: PlanFile, directory: Directory) -> list[ReportCycle]:
    reporting = spec.reporting
    if reporting is None:
        return []
    if directory.code(reporting.compiled_by) is None:
        directory.problems.add(("reporting", "compiled_by"), f'không có đơn vị "{reporting.compiled_by}"')
    cycles: list[ReportCycle] = []
    for i, c in enumerate(reporting.cycles):
        path = ("reporting", "cycles", i, "due")
        try:
            rule = _deadline(c.due, _plan_year(spec), spec.plan.issued)
        except DeadlineError as exc:
            directory.problems.add(path, str(exc))
            continue
        if not isinstance(rule, Recurring):
            directory.problems.add(path, 'kỳ báo cáo phải lặp lại (ví dụ "trước ngày 10/6 hằng năm")')
            continue
        cycles.append(
            ReportCycle(
                code=c.code,
                name=c.name,
                due_text=c.due,
                rule=rule,
                period_start=day_month(c.period_start),
                period_start_previous_year=c.period_start_previous_year,
                period_end=day_month(c.period_end),
                sweep_before_working_days=reporting.sweep_before_working_days,
                report_due_before_working_days=reporting.report_due_before_working_days,
            )
        )
    return cycles


# --- targets -------------------------------------------------------------------------------

_TARGET_KEY = re.compile(r"[a-z][a-z0-9_]{0,30}")


def _targets(spec: PlanFile, by_label: dict[str, int], tasks: list[Task], directory: Directory) -> list[Target]:
    targets: list[Target] = []
    for i, tg in enumerate(spec.targets):
        measured: list[int] = []
        for ref in tg.tasks:
            found = by_label.get(label_key(str(ref))) or by_label.get(f"id:{ref}")
            if found is None:
                directory.problems.add(("targets", i, "tasks"), f"không có nhiệm vụ {ref}")
            else:
                measured.append(found)
        targets.append(_target(tg, i, measured, tasks, directory))
    # A key means one figure across the plan ("hoinghi" for two targets): one description.
    described: dict[str, str] = {}
    for target in targets:
        for key, text in target.labels:
            described.setdefault(key, text)
    return [replace(t, labels=tuple((k, described[k]) for k in t.keys if k in described)) for t in targets]


def _target(tg: TargetSpec, i: int, measured: list[int], tasks: list[Task], directory: Directory) -> Target:
    """A target as units report it: its keys checked, its reporting units resolved."""
    share = tg.measure == "share"
    figure = tg.figure or (tg.code if not share else "")
    _check_keys(tg, i, figure, directory.problems)
    baseline = _baseline(tg, i, directory)
    units = _reporting_units(tg, i, measured, tasks, directory)
    return Target(
        code=tg.code,
        name=tg.name,
        comparator=tg.comparator,
        value=tg.value,
        unit=tg.unit,
        tasks=tuple(measured),
        measure=tg.measure,
        figure=figure if not share else "",
        part=tg.part or "" if share else "",
        total=tg.total or "" if share else "",
        baseline=tuple(baseline),
        labels=tuple(tg.labels.items()),
        units=tuple(units),
    )


def _check_keys(tg: TargetSpec, i: int, figure: str, problems: Problems) -> None:
    """The figure keys the measure needs are there, well formed, and no other is given."""
    share = tg.measure == "share"
    keys = {"figure": figure} if not share else {"part": tg.part or "", "total": tg.total or ""}
    for name, key in keys.items():
        if not key:
            problems.add(("targets", i, name), 'chỉ tiêu đo bằng tỷ lệ (measure: share) cần "part" và "total"')
        elif not _TARGET_KEY.fullmatch(key):
            problems.add(("targets", i, name), f'mã số liệu "{key}" chỉ gồm chữ thường không dấu, số và "_"')
    if share and tg.part and tg.part == tg.total:
        problems.add(("targets", i, "part"), '"part" và "total" phải là hai số liệu khác nhau')
    for name in ("part", "total") if not share else ("figure",):
        if getattr(tg, name):
            problems.add(("targets", i, name), f'không dùng cho chỉ tiêu đo bằng "{tg.measure}"')


def _baseline(tg: TargetSpec, i: int, directory: Directory) -> list[tuple[str, float]]:
    """(unit code, previous year's figure); one figure for every unit is keyed ""."""
    if not isinstance(tg.baseline, dict):
        return [] if tg.baseline is None else [("", tg.baseline)]
    baseline: list[tuple[str, float]] = []
    for text, number in tg.baseline.items():
        code = directory.code(text)
        if code is None:
            directory.problems.add(("targets", i, "baseline"), f'không có đơn vị "{text}"')
        else:
            baseline.append((code, number))
    return baseline


def _reporting_units(tg: TargetSpec, i: int, measured: list[int], tasks: list[Task], directory: Directory) -> list[str]:
    """Who reports the target: the units it names, or else the lead units of its tasks."""
    units: list[str] = []
    for text in tg.units:
        code = directory.code(text)
        if code is None:
            directory.problems.add(("targets", i, "units"), f'không có đơn vị "{text}"')
        elif code not in units:
            units.append(code)
    if not tg.units:
        by_number = {t.stt: t for t in tasks}
        for stt in measured:
            # A task whose deadline could not be read is not resolved; its problem is listed.
            task = by_number.get(stt)
            units += [c for c in task.lead if c not in units] if task is not None else []
    return units
