"""Vietnamese texts of deadline extensions (/giahan, /duyet, /tuchoi)."""

from __future__ import annotations

from datetime import date

from bot.texts.common import shorten, vn_date

USAGE_GIAHAN = (
    "Cú pháp: /giahan N DD/MM/YYYY LÝ_DO, ví dụ /giahan 4 15/07/2026 chờ ý kiến lãnh đạo. "
    'Cũng có thể nhắn: "xin gia hạn nhiệm vụ 4 đến 15/7 vì chờ ý kiến lãnh đạo".'
)
USAGE_DUYET = "Cú pháp: /duyet N [ĐƠN_VỊ], ví dụ /duyet 4 VP (đơn vị có thể bỏ khi chỉ một đơn vị đề nghị)."
USAGE_TUCHOI = (
    "Cú pháp: /tuchoi N [ĐƠN_VỊ] LÝ_DO, ví dụ /tuchoi 4 VP cần hoàn thành trước kỳ họp "
    "(đơn vị có thể bỏ khi chỉ một đơn vị đề nghị)."
)
NEED_REASON = (
    "Xin cho biết lý do gia hạn nhiệm vụ {label}, ví dụ: /giahan {label} {day} chờ ý kiến lãnh đạo, "
    'hoặc "xin gia hạn nhiệm vụ {label} đến {day} vì chờ ý kiến lãnh đạo".'
)
IN_PAST = "Ngày {day} đã qua. Xin gia hạn đến một ngày sau hôm nay."
NOT_LATER = "Hạn hiện tại của nhiệm vụ {label} là {due}; ngày xin gia hạn ({day}) phải sau hạn đó."
CLOSED = "Nhiệm vụ {label} đã được ghi nhận hoàn thành hoặc không phát sinh, không cần gia hạn."
CHECKIN = "Nhiệm vụ {label} là nhiệm vụ thường xuyên, không có hạn để gia hạn; xin báo tiến độ như thường lệ."
NO_PENDING = "Không có đề nghị gia hạn nào đang chờ duyệt cho nhiệm vụ {label}{unit}."
WHICH_UNIT = "Nhiệm vụ {label} có {n} đề nghị gia hạn đang chờ: {units}. Xin ghi rõ đơn vị, ví dụ {example}."


def due_phrase(due: date, extended: date | None, lead: str = "hạn") -> str:
    """ "hạn 30/06/2026, gia hạn đến 15/07/2026": the plan's deadline is always shown, the
    approved extension beside it."""
    text = f"{lead} {vn_date(due)}"
    return text + (f", gia hạn đến {vn_date(extended)}" if extended is not None else "")


def requested(label: str, due: date, new: date, reason: str, replaced: date | None, told: int) -> str:
    asked = f"đề nghị gia hạn nhiệm vụ {label} từ {vn_date(due)} đến {vn_date(new)}, lý do: {shorten(reason, 200)}."
    if told:
        text = f"Đã gửi Văn phòng {asked} Văn phòng sẽ xem xét và trả lời; trong khi chờ, hạn vẫn là {vn_date(due)}."
    else:
        # Nobody of the office is in the system yet: the request waits, and the unit knows it.
        text = (
            f"Đã ghi nhận {asked} Văn phòng chưa có người nhận tin trong hệ thống nên chưa được báo; "
            f"xin báo trực tiếp. Trong khi chờ, hạn vẫn là {vn_date(due)}."
        )
    if replaced is not None:
        text += f"\nĐề nghị trước (gia hạn đến {vn_date(replaced)}) đang chờ duyệt nay được thay bằng đề nghị này."
    return text


def office_notice(
    unit_name: str, unit_code: str, label: str, content: str, due: date, new: date, reason: str, who: str
) -> str:
    by = f" ({who})" if who else ""
    return (
        f"📅 Đề nghị gia hạn — Nhiệm vụ {label}\n{shorten(content, 160)}\n"
        f"{unit_name}{by} xin gia hạn từ {vn_date(due)} đến {vn_date(new)}.\n"
        f"Lý do: {shorten(reason, 300)}\n"
        f"Đồng ý: /duyet {label} {unit_code}\nKhông đồng ý: /tuchoi {label} {unit_code} LÝ_DO"
    )


def approved_for_unit(label: str, original: date, new: date) -> str:
    return (
        f"✅ Văn phòng đã đồng ý gia hạn nhiệm vụ {label}: hạn {vn_date(original)}, gia hạn đến {vn_date(new)}. "
        "Nhắc việc từ nay theo hạn mới."
    )


def refused_for_unit(label: str, new: date, due: date, reason: str) -> str:
    return (
        f"❌ Văn phòng không đồng ý gia hạn nhiệm vụ {label} đến {vn_date(new)}.\n"
        f"Lý do: {shorten(reason, 300)}\nHạn vẫn là {vn_date(due)}."
    )


def approved_for_office(label: str, unit_name: str, original: date, new: date, told: int) -> str:
    return (
        f"Đã duyệt gia hạn nhiệm vụ {label} cho {unit_name}: hạn {vn_date(original)}, gia hạn đến {vn_date(new)}. "
        "Nhắc việc của đơn vị đã chuyển theo hạn mới. " + _told(told)
    )


def refused_for_office(label: str, unit_name: str, new: date, reason: str, told: int) -> str:
    return (
        f"Đã từ chối đề nghị gia hạn nhiệm vụ {label} của {unit_name} (đến {vn_date(new)}), "
        f"lý do: {shorten(reason, 200)}. Hạn và nhắc việc giữ nguyên. " + _told(told)
    )


def _told(people: int) -> str:
    if people == 0:
        return "Đơn vị chưa có người nhận tin trong hệ thống nên chưa được báo; xin báo trực tiếp."
    return f"Đã gửi thông báo cho {people} người của đơn vị."
