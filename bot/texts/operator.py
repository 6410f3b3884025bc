"""What the operator's commands say to the office (restore)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo


def _at(t: datetime, zone: ZoneInfo) -> str:
    local = t.astimezone(zone)
    return f"{local:%H:%M} {local.day:02d}/{local.month:02d}/{local.year}"


def restore_notice(
    taken_at: datetime | None,
    zone: ZoneInfo,
    by_unit: Counter[str],
    direct: int,
    first_due: datetime | None,
    last_due: datetime | None,
) -> str:
    """The office's one notice after a restore: from when data is missing, and which
    messages the bot will not send again because they may already have gone out."""
    source = f"bản sao lưu lúc {_at(taken_at, zone)}" if taken_at else "một bản sao lưu (không rõ thời điểm sao lưu)"
    lines = [f"⚠️ Nhắc việc: dữ liệu của bot vừa được khôi phục từ {source}."]
    total = sum(by_unit.values()) + direct
    if total and first_due and last_due:
        parts = [f"{name}: {count} tin" for name, count in sorted(by_unit.items(), key=lambda p: (-p[1], p[0]))]
        if direct:
            parts.append(f"tin nhắn khác (trả lời, thông báo, bản tin): {direct} tin")
        lines.append(
            f"Để không gửi trùng, bot không gửi lại {total} tin đến hạn từ {_at(first_due, zone)} đến "
            f"{_at(last_due, zone)}, vì các tin này có thể đã được gửi trước khi khôi phục — " + "; ".join(parts) + "."
        )
    since = f"sau {_at(taken_at, zone)}" if taken_at else "sau thời điểm sao lưu"
    lines.append(
        f"Báo cáo và trả lời của các đơn vị gửi {since} không còn trong dữ liệu. Đề nghị Văn phòng xem /summary "
        "và đề nghị các đơn vị báo lại tình trạng nhiệm vụ nếu đã báo trong khoảng thời gian đó."
    )
    return "\n".join(lines)


def inbound_held_notice(channel: str, began: datetime, ended: datetime, zone: ZoneInfo) -> str:
    """The office hears that the bot could not store incoming messages for a while (the
    database was away): nothing was lost, answers came late."""
    name = {"telegram": "Telegram", "zalo": "Zalo"}.get(channel, channel)
    return (
        f"⚠️ Nhắc việc: từ {_at(began, zone)} đến {_at(ended, zone)} bot không ghi được tin nhắn {name} "
        "gửi đến vì cơ sở dữ liệu không truy cập được. Các tin nhắn này không bị mất: bot đã lưu và "
        "trả lời khi cơ sở dữ liệu hoạt động lại, nên một số câu trả lời đến muộn."
    )
