"""Vietnamese texts of the plan's quantitative targets (/chitieu, /summary, the export)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.texts.report import number_text, percent_text
from scheduler.plan import Target
from scheduler.targets import TargetResult

COMPARATORS = {">=": "≥", "<=": "≤", "=": "="}

USAGE_CHITIEU = (
    "Cú pháp: /chitieu [ĐƠN_VỊ] [MÃ SỐ …], ví dụ /chitieu hoinghi 12 tructuyen 8 "
    '(hoặc nhắn "hội nghị 12, trực tuyến 8"); /chitieu để xem chỉ tiêu đơn vị cần báo cáo.'
)
NO_TARGETS = "Kế hoạch không có chỉ tiêu định lượng nào."
NOT_CONCERNED = "Đơn vị {unit} không phải báo cáo số liệu chỉ tiêu nào của kế hoạch."
NO_UNIT = "Tài khoản chưa gắn với đơn vị nào; văn phòng ghi số liệu hộ đơn vị bằng /chitieu ĐƠN_VỊ MÃ SỐ …"
OTHER_UNIT = "Chỉ văn phòng theo dõi kế hoạch mới ghi số liệu hộ đơn vị khác."
UNKNOWN_KEYS = "Không có mã số liệu {keys} trong các chỉ tiêu của {unit}. Các mã: {known}."
REPEATED = "Mã {key} được ghi hai lần trong một tin; xin ghi mỗi mã một lần."


def requirement(target: Target) -> str:
    """ "≥ 60%", "≥ 10%/năm"."""
    return f"{COMPARATORS.get(target.comparator, target.comparator)} {number_text(target.value)}{target.unit}"


def result_text(r: TargetResult) -> str:
    """What a unit's figures make of one target, in one line."""
    t = r.target
    head = f"• {t.name} (yêu cầu {requirement(t)}): "
    if r.missing:
        asked = ", ".join(f"{k} ({t.label(k)})" for k in r.missing)
        return head + f"chưa báo {asked}."
    if t.measure == "share":
        part, total = r.values[t.part], r.values[t.total]
        if not total:
            return head + f"{number_text(part)}/{number_text(total)}, không tính được tỷ lệ (tổng bằng 0)."
        body = f"{number_text(part)}/{number_text(total)} = {percent_text(r.result)}"
    elif t.measure == "reduction":
        figure = r.values[t.figure]
        if r.baseline is None:
            return head + (
                f"kỳ này {number_text(figure)}, chưa có số liệu cùng kỳ năm trước để so sánh "
                f"(báo bằng {t.figure}_namtruoc SỐ)."
            )
        if r.result is None:
            return head + f"kỳ này {number_text(figure)}, năm trước {number_text(r.baseline)}: không tính được."
        change = f"giảm {percent_text(r.result)}" if r.result >= 0 else f"tăng {percent_text(-r.result)}"
        body = f"kỳ này {number_text(figure)}, năm trước {number_text(r.baseline)}: {change}"
    else:
        body = number_text(r.result) if r.result is not None else "–"
    verdict = "đạt" if r.met else "chưa đạt"
    return head + f"{body} — {verdict}."


def figure_note(r: TargetResult) -> str:
    """The export's note beside the computed figure: the reported numbers behind it."""
    t = r.target
    if r.missing:
        return "Chưa báo: " + ", ".join(t.label(k) for k in r.missing)
    if t.measure == "share":
        return (
            f"{number_text(r.values[t.part])}/{number_text(r.values[t.total])} ({t.label(t.part)}/{t.label(t.total)})"
        )
    if t.measure == "reduction":
        figure = number_text(r.values[t.figure])
        if r.baseline is None:
            return f"Kỳ này {figure}; chưa có số liệu cùng kỳ năm trước"
        return f"Kỳ này {figure}, năm trước {number_text(r.baseline)} ({t.label(t.figure)})"
    return ""


def asked_lines(unit_name: str, period: str, keys: dict[str, str], reported: dict[str, float]) -> list[str]:
    lines = [f"CHỈ TIÊU — {unit_name}", f"Kỳ báo cáo: {period}", "", "Số liệu cần báo:"]
    for key, label in keys.items():
        value = f": đã báo {number_text(reported[key])}" if key in reported else ": chưa báo"
        lines.append(f"• {key} — {label}{value}")
    return lines


def baseline_lines(figures: dict[str, str], earlier: dict[str, float], suffix: str) -> list[str]:
    """The previous year's figures a reduction is measured against, and how to give them."""
    if not figures:
        return []
    lines = ["", "Số liệu cùng kỳ năm trước (để so sánh):"]
    for key, label in figures.items():
        value = f": đã có {number_text(earlier[key])}" if key in earlier else ": chưa có"
        lines.append(f"• {key}{suffix} — {label}, cùng kỳ năm trước{value}")
    return lines


def recorded(unit_name: str, period: str, values: list[tuple[str, float]], by_office: str | None) -> str:
    given = ", ".join(f"{k} {number_text(v)}" for k, v in values)
    who = f" (văn phòng ghi nhận hộ: {by_office})" if by_office else ""
    return f"Đã ghi nhận số liệu chỉ tiêu của {unit_name} cho {period}{who}: {given}."


TARGETS_HEADING = "Chỉ tiêu:"


def report_figures_hint(keys: Iterable[str]) -> str:
    """How a unit reports its figures, e.g. `/chitieu hoinghi SỐ tructuyen SỐ`."""
    example = " ".join(f"{k} SỐ" for k in keys)
    return f"Báo số liệu: /chitieu {example}"
