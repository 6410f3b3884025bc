"""The import, step by step: read, find tables, read rows, propose units, write, check."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from bot.importer.headers import find_layout
from bot.importer.metadata import read_metadata
from bot.importer.model import DraftSection, DraftTask, Grid, ImportFailure, ImportResult, TableLayout
from bot.importer.rows import read_rows
from bot.importer.sources import read_blocks
from bot.importer.units import Proposal, propose, split_mentions
from bot.importer.yaml_writer import write_plan_yaml
from scheduler.deadlines import DeadlineError, parse_deadline
from scheduler.plan import PlanError, parse_plan


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
    blocks = read_blocks(path)

    layouts: list[TableLayout] = []
    other_lines: list[str] = []
    skipped: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            other_lines.append(block)
            continue
        layout = find_layout(block)
        if layout is None:
            other_lines.extend(_grid_lines(block))
            if len(block.rows) > 1:
                skipped.append(
                    f"{block.name}: không phải bảng phân công nhiệm vụ (không thấy cột nội dung và chủ trì/thời hạn)"
                )
            continue
        layouts.append(layout)
        # Titles printed above the header inside the table (common in Excel) are body text.
        other_lines.extend(_grid_lines(Grid(block.name, block.rows[: layout.header_row])))
    if not layouts:
        raise ImportFailure(
            f'Không tìm thấy bảng phân công nhiệm vụ trong "{path.name}": cần một bảng có cột "Nội dung" '
            'và cột "Chủ trì" hoặc "Thời hạn".'
        )

    meta = read_metadata(other_lines)
    sections: list[DraftSection] = []
    tasks: list[DraftTask] = []
    notices: list[str] = []
    used: list[TableLayout] = []
    for n, layout in enumerate(layouts, start=1):
        # Several task tables that each start again at 1: number each table's tasks under
        # its own section so that every label stays unique.
        prefix = str(n) if len(layouts) > 1 else None
        rows = read_rows(layout, prefix)
        skipped += rows.skipped
        notices += rows.notices
        if rows.tasks:
            used.append(layout)
            sections += rows.sections
            tasks += rows.tasks
        else:
            skipped.append(f"{layout.grid.name}: có tiêu đề cột nhưng không có dòng nhiệm vụ nào")
    if not tasks:
        raise ImportFailure(f'Bảng trong "{path.name}" không có dòng nhiệm vụ nào (cột STT trống hoặc không đọc được).')

    mentions: list[str] = []
    for task in tasks:
        task.lead = split_mentions(task.lead[0])
        task.coordinate = split_mentions(task.coordinate[0])
        mentions += task.lead + task.coordinate
        if not task.lead:
            notices.append(f"{task.where}: nhiệm vụ {task.label} không ghi cơ quan chủ trì — cần điền trước khi dùng")
    proposal = propose(mentions, meta.ward)

    year = plan_year or (meta.issued.year if meta.issued else today.year)
    issued = meta.issued or date(year, 1, 1)
    coordinating, how = _coordinating_unit(proposal, tasks, other_lines)
    notices.append(f"Đơn vị theo dõi chung (coordinating_unit) {coordinating} là đoán {how} — cần kiểm tra.")

    unread: list[tuple[str, str, str]] = []
    for task in tasks:
        try:
            parse_deadline(task.deadline, task.deadline_year or year, issued)
        except DeadlineError as exc:
            unread.append((task.label, task.deadline, str(exc)))
    text = write_plan_yaml(
        source_name=path.name,
        meta=meta,
        issued=issued,
        plan_year=year,
        coordinating_unit=coordinating,
        sections=sections,
        units=proposal.units,
        groups=proposal.groups,
        tasks=tasks,
        unread={label for label, _, _ in unread},
        title_fallback=f"Kế hoạch {path.stem}",
    )
    check_problems = _check(text, out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ImportFailure(f'Không ghi được "{out}": {exc.strerror}.') from None
    return ImportResult(
        source_name=path.name,
        out_path=str(out),
        metadata=meta,
        tables=used,
        sections=sections,
        tasks=tasks,
        units=proposal.units,
        groups=proposal.groups,
        coordinating_unit=coordinating,
        plan_year=year,
        unread_deadlines=unread,
        skipped=skipped,
        notices=notices,
        check_problems=check_problems,
    )


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


def _check(text: str, out: Path) -> list[str]:
    """What `nhacviec check` will say about the draft, apart from unread deadline cells
    (listed on their own)."""
    try:
        parse_plan(text, str(out))
    except PlanError as exc:
        return [p for p in exc.problems if '"deadline"' not in p]
    return []
