"""What only the clerk can decide, asked once per question, with the choices.

Everything else in the draft is valid as written; each question names the field of the
draft it settles, so the desk can show it next to that field and `nhacviec import` prints
it in its report and as a comment in the YAML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import yaml

from bot.importer.model import DeadlineRead, DraftGroup, DraftTask, DraftUnit, ImportQuestion, Metadata
from bot.importer.units import Proposal, edit_distance
from scheduler.deadlines import deadline_question, read_deadline, rule_summary
from scheduler.folding import fold

_MAX_CHOICES = 5


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def plan_questions(meta: Metadata, units: list[DraftUnit]) -> list[ImportQuestion]:
    out: list[ImportQuestion] = []
    if not units:
        out.append(
            ImportQuestion(
                kind="plan",
                task="",
                field="units",
                where="cả văn bản",
                text="Kế hoạch không ghi đơn vị chủ trì hay phối hợp nào: hãy khai báo các đơn vị (units), "
                "chọn đơn vị theo dõi chung (coordinating_unit) và ghi đơn vị chủ trì cho từng nhiệm vụ.",
            )
        )
    if not meta.ward:
        by = f" (văn bản do {meta.issuing_body} ban hành)" if meta.issuing_body else ""
        out.append(
            ImportQuestion(
                kind="plan",
                task="",
                field="ward",
                where="đầu văn bản",
                text=f"Văn bản không ghi tên phường/xã dùng kế hoạch này{by}: "
                'hãy điền plan.ward, ví dụ "Phường Nhị Chiểu".',
            )
        )
    if not meta.code:
        out.append(
            ImportQuestion(
                kind="plan",
                task="",
                field="code",
                where="đầu văn bản",
                text='Không tìm thấy số kế hoạch ("Số: …/KH-UBND"): hãy điền plan.code theo số ghi trên văn bản.',
            )
        )
    return out


def content_questions(tasks: list[DraftTask]) -> list[ImportQuestion]:
    """A numbered row with a unit or a date but no words of work: only the clerk knows them."""
    return [
        ImportQuestion(
            kind="content",
            task=task.label,
            field="content",
            where=task.where,
            text=f"Nhiệm vụ {task.label} có đơn vị hoặc thời hạn nhưng không ghi nội dung công việc: "
            "hãy ghi nội dung (content) theo văn bản gốc, hoặc xóa nhiệm vụ này nếu không phải nhiệm vụ.",
        )
        for task in tasks
        if not task.content.strip()
    ]


def lead_questions(tasks: list[DraftTask], units: list[DraftUnit], proposal: Proposal) -> list[ImportQuestion]:
    """One question per task without a lead unit; the choices are its coordinating units,
    then the units that lead most tasks."""
    leads = Counter(code for t in tasks for m in t.lead if (code := proposal.resolve(m)) is not None)
    names = {u.code: u.name for u in units}
    ranked = [c for c, _ in leads.most_common() if c in names] + [u.code for u in units]
    out: list[ImportQuestion] = []
    for task in tasks:
        if task.lead:
            continue
        first = [code for m in task.coordinate if (code := proposal.resolve(m)) in names]
        choices: list[str] = []
        for code in [*first, *ranked]:
            if code not in choices:
                choices.append(code)
        said = f' Kế hoạch ghi: "{_short(task.lead_written, 120)}".' if task.lead_written else ""
        out.append(
            ImportQuestion(
                kind="lead",
                task=task.label,
                field="lead",
                where=task.where,
                text=f'Nhiệm vụ {task.label} ("{_short(task.content)}") không ghi đơn vị chủ trì.{said} '
                "Hãy chọn đơn vị chủ trì (lead) — không tự đoán.",
                choices=tuple(f"{c} – {names[c]}" for c in choices[:_MAX_CHOICES]),
            )
        )
    return out


def group_questions(
    groups: list[DraftGroup], tasks: list[DraftTask], units: list[DraftUnit], proposal: Proposal
) -> list[ImportQuestion]:
    """One question per group with no members, listing the tasks that name it."""
    out: list[ImportQuestion] = []
    for group in groups:
        if group.members:
            continue
        used = [t.label for t in tasks if any(proposal.resolve(m) == group.code for m in [*t.lead, *t.coordinate])]
        out.append(
            ImportQuestion(
                kind="group",
                task=group.code,
                field="members",
                where=", ".join(f"nhiệm vụ {label}" for label in used[:8]) + (" …" if len(used) > 8 else ""),
                text=f'Nhóm {group.code} ("{group.name}") chưa rõ gồm những đơn vị nào; nhóm được ghi ở '
                + (f"nhiệm vụ {used[0]}" if len(used) == 1 else f"{len(used)} nhiệm vụ: {', '.join(used)}")
                + ". Hãy chọn các đơn vị thành viên (members).",
                choices=tuple(f"{u.code} – {u.name}" for u in units),
            )
        )
    return out


def unit_questions(units: list[DraftUnit]) -> list[ImportQuestion]:
    """A spelling merged on a guess (one keystroke away): one question per spelling, the
    closest known units as choices."""
    out: list[ImportQuestion] = []
    for unit in units:
        for text, why in unit.merged:
            if "gõ nhầm" not in why:
                continue
            others = sorted(
                (u for u in units if u.code != unit.code), key=lambda u: edit_distance(fold(u.name), fold(text))
            )
            choices = [f"{unit.code} – {unit.name}", *(f"{u.code} – {u.name}" for u in others[:2])]
            out.append(
                ImportQuestion(
                    kind="unit",
                    task=unit.code,
                    field="aliases",
                    where=f'cách viết "{text}"',
                    text=f'Cách viết "{text}" gần giống {unit.code} ("{unit.name}") nên đã ghi là đơn vị này '
                    f"({why}). Nếu là đơn vị khác, hãy chọn đơn vị đúng hoặc khai báo đơn vị mới.",
                    choices=(*choices, "Đơn vị mới (khai báo thêm trong units)"),
                )
            )
    return out


def deadline_questions(
    tasks: list[DraftTask], plan_year: int, issued: date
) -> tuple[list[ImportQuestion], list[DeadlineRead]]:
    """`read_deadline` on every deadline cell: `read` cells are read (the words set aside are
    listed), `unsure`/`unknown` cells become the plan check's question."""
    questions: list[ImportQuestion] = []
    read: list[DeadlineRead] = []
    for task in tasks:
        reading = read_deadline(task.deadline, task.deadline_year or plan_year, issued)
        if reading.runs_unattended:
            if reading.ignored:
                read.append(DeadlineRead(task.label, " ".join(task.deadline.split()), reading.ignored))
            continue
        text = deadline_question(task.label, task.deadline, reading, where=f"Nhiệm vụ {task.label}")
        assert text is not None
        questions.append(
            ImportQuestion(
                kind="deadline",
                task=task.label,
                field="deadline",
                where=task.where,
                text=text,
                choices=tuple(rule_summary(c) for c in reading.candidates),
            )
        )
    return questions, read


def with_lines(questions: list[ImportQuestion], text: str) -> list[ImportQuestion]:
    """Each question with the line of its field in the draft, for the desk to show it there."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return questions
    out = []
    for q in questions:
        node = _field_node(root, q)
        out.append(replace(q, line=node.start_mark.line + 1) if node is not None else q)
    return out


def _get(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    return None


def _field_node(root: Any, q: ImportQuestion) -> Any:
    if q.kind == "plan":
        return _get(_get(root, "plan"), q.field)
    if q.kind in ("content", "lead", "deadline"):
        for task in getattr(_get(root, "tasks"), "value", []):
            section, stt = _get(task, "section"), _get(task, "stt")
            label = f"{section.value}.{stt.value}" if section is not None else getattr(stt, "value", "")
            if label == q.task:
                return _get(task, q.field)
        return None
    entries = _get(root, "groups" if q.kind == "group" else "units")
    for entry in getattr(entries, "value", []):
        code = _get(entry, "code")
        if code is not None and code.value == q.task:
            return _get(entry, q.field) or code
    return None
