"""Prose plans line by line: markers at any depth, field spellings, shared blocks, lines
that continue a field, headings, and what is never a task."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from bot.importer.autonumber import Level, ListNumbers
from bot.importer.prose import field_role, read_prose
from scheduler.plan import PlanError, load_plan
from tests.conftest import PLAN_PATH


def _read(text: str) -> dict[str, tuple[str, list[str], list[str], str]]:
    lines = list(enumerate(text.strip().split("\n"), start=1))
    return {t.label: (t.content, t.lead, t.coordinate, t.deadline) for t in read_prose(lines).tasks}


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Đơn vị chủ trì", "lead"),
        ("Cơ quan chủ trì", "lead"),
        ("Chủ trì", "lead"),
        ("Đơn vị thực hiện", "lead"),
        ("Trách nhiệm thực hiện", "lead"),
        ("Cơ quan, đơn vị chủ trì", "lead"),
        ("Đơn vị phối hợp", "coordinate"),
        ("Phối hợp", "coordinate"),
        ("Thời gian hoàn thành", "deadline"),
        ("THỜI GIAN THỰC HIỆN", "deadline"),
        ("Thời hạn", "deadline"),
        ("Hoàn thành", "deadline"),
        ("Đơn vị tham mưu", "lead"),
        ("Cơ quan chủ trì, phối hợp", "lead"),
        ("Tiến độ thực hiện", "deadline"),
        ("Kết quả", "product"),
        ("Sản phẩm đầu ra", "product"),
        ("Căn cứ", None),
        ("Số", None),
        ("Nơi nhận", None),
    ],
)
def test_field_labels_in_any_spelling(label: str, role: str | None) -> None:
    assert field_role(label) == role


def test_parenthesised_numbers_and_bullets_nest_by_the_order_they_appear() -> None:
    tasks = _read(
        """
A. NHIỆM VỤ TRỌNG TÂM
(1) Rà soát quy hoạch
• Lập danh mục dự án
Trách nhiệm thực hiện: Phòng Kinh tế, Hạ tầng và Đô thị
Tiến độ: Quý I/2026
• Công bố danh mục
Chủ trì: Văn phòng HĐND và UBND; phối hợp: Phòng Kinh tế, Hạ tầng và Đô thị
Tiến độ: Quý II/2026
(2) Kiểm tra trật tự xây dựng
- Thời hạn: Hằng tháng, trước ngày 25
- Cơ quan chủ trì: Đội Quản lý trật tự đô thị
"""
    )
    assert tasks == {
        "A.1.1": ("Lập danh mục dự án", ["Phòng Kinh tế, Hạ tầng và Đô thị"], [""], "Quý I/2026"),
        "A.1.2": (
            "Công bố danh mục",
            ["Văn phòng HĐND và UBND"],
            ["Phòng Kinh tế, Hạ tầng và Đô thị"],
            "Quý II/2026",
        ),
        "A.2": ("Kiểm tra trật tự xây dựng", ["Đội Quản lý trật tự đô thị"], [""], "Hằng tháng, trước ngày 25"),
    }


def test_units_on_the_lines_under_an_empty_field_are_that_field() -> None:
    tasks = _read(
        """
1. Tổ chức Ngày hội văn hóa
- Đơn vị chủ trì:
+ Phòng Văn hóa - Xã hội
- Đơn vị phối hợp:
+ Trung tâm Dịch vụ sự nghiệp công;
+ Công an phường
- Thời gian: Tháng 10/2026
"""
    )
    content, lead, coordinate, deadline = tasks["1"]
    assert lead == ["Phòng Văn hóa - Xã hội"] and deadline == "Tháng 10/2026"
    assert coordinate == ["Trung tâm Dịch vụ sự nghiệp công;\nCông an phường"]


@pytest.mark.parametrize(
    "line",
    [
        "- Cơ quan thực hiện: Công an phường chủ trì, phối hợp với Trạm Y tế phường",
        "- Chủ trì: Công an phường; phối hợp: Trạm Y tế phường",
        "- Đơn vị chủ trì: Công an phường. Đơn vị phối hợp: Trạm Y tế phường",
        "- Cơ quan chủ trì, phối hợp: Công an phường chủ trì; Trạm Y tế phường phối hợp",
    ],
)
def test_lead_and_coordinating_units_written_on_one_line(line: str) -> None:
    tasks = _read(f"1. Kiểm tra cơ sở lưu trú\n{line}\n- Thời gian: Quý II/2026")
    assert tasks["1"][1:3] == (["Công an phường"], ["Trạm Y tế phường"])


def test_a_date_under_a_heading_and_items_without_fields_are_not_tasks() -> None:
    tasks = _read(
        """
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao trách nhiệm
II. THỜI GIAN THỰC HIỆN
Thời gian thực hiện: năm 2026
III. NHIỆM VỤ
1. Tuyên truyền qua các hình thức:
- Loa truyền thanh
- Mạng xã hội
- Thời gian hoàn thành: Quý III/2026
"""
    )
    # The bullets under an item that ends with ":" are its content, not tasks of their own.
    assert tasks == {
        "III.1": ("Tuyên truyền qua các hình thức: Loa truyền thanh; Mạng xã hội", [""], [""], "Quý III/2026")
    }


def test_the_plan_check_refuses_an_empty_number_or_ward(tmp_path: Path) -> None:
    text = PLAN_PATH.read_text(encoding="utf-8")
    for field, line in (("code", 'code: "158/KH-UBND"'), ("ward", 'ward: "Phường Nhị Chiểu"')):
        assert line in text
        path = tmp_path / f"{field}.yaml"
        path.write_text(text.replace(line, f'{field}: "  "', 1), encoding="utf-8")
        with pytest.raises(PlanError) as err:
            load_plan(path)
        assert len(err.value.problems) == 1
        assert f"điền plan.{field}" in err.value.problems[0] and f'"plan.{field}"' in err.value.problems[0]


def test_word_list_levels_count_and_start_again_under_each_item() -> None:
    document = docx.Document()
    numbers = ListNumbers(
        levels={
            ("7", 0): Level("upperRoman", "%1.", 1),
            ("7", 1): Level("decimal", "%2.", 1),
            ("7", 2): Level("lowerLetter", "%3)", 1),
            ("7", 3): Level("bullet", "", 1),
        }
    )
    markers = []
    for ilvl in (0, 1, 2, 2, 3, 1, 2, 0, 1):
        paragraph = document.add_paragraph("x")
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = ilvl
        num_pr.get_or_add_numId().val = 7
        markers.append(numbers.marker(paragraph))
    assert markers == ["I. ", "1. ", "a) ", "b) ", "- ", "2. ", "a) ", "II. ", "1. "]
    assert numbers.marker(document.add_paragraph("không đánh số")) == ""


def test_a_line_after_a_filled_deadline_continues_it_only_for_another_round() -> None:
    tasks = _read(
        """
1. Tập huấn nghiệp vụ
- Chủ trì: Phòng Văn hóa - Xã hội
- Thời gian: Đợt 1: Quý I/2026
+ Đợt 2: Quý III/2026
2. Kiểm tra
- Chủ trì: Văn phòng HĐND và UBND
- Thời gian: Quý IV/2026
- Trong quá trình thực hiện, nếu có vướng mắc, báo cáo UBND phường.
"""
    )
    assert tasks["1"][3] == "Đợt 1: Quý I/2026; Đợt 2: Quý III/2026"
    assert tasks["2"][3] == "Quý IV/2026"
