from datetime import date
from pathlib import Path

import pytest

from scheduler.deadlines import Conditional, Once, Ongoing, Recurring
from scheduler.plan import Plan, PlanError, load_plan, parse_plan, six_clear_warnings
from tests.conftest import PLAN_PATH

TEXT = PLAN_PATH.read_text(encoding="utf-8")


def test_the_seed_plan_has_all_19_tasks_with_units_and_deadlines(plan: Plan) -> None:
    assert [t.stt for t in plan.tasks] == list(range(1, 20))
    assert plan.code == "158/KH-UBND" and plan.year == 2026
    assert plan.coordinating_unit == "VHXH"
    kinds = {t.stt: type(t.rule) for t in plan.tasks}
    assert kinds[1] is Once and kinds[3] is Recurring and kinds[2] is Ongoing and kinds[15] is Conditional


def test_rows_split_across_pages_are_rejoined(plan: Plan) -> None:
    t6, t12, t17 = plan.task(6), plan.task(12), plan.task(17)
    assert t6 and t6.product.endswith("báo cáo kết quả về UBND phường (qua phòng VHXH)")
    assert t12 and t12.content.startswith("Chuẩn hóa chế độ báo cáo, thống nhất hệ thống biểu mẫu")
    assert t12.lead == ("VP",) and t12.product == "Ban hành hướng dẫn chế độ báo cáo thống nhất"
    assert t17 and "phương tiện thông tin đại chúng" in t17.content
    assert t17.product == "Số lượng, số lượt tin bài, chuyên đề, chuyên mục được đăng phát"


def test_the_typo_alias_and_groups_resolve(plan: Plan) -> None:
    t13, t1, unit = plan.task(13), plan.task(1), plan.find_unit("phong van hoa - xa hoi")
    assert t13 is not None and t1 is not None and unit is not None
    assert t13.lead == ("VHXH",)  # "Phòng VHXXH"
    assert t1.lead == ("VHXH",) and "VHXH" not in t1.coordinate and "VP" in t1.coordinate
    assert unit.code == "VHXH"


def test_reporting_cycles_and_targets_are_recorded(plan: Plan) -> None:
    six, year = plan.cycles
    assert six.rule.day_in_period and six.rule.day_in_period.month == 6 and six.period_end == (14, 6)
    assert year.period_start == (15, 12) and year.period_start_previous_year
    assert {t.code: t.value for t in plan.targets} == {
        "online_conference_share": 60,
        "conference_reduction": 10,
        "admin_document_reduction": 15,
        "digital_procedure_share": 95,
    }


def test_six_clear_warnings_name_multiple_leads_missing_products_and_vague_times(plan: Plan) -> None:
    warnings = "\n".join(six_clear_warnings(plan))
    assert "Nhiệm vụ 2: 2 đơn vị chủ trì" in warnings
    assert "Nhiệm vụ 15: chưa rõ sản phẩm" in warnings
    assert "Nhiệm vụ 16: chưa rõ thời gian" in warnings
    assert "Nhiệm vụ 1:" not in warnings


def _broken(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('lead: ["Phòng Văn hóa - Xã hội"]', 'lead: ["Phòng Ma"]', ["Nhiệm vụ STT 4", '"lead"', "Phòng Ma", "dòng"]),
        ("  - stt: 5\n", "  - stt: 4\n", ["STT 4 bị trùng"]),
        (
            "    id: t-2cd037\n",
            "    id: t-883843\n",
            ["Nhiệm vụ STT 5", '"id"', "mã t-883843 bị trùng với nhiệm vụ thứ 4"],
        ),
        ("    id: t-883843\n", "    id: nhiệm vụ 4\n", ["Nhiệm vụ STT 4", '"id"', "mã nhiệm vụ (id) chỉ gồm"]),
        ('deadline: "Quý II/2026"', 'deadline: "Quý 7/2026"', ["Nhiệm vụ STT 4", '"deadline"', "Quý 7/2026"]),
        ('deadline: "Quý II/2026"', 'deadline: "sớm nhất có thể"', ["Nhiệm vụ STT 4", '"deadline"']),
        (
            'product: "Công văn"\n    deadline: "Quý II/2026"',
            'product: "Công văn"',
            ["Nhiệm vụ STT 4", '"deadline"', "thiếu"],
        ),
    ],
)
def test_invalid_plans_name_the_task_field_and_line(old: str, new: str, expected: list[str]) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(_broken(old, new), "tasks.yaml")
    message = str(err.value)
    for part in expected:
        assert part in message, message


def test_a_task_without_an_id_gets_the_one_its_words_give_and_a_target_may_name_an_id() -> None:
    text = TEXT.replace("    id: t-883843\n", "").replace("tasks: [3]", "tasks: [t-3760e4]")
    plan = parse_plan(text)
    task = plan.task(4)
    assert task is not None and task.uid == "t-883843" and not task.uid_written  # the importer's id
    assert plan.task(5).uid_written  # type: ignore[union-attr]
    assert [t.tasks for t in plan.targets if t.code == "admin_document_reduction"] == [(6,)]


def test_empty_content_is_refused() -> None:
    text = _broken("Ban hành văn bản về việc thực hiện kỷ luật", "")
    text = text.replace(
        "    content: >-\n      , kỷ cương chấp hành thời gian làm việc trong\n      giờ hành chính.\n",
        '    content: "   "\n',
    )
    with pytest.raises(PlanError, match=r"Nhiệm vụ STT 4, trường \"content\".*trống"):
        parse_plan(text)


def test_broken_yaml_reports_the_line() -> None:
    with pytest.raises(PlanError, match="dòng"):
        parse_plan(TEXT + "\n  - stt: [\n")


# --- sections and labels -------------------------------------------------------------------

SECTIONED = """
plan:
  code: "1/KH-UBND"
  title: "Kế hoạch thử"
  ward: "Phường Thử"
  issued: 2026-01-05
  coordinating_unit: VHXH
sections:
  - label: "I"
    title: "Tuyên truyền"
  - label: "II"
    title: "Cải cách hành chính"
  - label: "II.1"
    title: "Rà soát thủ tục"
units:
  - code: VHXH
    name: "Phòng Văn hóa - Xã hội"
  - code: VP
    name: "Văn phòng HĐND và UBND phường"
groups:
  - code: CAC_SBN
    name: "Các Sở, ban, ngành"
    members: []
targets:
  - code: t
    name: "Chỉ tiêu"
    comparator: ">="
    value: 1
    tasks: ["II.1.a"]
tasks:
  - stt: 1
    section: "I"
    content: "Tuyên truyền"
    lead: [VHXH]
    coordinate: ["Các Sở, ban, ngành"]
    deadline: "Quý II/2026"
    notes:
      "Ghi chú": "Báo cáo kết quả"
  - stt: "a"
    section: "II.1"
    content: "Rà soát nhóm A"
    lead: [VP]
    deadline: "Tháng 6"
    deadline_year: 2027
  - stt: 2
    section: "II"
    content: "Số hóa"
    lead: [VP]
    deadline: "Năm 2026"
"""


def test_sections_give_labels_and_stt_becomes_the_position() -> None:
    plan = parse_plan(SECTIONED)
    assert [(t.label, t.stt, t.section) for t in plan.tasks] == [
        ("I.1", 1, "I"),
        ("II.1.a", 2, "II.1"),
        ("II.2", 3, "II"),
    ]
    assert [s.label for s in plan.sections] == ["I", "II", "II.1"]
    assert plan.tasks[0].notes == (("Ghi chú", "Báo cáo kết quả"),)
    assert plan.tasks[0].coordinate == ()  # a group not filled in yet reaches nobody
    assert plan.tasks[1].rule == Once(due=date(2027, 6, 30))  # deadline_year
    assert plan.targets[0].tasks == (2,)


@pytest.mark.parametrize("text", ["II.1.a", "ii.1.a", "II 1 a", "II.1.a)", " ii-1-a "])
def test_task_by_label_is_tolerant(text: str) -> None:
    plan = parse_plan(SECTIONED)
    found = plan.task_by_label(text)
    assert found is not None and found.label == "II.1.a"
    assert plan.task_by_label("II.9") is None and plan.task_by_label("") is None


def test_a_flat_plan_keeps_its_stt_as_label_and_number(plan: Plan) -> None:
    assert [t.label for t in plan.tasks] == [str(n) for n in range(1, 20)]
    assert all(t.section is None for t in plan.tasks)
    assert plan.task_by_label("6") is plan.task(6)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '  - stt: 2\n    section: "II"\n',
            '  - stt: "a"\n    section: "II.1"\n',
            'Nhiệm vụ II.1.a, trường "stt" (dòng',
        ),
        ('section: "II"\n    content: "Số hóa"', 'section: "III"\n    content: "Số hóa"', 'không có mục "III"'),
        ('  - label: "II.1"\n', '  - label: "II"\n', "mục II bị trùng"),
        ('tasks: ["II.1.a"]', 'tasks: ["II.7"]', "không có nhiệm vụ II.7"),
        (
            'lead: [VHXH]\n    coordinate: ["Các Sở, ban, ngành"]',
            'lead: ["Các Sở, ban, ngành"]',
            "chưa có đơn vị thành viên",
        ),
    ],
)
def test_section_and_label_errors_name_task_field_and_line(old: str, new: str, expected: str) -> None:
    assert old in SECTIONED
    with pytest.raises(PlanError) as err:
        parse_plan(SECTIONED.replace(old, new, 1), "kh.yaml")
    assert expected in str(err.value), str(err.value)


# --- Vietnamese messages for types, syntax and encoding ------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - stt: 5\n", "  - stt: abc\n", ['Nhiệm vụ STT abc, trường "stt" (dòng', "STT phải là số"]),
        (
            'lead: ["Phòng Văn hóa - Xã hội"]',
            "lead: 5",
            ['Nhiệm vụ STT 4, trường "lead" (dòng', "phải là danh sách"],
        ),
        ("issued: 2026-05-05", "issued: hôm qua", ['trường "plan.issued" (dòng 16)', "không phải ngày hợp lệ"]),
        ("issued: 2026-05-05", "issued: 2026-13-05", ['trường "plan.issued" (dòng 16)', "không phải ngày có thật"]),
        ('send_time: "08:00"', 'send_time: "25:00"', ['"reminders.send_time" (dòng', "không phải giờ hợp lệ"]),
        ("on_due: true", "on_due: có lẽ", ['"reminders.on_due" (dòng', "phải là true (có) hoặc false (không)"]),
        ('product: "Công văn"', "product: [1, 2]", ['Nhiệm vụ STT 4, trường "product" (dòng', "phải là văn bản"]),
        (
            'product: "Công văn"',
            "product: Công văn: số 1",
            ['YAML không hợp lệ ở Nhiệm vụ STT 4, trường "product" (dòng', "dấu hai chấm"],
        ),
        ('    product: "Công văn"\n', '\tproduct: "Công văn"\n', ["YAML không hợp lệ ở Nhiệm vụ STT 4", "Tab"]),
    ],
)
def test_wrong_types_and_syntax_read_in_vietnamese(old: str, new: str, expected: list[str]) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(_broken(old, new), "tasks.yaml")
    message = str(err.value)
    for part in expected:
        assert part in message, message
    for english in ("Input should", "valid", "mapping values", "could not find", "found character"):
        assert english not in message, message


def test_a_plan_saved_in_another_encoding_is_named_as_such(tmp_path: Path) -> None:
    from scheduler.plan import load_plan

    legacy = tmp_path / "cp1258.yaml"
    legacy.write_bytes(TEXT.encode("cp1258", errors="replace"))
    with pytest.raises(PlanError, match="không phải mã hóa UTF-8.*dòng 1"):
        load_plan(legacy)
    wide = tmp_path / "utf16.yaml"
    wide.write_bytes(TEXT.encode("utf-16"))
    with pytest.raises(PlanError, match="UTF-16"):
        load_plan(wide)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(TEXT.encode("utf-8-sig"))
    assert len(load_plan(bom).tasks) == 19


def test_the_production_plan_loads_with_its_19_tasks() -> None:
    """The suite runs on tests/data/plan.yaml; this is the one check of the plan the product ships."""
    from tests.conftest import PRODUCTION_PLAN_PATH

    production = load_plan(PRODUCTION_PLAN_PATH)  # validates every unit, deadline and field
    assert [t.stt for t in production.tasks] == list(range(1, 20))


def test_without_configuration_the_bundled_plan_and_calendar_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the quick start relies on, from any working directory, with no NHACVIEC_ variable."""
    from bot.settings import Settings
    from scheduler.workcal import load_calendar
    from tests.conftest import PRODUCTION_CALENDAR_PATH, PRODUCTION_PLAN_PATH

    monkeypatch.delenv("NHACVIEC_PLAN_PATH")
    monkeypatch.delenv("NHACVIEC_CALENDAR_PATH")
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.plan_path.resolve() == PRODUCTION_PLAN_PATH
    assert settings.calendar_path.resolve() == PRODUCTION_CALENDAR_PATH
    assert len(load_plan(settings.plan_path).tasks) == 19
    load_calendar(settings.calendar_path)
