"""The deadline cells of tests/data/deadline_cells.tsv and how a reading is judged against
them; shared by tests/test_deadlines_reading.py and bench/deadline_coverage.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scheduler.deadlines import Reading, read_deadline, reading_to_json

CELLS_PATH = Path(__file__).parent / "data" / "deadline_cells.tsv"


@dataclass(frozen=True)
class Cell:
    family: str
    text: str
    plan_year: int
    confidence: str
    expected: dict[str, object]
    ignored: tuple[str, ...]


def load_cells(path: Path = CELLS_PATH) -> list[Cell]:
    cells: list[Cell] = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    for line in lines[1:]:  # the header
        family, text, year, confidence, expected, ignored = line.split("\t")
        cells.append(
            Cell(
                family=family,
                text=text.replace("\\n", "\n"),
                plan_year=int(year),
                confidence=confidence,
                expected=json.loads(expected),
                ignored=tuple(w for w in ignored.split(" | ") if w),
            )
        )
    return cells


def matches(expected: object, actual: object) -> bool:
    """`expected` is a part of `actual`: dict keys recursively (None = absent or null),
    lists element by element, anything else equal."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(
            (actual.get(k) is None) if v is None else (k in actual and matches(v, actual[k]))
            for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual


def read_cell(cell: Cell) -> Reading:
    return read_deadline(cell.text, cell.plan_year)


def is_right(cell: Cell, reading: Reading) -> bool:
    return (
        reading.confidence == cell.confidence
        and matches(cell.expected, reading_to_json(reading))
        and reading.ignored == cell.ignored
    )


def verdict(cell: Cell, reading: Reading) -> str:
    """ "read" (runs unattended with the expected meaning and words set aside), "refused"
    (unsure or unknown: the office is asked) or "wrong" (runs unattended otherwise)."""
    if not reading.runs_unattended:
        return "refused"
    return "read" if is_right(cell, reading) else "wrong"
