"""The desk's plan intake in tests: the ward's plan served from a plans folder in tmp (so an
activation writes there, never into tests/data), its office, leader, a unit head and a city
person, and the test plans to upload."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.actions.people import create_person
from bot.context import AppContext, ServedWard
from bot.wards import ward_key
from tests.conftest import PLAN_PATH

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCX = ROOT / "tests" / "data" / "ke-hoach-158-phu-luc.docx"  # the seed's Word file, byte for byte


@dataclass
class IntakeWard:
    folder: Path  # the plans folder (NHACVIEC_PLAN_PATH)
    plan_file: Path
    office: int  # person ids
    leader: int
    head: int
    city: int


async def intake_ward(ctx: AppContext, tmp_path: Path) -> IntakeWard:
    folder = tmp_path / "plans"
    folder.mkdir()
    plan_file = folder / "nhi-chieu.yaml"
    shutil.copyfile(PLAN_PATH, plan_file)
    ctx.settings = ctx.settings.replace(plan_path=folder)
    ctx.wards[ctx.ward_id] = ServedWard(ctx.ward_id, ctx.wards[ctx.ward_id].key, plan_file, ctx.plan)
    assert ward_key(ctx.plan)  # the fixture plan is Nhị Chiểu's 158/KH-UBND, as the seed
    async with ctx.db.session() as s, s.begin():
        office = await create_person(s, ctx.ward_id, "Nguyễn Thị Lan", "office", "VHXH", ctx.now())
        leader = await create_person(s, ctx.ward_id, "Lãnh Duy Tiên", "leader", "UBND", ctx.now())
        head = await create_person(s, ctx.ward_id, "Đỗ Minh Khoa", "head", "VP", ctx.now())
        city = await create_person(s, ctx.ward_id, "Hoàng Thành Phố", "city", None, ctx.now())
    return IntakeWard(folder, plan_file, office.id, leader.id, head.id, city.id)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A plan file whose aliases expand to 9^9 strings (a billion laughs in ~1 KB)."""
    lines = ['a0: &x0 ["ha"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &x{n} [" + ", ".join([f"*x{n - 1}"] * width) + "]")
    lines += ["plan:", '  code: "1/KH"', f"  ward: *x{levels - 1}"]
    return "\n".join(lines) + "\n"
