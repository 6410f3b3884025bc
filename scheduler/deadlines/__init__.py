"""Vietnamese deadline wording → deadline rules.

Our own small grammar, not a general date library: plans use quarters, "trước", Roman
numerals, spans of years and recurrences that general parsers misread. Every phrase must be
consumed entirely; anything left over is an error that names the words it could not place,
never a guess.

Semantics:
- "Trước D" is strict: the last day still on time is D − 1. "Trước tháng 6" is 31/5.
- "Chậm nhất D", "hạn D", "đến hết D", "cuối D", a bare date and a bare period mean the end
  of it.
- Descriptive words in front of the time ("Hoàn thành", "Thời gian thực hiện:", "Tiến độ:",
  "Thực hiện", "Xong") do not change its meaning.
- Recurrences are due at the end of each period (a week: its Friday) unless a day in the
  period is given ("trước ngày 15/12 hằng năm", "trước ngày 25 hằng tháng", "Thứ Hai hằng
  tuần") or a day in the following period ("trước ngày 10 của tháng sau", "trước ngày 20/01
  của năm sau").
- A span ("2026 – 2030", "Giai đoạn 2026-2030", "Đến năm 2030", "Từ tháng 4 đến tháng
  8/2026", "Quý I, II/2027") is a `Period`: due at its end, with yearly check-ins.
- Several dated clauses in one cell ("Ban hành kế hoạch trước 30/7/2026; hoàn thành trong
  quý IV/2026") are `Milestones`, each keeping its label words; a list of separate periods
  ("Tháng 3, 6, 9/2026") is milestones without labels.
- Events and other documents ("Sau khi …", "Theo kế hoạch của …", "Theo Quyết định số …")
  are conditional: no date until the office gives one.
- A clock time ("trước 16 giờ", "11h00") is kept on the rule; the day stays the due day.
"""

from scheduler.deadlines.dates import parse_period
from scheduler.deadlines.phrase import parse_deadline
from scheduler.deadlines.rules import (
    ROMAN,
    WEEKDAYS,
    Conditional,
    DayInPeriod,
    DeadlineError,
    DeadlineRule,
    Milestone,
    Milestones,
    Once,
    Ongoing,
    Period,
    Recurring,
    rule_to_json,
)

__all__ = [
    "ROMAN",
    "WEEKDAYS",
    "Conditional",
    "DayInPeriod",
    "DeadlineError",
    "DeadlineRule",
    "Milestone",
    "Milestones",
    "Once",
    "Ongoing",
    "Period",
    "Recurring",
    "parse_deadline",
    "parse_period",
    "rule_to_json",
]
