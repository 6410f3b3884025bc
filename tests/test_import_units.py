"""Unit and group proposal: splitting cells, recognising groups, merging spellings."""

from __future__ import annotations

import pytest

from bot.importer.units import propose, split_mentions


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
