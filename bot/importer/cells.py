"""Merged cells: which grid positions of a row carry text of their own.

A merged cell appears at every grid position it covers — across (a title spanning the row,
a lead and a coordinating cell merged into one) and down (one lead for several tasks). A
row's text is read once per cell; a cell that merely continues from the row above is not
that row's text again.
"""

from __future__ import annotations

from bot.importer.model import Cell

Row = list[Cell]


def distinct_cells(row: Row) -> list[Cell]:
    """The row's cells, each merged cell once, left to right."""
    out: list[Cell] = []
    for cell in row:
        if not any(cell.key is seen.key or cell.key == seen.key for seen in out):
            out.append(cell)
    return out


def same_cell(a: Cell, b: Cell) -> bool:
    return a.key is b.key or a.key == b.key


def is_spanning(row: Row) -> bool:
    """One cell across the whole row: a section title or a heading, never a task."""
    return len(row) > 1 and len(distinct_cells(row)) == 1


def is_blank(row: Row) -> bool:
    return not any(cell.text.strip() for cell in row)


def join_text(first: str, more: str) -> str:
    """Text of a cell continued on the next page: one space where the page broke."""
    first, more = first.strip(), more.strip()
    if not first:
        return more
    if not more:
        return first
    return f"{first} {more}"
