"""Every sentence of the reader that a person sees, in one place (to move into `bot/texts/`).

Zalo has no buttons: a question is answered by typing its number, so every question here
lists numbered answers that `answers.read_confirmation` reads back.
"""

from __future__ import annotations

from bot.reading.result import ParsedReply

# The one question for a done the reader doubts ("cơ bản xong", "rồi ạ").
CONFIRM_DONE = "Nhiệm vụ {label} đã hoàn thành hẳn chưa ạ? 1 = đã xong, 2 = chưa xong"
# One line saying what was understood, sent with every answer that records something.
UNDERSTOOD = "Đã hiểu: nhiệm vụ {label} — {what}."
RETRACT_HINT = ' Nếu chưa đúng, xin trả lời "sai" trong 10 phút.'
# A part of a message with several answers that could not be read.
UNREADABLE_PART = (
    'Nhiệm vụ {label}: tôi chưa hiểu "{words}". Xin báo lại, ví dụ: "{label} xong" hoặc "{label} đang làm 50%".'
)
NO_TASK_PART = 'Tôi chưa rõ "{words}" là của nhiệm vụ nào. Xin ghi kèm số nhiệm vụ, ví dụ: "3 xong".'

STATUS_WORDS = {
    "done": "đã hoàn thành",
    "in_progress": "đang thực hiện",
    "blocked": "vướng mắc",
    "not_started": "chưa triển khai",
    "not_applicable": "không phát sinh hoặc không thuộc nhiệm vụ của đơn vị",
}


def confirm_done_question(label: str | int) -> str:
    return CONFIRM_DONE.format(label=label)


def question_for(label: str | int, parsed: ParsedReply) -> str | None:
    """What to ask before recording `parsed` for task `label`: the done question when the done
    is doubtful, otherwise None (record it)."""
    return None if parsed.certain else confirm_done_question(label)


def understood_line(label: str | int, parsed: ParsedReply, *, hint: bool = False) -> str:
    """ "Đã hiểu: nhiệm vụ 3 — đang thực hiện, 40%." for a reading the bot records."""
    what = STATUS_WORDS.get(parsed.status, "chưa rõ tình trạng")
    if parsed.percent is not None and parsed.status != "done":
        what += f", {parsed.percent}%"
    return UNDERSTOOD.format(label=label, what=what) + (RETRACT_HINT if hint else "")
