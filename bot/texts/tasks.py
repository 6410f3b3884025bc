"""What chat, CLI and desk say when a task, a unit or a status cannot be found or recorded
(the refusals of bot/actions/status.py and tasks.py)."""

from __future__ import annotations


def unclear_status(text: str) -> str:
    return f'Chưa hiểu tình trạng trong "{text}" (ví dụ: "đã xong", "đang làm 50%", "vướng: lý do")'


def no_task_number(stt: int) -> str:
    return f"Không có nhiệm vụ số {stt}"


def not_assigned(stt: int, unit_code: str) -> str:
    return f"Nhiệm vụ {stt} không giao cho đơn vị {unit_code} (hoặc chưa đến kỳ)"


JUST_RECORDED = "Tình trạng này vừa được ghi nhận, xin thử lại"


def no_unit(unit_code: str) -> str:
    return f"Không có đơn vị {unit_code}"


def no_task(ref: int | str) -> str:
    return f"Không có nhiệm vụ {ref}"


def nobody_to_remind(name: str, conditional: bool) -> str:
    return f"Nhiệm vụ {name} chưa có đơn vị nào cần nhắc" + (" (chưa kích hoạt?)" if conditional else "")


def already_dated(name: str, deadline_text: str) -> str:
    return f'Nhiệm vụ {name} đã có thời hạn "{deadline_text}", không cần kích hoạt'
