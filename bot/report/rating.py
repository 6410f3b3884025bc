"""The units' rating in words: a line per unit for /summary and the digest, a unit's own
score with its working, the draft's paragraph (scheduler/rating.py has the formula)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.texts.common import vn_date
from bot.texts.report import grade_text, number_text, period_label
from scheduler.rating import PeriodMark, RatingItem, UnitRating
from scheduler.rating_rules import RatingRules
from scheduler.standing import PlanStanding

RATING_HEADING = "XẾP LOẠI ĐƠN VỊ"


def score_text(score: float | None) -> str:
    """92.5 → "92,5 điểm"; None → "chưa có điểm"."""
    return "chưa có điểm" if score is None else f"{number_text(score)} điểm"


def mark_text(mark: float) -> str:
    return number_text(round(mark, 2))


def _period(m: PeriodMark) -> str:
    what = {
        "on_time": "đúng hạn",
        "late": f"chậm {m.days_late} ngày",
        "overdue": "quá hạn chưa hoàn thành",
        "returned": "sản phẩm bị trả lại, chưa làm lại",
    }[m.why]
    label = period_label(m.key)
    return f"{label}: {what}" if label else what


def item_text(item: RatingItem) -> str:
    """ "NV 4 (chủ trì, hệ số 1): chậm 3 ngày → 0,85"."""
    role = "chủ trì" if item.role == "lead" else "phối hợp"
    head = f"NV {item.task_label} ({role}, hệ số {number_text(item.weight)})"
    if item.role == "coordinate":
        why = "theo kết quả của đơn vị chủ trì"
    elif len(item.periods) == 1 and not period_label(item.periods[0].key):
        why = _period(item.periods[0])
    else:
        why = "; ".join(_period(m) for m in item.periods)
    return f"{head}: {why} → {mark_text(item.mark)}"


def rating_line(r: UnitRating) -> str:
    counted = f" ({len(r.items)} nhiệm vụ được chấm)" if r.items else ""
    return f"{r.code}: {score_text(r.score)} — {grade_text(r.grade)}{counted}"


def rating_lines(ratings: Sequence[UnitRating]) -> list[str]:
    return [f"{i}. {rating_line(r)}" for i, r in enumerate(ratings, start=1)] or ["Chưa có đơn vị nào."]


def formula_text(rules: RatingRules) -> str:
    """The formula in one sentence, as the sheet, the draft and a unit's own score state it."""
    return (
        f"Điểm = 100 × Σ(hệ số × điểm nhiệm vụ) / Σ hệ số; hệ số chủ trì {number_text(rules.lead_weight)}, "
        f"phối hợp {number_text(rules.coordinate_weight)}; đúng hạn 1, chậm trừ {number_text(rules.late_per_day)} "
        f"mỗi ngày (không dưới {number_text(rules.late_floor)}), quá hạn hoặc sản phẩm bị trả lại chưa làm lại 0; "
        f"nhiệm vụ còn trong hạn chưa chấm. Xếp loại: từ {number_text(rules.excellent_from)} điểm xuất sắc, "
        f"từ {number_text(rules.good_from)} tốt, từ {number_text(rules.pass_from)} hoàn thành."
    )


def unit_rating_text(st: PlanStanding, r: UnitRating | None, unit_name: str = "") -> str:
    """A unit head's own score and why, for the window of `st`."""
    window = f"từ {vn_date(st.window.start)} đến {vn_date(st.cutoff)}"
    if r is None:
        return f"{unit_name or 'Đơn vị'} chưa có nhiệm vụ nào trong kỳ ({window})."
    lines = [
        f"KẾT QUẢ XẾP LOẠI — {r.name}",
        f"Kỳ {window}: {score_text(r.score)}, {grade_text(r.grade)}",
        "",
    ]
    if not r.items:
        lines.append("Chưa có nhiệm vụ nào đến hạn để chấm điểm (nhiệm vụ còn trong hạn chưa chấm).")
    else:
        weighted, total = r.weighted()
        lines += ["Cách tính:", *(f"• {item_text(i)}" for i in r.items)]
        lines.append(f"Điểm = 100 × {number_text(round(weighted, 2))} / {number_text(round(total, 2))}")
    lines += ["", formula_text(st.rating)]
    return "\n".join(lines)


def rating_paragraph(ratings: Sequence[UnitRating]) -> str:
    """The draft's sentence: each unit's score and grade, best first."""
    rated = [r for r in ratings if r.score is not None]
    if not rated:
        return "Trong kỳ chưa có nhiệm vụ đến hạn để chấm điểm, xếp loại các đơn vị."
    parts = [f"{r.name} đạt {score_text(r.score)}, {grade_text(r.grade).lower()}" for r in rated]
    rest = [r.name for r in ratings if r.score is None]
    text = "Chấm điểm theo kết quả thực hiện nhiệm vụ trong kỳ: " + "; ".join(parts) + "."
    if rest:
        text += f" Chưa đủ cơ sở xếp loại: {', '.join(rest)}."
    return text
