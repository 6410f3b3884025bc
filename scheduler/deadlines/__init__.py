"""Vietnamese deadline wording → deadline rules, read with a confidence.

Our own small grammar, not a general date library: plans use quarters, "trước", Roman
numerals, spans of years and recurrences that general parsers misread. `parse_deadline` is
the grammar: every word placed, or an error naming the words it could not place, never a
guess. `read_deadline` reads a cell the way a clerk does: the grammar on the whole cell
(`exact`), else on the one stretch that holds every time word, with descriptive words and
legal bases set aside and listed (`read`), else the candidate readings (`unsure`) or nothing
(`unknown`). `deadline_question` is what the plan check asks when a reading cannot run.

Modules: rules (the rule types, JSON), wording (spelling, descriptive words, clock times,
number words), dates (dates, periods, spans, lists), recurring (recurrences, ongoing work,
conditions), phrase (one whole phrase, milestones), reading (confidence), questions (texts).

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
- A clock time ("trước 16 giờ", "11h00") is kept on the rule; the day stays the due day. A
  clock slot ("Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 23 tháng 1") is due at its end.
- A period without a year inside a yearly recurrence is its place in each year: "Tháng 12
  hằng năm" is due at the end of every December, with no end.
- Numbers written as words after "tháng"/"ngày" ("tháng Mười Hai", "tháng Chạp") are numbers.
"""

from scheduler.deadlines.dates import parse_period
from scheduler.deadlines.phrase import parse_deadline
from scheduler.deadlines.questions import (
    CONFIDENCE_TEXT,
    DeadlineQuestion,
    checked_reading,
    deadline_note,
    deadline_question,
    reading_to_json,
    rule_summary,
)
from scheduler.deadlines.reading import CONFIDENCES, Confidence, Reading, read_deadline
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
    "CONFIDENCES",
    "CONFIDENCE_TEXT",
    "Confidence",
    "DeadlineQuestion",
    "Reading",
    "checked_reading",
    "deadline_note",
    "deadline_question",
    "read_deadline",
    "reading_to_json",
    "rule_summary",
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
