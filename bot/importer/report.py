"""The import report, in Vietnamese, for the clerk who checks the draft."""

from __future__ import annotations

from datetime import date

from bot.importer.model import ImportResult


def _dmy(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def render_report(result: ImportResult) -> str:
    lines = [f'Đã đọc "{result.source_name}" và ghi bản nháp kế hoạch vào "{result.out_path}".', ""]
    lines += _meta_lines(result)
    lines += _shape_lines(result)
    lines += _unit_lines(result)
    lines += _question_lines(result)
    if result.skipped:
        lines += ["", "Đã bỏ qua:"]
        lines += [f"  {s}" for s in result.skipped]
    if result.notices:
        lines += ["", "Cần kiểm tra:"]
        lines += [f"  {n}" for n in result.notices]
    if result.check_problems:
        lines += ["", "Bản nháp còn lỗi khác (nhacviec check sẽ báo):"]
        lines += [f"  {p}" for p in result.check_problems]
    lines += [
        "",
        f'Bước tiếp theo: mở "{result.out_path}", trả lời các câu hỏi, sửa những chỗ ghi KIỂM TRA, rồi chạy: '
        f'nhacviec check "{result.out_path}"',
    ]
    return "\n".join(lines)


def _meta_lines(result: ImportResult) -> list[str]:
    meta = result.metadata
    lines = ["Thông tin kế hoạch:"]
    lines.append(f"  Số: {meta.code or '(không tìm thấy)'}")
    lines.append(f"  Ngày ban hành: {_dmy(meta.issued) if meta.issued else '(không tìm thấy)'}")
    lines.append(f"  Cơ quan ban hành: {meta.issuing_body or '(không tìm thấy)'}")
    lines.append(f"  Phường/xã: {meta.ward or '(không tìm thấy)'}")
    if meta.title:
        lines.append(f"  Tên: {meta.title}")
    lines.append(f"  Người ký: {meta.signed_by or '(không tìm thấy)'}")
    if meta.issued is None or result.plan_year != meta.issued.year:
        lines.append(f"  Năm của kế hoạch (dùng cho thời hạn không ghi năm): {result.plan_year}")
    return lines


def _shape_lines(result: ImportResult) -> list[str]:
    lines = ["", f"Dạng kế hoạch: {result.shape} — đọc nhiệm vụ ở {', '.join(result.places)}"]
    if result.tables:
        lines.append(f"Bảng dùng ({len(result.tables)}):")
    for layout in result.tables:
        headers = "; ".join(f"{c.header} → {_ROLE_WORDS[c.role]}" for c in layout.columns)
        year = f", năm ở tiêu đề cột thời hạn: {layout.deadline_year}" if layout.deadline_year else ""
        lines.append(f"  {layout.grid.name}: {len(layout.grid.rows)} dòng; cột: {headers}{year}")

    labels = [t.label for t in result.tasks]
    span = f"{labels[0]} … {labels[-1]}" if len(labels) > 1 else labels[0]
    lines += ["", f"Nhiệm vụ: {len(result.tasks)} ({span})"]
    if result.sections:
        lines.append(f"Mục ({len(result.sections)}):")
        lines += [f"  {s.label}. {_short(s.title)}" for s in result.sections]
    return lines


def _unit_lines(result: ImportResult) -> list[str]:
    lines = ["", f"Đơn vị đề xuất ({len(result.units)}):"]
    for u in result.units:
        lines.append(f"  {u.code}: {u.name}")
        for text, why in u.merged:
            lines.append(f'      gộp cách viết "{text}"' + (f" ({why})" if why else ""))
    if result.groups:
        lines += ["", f"Nhóm đề xuất ({len(result.groups)}):"]
        for g in result.groups:
            if g.members:
                lines.append(f"  {g.code}: {g.name} — gồm {', '.join(g.members)} (mọi đơn vị trừ UBND phường)")
            else:
                lines.append(f"  {g.code}: {g.name} — CHƯA CÓ THÀNH VIÊN, cần điền members")
            for alias in g.aliases:
                lines.append(f'      gộp cách viết "{alias}"')
    return lines


def _question_lines(result: ImportResult) -> list[str]:
    lines: list[str] = []
    if result.deadlines_read:
        lines += ["", f"Thời hạn đọc được, đã bỏ qua chữ không phải thời hạn ({len(result.deadlines_read)}):"]
        for d in result.deadlines_read:
            lines.append(f'  Nhiệm vụ {d.task}: "{d.text}" — bỏ qua ' + ", ".join(f'"{w}"' for w in d.ignored))

    lines += ["", f"Câu hỏi cần người nhập trả lời ({len(result.questions)}):"]
    if not result.questions:
        lines.append("  không có")
    for n, q in enumerate(result.questions, start=1):
        lines.append(f"  {n}. [{q.where}] {q.text}")
        lines += [f"       – {choice}" for choice in q.choices[:_SHOWN_CHOICES]]
        if len(q.choices) > _SHOWN_CHOICES:
            lines.append(f"       … và {len(q.choices) - _SHOWN_CHOICES} lựa chọn khác (xem bản nháp)")
    return lines


_SHOWN_CHOICES = 6

_ROLE_WORDS = {
    "stt": "STT",
    "content": "nội dung",
    "lead": "chủ trì",
    "coordinate": "phối hợp",
    "product": "sản phẩm",
    "deadline": "thời hạn",
    "note": "ghi chú",
}


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
