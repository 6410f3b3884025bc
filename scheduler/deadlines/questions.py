"""What a reading means for the office: JSON, a short summary, the plan check's question.

The plan check (`load_plan`, `nhacviec check`) runs `exact` and `read` deadlines unattended
(a `read` one with a note naming the words set aside) and turns `unsure`/`unknown` into one
question per task: only the clerk can decide what the plan meant.
"""

from __future__ import annotations

from datetime import date

from scheduler.deadlines.reading import Confidence, Reading, read_deadline
from scheduler.deadlines.rules import (
    Conditional,
    DeadlineError,
    DeadlineRule,
    Milestones,
    Once,
    Ongoing,
    Period,
    Recurring,
    rule_to_json,
)

FIELD = "Thời gian hoàn thành"
CONFIDENCE_TEXT: dict[Confidence, str] = {
    "exact": "chắc chắn (đọc được mọi chữ)",
    "read": "đọc được (bỏ qua những chữ không phải thời hạn)",
    "unsure": "chưa chắc (có nhiều cách hiểu)",
    "unknown": "không đọc được",
}
_FREQ_TEXT = {
    "weekly": "hằng tuần",
    "monthly": "hằng tháng",
    "quarterly": "hằng quý",
    "semiannual": "6 tháng một lần",
    "yearly": "hằng năm",
}
_EXAMPLES = '"Trước 30/6/2026", "Quý IV/2026", "Hằng tháng, trước ngày 25", "Thường xuyên"'


def _d(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _recurring_summary(rule: Recurring) -> str:
    text = _FREQ_TEXT[rule.freq]
    dip = rule.day_in_period
    if dip is not None and rule.freq == "weekly":
        weekday = f"thứ {dip.day + 1}" if dip.day < 7 else "Chủ nhật"
        text += f", {'trước ' if dip.strict else ''}{weekday}" + (" tuần sau" if dip.next_period else "")
    elif dip is not None:
        day = f"{dip.day:02d}" + (f"/{dip.month:02d}" if dip.month else "")
        text += f", {'trước' if dip.strict else 'hạn'} ngày {day}" + (" kỳ sau" if dip.next_period else "")
    text += f", từ {_d(rule.start)}"
    return text + (f" đến hết {_d(rule.end)}" if rule.end else ", không có ngày kết thúc")


def rule_summary(rule: DeadlineRule) -> str:
    """One line in Vietnamese, for a question's choices ("một lần, hạn 29/06/2026")."""
    if isinstance(rule, Once):
        return f"một lần, hạn {_d(rule.due)}" + (f" lúc {rule.time:%H:%M}" if rule.time else "")
    if isinstance(rule, Recurring):
        return _recurring_summary(rule)
    if isinstance(rule, Period):
        return f"trong khoảng {_d(rule.start)} – {_d(rule.end)}, hạn {_d(rule.end)}"
    if isinstance(rule, Milestones):
        return "các mốc " + "; ".join(f"{m.label + ' ' if m.label else ''}hạn {_d(m.due)}" for m in rule.items)
    if isinstance(rule, Ongoing):
        return "thường xuyên" + (f" từ {_d(rule.start)}" if rule.start else "")
    assert isinstance(rule, Conditional)
    return "có điều kiện, chưa có ngày (văn phòng kích hoạt khi có hướng dẫn)"


def reading_to_json(reading: Reading) -> dict[str, object]:
    """The shape printed by `nhacviec deadline --json`: the rule's own keys (as before),
    plus `confidence` and `ignored`; `candidates` for unsure (and the part read, if any, for
    unknown); `error` for unknown."""
    out: dict[str, object] = dict(rule_to_json(reading.rule)) if reading.rule is not None else {}
    out["confidence"] = reading.confidence
    out["ignored"] = list(reading.ignored)
    if reading.rule is None:
        out["candidates"] = [rule_to_json(c) for c in reading.candidates]
    if reading.confidence == "unknown":
        out["error"] = reading.reason
    return out


def _head(task_label: str, where: str | None, line: int | None) -> str:
    if where:
        return where
    return f"Nhiệm vụ {task_label}" + (f" (dòng {line})" if line else "")


def _question_body(phrase: str, reading: Reading) -> str | None:
    if reading.runs_unattended:
        return None
    text = " ".join(phrase.split())
    if reading.confidence == "unsure":
        choices = "; ".join(f"({n}) {rule_summary(c)}" for n, c in enumerate(reading.candidates, 1))
        return (
            f'{FIELD} "{text}" có {len(reading.candidates)} cách hiểu: {choices}. '
            f"Hãy chọn một cách và ghi lại ô {FIELD} chỉ với thời hạn đó."
        )
    partial = ""
    if reading.candidates:
        partial = f" Phần đọc được: {rule_summary(reading.candidates[0])} — nhưng các chữ còn lại có thể đổi nghĩa."
    # The grammar's reason, unless it only repeats that the whole cell was not understood.
    why = f" ({reading.reason})" if reading.reason and reading.reason != f'Không hiểu thời hạn "{text}"' else ""
    return f'chưa đọc được {FIELD} "{text}"{why}.{partial} Hãy ghi lại ô {FIELD} theo một cách viết như {_EXAMPLES}.'


def deadline_question(
    task_label: str, phrase: str, reading: Reading, *, where: str | None = None, line: int | None = None
) -> str | None:
    """The one question the office must answer about a task's deadline, or None when the
    reading can run unattended. `where` (the plan check's 'Nhiệm vụ 4, trường "deadline"
    (dòng 12)') replaces the task label and line when given."""
    body = _question_body(phrase, reading)
    return None if body is None else f"{_head(task_label, where, line)}: {body}"


class DeadlineQuestion(DeadlineError):
    """A deadline only the office can settle; the message is the question (without the task,
    which the caller names), `reading` holds the candidates."""

    def __init__(self, message: str, reading: Reading) -> None:
        super().__init__(message)
        self.reading = reading


def checked_reading(phrase: str, plan_year: int, plan_date: date | None = None) -> Reading:
    """`read_deadline` for the plan check: an exact or read reading, else DeadlineQuestion."""
    reading = read_deadline(phrase, plan_year, plan_date)
    body = _question_body(phrase, reading)
    if body is not None:
        raise DeadlineQuestion(body, reading)
    return reading


def deadline_note(task_label: str, phrase: str, ignored: tuple[str, ...]) -> str | None:
    """The plan check's note for a deadline read with words set aside (None when none were)."""
    if not ignored:
        return None
    words = ", ".join(f'"{w}"' for w in ignored)
    return f'Nhiệm vụ {task_label}: {FIELD} "{" ".join(phrase.split())}" — đã bỏ qua {words} (không phải thời hạn).'
