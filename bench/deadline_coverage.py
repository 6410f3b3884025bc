"""Deadline coverage: the cells of tests/data/deadline_cells.tsv by family, then the grammar's
understood / refused counts over every deadline phrase in the tests.

Run: .venv/bin/python -m bench.deadline_coverage

Cells: "read" runs unattended (exact or read) with the expected meaning and words set aside;
"refused" is unsure or unknown (the office is asked: right when the cell expects it);
"wrong" runs unattended with another meaning. The words set aside are listed per family.

Phrases: each counted as written and without diacritics. "understood" parses to a rule;
"refused" raises DeadlineError. The expected column says what the tests demand, so a
mismatch shows up here as well as in pytest.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from scheduler.deadlines import DeadlineError, parse_deadline
from tests.deadline_cells import load_cells, read_cell, verdict
from tests.deadline_phrases import (
    DAYS_AND_WEEKS,
    DESCRIPTIVE,
    EVENTS,
    FAMILIES,
    MILESTONES,
    REFUSED,
    SEED_PHRASES,
    SPANS,
    SPELLINGS,
    strip_marks,
)

PLAN_YEAR = 2026


def _understood(phrase: str) -> bool:
    try:
        parse_deadline(phrase, PLAN_YEAR)
    except DeadlineError:
        return False
    return True


def cells_by_family() -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    aside: dict[str, list[str]] = defaultdict(list)
    asked_right: Counter[str] = Counter()
    for cell in load_cells():
        reading = read_cell(cell)
        v = verdict(cell, reading)
        counts[cell.family][v] += 1
        if v == "refused" and reading.confidence == cell.confidence:
            asked_right[cell.family] += 1
        aside[cell.family] += [f'"{w}"' for w in reading.ignored]
    print(f"{'family':<24} {'cells':>5} {'read':>5} {'refused':>8} {'asked ok':>8} {'wrong':>6}  words set aside")
    total: Counter[str] = Counter()
    for family, c in counts.items():
        n = sum(c.values())
        total.update(c, cells=n, asked=asked_right[family])
        words = ", ".join(aside[family]) or "—"
        print(f"{family:<24} {n:>5} {c['read']:>5} {c['refused']:>8} {asked_right[family]:>8} {c['wrong']:>6}  {words}")
    print(
        f"{'total':<24} {total['cells']:>5} {total['read']:>5} {total['refused']:>8} {total['asked']:>8} "
        f"{total['wrong']:>6}"
    )


def main() -> None:
    cells_by_family()
    print()
    tables: dict[str, tuple[list[str], bool]] = {
        "seed plan + earlier families": ([p for p, _ in SEED_PHRASES + FAMILIES], True),
        "descriptive words": ([p for p, _ in DESCRIPTIVE], True),
        "spans, ranges, lists": ([p for p, _ in SPANS], True),
        "days in periods, weekly": ([p for p, _ in DAYS_AND_WEEKS], True),
        "milestones": ([p for p, _ in MILESTONES], True),
        "events, other documents": (EVENTS, True),
        "spellings, clock times": ([p for p, _ in SPELLINGS], True),
        "must be refused": (REFUSED, False),
    }
    totals: Counter[str] = Counter()
    written: Counter[str] = Counter()
    print(f"{'family':<30} {'phrases':>8} {'understood':>11} {'refused':>8} {'unexpected':>11}")
    for name, (phrases, expected) in tables.items():
        variants = [v for p in phrases for v in dict.fromkeys([p, strip_marks(p)])]
        understood = sum(_understood(v) for v in variants)
        refused = len(variants) - understood
        unexpected = refused if expected else understood
        as_written = sum(_understood(p) for p in phrases)
        written.update(understood=as_written, refused=len(phrases) - as_written)
        totals.update(phrases=len(variants), understood=understood, refused=refused, unexpected=unexpected)
        print(f"{name:<30} {len(variants):>8} {understood:>11} {refused:>8} {unexpected:>11}")
    print(
        f"{'total':<30} {totals['phrases']:>8} {totals['understood']:>11} {totals['refused']:>8} "
        f"{totals['unexpected']:>11}"
    )
    print(f"as written, without the variants: {written['understood']} understood / {written['refused']} refused")


if __name__ == "__main__":
    main()
