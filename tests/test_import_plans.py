"""`nhacviec import` on plans in the shapes real wards, communes and provinces publish
(tests/fixtures/plans.py): a provincial table, three prose styles, a mixed document with
forms. Each asserts the tasks, units, deadlines and the questions only the clerk can answer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.cli.main import main
from bot.importer import ImportResult, draft_plan
from scheduler.deadlines import Milestones, Once
from scheduler.plan import load_plan
from tests.fixtures import plans

TODAY = date(2026, 3, 20)


def _draft(tmp_path: Path, build: object) -> ImportResult:
    assert callable(build)
    source = build(tmp_path / "ke-hoach.docx")
    return draft_plan(source, out_name=str(tmp_path / "ke-hoach.yaml"), today=TODAY)


def _tasks(result: ImportResult) -> dict[str, tuple[list[str], list[str], str]]:
    return {t.label: (t.lead, t.coordinate, t.deadline) for t in result.tasks}


def _import_and_check(tmp_path: Path, build: object, capsys: pytest.CaptureFixture[str]) -> tuple[str, str, Path]:
    assert callable(build)
    source = build(tmp_path / "ke-hoach.docx")
    out = tmp_path / "ke-hoach.yaml"
    assert main(["import", str(source), "--out", str(out)]) == 0
    report = capsys.readouterr().out
    main(["check", str(out)])
    captured = capsys.readouterr()
    return report, captured.out + captured.err, out


# --- (a) a provincial table plan -------------------------------------------------------------


def test_a_provincial_table_invents_no_unit_and_no_label(tmp_path: Path) -> None:
    result = _draft(tmp_path, plans.provincial_table)
    assert result.shape == "bảng" and result.places == ["bảng 1"]
    assert _tasks(result) == {
        "I.1": (["Sở Giáo dục và Đào tạo"], ["Sở Tài chính"], "Quý II/2026"),
        "I.2": (
            ["Sở Giáo dục và Đào tạo"],
            ["Sở Khoa học và Công nghệ"],
            "Hoàn thành trước 30/9/2026 (theo Kế hoạch số 12/KH-UBND ngày 05/01/2026)",
        ),
        "I.3": ([], ["Công an tỉnh"], "Thường xuyên"),
        "II.1": (["UBND Phường 1 Bảo Lộc"], ["Sở Xây dựng"], "Quý III/2026"),
        "II.2": (["UBND Phường 3 Bảo Lộc"], ["Sở Xây dựng"], "Quý III/2026"),
        "II.3": (["UBND Phường 3 Bảo Lộc"], ["Công an tỉnh"], "Trước 10/5/2026 hoặc trước 10/6/2026"),
        "II.B.1": (["Sở Y tế"], ["Các cơ sở khám bệnh, chữa bệnh"], "Trong năm 2026"),
    }
    # Phường 1 and Phường 3 stay two bodies; "Lãnh đạo Sở …" is the Sở, its role noted; the
    # decision number is no unit.
    assert [(u.code, u.name, u.merged) for u in result.units] == [
        ("SGDDT", "Sở Giáo dục và Đào tạo", []),
        ("STC", "Sở Tài chính", []),
        ("SKHCN", "Sở Khoa học và Công nghệ", []),
        ("CAT", "Công an tỉnh", []),
        ("UBNDP1BL", "UBND Phường 1 Bảo Lộc", []),
        ("SXD", "Sở Xây dựng", []),
        ("UBNDP3BL", "UBND Phường 3 Bảo Lộc", []),
        ("SYT", "Sở Y tế", []),
    ]
    by_label = {t.label: t for t in result.tasks}
    assert by_label["I.1"].notes == {
        "KINH PHÍ": "Ngân sách tỉnh",
        "Đơn vị ghi trong kế hoạch": "Lãnh đạo Sở Giáo dục và Đào tạo",
    }
    assert by_label["I.3"].notes["Đơn vị ghi trong kế hoạch"].startswith("Theo phân công tại Quyết định số 1441")
    assert [(s.label, s.title) for s in result.sections] == [
        ("I", "LĨNH VỰC GIÁO DỤC"),
        ("II", "LĨNH VỰC ĐÔ THỊ"),
        ("II.B", "Nhiệm vụ bổ sung (đánh số lại từ bảng 1, dòng 11)"),
    ]
    assert [d.ignored for d in result.deadlines_read] == [("theo Kế hoạch số 12/KH-UBND ngày 05/01/2026",)]


def test_the_provincial_header_and_signer_are_the_provinces(tmp_path: Path) -> None:
    meta = _draft(tmp_path, plans.provincial_table).metadata
    assert (meta.code, meta.issued, meta.ward) == ("2150/KH-UBND", date(2026, 3, 10), None)
    assert meta.issuing_body == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert meta.signed_by == "Trần Văn Hiệp, Phó Chủ tịch UBND tỉnh (ký thay Chủ tịch)"


def test_the_provincial_plan_asks_four_questions_with_their_choices(tmp_path: Path) -> None:
    questions = _draft(tmp_path, plans.provincial_table).questions
    assert [(q.kind, q.task, q.field, q.where) for q in questions] == [
        ("plan", "", "ward", "đầu văn bản"),
        ("group", "CAC_CSKBCB", "members", "nhiệm vụ II.B.1"),
        ("lead", "I.3", "lead", "bảng 1, dòng 5"),
        ("deadline", "II.3", "deadline", "bảng 1, dòng 9"),
    ]
    ward, group, lead, deadline = questions
    assert "Ủy ban nhân dân tỉnh Lâm Đồng" in ward.text and "plan.ward" in ward.text
    assert "nhóm được ghi ở nhiệm vụ II.B.1. Hãy chọn" in group.text and len(group.choices) == 8
    assert 'Kế hoạch ghi: "Theo phân công tại Quyết định số 1441/QĐ-UBND' in lead.text
    assert lead.choices[0] == "CAT – Công an tỉnh"  # its coordinating unit first
    assert deadline.choices == ("một lần, hạn 09/05/2026", "một lần, hạn 09/06/2026")
    # Each question points at its field in the draft, for the desk to show it there.
    draft = _draft(tmp_path, plans.provincial_table).yaml_text.split("\n")
    assert [draft[q.line - 1].strip().split(":")[0] for q in questions if q.line] == [
        "ward",
        "members",
        "lead",
        "deadline",
    ]


def test_the_provincial_draft_carries_its_questions_and_check_names_what_to_fill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, check, out = _import_and_check(tmp_path, plans.provincial_table, capsys)
    assert "Dạng kế hoạch: bảng — đọc nhiệm vụ ở bảng 1" in report
    assert "Câu hỏi cần người nhập trả lời (4):" in report
    assert "Bản nháp còn lỗi khác" not in report  # nothing the importer made is wrong
    assert "       – SGDDT – Sở Giáo dục và Đào tạo" in report
    assert "       … và 2 lựa chọn khác (xem bản nháp)" in report  # the group's 8 units
    text = out.read_text(encoding="utf-8")
    assert "  # CÂU HỎI: Nhiệm vụ II.3: Thời gian hoàn thành" in text
    assert 'deadline: "Trước 10/5/2026 hoặc trước 10/6/2026"  # CÂU HỎI ở trên' in text
    assert '- trường "plan.ward" (dòng 10): chưa ghi tên phường/xã dùng kế hoạch: điền plan.ward' in check
    assert 'Nhiệm vụ I.3, trường "lead"' in check and "thiếu cơ quan chủ trì" in check
    # Answered, the draft runs: ward, lead, members and the chosen deadline.
    raw = yaml.safe_load(text)
    raw["plan"]["ward"] = "Phường 1 Bảo Lộc"
    raw["groups"][0]["members"] = ["SYT"]
    tasks = {f"{t['section']}.{t['stt']}": t for t in raw["tasks"]}
    tasks["I.3"]["lead"] = ["CAT"]
    tasks["II.3"]["deadline"] = "Trước 10/5/2026"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = load_plan(out)
    assert len(plan.tasks) == 7 and len({t.label for t in plan.tasks}) == 7


def test_a_lead_column_first_merged_down_over_its_tasks(tmp_path: Path) -> None:
    source = plans.build(
        tmp_path / "chu-tri-truoc.docx",
        [
            ("p", ["ỦY BAN NHÂN DÂN TỈNH GIA LAI", "Số: 88/KH-UBND", "KẾ HOẠCH", "Cải cách hành chính năm 2026"]),
            (
                "t",
                ["CƠ QUAN CHỦ TRÌ", "STT", "NỘI DUNG CÔNG VIỆC", "THỜI HẠN", "GHI CHÚ"],
                [
                    ["Sở Nội vụ", "1", "Kiểm tra công vụ", "Quý I/2026", ""],
                    [plans.DOWN, "2", "Đánh giá chỉ số cải cách hành chính", "Quý II/2026", "Báo cáo UBND tỉnh"],
                    ["Sở Tư pháp", "3", "Rà soát văn bản quy phạm pháp luật", "Quý III/2026", ""],
                ],
            ),
        ],
    )
    result = draft_plan(source, today=TODAY)
    assert _tasks(result) == {
        "1": (["Sở Nội vụ"], [], "Quý I/2026"),
        "2": (["Sở Nội vụ"], [], "Quý II/2026"),
        "3": (["Sở Tư pháp"], [], "Quý III/2026"),
    }
    assert result.tasks[1].notes == {"GHI CHÚ": "Báo cáo UBND tỉnh"}
    assert [q.field for q in result.questions] == ["ward"]


# --- (b) prose plans ---------------------------------------------------------------------------


def test_prose_items_closed_by_field_lines_in_any_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = _draft(tmp_path, plans.prose_fields)
    assert result.shape == "văn xuôi" and result.places == ["đoạn 14–25"]
    assert _tasks(result) == {
        "II.1.a": (["Phòng Văn hóa - Xã hội"], ["Trung tâm Dịch vụ sự nghiệp công"], "Quý II/2026"),
        "II.1.b": (["Văn phòng HĐND và UBND phường"], [], "Tháng 9/2026"),
        "II.2": (["Trung tâm Phục vụ hành chính công"], ["Phòng VHXH"], "Trước 30/6/2026"),
    }
    assert [t.product for t in result.tasks] == ["Tin, bài được phát", "Hội nghị; báo cáo kết quả", ""]
    # Lines that describe an item are its notes, before or after its fields.
    assert [t.notes for t in result.tasks] == [
        {"Hình thức": "phát thanh và đăng trên trang thông tin điện tử"},
        {"Nội dung": "lấy ý kiến về giải quyết thủ tục hành chính"},
        {},
    ]
    assert [(s.label, s.title) for s in result.sections] == [
        ("II", "NHIỆM VỤ, GIẢI PHÁP"),
        ("II.1", "Công tác tuyên truyền"),
    ]
    assert result.questions == []
    assert result.metadata.signed_by == "Lê Văn Bình, Chủ tịch UBND phường"
    report, check, _ = _import_and_check(tmp_path, plans.prose_fields, capsys)
    assert "Dạng kế hoạch: văn xuôi — đọc nhiệm vụ ở đoạn 14–25" in report
    assert "Hợp lệ: 3 nhiệm vụ, 4 đơn vị" in check


def test_one_field_block_applies_to_each_sibling_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = _draft(tmp_path, plans.prose_shared_block)
    shared = (["Văn phòng HĐND và UBND xã"], ["Công an xã"], "Quý III/2026")
    drill: tuple[list[str], list[str], str] = (["Ban Chỉ huy Quân sự xã"], [], "Tháng 5/2026")
    assert _tasks(result) == {
        "II.1.1": shared,
        "II.1.2": shared,
        "II.1.3": shared,
        "II.2.1": drill,
        "II.2.2": drill,
    }
    assert [t.content for t in result.tasks][3:] == [
        "Xây dựng phương án ứng phó thiên tai theo cấp độ rủi ro",
        "Tổ chức diễn tập ứng phó bão lũ",
    ]
    meta = result.metadata
    assert (meta.code, meta.issued, meta.ward) == ("18/KH-UBND", date(2026, 1, 15), "Xã Tân Lập")
    assert meta.issuing_body == "Ủy ban nhân dân xã Tân Lập"
    assert result.skipped == ["bảng 1: đầu văn bản (cơ quan ban hành, số, ngày) — đã đọc thông tin kế hoạch"]
    assert result.metadata.title == "Kế hoạch thực hiện chuyển đổi số và phòng, chống thiên tai năm 2026"
    assert result.metadata.signed_by == "Phạm Thị Hoa, Phó Chủ tịch UBND xã (ký thay Chủ tịch)"
    assert result.questions == []
    _, check, _ = _import_and_check(tmp_path, plans.prose_shared_block, capsys)
    assert "Hợp lệ: 5 nhiệm vụ, 3 đơn vị" in check


def test_rounds_over_several_lines_and_an_item_without_a_lead_is_a_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _draft(tmp_path, plans.prose_rounds_no_lead)
    assert _tasks(result) == {
        "I.1": (["Phòng Văn hóa - Xã hội"], ["các tổ dân phố"], "Đợt 1: trước 30/6/2026; Đợt 2: trước 30/11/2026"),
        "I.2": ([], [], "Quý III/2026"),
        "I.3": (["Văn phòng HĐND và UBND phường"], [], "Càng sớm càng tốt"),
    }
    assert result.skipped == ["bảng 1: mẫu biểu để điền (tiêu đề ghi mẫu/phiếu/biên bản) — không phải nhiệm vụ"]
    assert [(q.kind, q.task, q.where) for q in result.questions] == [
        ("group", "CAC_TDP", "nhiệm vụ I.1"),
        ("lead", "I.2", "đoạn 13"),
        ("deadline", "I.3", "đoạn 16"),
    ]
    assert result.questions[1].choices == ("VHXH – Phòng Văn hóa - Xã hội", "VP – Văn phòng HĐND và UBND phường")
    assert result.questions[2].text.startswith('Nhiệm vụ I.3: chưa đọc được Thời gian hoàn thành "Càng sớm càng tốt"')
    report, check, out = _import_and_check(tmp_path, plans.prose_rounds_no_lead, capsys)
    assert "Câu hỏi cần người nhập trả lời (3):" in report
    assert 'Nhiệm vụ I.2, trường "lead"' in check
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))
    raw["groups"][0]["members"] = ["VHXH"]
    raw["tasks"][1]["lead"] = ["VHXH"]
    raw["tasks"][2]["deadline"] = "Trước 31/12/2026"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rounds = load_plan(out).tasks[0].rule
    assert isinstance(rounds, Milestones) and [m.due for m in rounds.items] == [date(2026, 6, 29), date(2026, 11, 29)]


def test_a_mixed_document_reads_prose_and_the_appendix_and_never_a_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _draft(tmp_path, plans.mixed_with_forms)
    assert result.shape == "cả hai" and result.places == ["đoạn 7", "bảng 1"]
    assert _tasks(result) == {
        "II.1": (["Phòng Văn hóa - Xã hội"], [], "Trước 15/4/2026"),
        "P.1": (["Văn phòng HĐND và UBND phường"], ["Phòng VHXH"], "Quý II/2026"),
        "P.2": (["Phòng Văn hóa - Xã hội"], [], "Quý IV/2026"),
    }
    assert [(s.label, s.title) for s in result.sections] == [("II", "NHIỆM VỤ"), ("P", "NHIỆM VỤ CỤ THỂ (bảng 1)")]
    assert result.skipped == [
        "bảng 2: mẫu biểu để điền (tiêu đề ghi mẫu/phiếu/biên bản) — không phải nhiệm vụ",
        "bảng 3: bảng trống hoặc mẫu biểu (không dòng nào ghi đơn vị chủ trì hay thời hạn) — không phải nhiệm vụ",
    ]
    assert result.questions == []
    report, check, out = _import_and_check(tmp_path, plans.mixed_with_forms, capsys)
    assert "Dạng kế hoạch: cả hai — đọc nhiệm vụ ở đoạn 7, bảng 1" in report
    assert "Hợp lệ: 3 nhiệm vụ, 2 đơn vị" in check
    assert load_plan(out).task_by_label("P.2").rule == Once(due=date(2026, 12, 31))  # type: ignore[union-attr]


def test_beside_a_task_table_a_body_item_with_only_a_date_is_not_a_task(tmp_path: Path) -> None:
    source = plans.build(
        tmp_path / "bang-va-muc-dich.docx",
        [
            (
                "p",
                [
                    "ỦY BAN NHÂN DÂN PHƯỜNG HÒA BÌNH",
                    "Số: 60/KH-UBND",
                    "KẾ HOẠCH",
                    "Bảo vệ môi trường năm 2026",
                    "I. MỤC ĐÍCH, YÊU CẦU",
                    "- Nâng cao ý thức bảo vệ môi trường",
                    "- Thời gian thực hiện: năm 2026",
                    "II. NHIỆM VỤ (Phụ lục kèm theo)",
                ],
            ),
            (
                "t",
                ["STT", "Nội dung", "Chủ trì", "Thời hạn"],
                [["1", "Ra quân dọn vệ sinh", "Phòng VHXH", "Quý II/2026"]],
            ),
        ],
    )
    result = draft_plan(source, today=TODAY)
    assert result.shape == "bảng" and [t.label for t in result.tasks] == ["1"]
    assert result.skipped == [
        'đoạn 6: mục "Nâng cao ý thức bảo vệ môi trường" chỉ ghi thời gian, không ghi đơn vị — '
        "kế hoạch đã có bảng nhiệm vụ nên không coi là nhiệm vụ"
    ]


def test_items_numbered_by_word_itself_are_items(tmp_path: Path) -> None:
    result = _draft(tmp_path, plans.prose_word_numbering)
    assert _tasks(result) == {
        "1": (["Trạm Y tế phường"], [], "Quý II/2026"),
        "2": (["Trạm Y tế phường"], ["các tổ dân phố"], "Tháng 7/2026"),
    }
    assert [t.content for t in result.tasks] == ["Tiêm chủng mở rộng", "Phun hóa chất diệt muỗi"]


def test_a_plan_headed_by_another_body_names_it_as_printed(tmp_path: Path) -> None:
    source = plans.build(
        tmp_path / "ban-chi-dao.docx",
        [
            (
                "p",
                [
                    "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ PHƯỜNG AN KHÁNH",
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                    "Số: 03/KH-BCĐ",
                    "KẾ HOẠCH",
                    "Chuyển đổi số năm 2026 của UBND phường An Khánh",
                    "1. Số hóa hồ sơ",
                    "- Chủ trì: Văn phòng HĐND và UBND phường",
                    "- Thời gian: Quý IV/2026",
                ],
            )
        ],
    )
    meta = draft_plan(source, today=TODAY).metadata
    assert meta.issuing_body == "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ PHƯỜNG AN KHÁNH"
    assert (meta.code, meta.ward) == ("03/KH-BCĐ", "Phường An Khánh")


def test_every_fixture_writes_itself_for_a_person_to_open(tmp_path: Path) -> None:
    for name, build in plans.ALL.items():
        assert build(tmp_path / name).stat().st_size > 0
