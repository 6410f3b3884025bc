"""Reading a task label at the start of a message, against the ward's own labels."""

from __future__ import annotations

import pytest

from bot.reading.task_refs import task_refs

SECTIONED = {1: "I.1", 2: "I.2", 3: "II.1.a", 4: "II.1.b", 5: "II.2", 6: "II.3"}
FLAT = {n: str(n) for n in range(1, 20)}


def first(text: str, labels: dict[int, str]) -> tuple[str, int | None, str] | None:
    """The first reading that stands apart from the rest (what a report needs)."""
    ref = next((r for r in task_refs(text, labels) if r.rest and r.separated), None)
    return (ref.label, ref.stt, ref.rest) if ref else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("II.3: xong", ("II.3", 6, "xong")),
        ("II.3 xong", ("II.3", 6, "xong")),
        ("ii 3 đã xong", ("II.3", 6, "đã xong")),
        ("II-3: đang làm 50%", ("II.3", 6, "đang làm 50%")),
        ("nv II.1.a đang làm 30%", ("II.1.a", 3, "đang làm 30%")),
        ("Nhiệm vụ II.1.b) vướng: thiếu người", ("II.1.b", 4, "vướng: thiếu người")),
        ("II.1a xong", ("II.1.a", 3, "xong")),
        ("số I.2: xong", ("I.2", 2, "xong")),
        ("II.9: xong", ("II.9", None, "xong")),  # shaped like a task the ward lacks
        ("II 9 xong", ("II 9", None, "xong")),
        ("3: xong", ("3", None, "xong")),  # a bare number is no label here
        ("50% xong", None),
        ("30/6 xong", None),
        ("15.8.2026 xong", None),
        ("vì vướng 3 ngày", None),
        ("xong", None),
    ],
)
def test_labels_of_a_plan_with_sections(text: str, expected: tuple[str, int | None, str] | None) -> None:
    assert first(text, SECTIONED) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3: đã xong", ("3", 3, "đã xong")),
        ("nv 13 xong", ("13", 13, "xong")),
        ("11) xong", ("11", 11, "xong")),
        ("99: xong", ("99", None, "xong")),
        ("3.5 xong", ("3.5", None, "xong")),  # not task 3 with "5 xong"
        ("50% xong", None),
        ("30/6 xong", None),
    ],
)
def test_numbers_of_a_flat_plan(text: str, expected: tuple[str, int | None, str] | None) -> None:
    assert first(text, FLAT) == expected


def test_the_longest_label_is_tried_first_and_a_bare_label_has_no_rest() -> None:
    refs = task_refs("II.1.a", SECTIONED)
    assert refs[0].label == "II.1.a" and refs[0].rest == ""
    assert task_refs("2 ngày nữa xong", FLAT)[0].rest == "ngày nữa xong"  # callers require a status word
