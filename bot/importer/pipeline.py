"""The import, step by step: read, find task tables and prose items, propose units, ask, write, check."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.importer.headers import find_layout
from bot.importer.metadata import read_metadata
from bot.importer.model import DraftSection, DraftTask, Grid, ImportFailure, ImportQuestion, ImportResult, TableLayout
from bot.importer.prose import ProseRead, read_prose
from bot.importer.questions import (
    content_questions,
    deadline_questions,
    group_questions,
    lead_questions,
    plan_questions,
    unit_questions,
    with_lines,
)
from bot.importer.rows import read_rows
from bot.importer.sources import read_blocks
from bot.importer.units import Proposal, is_reference, propose, split_mentions, split_role, without_references
from bot.importer.yaml_writer import write_plan_yaml
from scheduler.folding import fold
from scheduler.plan import PlanError, parse_plan
from store.labels import label_key

# A table under a title like these is a form to fill in, never the plan's tasks.
_FORM_TITLE = re.compile(r"\b(?:mau|bieu mau|mau so|phieu|bien ban)\b")
_HEADER_BLOCK = re.compile(r"cong hoa xa hoi chu nghia|\bso\s*:\s*\S+/")
_PLACEHOLDER = re.compile(r"^[\W_]*$")
# Tables read beside prose tasks are numbered under these letters (none is a Roman numeral).
_TABLE_LETTERS = "PQRSTUYZ"


@dataclass
class _Read:
    """Tasks found in the document, with where they were read."""

    layouts: list[TableLayout] = field(default_factory=list)
    sections: list[DraftSection] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    other_lines: list[str] = field(default_factory=list)
    prose_lines: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)


def import_plan(
    path: Path,
    out: Path | None = None,
    *,
    plan_year: int | None = None,
    today: date,
    overwrite: bool = False,
) -> ImportResult:
    """Read `path`, write the draft plan to `out` (default: next to it, .yaml) and say what
    was found. Raises ImportFailure with one Vietnamese line when nothing useful can be done."""
    out = out or path.with_suffix(".yaml")
    if out.exists() and not overwrite:
        raise ImportFailure(f'Tệp "{out}" đã có: chọn tên khác bằng --out, hoặc thêm --force để ghi đè.')
    if out.resolve() == path.resolve():
        raise ImportFailure("Tệp kết quả trùng với tệp kế hoạch gốc: chọn tên khác bằng --out.")
    result = draft_plan(path, out_name=str(out), plan_year=plan_year, today=today)
    try:
        out.write_text(result.yaml_text, encoding="utf-8")
    except OSError as exc:
        raise ImportFailure(f'Không ghi được "{out}": {exc.strerror}.') from None
    return result


def draft_plan(path: Path, *, out_name: str = "", plan_year: int | None = None, today: date) -> ImportResult:
    """The draft of `path` without writing it: `result.yaml_text` and `result.questions`
    (for the desk's intake page). Raises ImportFailure as `import_plan` does."""
    found = _read_document(path)
    meta = read_metadata(found.other_lines)
    tasks = found.tasks
    mentions: list[str] = []
    for task in tasks:
        _split_units(task)
        mentions += task.lead + task.coordinate
    proposal = propose(mentions, meta.ward)

    year = plan_year or (meta.issued.year if meta.issued else today.year)
    issued = meta.issued or date(year, 1, 1)
    coordinating, how = _coordinating_unit(proposal, tasks, found.other_lines)
    found.notices.append(f"Đơn vị theo dõi chung (coordinating_unit) {coordinating} là đoán {how} — cần kiểm tra.")
    asked_deadlines, deadlines_read = deadline_questions(tasks, year, issued)
    questions: list[ImportQuestion] = [
        *plan_questions(meta, proposal.units),
        *group_questions(proposal.groups, tasks, proposal.units, proposal),
        *unit_questions(proposal.units),
        *content_questions(tasks),
        *lead_questions(tasks, proposal.units, proposal),
        *asked_deadlines,
    ]
    text = write_plan_yaml(
        source_name=path.name,
        meta=meta,
        issued=issued,
        plan_year=year,
        coordinating_unit=coordinating,
        sections=found.sections,
        units=proposal.units,
        groups=proposal.groups,
        tasks=tasks,
        questions=questions,
        title_fallback=f"Kế hoạch {path.stem}",
    )
    questions = with_lines(questions, text)
    return ImportResult(
        source_name=path.name,
        out_path=out_name,
        metadata=meta,
        tables=found.layouts,
        sections=found.sections,
        tasks=tasks,
        units=proposal.units,
        groups=proposal.groups,
        coordinating_unit=coordinating,
        plan_year=year,
        skipped=found.skipped,
        notices=found.notices,
        check_problems=_check(text, out_name or path.name, questions),
        questions=questions,
        deadlines_read=deadlines_read,
        shape="cả hai" if len(found.shapes) > 1 else found.shapes[0],
        places=found.places,
        yaml_text=text,
    )


# --- reading the document ----------------------------------------------------------------------


def _read_document(path: Path) -> _Read:
    found = _Read()
    candidates: list[tuple[TableLayout, str]] = []
    para = 0
    recent: list[str] = []  # the paragraphs just above a table: its title
    for block in read_blocks(path):
        if isinstance(block, str):
            para += 1
            found.other_lines.append(block)
            found.prose_lines.append((para, block))
            if block.strip():
                recent = [*recent[-2:], block]
            continue
        layout = find_layout(block)
        if layout is None:
            found.other_lines.extend(_grid_lines(block))
            if _HEADER_BLOCK.search(fold(" ".join(_grid_lines(block)))):
                found.skipped.append(
                    f"{block.name}: đầu văn bản (cơ quan ban hành, số, ngày) — đã đọc thông tin kế hoạch"
                )
            elif len(block.rows) > 1:
                found.skipped.append(
                    f"{block.name}: không phải bảng phân công nhiệm vụ (không thấy cột nội dung và chủ trì/thời hạn)"
                )
            continue
        above = _grid_lines(Grid(block.name, block.rows[: layout.header_row]))
        # Titles printed above the header inside the table (common in Excel) are body text.
        found.other_lines.extend(above)
        titles, recent = [*recent, *above], []
        if any(_FORM_TITLE.search(fold(line)) for line in titles):
            found.skipped.append(
                f"{block.name}: mẫu biểu để điền (tiêu đề ghi mẫu/phiếu/biên bản) — không phải nhiệm vụ"
            )
            continue
        candidates.append((layout, titles[-1] if titles and len(titles[-1]) <= 120 else ""))
    prose = read_prose(found.prose_lines)
    filled = _filled_tables(found, candidates)
    if filled:
        _only_assigned(found, prose)
    _add_tables(found, filled, letters=bool(prose.tasks))
    if prose.tasks:
        found.sections[:0] = prose.sections
        found.tasks[:0] = prose.tasks
        found.places.insert(
            0, f"đoạn {prose.first}–{prose.last}" if prose.last > prose.first else f"đoạn {prose.first}"
        )
        found.shapes.insert(0, "văn xuôi")
    if not found.tasks:
        raise ImportFailure(
            f'Không tìm thấy nhiệm vụ nào trong "{path.name}": cần một bảng có cột "Nội dung" và cột "Chủ trì" '
            'hoặc "Thời hạn", hoặc các mục đánh số có dòng "Đơn vị chủ trì:" / "Thời gian hoàn thành:".'
        )
    _unique_labels(found)
    return found


def _filled_tables(found: _Read, candidates: list[tuple[TableLayout, str]]) -> list[tuple[TableLayout, str]]:
    filled = []
    for layout, title in candidates:
        rows = read_rows(layout, None)
        if not any(_filled(t) for t in rows.tasks):
            found.skipped.append(
                f"{layout.grid.name}: bảng trống hoặc mẫu biểu (không dòng nào ghi đơn vị chủ trì hay thời hạn) "
                "— không phải nhiệm vụ"
            )
            continue
        filled.append((layout, title))
    return filled


def _only_assigned(found: _Read, prose: ProseRead) -> None:
    """Beside a task table, a body item with a date but no unit ("Thời gian thực hiện: năm
    2026" under the aims) is the body's wording, not a task."""
    kept = [t for t in prose.tasks if t.lead[0].strip() or t.coordinate[0].strip()]
    for task in prose.tasks:
        if task not in kept:
            found.skipped.append(
                f'{task.where}: mục "{_short(task.content)}" chỉ ghi thời gian, không ghi đơn vị — '
                "kế hoạch đã có bảng nhiệm vụ nên không coi là nhiệm vụ"
            )
    used = {t.section for t in kept if t.section}
    prose.sections = [s for s in prose.sections if any(u == s.label or u.startswith(s.label + ".") for u in used)]
    prose.tasks = kept
    if kept:
        paras = [int(t.where.split()[-1]) for t in kept]
        prose.first, prose.last = min(paras), max(paras)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _add_tables(found: _Read, filled: list[tuple[TableLayout, str]], *, letters: bool) -> None:
    for n, (layout, title) in enumerate(filled, start=1):
        # Several task tables that each start again at 1, or a table beside prose tasks: each
        # table's tasks under its own section, so that every label stays unique.
        prefix = None
        if letters:
            prefix = _TABLE_LETTERS[min(n, len(_TABLE_LETTERS)) - 1]
        elif len(filled) > 1:
            prefix = str(n)
        rows = read_rows(layout, prefix)
        found.skipped += rows.skipped
        found.notices += rows.notices
        for section in rows.sections:
            if section.label == prefix:  # the table's own section: titled by the words above it
                section.title = f"{title} ({layout.grid.name})" if title else section.title
        found.layouts.append(layout)
        found.sections += rows.sections
        found.tasks += rows.tasks
        found.places.append(layout.grid.name)
    if filled:
        found.shapes.append("bảng")


def _filled(task: DraftTask) -> bool:
    texts = [task.deadline, *task.lead, *task.coordinate]
    return any(t.strip() and not _is_placeholder(t) for t in texts)


def _is_placeholder(text: str) -> bool:
    """Dots to fill in: "……", "…/…/2026", "….%"."""
    if _PLACEHOLDER.match(text):
        return True
    dotted = "…" in text or ".." in text or "__" in text
    return dotted and not any(ch.isalpha() for ch in text)


def _unique_labels(found: _Read) -> None:
    """Labels unique by construction: numbering that starts again inside one section (an
    unnumbered sub-heading between the runs) goes under a new sub-section B, C… of it."""
    seen: set[str] = set()
    section_keys = {label_key(s.label) for s in found.sections}
    runs: dict[str | None, str] = {}
    for task in found.tasks:
        original = task.section
        task.section = runs.get(original, original)
        if label_key(task.label) not in seen:
            seen.add(label_key(task.label))
            continue
        for letter in "BCDEGHKMNPQRSTUY":
            candidate = f"{original}.{letter}" if original else letter
            if label_key(candidate) not in section_keys:
                break
        section_keys.add(label_key(candidate))
        title = task.heading or next((s.title for s in found.sections if s.label == original), "")
        found.sections.append(DraftSection(label=candidate, title=f"{title} (đánh số lại từ {task.where})".strip()))
        runs[original] = candidate
        task.section = candidate
        seen.add(label_key(task.label))
        found.notices.append(
            f"{task.where}: STT đánh lại từ đầu trong mục {original or '(gốc)'} — "
            f"các nhiệm vụ từ đây ghi vào mục {candidate}, cần kiểm tra"
        )


def _split_units(task: DraftTask) -> None:
    """Cell text → unit mentions: document references and a person's role are set aside
    (kept in the task's notes), never made into units."""
    lead_cell, coordinate_cell = task.lead[0], task.coordinate[0]
    said: list[str] = []
    if is_reference(lead_cell) and not without_references(lead_cell)[1]:
        said.append(lead_cell)
        lead_cell = ""
    lead_cell, refs = without_references(lead_cell)
    coordinate_cell, more = without_references(coordinate_cell)
    said += refs + more
    task.lead, roles = _mentions(lead_cell)
    task.coordinate, more_roles = _mentions(coordinate_cell)
    if said or roles or more_roles:
        task.lead_written = "; ".join([*said, *roles, *more_roles])
        task.notes["Đơn vị ghi trong kế hoạch"] = task.lead_written


def _mentions(cell: str) -> tuple[list[str], list[str]]:
    out: list[str] = []
    roles: list[str] = []
    for mention in split_mentions(cell):
        if is_reference(mention):
            roles.append(mention)
            continue
        unit, role = split_role(mention)
        if role is not None:
            roles.append(mention)
        if unit not in out:
            out.append(unit)
    return out, roles


def _grid_lines(grid: Grid) -> list[str]:
    lines: list[str] = []
    for row in grid.rows:
        seen: list[object] = []
        for cell in row:
            if any(cell.key is k for k in seen):
                continue
            seen.append(cell.key)
            if cell.text.strip():
                lines.append(cell.text)
    return lines


_VIA = re.compile(r"\(qua ([^)]+)\)", re.IGNORECASE)


def _coordinating_unit(proposal: Proposal, tasks: list[DraftTask], lines: list[str]) -> tuple[str, str]:
    """The office that follows the plan: the unit reports go "qua" (through) in the text,
    else the unit that leads most tasks."""
    unit_codes = {u.code for u in proposal.units}
    via = Counter(
        code
        for line in lines
        for m in _VIA.finditer(line)
        if (code := proposal.resolve(m[1])) is not None and code in unit_codes
    )
    if via:
        return via.most_common(1)[0][0], 'từ cụm "qua …" trong văn bản'
    leads = Counter(code for t in tasks for m in t.lead if (code := proposal.resolve(m)) in unit_codes)
    if leads:
        return leads.most_common(1)[0][0], "vì chủ trì nhiều nhiệm vụ nhất"
    return proposal.units[0].code if proposal.units else "", "vì không có căn cứ nào khác"


def _check(text: str, out: str, questions: list[ImportQuestion]) -> list[str]:
    """What `nhacviec check` will say about the draft besides what the questions ask: each
    problem the check names for a task field, a plan field or a group that a question is
    about is that question."""
    asked: list[str] = []
    for q in questions:
        if q.kind == "plan":
            asked.append(f'trường "plan.{q.field}"')
        elif q.kind in ("content", "lead", "deadline"):
            asked += [f'Nhiệm vụ {q.task}, trường "{q.field}"', f'Nhiệm vụ STT {q.task}, trường "{q.field}"']
        elif q.kind == "group":
            asked.append("nhóm chủ trì chưa có đơn vị thành viên")
    if any(q.field == "units" for q in questions):
        asked += ['trường "units"', "trong danh sách units/groups"]
    try:
        parse_plan(text, out)
    except PlanError as exc:
        return [p for p in exc.problems if not any(a in p for a in asked)]
    return []
