import pytest

from scheduler.deadlines import Conditional, Once, Ongoing, Recurring
from scheduler.plan import Plan, PlanError, parse_plan, six_clear_warnings
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
    assert plan.task(13).lead == ("VHXH",)  # "Phòng VHXXH"
    t1 = plan.task(1)
    assert t1.lead == ("VHXH",) and "VHXH" not in t1.coordinate and "VP" in t1.coordinate
    assert plan.find_unit("phong van hoa - xa hoi").code == "VHXH"


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
