"""Extension requests in a task's history (/summary N)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts.common import shorten, vn_date
from bot.texts.report import vn_datetime
from store.extensions import task_extensions


async def extension_history(session: AsyncSession, ward_id: int, task_stt: int, zone: ZoneInfo) -> str:
    """The GIA HẠN block of /summary N: every request of the task and what became of it."""
    events = await task_extensions(session, ward_id, task_stt)
    if not events:
        return ""
    states = {
        "pending": "đang chờ duyệt",
        "approved": "đã duyệt",
        "refused": "không đồng ý",
        "replaced": "được thay bằng đề nghị sau",
    }
    lines = ["GIA HẠN"]
    for e in events:
        by = f" ({e.requester})" if e.requester else ""
        line = (
            f"{vn_datetime(e.requested_at, zone)} — {e.unit_code}{by} xin gia hạn từ {vn_date(e.previous_due)} "
            f"đến {vn_date(e.new_due)}, lý do: {shorten(e.reason, 100)}: {states.get(e.state, e.state)}"
        )
        if e.state in ("approved", "refused") and e.decided_at is not None:
            who = f" bởi {e.decided_by}" if e.decided_by else ""
            line += f"{who} lúc {vn_datetime(e.decided_at, zone)}"
        if e.decision_note:
            line += f", lý do: {shorten(e.decision_note, 100)}"
        lines.append(line)
    return "\n\n" + "\n".join(lines)
