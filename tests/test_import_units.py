"""Unit and group proposal: splitting cells, recognising groups, merging spellings."""

from __future__ import annotations

import pytest

from bot.importer.units import is_reference, propose, split_mentions, split_role, without_references


@pytest.mark.parametrize(
    ("cell", "mentions"),
    [
        ("Văn phòng HĐND và UBND phường và các phòng, đơn vị", ["Văn phòng HĐND và UBND phường", "các phòng, đơn vị"]),
        ("Các Sở, ban, ngành, UBND các xã, phường", ["Các Sở, ban, ngành", "UBND các xã, phường"]),
        ("Phòng Kinh tế, Hạ tầng và Đô thị; Công an phường", ["Phòng Kinh tế, Hạ tầng và Đô thị", "Công an phường"]),
        ("Phòng VHXH, các cơ quan, đơn vị liên quan", ["Phòng VHXH", "các cơ quan, đơn vị liên quan"]),
        ("- Phòng A;\n- Trung tâm B.", ["Phòng A", "Trung tâm B"]),
        ("UBND phường; Các phòng, cơ quan, đơn vị", ["UBND phường", "Các phòng, cơ quan, đơn vị"]),
    ],
)
def test_cells_split_into_units_and_groups(cell: str, mentions: list[str]) -> None:
    assert split_mentions(cell) == mentions


def test_spelling_variants_become_one_unit_with_a_typable_code() -> None:
    proposal = propose(
        [
            "Phòng Văn hóa - Xã hội (VHXH)",
            "Phòng VHXH",
            "Phòng VHXXH",
            "Ủy ban nhân dân phường",
            "UBND phường",
            "Phòng KT, HT&ĐT",
            "Phòng Kinh tế, Hạ tầng và Đô thị",
            "Ban Chỉ huy Quân sự phường",
        ],
        "Phường Hòa Bình",
    )
    units = {u.code: u for u in proposal.units}
    assert set(units) == {"VHXH", "UBND", "KTHTDT", "BCHQS"}
    assert units["VHXH"].name == "Phòng Văn hóa - Xã hội"
    assert dict(units["VHXH"].merged)["Phòng VHXXH"] == "viết tắt, có thể gõ nhầm"
    assert units["UBND"].aliases == ["UBND phường"]
    assert proposal.resolve("phong vhxh") == "VHXH"


def test_groups_are_declared_not_split() -> None:
    proposal = propose(
        [
            "Phòng VHXH",
            "Văn phòng HĐND và UBND",
            "UBND phường",
            "Các phòng, đơn vị",
            "Các phòng, cơ quan, đơn vị",
            "các đơn vị có liên quan",
            "Các đơn vị liên quan",
            "Các Sở, ban, ngành",
        ],
        None,
    )
    groups = {g.code: g for g in proposal.groups}
    assert set(groups) == {"CAC_DON_VI", "CAC_DVLQ", "CAC_SBN"}
    assert groups["CAC_DON_VI"].members == ["VHXH", "VP"]  # every unit but the People's Committee
    assert groups["CAC_DON_VI"].aliases == ["Các phòng, cơ quan, đơn vị"]
    assert groups["CAC_DVLQ"].members == [] and groups["CAC_SBN"].members == []


def test_places_merge_only_when_names_and_numbers_match() -> None:
    proposal = propose(
        [
            "UBND Phường 1 Bảo Lộc",
            "UBND Phường 3 Bảo Lộc",
            "UBND xã Tân Lập",
            "UBND xã Tân Lạc",
            "UBND P1",
            "UBND P3",
            "Trung tâm Y tế khu vực 1",
            "Trung tâm Y tế khu vực 2",
        ],
        None,
    )
    assert all(u.merged == [] for u in proposal.units)
    assert len(proposal.units) == 8


@pytest.mark.parametrize(
    ("mention", "unit", "role"),
    [
        ("Lãnh đạo Sở Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo", "Lãnh đạo"),
        ("Giám đốc Trung tâm Y tế", "Trung tâm Y tế", "Giám đốc"),
        ("Lãnh đạo UBND Phường 1 Bảo Lộc", "UBND Phường 1 Bảo Lộc", "Lãnh đạo"),
        ("Chủ tịch UBND phường", "Chủ tịch UBND phường", None),  # the ward's own committee
        ("Lãnh đạo UBND phường", "Lãnh đạo UBND phường", None),
        ("Phòng Văn hóa - Xã hội", "Phòng Văn hóa - Xã hội", None),
    ],
)
def test_a_role_before_another_bodys_name_is_that_body(mention: str, unit: str, role: str | None) -> None:
    assert split_role(mention) == (unit, role)


@pytest.mark.parametrize(
    ("cell", "reference"),
    [
        ("Theo phân công tại Quyết định số 1441/QĐ-UBND ngày 29/12/2025 của UBND tỉnh", True),
        ("Các đơn vị theo Kế hoạch số 12/KH-UBND", True),
        ("Sở Văn hóa, Thể thao và Du lịch", False),
        ("Phòng Văn hóa - Xã hội (VHXH)", False),
    ],
)
def test_document_references_are_never_units(cell: str, reference: bool) -> None:
    assert is_reference(cell) is reference


def test_a_bracketed_reference_is_set_aside_and_the_unit_kept() -> None:
    assert without_references("Sở Nội vụ (theo Quyết định số 12/QĐ-UBND)") == (
        "Sở Nội vụ",
        ["theo Quyết định số 12/QĐ-UBND"],
    )
