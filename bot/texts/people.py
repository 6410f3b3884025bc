"""Words of managing people from chat (/moi, /danhsach, /huy, /vang) and of /hoanlai."""

from __future__ import annotations

from datetime import date, datetime

from bot.texts.common import CHANNEL_NAMES, vn_date
from store.enums import PersonRole

ROLE_WORDS = {
    "head": PersonRole.HEAD,
    "truong": PersonRole.HEAD,
    "thu truong": PersonRole.HEAD,
    "deputy": PersonRole.DEPUTY,
    "pho": PersonRole.DEPUTY,
    "cap pho": PersonRole.DEPUTY,
    "dau moi": PersonRole.DEPUTY,
    "office": PersonRole.OFFICE,
    "van phong": PersonRole.OFFICE,
    "leader": PersonRole.LEADER,
    "lanh dao": PersonRole.LEADER,
}

USAGE_MOI = (
    "Cách dùng: /moi ĐƠN_VỊ VAI_TRÒ HỌ_TÊN, ví dụ /moi VHXH phó Nguyễn Văn Bình.\n"
    "VAI_TRÒ: trưởng (head), cấp phó hoặc đầu mối (deputy), văn phòng (office), lãnh đạo (leader)."
)
USAGE_HUY = "Cách dùng: /huy HỌ_TÊN hoặc /huy ĐƠN_VỊ VAI_TRÒ [HỌ_TÊN], ví dụ /huy Nguyễn Văn Bình hoặc /huy VHXH phó."
USAGE_VANG = (
    "Cách dùng: /vang NGÀY (vắng đến hết ngày đó, dạng dd/mm/yyyy), ví dụ /vang 30/6/2026; /vang het khi đã về."
)
USAGE_HOANLAI = (
    "Cách dùng: /hoanlai N [SỐ_NGÀY], ví dụ /hoanlai 4 3: hoãn lời nhắc tiếp theo của nhiệm vụ 4 "
    "thêm 3 ngày làm việc (mặc định 3, tối đa 10)."
)
UNIT_ONLY = "Xin lỗi, lệnh này dành cho lãnh đạo đơn vị được giao nhiệm vụ."
HEAD_ONLY = "Xin lỗi, lệnh này dành cho thủ trưởng đơn vị."
NO_ONE = 'Không có ai tên "{who}" đang liên kết. Gõ /danhsach để xem danh sách.'
NOT_SELF = "Không thể tự hủy liên kết của chính mình; xin nhờ một người khác của văn phòng."
ROLE_NAMES: dict[str, str] = {
    PersonRole.HEAD: "thủ trưởng",
    PersonRole.DEPUTY: "cấp phó / đầu mối",
    PersonRole.OFFICE: "văn phòng",
    PersonRole.LEADER: "lãnh đạo",
}


def at_local(moment: datetime, zone: object) -> str:
    """dd/mm/yyyy HH:MM in the ward's zone."""
    local = moment.astimezone(zone)  # type: ignore[arg-type]
    return f"{local:%d/%m/%Y %H:%M}"


def role_label(role: str, title: str, unit_name: str) -> str:
    """How a person's role reads: a head by the unit's title ("Chủ tịch UBND phường")."""
    if role == PersonRole.HEAD:
        return title
    if role == PersonRole.DEPUTY:
        return f"cấp phó / đầu mối của {unit_name}"
    if role == PersonRole.OFFICE:
        return f"văn phòng theo dõi ({unit_name})"
    return "lãnh đạo"


def invited(name: str, role: str, unit_name: str, code: str, expires: str, link: str | None) -> str:
    lines = [f"Đã thêm {name} — {role}, {unit_name}.", f"Mã liên kết: {code} (dùng một lần, hết hạn {expires})."]
    if link:
        lines.append(f"Xin chuyển cho người này đường dẫn: {link}")
        lines.append(f"hoặc mã để gửi cho bot: /start {code} (Zalo: LIENKET {code}).")
    else:
        lines.append(
            f"Xin chuyển mã cho người này; họ gửi cho bot trong tin nhắn riêng: /start {code} (Zalo: LIENKET {code})."
        )
    return "\n".join(lines)


def roster_line(
    name: str,
    role: str,
    channels: list[str],
    unreachable: list[str],
    last_answer: date | None,
    away_until: date | None,
) -> str:
    parts = [f"• {name} — {role}"]
    if channels:
        parts.append(", ".join(CHANNEL_NAMES.get(c, c) for c in channels))
    if unreachable:
        parts.append(f"⚠ không liên lạc được qua {', '.join(CHANNEL_NAMES.get(c, c) for c in unreachable)}")
    if not channels and not unreachable:
        parts.append("chưa liên kết (mã chưa dùng)")
    parts.append(f"trả lời gần nhất {vn_date(last_answer)}" if last_answer else "chưa trả lời lần nào")
    if away_until is not None:
        parts.append(f"vắng đến hết {vn_date(away_until)}")
    return "; ".join(parts)


def roster_unit(code: str, name: str, lines: list[str]) -> str:
    return "\n".join([f"{code} — {name}", *(lines or ["• chưa có ai"])])


def ambiguous(candidates: list[str]) -> str:
    return "Có nhiều người khớp, xin ghi rõ hơn (ví dụ /huy ĐƠN_VỊ VAI_TRÒ HỌ_TÊN):\n" + "\n".join(
        f"• {c}" for c in candidates
    )


def unlinked(name: str, role: str, unit_name: str) -> str:
    return (
        f"Đã hủy liên kết {name} ({role}, {unit_name}). Người này không còn nhận nhắc việc; "
        "lịch sử báo cáo vẫn được giữ."
    )


def away_set(until: date, deputies: list[str]) -> str:
    head = f"Đã ghi nhận: vắng đến hết ngày {vn_date(until)}."
    if deputies:
        return f"{head} Trong thời gian này, nhắc việc của đơn vị gửi cả cho: {', '.join(deputies)}."
    return (
        f"{head} Đơn vị chưa có cấp phó / đầu mối liên kết, nên nhắc việc vẫn chỉ gửi cho anh/chị; "
        "văn phòng có thể thêm bằng lệnh /moi."
    )


AWAY_CLEARED = "Đã ghi nhận anh/chị đã về: nhắc việc gửi cho thủ trưởng như thường lệ."
AWAY_PAST = "Ngày về phải từ hôm nay trở đi (dạng dd/mm/yyyy)."
AWAY_TOO_FAR = "Chỉ ghi nhận vắng tối đa 1 năm."
NOTHING_TO_POSTPONE = "Nhiệm vụ {label} hiện không có lời nhắc nào sắp tới để hoãn."
POSTPONE_BUSY = "Lời nhắc của nhiệm vụ {label} đang được gửi đúng lúc này; xin thử lại sau ít phút."
TASK_CLOSED = "Nhiệm vụ {label} của đơn vị đã hoàn thành hoặc không còn áp dụng: không còn nhắc."


def at_deadline(label: str, due: date) -> str:
    return (
        f"Lời nhắc tiếp theo của nhiệm vụ {label} đã vào ngày đến hạn {vn_date(due)}: "
        "không thể hoãn quá thời hạn. Nếu cần thêm thời gian, xin đề nghị văn phòng gia hạn."
    )


def postponed(label: str, at: str, *, overdue: bool, clamped_to: date | None) -> str:
    what = "Lần nhắc quá hạn tiếp theo" if overdue else "Lời nhắc tiếp theo"
    text = f"Đã hoãn: {what.lower()} của nhiệm vụ {label} sẽ gửi lúc {at}."
    if clamped_to is not None:
        text += f" Không hoãn quá thời hạn: bot sẽ nhắc vào ngày đến hạn {vn_date(clamped_to)}."
    return text


def bad_role(role: str) -> str:
    return f"Vai trò không hợp lệ: {role} (head, deputy, office hoặc leader)"


NO_LINK_CODE = "Không tạo được mã liên kết, xin thử lại"


NO_UNIT = "Không thuộc đơn vị"


def roster(blocks: list[str]) -> str:
    """`/danhsach`: the units' blocks under one heading."""
    return "Người nhận nhắc việc theo đơn vị:\n\n" + "\n\n".join(blocks)
