"""Rows of a task table → sections and tasks.

A row is one of: the header again (a new page), the column numbers, a section title
(I, II… or A, B…, or a title spanning the row), a task (it has an STT), or the rest of the
previous task cut by a page break (no STT: its text continues the task above).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer.cells import distinct_cells, is_blank, is_spanning, join_text, same_cell
from bot.importer.headers import is_column_numbers, is_repeated_header
from bot.importer.model import Cell, DraftSection, DraftTask, TableLayout
from bot.importer.numbering import LEVEL, Number, parse_number, split_numbered_title
from scheduler.folding import fold

FIELDS = ("content", "lead", "coordinate", "product", "deadline")


@dataclass
class Entry:
    """A numbered row of the table, with the rows that continue it."""

    number: Number | None
    fields: dict[str, str]
    notes: dict[str, str]
    where: str
    spanning_title: bool = False
    merged_lead_coordinate: bool = False
    heading: str = ""  # an unnumbered title row just above it ("Nhiệm vụ bổ sung")
    last_cells: dict[int, Cell] = field(default_factory=dict)

    @property
    def has_assignment(self) -> bool:
        return bool(self.fields.get("lead") or self.fields.get("deadline") or self.fields.get("coordinate"))


@dataclass
class TableRows:
    sections: list[DraftSection]
    tasks: list[DraftTask]
    skipped: list[str]
    notices: list[str]


_LABELLED_LEAD = re.compile(r"chu tri\s*:", re.IGNORECASE)
_LABELLED_COORD = re.compile(r"phoi hop\s*:", re.IGNORECASE)


def read_rows(layout: TableLayout, label_prefix: str | None = None) -> TableRows:
    entries, skipped, notices = _entries(layout)
    rows = _outline(entries, layout, label_prefix)
    rows.skipped[:0] = skipped
    rows.notices[:0] = notices
    return rows


def _entries(layout: TableLayout) -> tuple[list[Entry], list[str], list[str]]:
    grid = layout.grid
    stt_col = layout.role("stt")
    numbered = stt_col is not None and any(
        parse_number(row[stt_col.index].text) is not None for row in grid.rows[layout.header_row + 1 :]
    )
    entries: list[Entry] = []
    skipped: list[str] = []
    notices: list[str] = []
    repeated = 0
    previous_upper: str | None = None
    heading = ""
    header_cells = grid.rows[layout.header_row]
    for r in range(layout.header_row + 1, len(grid.rows)):
        row = grid.rows[r]
        where = f"{grid.name}, dòng {r + 1}"
        if is_blank(row) or is_column_numbers(row):
            continue
        if is_repeated_header(layout, row) or all(same_cell(a, b) for a, b in zip(row, header_cells, strict=False)):
            repeated += 1
            continue
        if is_spanning(row):
            text = row[0].text
            titled = split_numbered_title(text)
            number = parse_number(titled[0], previous_upper) if titled else None
            if titled and number is not None:
                previous_upper = number.text if number.kind == "upper" else previous_upper
                entries.append(Entry(number, {"content": titled[1]}, {}, where, spanning_title=True))
            else:
                skipped.append(f'{where}: dòng tiêu đề không có số thứ tự, không phải nhiệm vụ ("{_short(text)}")')
                heading = " ".join(text.split())
            continue
        fields, notes, merged = _fields(layout, row)
        stt_text = row[stt_col.index].text if stt_col is not None else ""
        number = parse_number(stt_text, previous_upper)
        if number is None and stt_text.strip():
            titled = split_numbered_title(fields.get("content", ""))
            notices.append(f'{where}: không đọc được STT "{stt_text}" — coi như dòng nối tiếp')
            number = None if titled is None else parse_number(titled[0], previous_upper)
        if number is None and not numbered and fields.get("content"):
            # A table that numbers nothing: every row with content is a task of its own.
            number = Number("arabic", str(sum(1 for e in entries if e.number is not None) + 1))
        if number is None:
            if not entries:
                skipped.append(f'{where}: dòng không có STT trước nhiệm vụ đầu tiên ("{_short(_any_text(row))}")')
                continue
            _continue(entries[-1], fields, notes, row, layout)
            continue
        if number.kind == "upper":
            previous_upper = number.text
        entry = Entry(number, fields, notes, where, merged_lead_coordinate=merged, heading=heading)
        heading = ""
        entry.last_cells = {j: cell for j, cell in enumerate(row)}
        entries.append(entry)
    if repeated:
        skipped.append(f"{grid.name}: bỏ {repeated} dòng tiêu đề bảng lặp lại ở đầu trang")
    return entries, skipped, notices


def _fields(layout: TableLayout, row: list[Cell]) -> tuple[dict[str, str], dict[str, str], bool]:
    """Each role's text in this row; a cell merged across roles counts once, for the first
    role in reading order of the model (a lead+coordinate cell is the lead)."""
    used: list[Cell] = []
    fields: dict[str, str] = {}
    notes: dict[str, str] = {}
    merged = False
    order = {"stt": 0, "content": 1, "lead": 2, "coordinate": 3, "product": 4, "deadline": 5, "note": 6}
    for column in sorted(layout.columns, key=lambda c: (order[c.role], c.index)):
        cell = row[column.index]
        if any(same_cell(cell, u) for u in used):
            if column.role == "coordinate" and cell.text.strip():
                merged = True
            continue
        used.append(cell)
        if column.role == "stt" or not cell.text.strip():
            continue
        if column.role == "note":
            notes[column.header] = join_text(notes.get(column.header, ""), cell.text)
        else:
            fields[column.role] = join_text(fields.get(column.role, ""), cell.text)
    if "coordinate" not in fields and "lead" in fields:
        _split_labelled_roles(fields)
    return fields, notes, merged


def _split_labelled_roles(fields: dict[str, str]) -> None:
    """One "Trách nhiệm thực hiện" column written "Chủ trì: A; Phối hợp: B"."""
    text = fields["lead"]
    folded = fold(text)
    if len(folded) != len(text):
        return  # folding changed lengths (rare ligatures): do not cut at wrong places
    coord = _LABELLED_COORD.search(folded)
    if coord is None:
        return
    lead_part = text[: coord.start()]
    lead_label = _LABELLED_LEAD.search(fold(lead_part))
    if lead_label is not None:
        lead_part = lead_part[lead_label.end() :]
    fields["lead"] = lead_part.strip(" ;,.-\n")
    fields["coordinate"] = text[coord.end() :].strip(" ;,.-\n")


def _continue(
    entry: Entry, fields: dict[str, str], notes: dict[str, str], row: list[Cell], layout: TableLayout
) -> None:
    """Append a continuation row's own cells; a cell merged down from the row above is
    already in the task."""
    own = {j for j, cell in enumerate(row) if not (j in entry.last_cells and same_cell(cell, entry.last_cells[j]))}
    for role, text in fields.items():
        columns = [c.index for c in layout.columns if c.role == role]
        if any(j in own for j in columns):
            entry.fields[role] = join_text(entry.fields.get(role, ""), text)
    for header, text in notes.items():
        columns = [c.index for c in layout.columns if c.header == header]
        if any(j in own for j in columns):
            entry.notes[header] = join_text(entry.notes.get(header, ""), text)
    entry.last_cells = {j: cell for j, cell in enumerate(row)}


# --- outline -------------------------------------------------------------------------------


@dataclass
class _Node:
    level: int
    part: str
    entry: Entry
    is_task: bool


def _outline(entries: list[Entry], layout: TableLayout, label_prefix: str | None) -> TableRows:
    sections: dict[str, DraftSection] = {}
    tasks: list[DraftTask] = []
    skipped: list[str] = []
    notices: list[str] = []
    stack: list[_Node] = []
    base = [label_prefix] if label_prefix else []
    for i, entry in enumerate(entries):
        number = entry.number
        assert number is not None
        level = LEVEL[number.kind]
        while stack and stack[-1].level >= level:
            stack.pop()
        if number.kind == "dotted":
            # "1.2" carries its parent's number: it sits beside "1", not under it.
            while stack and stack[-1].level >= LEVEL["arabic"]:
                stack.pop()
        parents = [n.part for n in stack]
        nxt = entries[i + 1].number if i + 1 < len(entries) else None
        has_children = nxt is not None and LEVEL[nxt.kind] > level
        is_section = entry.spanning_title or (
            not entry.has_assignment and (number.kind in ("upper", "roman") or has_children)
        )
        label = ".".join([*base, *parents, number.text])
        node = _Node(level, number.text, entry, is_task=not is_section)
        if is_section:
            sections.setdefault(label, DraftSection(label=label, title=entry.fields.get("content", "")))
            for role in ("product",):
                if entry.fields.get(role):
                    notices.append(
                        f'{entry.where}: mục {label} có ghi sản phẩm "{_short(entry.fields[role])}" — chưa dùng'
                    )
        else:
            section = ".".join([*base, *parents]) or None
            # A task with sub-tasks is also their section, titled by its own content.
            for depth in range(len(stack)):
                ancestor = ".".join([*base, *parents[: depth + 1]])
                if ancestor not in sections:
                    sections[ancestor] = DraftSection(
                        label=ancestor, title=stack[depth].entry.fields.get("content", "")
                    )
            if base and not parents and base[0] not in sections:
                sections[base[0]] = DraftSection(label=base[0], title=layout.grid.name)
            task = DraftTask(
                stt=number.value,
                section=section,
                content=entry.fields.get("content", ""),
                lead=[],
                coordinate=[],
                product=entry.fields.get("product", ""),
                deadline=entry.fields.get("deadline", ""),
                deadline_year=layout.deadline_year,
                notes=dict(entry.notes),
                where=entry.where,
                heading=entry.heading,
            )
            # Raw cell text until units.py splits it into unit names.
            task.lead = [entry.fields.get("lead", "")]
            task.coordinate = [entry.fields.get("coordinate", "")]
            if entry.merged_lead_coordinate:
                notices.append(
                    f"{entry.where}: ô chủ trì và ô phối hợp của nhiệm vụ {label} gộp làm một — "
                    "đã coi tất cả là đơn vị chủ trì, cần kiểm tra"
                )
            tasks.append(task)
        stack.append(node)
    return TableRows(sections=list(sections.values()), tasks=tasks, skipped=skipped, notices=notices)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _any_text(row: list[Cell]) -> str:
    return " ".join(c.text for c in distinct_cells(row) if c.text.strip())
