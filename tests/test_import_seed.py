"""`nhacviec import` on the seed plan's Word file gives back data/tasks.yaml's 19 tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli.main import main
from scheduler.plan import Plan, load_plan
from tests.conftest import PLAN_PATH

SEED_DOCX = Path(__file__).parent / "data" / "ke-hoach-158-phu-luc.docx"
# Declared in data/tasks.yaml for the ward's organisation, never named in the appendix.
NOT_IN_APPENDIX = {"KTHTDT"}


def _norm(text: object) -> str:
    return " ".join(str(text or "").split())


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("import") / "ke-hoach-158.yaml"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["import", str(SEED_DOCX), "--out", str(out)]) == 0
    return out, buffer.getvalue()


def test_the_draft_has_the_19_tasks_of_the_hand_typed_plan(imported: tuple[Path, str]) -> None:
    out, _ = imported
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))["tasks"]
    expected = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))["tasks"]
    assert [t["stt"] for t in draft] == list(range(1, 20))
    for got, want in zip(draft, expected, strict=True):
        for key in ("content", "product", "deadline"):
            assert _norm(got[key]) == _norm(want[key]), (got["stt"], key)
        for key in ("lead", "coordinate"):
            assert [_norm(x) for x in got[key]] == [_norm(x) for x in want[key]], (got["stt"], key)


def test_the_draft_gives_each_task_the_id_the_hand_typed_plan_has(imported: tuple[Path, str]) -> None:
    # Ids are derived from the task's words (scheduler.plan.ids), never from its number: the
    # seed's import and data/tasks.yaml agree, and a revised edition keeps unchanged tasks' ids.
    out, _ = imported
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))["tasks"]
    expected = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))["tasks"]
    assert [t["id"] for t in draft] == [t["id"] for t in expected]
    assert len({t["id"] for t in draft}) == 19


def test_units_and_groups_resolve_to_the_same_units(imported: tuple[Path, str], plan: Plan) -> None:
    out, _ = imported
    draft = load_plan(out)
    # Compare by what each code means: map every drafted unit to the hand-typed plan's unit.
    same = {}
    for code, unit in draft.units.items():
        found = plan.find_unit(unit.name)
        assert found is not None, unit.name
        same[code] = found.code
        for alias in unit.aliases:
            assert plan.find_unit(alias) == found, alias
    assert len(set(same.values())) == len(same)  # no two drafted units are one real unit
    assert set(same.values()) == set(plan.units) - NOT_IN_APPENDIX
    for got, want in zip(draft.tasks, plan.tasks, strict=True):
        assert {same[c] for c in got.lead} == set(want.lead) - NOT_IN_APPENDIX, got.stt
        assert {same[c] for c in got.coordinate} == set(want.coordinate) - NOT_IN_APPENDIX, got.stt
    assert {same[c] for c in draft.groups["CAC_DON_VI"]} == set(plan.groups["CAC_DON_VI"]) - NOT_IN_APPENDIX


def test_the_plan_metadata_comes_from_the_document(imported: tuple[Path, str], plan: Plan) -> None:
    draft = load_plan(imported[0])
    assert (draft.code, draft.issued, draft.ward) == (plan.code, plan.issued, plan.ward)
    assert draft.title == plan.title
    assert draft.coordinating_unit == "VHXH"
    raw = yaml.safe_load(imported[0].read_text(encoding="utf-8"))
    assert raw["plan"]["signed_by"] == "Lãnh Duy Tiên, Chủ tịch UBND phường"
    assert [t.label for t in draft.tasks] == [str(n) for n in range(1, 20)]


def test_the_report_names_tables_units_merges_and_nothing_unread(imported: tuple[Path, str]) -> None:
    _, report = imported
    assert "Bảng dùng (1):" in report and "Nhiệm vụ: 19 (1 … 19)" in report
    assert 'gộp cách viết "Phòng VHXXH" (viết tắt, có thể gõ nhầm)' in report
    assert 'gộp cách viết "Trung tâm Phục vụ hành chính công" (có/không có "phường")' in report
    assert "CAC_DON_VI: Các phòng, đơn vị" in report
    assert "Dạng kế hoạch: bảng — đọc nhiệm vụ ở bảng 1" in report
    # The body's numbered paragraphs (I. MỤC ĐÍCH…) have no field lines: they are not tasks.
    assert "Câu hỏi cần người nhập trả lời (1):" in report
    assert 'Cách viết "Phòng VHXXH" gần giống VHXH ("Phòng Văn hóa - Xã hội")' in report
    assert "Ngày ban hành: 05/05/2026" in report
    assert "Traceback" not in report


def test_check_accepts_the_draft(imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(imported[0])]) == 0
    assert "Hợp lệ: 19 nhiệm vụ, 5 đơn vị" in capsys.readouterr().out


def test_an_existing_output_is_not_overwritten(imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = imported
    before = out.read_text(encoding="utf-8")
    assert main(["import", str(SEED_DOCX), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "đã có" in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == before
