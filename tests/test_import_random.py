"""Any mix of the shapes real plans take gives a draft whose only problems are the questions
asked: the importer itself never writes a duplicate label, an empty field or a unit that is
not declared. Seeded, so a failure names the document that broke it."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from bot.importer import ImportFailure, draft_plan
from tests.fixtures.plans import DOWN, SPAN, Part, build

_HEAD = [
    "ỦY BAN NHÂN DÂN",
    "PHƯỜNG HÒA BÌNH",
    "Số: 1/KH-UBND",
    "Hòa Bình, ngày 02 tháng 02 năm 2026",
    "KẾ HOẠCH",
    "Thử",
]
_UNITS = [
    "Sở Nội vụ",
    "Lãnh đạo Sở Giáo dục và Đào tạo",
    "Theo phân công tại Quyết định số 1441/QĐ-UBND",
    "UBND Phường 1 Bảo Lộc",
    "UBND Phường 3 Bảo Lộc",
    "Các sở, ban, ngành",
    "UBND các xã, phường",
    "Phòng VHXH",
    "Phòng VHXXH",
    "Phòng Văn hóa - Xã hội",
    "",
    "Công an tỉnh; Sở Y tế",
    "Sở Nội vụ (theo Kế hoạch số 12/KH-UBND)",
    "Chủ tịch UBND phường",
]
_DEADLINES = [
    "Quý II/2026",
    "Thường xuyên",
    "Càng sớm càng tốt",
    "Trước 10/5/2026 hoặc trước 10/6/2026",
    "",
    "Hoàn thành trước 30/9/2026 (theo Kế hoạch số 12/KH-UBND ngày 05/01/2026)",
]
_PROSE = [
    "I. NHIỆM VỤ",
    "II. GIẢI PHÁP",
    "1. Việc một",
    "2. Việc hai",
    "1.1. Việc con",
    "a) Việc a",
    "- Gạch đầu dòng",
    "+ Dấu cộng",
    "(1) Ngoặc",
    "1) Một:",
    "Văn bản thường",
    "Đợt 1: trước 30/6/2026",
    *(f"- Đơn vị chủ trì: {u}" for u in _UNITS),
    *(f"- Thời gian hoàn thành: {d}" for d in _DEADLINES),
    "* Phối hợp: các phòng, đơn vị",
    "- Kết quả: Báo cáo",
    "- Hình thức: trực tuyến",
]


def _table(rng: random.Random) -> tuple[list[str], list[list[str]]]:
    header = rng.choice(
        [
            ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"],
            ["STT", "CƠ QUAN CHỦ TRÌ", "NỘI DUNG NHIỆM VỤ", "CƠ QUAN PHỐI HỢP", "THỜI GIAN HOÀN THÀNH", "KINH PHÍ"],
            ["CƠ QUAN CHỦ TRÌ", "STT", "NỘI DUNG CÔNG VIỆC", "THỜI HẠN", "GHI CHÚ"],
        ]
    )
    rows: list[list[str]] = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.15:
            rows.append([rng.choice(["II. LĨNH VỰC", "Nhiệm vụ bổ sung", "A. TRỌNG TÂM"]), *[SPAN] * (len(header) - 1)])
            continue
        row = []
        for title in header:
            folded = title.lower()
            if folded == "stt":
                row.append(rng.choice(["I", "II", "1", "2", "1", "a", "b", "1.1", "", "-", "A", "5", "5"]))
            elif "chủ trì" in folded:
                above_is_task = rows and SPAN not in rows[-1]
                row.append(DOWN if above_is_task and rng.random() < 0.15 else rng.choice(_UNITS))
            elif "phối hợp" in folded:
                row.append(rng.choice(_UNITS))
            elif "thời" in folded:
                row.append(rng.choice(_DEADLINES))
            else:
                row.append(rng.choice(["Việc một", "Việc hai dài hơn", "", "Ghi chú"]))
        rows.append(row)
    return header, rows


@pytest.mark.parametrize("seed", range(40))
def test_the_draft_fails_only_where_a_question_is_asked(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    prose = [rng.choice(_PROSE) for _ in range(rng.randint(1, 20))]
    parts: list[Part] = [("p", [*_HEAD, *prose])]
    if seed % 2:
        header, rows = _table(rng)
        parts.append(("t", header, rows))
    source = build(tmp_path / f"ngau-nhien-{seed}.docx", parts)
    try:
        result = draft_plan(source, today=date(2026, 3, 1))
    except ImportFailure:
        return  # nothing to import: one Vietnamese line, tested elsewhere
    assert result.check_problems == [], (parts, result.check_problems)
    labels = [t.label for t in result.tasks]
    assert len(set(labels)) == len(labels)
