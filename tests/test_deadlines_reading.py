"""Deadline cells read the way a clerk reads them: the confidence of each reading, the words
set aside, the question the plan check asks, and that nothing read right before changes."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.main import main
from scheduler.deadlines import (
    DayInPeriod,
    DeadlineError,
    Milestone,
    Milestones,
    Once,
    Period,
    Recurring,
    deadline_note,
    deadline_question,
    parse_deadline,
    read_deadline,
    reading_to_json,
)
from scheduler.occurrences import expand
from scheduler.plan import PlanError, parse_plan
from tests.conftest import PLAN_PATH
from tests.deadline_cells import Cell, is_right, load_cells, matches
from tests.deadline_phrases import ACCEPTED, FAMILIES, REFUSED, SEED_PHRASES, strip_marks

Y = 2026
CELLS = load_cells()


def _cell_id(cell: Cell) -> str:
    return f"{cell.family}: {cell.text}"


# --- the cells, by family ------------------------------------------------------------------


def test_there_are_at_least_40_cells_over_every_family() -> None:
    families = {c.family for c in CELLS}
    assert len(CELLS) >= 40
    assert len(families) >= 12
    assert {c.confidence for c in CELLS} == {"exact", "read", "unsure", "unknown"}


@pytest.mark.parametrize("cell", CELLS, ids=[_cell_id(c) for c in CELLS])
def test_each_cell_is_read_with_its_meaning_confidence_and_words_set_aside(cell: Cell) -> None:
    reading = read_deadline(cell.text, cell.plan_year)
    assert reading.confidence == cell.confidence, reading
    assert matches(cell.expected, reading_to_json(reading)), reading_to_json(reading)
    assert reading.ignored == cell.ignored
    assert is_right(cell, reading)


@pytest.mark.parametrize(
    "cell", [c for c in CELLS if c.confidence == "exact"], ids=[_cell_id(c) for c in CELLS if c.confidence == "exact"]
)
def test_exact_cells_read_the_same_without_diacritics(cell: Cell) -> None:
    reading = read_deadline(strip_marks(cell.text), cell.plan_year)
    assert reading.confidence == "exact"
    assert reading.rule == parse_deadline(strip_marks(cell.text), cell.plan_year)
    out = reading_to_json(reading)
    assert out["kind"] == cell.expected.get("kind", out["kind"])
    assert out.get("due") == cell.expected.get("due", out.get("due"))


# --- the meaning of the words kept --------------------------------------------------------


def test_tháng_12_hằng_năm_is_due_every_december_without_end() -> None:
    rule = read_deadline("Tháng 12 hằng năm", 2025).rule
    assert rule == Recurring("yearly", date(2025, 1, 1), DayInPeriod(31, 12, False))
    dues = [o.due for o in expand(rule, until=date(2028, 12, 31), plan_start=date(2025, 1, 1))]
    assert dues == [date(2025, 12, 31), date(2026, 12, 31), date(2027, 12, 31), date(2028, 12, 31)]


def test_a_range_ending_at_an_hour_is_due_at_its_end_not_its_start() -> None:
    reading = read_deadline("Trong khoảng thời gian từ ngày 17/12/2025 đến 17 giờ 00, ngày 01/02/2026", Y)
    assert reading.confidence == "exact"
    assert isinstance(reading.rule, Period) and reading.rule.end == date(2026, 2, 1)
    assert reading.rule.start == date(2025, 12, 17)


@pytest.mark.parametrize(
    ("cell", "expected_ignored"),
    [
        ("Đến năm 2020", ()),  # "đến" belongs to the year: not read as 31/12/2020
        ("đầu tháng 8/2026", ()),  # "đầu" changes the month: not read as 31/08/2026
        ("Thứ Hai hằng tháng", ()),  # a weekday is a time word, never set aside
        ("Trước 10/5/2026 hoặc muộn hơn", ()),
        ("Giai đoạn 2026-2030 nếu có kinh phí", ()),
    ],
)
def test_words_that_change_a_time_are_never_set_aside(cell: str, expected_ignored: tuple[str, ...]) -> None:
    reading = read_deadline(cell, Y)
    assert not reading.runs_unattended
    assert reading.ignored == expected_ignored


def test_marked_words_that_only_look_like_time_words_are_set_aside() -> None:
    # "sâu" (deep) folds to "sau" (after); "quy định" is not "quý".
    reading = read_deadline("Tuyên truyền sâu rộng theo quy định của thành phố, hằng năm", Y)
    assert reading.confidence == "read"
    assert reading.rule == Recurring("yearly", date(2026, 1, 1))
    assert reading.ignored == ("Tuyên truyền sâu rộng theo quy định của thành phố",)


@pytest.mark.parametrize(("phrase", "expected"), ACCEPTED + SEED_PHRASES + FAMILIES)
def test_every_phrase_read_right_before_is_read_exactly_the_same(phrase: str, expected: object) -> None:
    for text in (phrase, strip_marks(phrase)):
        reading = read_deadline(text, Y)
        assert reading.confidence == "exact"
        assert reading.rule == parse_deadline(text, Y)
    assert read_deadline(phrase, Y).rule == expected


# The phrases the grammar refuses, and what the reading may make of them: one is read with
# its descriptive words set aside; the rest stay questions for the office.
READ_FROM_REFUSED = {"Ban hành kế hoạch trước 30/7/2026": (Once(date(2026, 7, 29)), ("Ban hành kế hoạch",))}


@pytest.mark.parametrize("phrase", REFUSED)
def test_a_refused_phrase_is_never_read_with_a_meaning_of_its_own(phrase: str) -> None:
    reading = read_deadline(phrase, Y)
    if phrase in READ_FROM_REFUSED:
        assert (reading.confidence, (reading.rule, reading.ignored)) == ("read", READ_FROM_REFUSED[phrase])
    else:
        assert reading.confidence in ("unsure", "unknown")
        assert reading.rule is None


_ONCE_OR_PERIOD = [(p, r) for p, r in ACCEPTED if isinstance(r, Once | Period) and not p[0].isdigit()]
_BEFORE = ["Ban hành kế hoạch", "Tổ chức hội nghị sơ kết,", "Xây dựng dự thảo:"]
_AFTER = [
    "và tổ chức thực hiện",
    "(theo Kế hoạch số 12/KH-UBND ngày 05/01/2026 của UBND tỉnh)",
    ", báo cáo UBND phường",
]


@given(
    row=st.sampled_from(_ONCE_OR_PERIOD),
    before=st.sampled_from(["", *_BEFORE]),
    after=st.sampled_from(["", *_AFTER]),
)
def test_descriptive_words_and_legal_bases_around_a_time_are_set_aside_and_listed(
    row: tuple[str, object], before: str, after: str
) -> None:
    phrase, expected = row
    text = " ".join(p for p in (before, phrase, after) if p)
    reading = read_deadline(text, Y)
    assert reading.rule == expected, reading
    if before or after:
        assert reading.confidence == "read"
        assert reading.ignored == tuple(p.strip(" ,:()") for p in (before, after) if p)
    else:
        assert reading.confidence == "exact"


# --- the office's question and the plan check -------------------------------------------


def test_unsure_and_unknown_are_one_question_naming_task_field_line_and_choices() -> None:
    unsure = read_deadline("Trước 10/5/2026 hoặc trước 10/6/2026", Y)
    q = deadline_question("II.3", "Trước 10/5/2026 hoặc trước 10/6/2026", unsure, line=42)
    assert q == (
        'Nhiệm vụ II.3 (dòng 42): Thời gian hoàn thành "Trước 10/5/2026 hoặc trước 10/6/2026" có 2 cách hiểu: '
        "(1) một lần, hạn 09/05/2026; (2) một lần, hạn 09/06/2026. "
        "Hãy chọn một cách và ghi lại ô Thời gian hoàn thành chỉ với thời hạn đó."
    )
    unknown = read_deadline("càng sớm càng tốt", Y)
    q = deadline_question("5", "càng sớm càng tốt", unknown)
    assert q is not None and q.startswith('Nhiệm vụ 5: chưa đọc được Thời gian hoàn thành "càng sớm càng tốt"')
    assert '"Trước 30/6/2026"' in q


def test_exact_and_read_ask_nothing_and_read_leaves_a_note() -> None:
    exact = read_deadline("Quý II/2026", Y)
    read = read_deadline("Ban hành kế hoạch trước 30/7/2026", Y)
    assert deadline_question("4", "Quý II/2026", exact) is None
    assert deadline_question("4", "Ban hành kế hoạch trước 30/7/2026", read) is None
    assert deadline_note("4", "Ban hành kế hoạch trước 30/7/2026", read.ignored) == (
        'Nhiệm vụ 4: Thời gian hoàn thành "Ban hành kế hoạch trước 30/7/2026" — đã bỏ qua "Ban hành kế hoạch" '
        "(không phải thời hạn)."
    )
    assert deadline_note("4", "Quý II/2026", exact.ignored) is None


def _plan_with_deadline(cell: str) -> str:
    text = PLAN_PATH.read_text(encoding="utf-8")
    assert 'deadline: "Quý II/2026"' in text
    return text.replace('deadline: "Quý II/2026"', f'deadline: "{cell}"', 1)


def test_the_plan_check_runs_a_read_deadline_and_keeps_the_words_set_aside() -> None:
    plan = parse_plan(
        _plan_with_deadline("Ban hành công văn chậm nhất là ngày 15/6/2026 và tổ chức thực hiện"), "t.yaml"
    )
    task = plan.task(4)
    assert task is not None and task.rule == Once(date(2026, 6, 15))
    assert task.deadline_ignored == ("Ban hành công văn", "và tổ chức thực hiện")
    assert task.deadline_text == "Ban hành công văn chậm nhất là ngày 15/6/2026 và tổ chức thực hiện"


def test_the_plan_check_asks_one_question_for_an_unsure_deadline() -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(_plan_with_deadline("Trước 10/5/2026 hoặc trước 10/6/2026"), "t.yaml")
    problems = err.value.problems
    assert len(problems) == 1
    assert problems[0].startswith('Nhiệm vụ STT 4, trường "deadline" (dòng ')
    assert "Thời gian hoàn thành" in problems[0] and "có 2 cách hiểu" in problems[0]
    assert "(1) một lần, hạn 09/05/2026; (2) một lần, hạn 09/06/2026" in problems[0]


def test_check_prints_the_words_set_aside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tasks.yaml"
    path.write_text(_plan_with_deadline("Nhiệm vụ thường xuyên"), encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'Nhiệm vụ 4: Thời gian hoàn thành "Nhiệm vụ thường xuyên" — đã bỏ qua "Nhiệm vụ"' in out


# --- nhacviec deadline ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code", "expected"),
    [
        ("Quý II/2026", 0, {"kind": "once", "due": "2026-06-30", "confidence": "exact", "ignored": []}),
        (
            "Ban hành kế hoạch chậm nhất là ngày 15/01/2026 và tổ chức thực hiện",
            0,
            {
                "kind": "once",
                "due": "2026-01-15",
                "confidence": "read",
                "ignored": ["Ban hành kế hoạch", "và tổ chức thực hiện"],
            },
        ),
        (
            "Trước 10/5/2026 hoặc trước 10/6/2026",
            0,
            {
                "confidence": "unsure",
                "ignored": [],
                "candidates": [{"kind": "once", "due": "2026-05-09"}, {"kind": "once", "due": "2026-06-09"}],
            },
        ),
        (
            "càng sớm càng tốt",
            2,
            {
                "confidence": "unknown",
                "ignored": [],
                "candidates": [],
                "error": 'Không hiểu thời hạn "càng sớm càng tốt"',
            },
        ),
    ],
)
def test_deadline_json_carries_confidence_ignored_and_candidates(
    cell: str, code: int, expected: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deadline", cell, "--plan-year", "2026", "--json"]) == code
    assert json.loads(capsys.readouterr().out) == expected


def test_deadline_plain_output_says_the_confidence_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "Nhiệm vụ thường xuyên", "--plan-year", "2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Mức chắc chắn: đọc được (bỏ qua những chữ không phải thời hạn)\n")
    assert 'Đã bỏ qua: "Nhiệm vụ"' in out
    assert main(["deadline", "Trước 10/5/2026 hoặc trước 10/6/2026", "--plan-year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Mức chắc chắn: chưa chắc (có nhiều cách hiểu)" in out and "Cách hiểu 2: một lần, hạn 09/06/2026" in out


def test_the_reading_is_the_same_for_composed_and_decomposed_marks() -> None:
    text = "Ban hành kế hoạch chậm nhất là ngày 15/01/2026 và tổ chức thực hiện"
    decomposed = unicodedata.normalize("NFD", text)
    assert read_deadline(decomposed, Y) == read_deadline(text, Y)


def test_two_due_days_in_one_recurrence_are_refused_not_cut_to_the_last() -> None:
    with pytest.raises(DeadlineError, match="Hai ngày hạn trong một kỳ lặp lại"):
        parse_deadline("Trước ngày 15/6 và 15/12 hằng năm", Y)
    reading = read_deadline("Tháng 6 và tháng 12 hằng năm", Y)
    assert reading.confidence == "unknown" and reading.candidates == ()


def test_dated_parts_that_are_not_alternatives_offer_all_of_them_first() -> None:
    reading = read_deadline("Trước 30/6/2026 và trước 30/12/2026", Y)
    assert reading.confidence == "unsure"
    assert reading.candidates[0] == Milestones((Milestone("", date(2026, 6, 29)), Milestone("", date(2026, 12, 29))))
    either = read_deadline("Trước 30/6/2026 hoặc trước 30/12/2026", Y)
    assert either.candidates == (Once(date(2026, 6, 29)), Once(date(2026, 12, 29)))


@pytest.mark.parametrize(
    ("cell", "confidence", "ignored"),
    [
        (
            "Trước 30/6/2026 (theo Kế hoạch số 12/KH-UBND ngày 05/01/2026)",
            "read",
            ("theo Kế hoạch số 12/KH-UBND ngày 05/01/2026",),
        ),
        ("Quý IV/2026 (theo quy định)", "read", ("theo quy định",)),
        ("Thực hiện (theo quy định, trước 30/6/2026)", "read", ("Thực hiện theo quy định",)),
        ("Năm 2026 (Quý III)", "unsure", ()),  # a bracket with a time of its own is not a legal basis
    ],
)
def test_a_bracket_is_set_aside_only_when_it_holds_no_time_but_a_documents_date(
    cell: str, confidence: str, ignored: tuple[str, ...]
) -> None:
    reading = read_deadline(cell, Y)
    assert (reading.confidence, reading.ignored) == (confidence, ignored)
