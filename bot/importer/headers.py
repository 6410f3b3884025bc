"""Finding task tables by their header words, in any column order and any subset."""

from __future__ import annotations

import re

from bot.importer.cells import distinct_cells, same_cell
from bot.importer.model import Cell, Column, Grid, TableLayout
from scheduler.folding import fold

# Checked in this order: "Thời gian thực hiện" is a deadline before it is "thực hiện", and
# "Theo dõi, kiểm tra, đôn đốc" is a note although it names no role.
_ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("stt", re.compile(r"^(?:stt|tt|so tt|so thu tu)\.?$")),
    ("note", re.compile(r"theo doi|ghi chu|don doc|kiem tra")),
    ("lead", re.compile(r"chu tri.*phoi hop")),  # one column for both: read as lead
    ("coordinate", re.compile(r"phoi hop")),
    ("deadline", re.compile(r"thoi han|thoi gian|tien do|han hoan thanh|moc hoan thanh")),
    ("product", re.compile(r"san pham|ket qua|hinh thuc")),
    (
        "lead",
        re.compile(r"chu tri|trach nhiem|dau moi|^(?:co quan|don vi)(?: thuc hien)?$|(?:co quan|don vi) thuc hien"),
    ),
    ("content", re.compile(r"noi dung|nhiem vu|cong viec|giai phap|hoat dong|ten (?:de an|du an|van ban)")),
]
_YEAR = re.compile(r"\b(?:nam\s+)?((?:19|20|21)\d\d)\b")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
_MAX_HEADER_TEXT = 80  # a header cell is short; a task's content is not
_SEARCH_ROWS = 8  # titles printed inside the table come before its header


def header_role(text: str) -> tuple[str | None, int | None]:
    """The role a header cell names, and a year written in it ("Thời gian (Năm 2026)")."""
    folded = fold(text.replace("\n", " "))
    if not folded or len(folded) > _MAX_HEADER_TEXT:
        return None, None
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(folded):
            year = _YEAR.search(folded)
            return role, int(year[1]) if year and role == "deadline" else None
    return None, None


def find_layout(grid: Grid) -> TableLayout | None:
    """The header row and column roles of a task table, or None when the grid is not one."""
    for index, row in enumerate(grid.rows[:_SEARCH_ROWS]):
        layout = _layout_from(grid, index, row)
        if layout is not None:
            return layout
    return None


def _layout_from(grid: Grid, index: int, row: list[Cell]) -> TableLayout | None:
    columns: list[Column] = []
    deadline_year: int | None = None
    previous: Cell | None = None
    for j, cell in enumerate(row):
        if previous is not None and same_cell(previous, cell):
            # A header spanning several columns: each of them holds that role's text.
            if columns and columns[-1].index == j - 1:
                columns.append(Column(index=j, role=columns[-1].role, header=columns[-1].header))
            previous = cell
            continue
        previous = cell
        role, year = header_role(cell.text)
        if role is None:
            if cell.text.strip() and len(cell.text) <= _MAX_HEADER_TEXT:
                columns.append(Column(index=j, role="note", header=" ".join(cell.text.split())))
            continue
        if role != "note" and any(c.role == role for c in columns):
            role = "note"  # a second column of a role already seen: kept, never silently merged
        deadline_year = year if year is not None else deadline_year
        columns.append(Column(index=j, role=role, header=" ".join(cell.text.split())))
    roles = {c.role for c in columns}
    if "content" not in roles or not roles & {"lead", "deadline"}:
        return None
    if len(roles - {"note"}) < 3:
        return None
    layout = TableLayout(grid=grid, header_row=index, columns=columns, deadline_year=deadline_year)
    _refine_with_subheader(layout)
    return layout


def _refine_with_subheader(layout: TableLayout) -> None:
    """A two-row header ("Đơn vị thực hiện" over "Chủ trì | Phối hợp"): the second row names
    the columns under the spanning cell, and is not data."""
    rows = layout.grid.rows
    below = layout.header_row + 1
    if below >= len(rows):
        return
    header, sub = rows[layout.header_row], rows[below]
    if len(distinct_cells(sub)) < 2:
        return  # a section title spanning the row
    found: dict[int, str] = {}
    for j, cell in enumerate(sub):
        if same_cell(cell, header[j]) or not cell.text.strip():
            continue
        role, _ = header_role(cell.text)
        if role is None:
            return  # a data row after all
        found[j] = role
    if not found:
        return
    for j, role in found.items():
        column = next((c for c in layout.columns if c.index == j), None)
        if column is None:
            layout.columns.append(Column(index=j, role=role, header=" ".join(sub[j].text.split())))
        else:
            column.role, column.header = role, f"{column.header} – {' '.join(sub[j].text.split())}"
    layout.columns.sort(key=lambda c: c.index)
    layout.header_row = below


def is_repeated_header(layout: TableLayout, row: list[Cell]) -> bool:
    """A header printed again at the top of each page ("Repeat header rows" or by hand)."""
    header = layout.grid.rows[layout.header_row]
    texts = [fold(c.text) for c in distinct_cells(row) if c.text.strip()]
    wanted = [fold(c.text) for c in distinct_cells(header) if c.text.strip()]
    if texts and texts == wanted:
        return True
    roles = [header_role(c.text)[0] for c in distinct_cells(row) if c.text.strip()]
    return len(roles) >= 3 and all(r is not None for r in roles) and "content" in roles


def is_column_numbers(row: list[Cell]) -> bool:
    """The "(1) (2) (3)…" row under a header that numbers its columns."""
    texts = [c.text.strip() for c in distinct_cells(row) if c.text.strip()]
    if len(texts) < 3 or not all(_COLUMN_NUMBER.match(t) for t in texts):
        return False
    numbers = [int(t.strip("()")) for t in texts]
    return numbers == sorted(numbers) and len(set(numbers)) == len(numbers) and numbers[0] <= 1
