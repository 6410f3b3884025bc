"""Every text a person reads, in Vietnamese. Other modules build data; this module words it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from store.queries import AssignmentView
    from store.sync import Change

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

KIND_LABELS = {
    "before": "nhắc trước hạn",
    "due": "đến hạn",
    "overdue": "quá hạn",
    "checkin": "hỏi tiến độ định kỳ",
    "escalate": "báo cáo lãnh đạo",
    "manual": "nhắc theo yêu cầu",
}

ROLE_LABELS = {"lead": "chủ trì", "coordinate": "phối hợp"}

STATUS_LABELS = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "blocked": "Vướng mắc",
    "not_started": "Chưa triển khai",
    "not_applicable": "Không phát sinh",
    "none": "Chưa rõ",
}

DEADLINE_KIND_LABELS = {
    "once": "một lần",
    "recurring": "định kỳ",
    "ongoing": "thường xuyên",
    "conditional": "có điều kiện",
}

FREQ_LABELS = {
    "monthly": "hằng tháng",
    "quarterly": "hằng quý",
    "semiannual": "6 tháng một lần",
    "yearly": "hằng năm",
}


def vn_date(day: date) -> str:
    """08/05/2026: one date format (dd/mm/yyyy) everywhere a person reads a date."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


_ROMAN = ("I", "II", "III", "IV")


def vn_period(key: str) -> str:
    """An occurrence key as the office says it: "tháng 6/2026", "quý II/2026",
    "6 tháng đầu năm 2026", "năm 2026"; other keys are shown as they are."""
    year, _, rest = key.partition("-")
    if not year.isdigit():
        return key
    if not rest:
        return f"năm {year}"
    if rest.isdigit():
        return f"tháng {int(rest)}/{year}"
    if rest[0] == "Q" and rest[1:] in ("1", "2", "3", "4"):
        return f"quý {_ROMAN[int(rest[1:]) - 1]}/{year}"
    if rest in ("H1", "H2"):
        return f"6 tháng {'đầu' if rest == 'H1' else 'cuối'} năm {year}"
    if rest[0] == "W" and rest[1:].isdigit():
        return f"tuần {int(rest[1:])}/{year}"
    return key


def vn_weekday_date(day: date) -> str:
    weekday = WEEKDAYS[day.weekday()]
    return f"{weekday[0].upper()}{weekday[1:]}, {vn_date(day)}"


def remaining_phrase(working_days: int) -> str:
    if working_days > 0:
        return f"còn {working_days} ngày làm việc"
    if working_days == 0:
        return "hạn là hôm nay"
    return f"đã quá hạn {-working_days} ngày làm việc"


def shorten(text: str, limit: int = 160) -> str:
    """Cut at a word boundary and mark the cut, so a reminder stays readable on a phone."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def split_message(text: str, limit: int) -> list[str]:
    """Split at line boundaries into chunks of at most `limit` characters."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single overlong line: cut at a space
            head = line[:limit].rsplit(" ", 1)[0] or line[:limit]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
            line = line[len(head) :].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


# --- conversation ----------------------------------------------------------------------------

PERSON_ROLE_LABELS = {
    "head": "trưởng đơn vị",
    "deputy": "cấp phó / đầu mối",
    "office": "văn phòng theo dõi",
    "leader": "lãnh đạo",
    "city": "theo dõi các phường (thành phố)",
}

HOW_TO_LINK = (
    "Xin chào! Tài khoản này chưa được liên kết với đơn vị nào.\n"
    "Để nhận nhắc việc, xin gửi mã liên kết 6 số do Phòng Văn hóa - Xã hội cấp, ví dụ:\n"
    "/start 123456 (hoặc: LIENKET 123456)"
)
LINK_BAD_CODE = "Mã liên kết không đúng. Xin kiểm tra lại 6 chữ số hoặc đề nghị văn phòng cấp mã mới."
LINK_CODE_USED = (
    "Mã liên kết này đã được dùng. Nếu không phải bạn đã dùng mã, xin báo văn phòng để kiểm tra và cấp mã mới."
)
LINK_CODE_EXPIRED = "Mã liên kết này đã hết hạn. Xin đề nghị văn phòng cấp mã mới."
LINK_ALREADY_LINKED = "Tài khoản của bạn đã được liên kết bằng mã này; không cần gửi lại mã."
LINK_THROTTLED = "Bạn đã nhập sai mã quá nhiều lần. Xin thử lại sau 15 phút."
LINK_BUSY = "Hệ thống đang tạm ngừng nhận mã liên kết vì có quá nhiều mã sai được gửi đến. Xin thử lại sau 15 phút."
LINK_IN_GROUP = (
    "Xin lỗi, mã liên kết chỉ dùng trong tin nhắn riêng với bot, không dùng trong nhóm. "
    "Xin mở tin nhắn riêng với bot và gửi mã ở đó. "
    "Nếu mã đã để lộ cho người khác, xin đề nghị văn phòng cấp mã mới."
)
HOW_TO_LINK_IN_GROUP = (
    "Tài khoản của bạn chưa được liên kết. Để nhận nhắc việc và báo cáo, "
    "xin gửi mã liên kết 6 số trong tin nhắn riêng với bot (không gửi trong nhóm)."
)
WELCOME = "Xin chào {name}! Tài khoản đã được liên kết với {unit} (vai trò: {role})."
HELP_SHORT = (
    'Trả lời ngắn gọn, ví dụ: "3: đã xong", "3 đang làm 50%", "3 vướng: chưa có hướng dẫn". Gõ /help để xem các lệnh.'
)
UNKNOWN_COMMAND = "Không có lệnh /{name}. Gõ /help để xem các lệnh."
OFFICE_ONLY = "Xin lỗi, lệnh này dành cho văn phòng theo dõi kế hoạch (Phòng Văn hóa - Xã hội)."
ASK_AGAIN = (
    "Xin lỗi, tôi chưa hiểu tình trạng nhiệm vụ. Xin trả lời ngắn gọn, ví dụ: "
    '"đã xong", "đang làm 50%", "vướng: lý do", "chưa triển khai" hoặc "không phát sinh".'
)
ASK_AGAIN_FOR = (
    'Nhiệm vụ {stt}: tôi chưa hiểu tình trạng. Ví dụ: "{stt}: đã xong", "{stt}: đang làm 50%", "{stt}: vướng: lý do".'
)
ASK_REASON = "Vướng mắc gì ạ? Xin nêu ngắn gọn để văn phòng tổng hợp, tháo gỡ."
ASK_PERCENT = "Đã thực hiện được khoảng bao nhiêu phần trăm? (ví dụ: 50%)"
NO_OPEN_TASKS = "Đơn vị hiện không có nhiệm vụ nào đang mở. Cảm ơn!"
NOT_YOUR_TASK = "Nhiệm vụ {stt} không thuộc đơn vị của bạn hoặc không tồn tại. Gõ /tasks để xem danh sách."
BUTTON_UNKNOWN = "Nút này không còn hiệu lực. Gõ /tasks để xem nhiệm vụ đang mở."
NO_UNIT = "Tài khoản chưa gắn với đơn vị nào."
NO_SUCH_TASK = "Không có nhiệm vụ {stt}. Gõ /summary để xem các nhiệm vụ của kế hoạch."
_N_IS = "N là số nhiệm vụ như kế hoạch ghi (3, hoặc II.3 ở kế hoạch có mục)"
USAGE_STATUS = f"Cách dùng: /status N nội dung, ví dụ /status 3 đang làm 50%. {_N_IS}."
USAGE_REMIND = f"Cách dùng: /remind N [đơn vị], ví dụ /remind 4 VHXH. {_N_IS}."
USAGE_ACTIVATE = f"Cách dùng: /activate N NGÀY, ví dụ /activate 15 30/9/2026. {_N_IS}."
UNKNOWN_UNIT = 'Không có đơn vị "{unit}".'
REMIND_QUEUED = "Đã xếp lịch nhắc ngay nhiệm vụ {stt} cho {count} đơn vị."
ACTIVATED = "Đã kích hoạt nhiệm vụ {stt}, hạn {due}. Các đơn vị sẽ được nhắc theo lịch."
PREFERRED = "Từ nay nhắc việc sẽ được gửi qua {channel}."
APOLOGY = "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Văn phòng đã được ghi nhận, xin thử lại sau."


def ask_which_of(labels: list[str]) -> str:
    """After a reply to a message that carried several tasks: only those tasks."""
    listed = ", ".join(labels)
    return (
        f"Tin nhắc đó có {len(labels)} nhiệm vụ: {listed}. Câu trả lời này cho nhiệm vụ nào? "
        f"Xin trả lời số nhiệm vụ (ví dụ: {labels[0]}), "
        f'hoặc ghi rõ từng việc: "{labels[0]} xong; {labels[1]} đang làm".'
    )


def remind_queued(label: str, count: int, nobody: list[str]) -> str:
    """What /remind and `nhacviec remind` did: how many units were queued, and which have
    nobody to receive the reminder."""
    if not count:
        return (
            f"Chưa nhắc được nhiệm vụ {label}: chưa có người nhận ở {', '.join(nobody)} "
            "(chưa ai liên kết tài khoản). Xin cấp mã liên kết cho đơn vị (nhacviec link)."
        )
    text = REMIND_QUEUED.format(stt=label, count=count)
    if nobody:
        text = f"{text[:-1]}; chưa có người nhận: {', '.join(nobody)}."
    return text


def nobody_linked(units: list[tuple[str, list[str], int]], since: str, until: str) -> str:
    """The office's daily list of reminders that went to nobody: per unit (code), the
    tasks' labels and how many reminders."""
    lines = [
        f"Nhắc việc chưa gửi được vì đơn vị chưa có người nhận (chưa ai liên kết tài khoản), từ {since} đến {until}:"
    ]
    for unit, labels, count in units:
        lines.append(f"- {unit}: nhiệm vụ {', '.join(labels)} ({count} lần nhắc)")
    lines.append("Xin cấp mã liên kết cho trưởng đơn vị (nhacviec link) để đơn vị nhận được nhắc việc.")
    return "\n".join(lines)


def ask_which(labels: list[str] | list[int]) -> str:
    """`labels` as people name the tasks ("3", "II.3"), in plan order."""
    listed = ", ".join(str(label) for label in labels)
    return f"Nhiệm vụ số mấy? Đơn vị đang có các nhiệm vụ: {listed}. Xin trả lời số nhiệm vụ (ví dụ: {labels[0]})."


def confirm(label: str | int, status: str, percent: int | None, note: str | None) -> str:
    text = f"Đã ghi nhận: Nhiệm vụ {label} — {STATUS_LABELS.get(status, status)}"
    if percent is not None and status != "done":
        text += f" {percent}%"
    if note:
        text += f". Ghi chú: {shorten(note, 120)}"
    return text + "."


CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "bảng điều khiển"}


def channel_down_notice(channel: str, error: str) -> str:
    return (
        f"⚠ Kênh {CHANNEL_NAMES.get(channel, channel)} đang lỗi ({shorten(error, 120)}). "
        "Các lời nhắc được giữ lại và sẽ gửi khi kênh hoạt động trở lại; không ai bị ngừng nhận nhắc. "
        "Xin kiểm tra mã bot (token) và cấu hình."
    )


def unreachable_notice(name: str, unit: str, channel: str, error: str) -> str:
    return (
        f"⚠ Không gửi được tin nhắn {CHANNEL_NAMES.get(channel, channel)} cho {name} ({unit}): "
        f"{shorten(error, 120)}. Tài khoản đã được tạm dừng nhận nhắc việc; "
        "xin liên hệ để người này liên kết lại (nhacviec link)."
    )


def plan_change(change: Change) -> str:
    """One line per change a plan edit made, for the log and the console."""
    # Here, not at the top: `nhacviec --help` imports this module, and store.sync loads SQLAlchemy.
    from store.sync import ChangeKind

    k, subject = change.kind, change.subject
    if k == ChangeKind.UNIT_ADDED:
        return f"Thêm đơn vị {subject} ({change.new})"
    if k == ChangeKind.UNIT_RESTORED:
        return f"Khôi phục đơn vị {subject}"
    if k == ChangeKind.UNIT_REMOVED:
        return f"Bỏ đơn vị {subject} ({change.old}); các báo cáo cũ vẫn được giữ"
    if k == ChangeKind.TASK_ADDED:
        return f"Thêm nhiệm vụ {subject}: {shorten(change.new, 60)}"
    if k == ChangeKind.TASK_RESTORED:
        return f"Khôi phục nhiệm vụ {subject}"
    if k == ChangeKind.TASK_REMOVED:
        return f"Bỏ nhiệm vụ {subject}; các báo cáo cũ vẫn được giữ"
    if k == ChangeKind.DEADLINE_CHANGED:
        return f'Nhiệm vụ {subject}: thời hạn "{change.old}" → "{change.new}"'
    if k == ChangeKind.CONTENT_CHANGED:
        return f"Nhiệm vụ {subject}: sửa nội dung"
    if k == ChangeKind.PRODUCT_CHANGED:
        return f"Nhiệm vụ {subject}: sửa sản phẩm/kết quả"
    if k == ChangeKind.LABEL_CHANGED:
        return f"Nhiệm vụ {change.old} nay là nhiệm vụ {change.new}"
    if k == ChangeKind.ROLE_SET:
        return f"Nhiệm vụ {subject}: {change.old} là đơn vị {ROLE_LABELS.get(change.new, change.new)}"
    return f"Nhiệm vụ {subject}: bỏ đơn vị {change.old}"


# --- files (export, chart, digest) ---------------------------------------------------------

FILE_WHERE = "Tệp {filename} đã lưu trên máy chạy Nhắc việc: {path}"
FILE_GONE = "(Tệp {filename} không còn trên máy chạy Nhắc việc; xin lập lại bằng /export hoặc lệnh nhacviec export.)"
ZALO_NO_FILES = (
    "Zalo chưa cho bot gửi tệp. {filename} đã sẵn sàng trên máy chạy Nhắc việc: {path}\n"
    "Văn phòng có thể lấy tệp ở đó, hoặc chạy lệnh: nhacviec export"
)
# A file that is not a report (a photo a unit sent as its product): no export to point to.
ZALO_NO_FILES_KEPT = "Zalo chưa cho bot gửi tệp. {filename} được lưu trên máy chạy Nhắc việc: {path}"


def file_note(filename: str, path: str, *, can_send: bool) -> str:
    """What a channel says about a file: where it was saved (the console), or that it cannot
    be sent and where to get it (Zalo)."""
    if can_send:
        return FILE_WHERE.format(filename=filename, path=path)
    report = filename.endswith((".xlsx", ".docx", ".png"))
    return (ZALO_NO_FILES if report else ZALO_NO_FILES_KEPT).format(filename=filename, path=path)


USAGE_SUMMARY = "Cách dùng: /summary (tổng hợp), /summary N (lịch sử nhiệm vụ N), /summary chart (biểu đồ)"
USAGE_EXPORT = "Cách dùng: /export, /export 6thang hoặc /export nam"
USAGE_GHINHAN = "Cách dùng: /ghinhan N ĐƠN_VỊ NỘI_DUNG, ví dụ /ghinhan 3 VP đã xong"
NO_TASK = "Không có nhiệm vụ số {stt}."
CHART_CAPTION = "Biểu đồ tiến độ — Kế hoạch số {plan}, tính đến ngày {day}"
EXPORT_NOT_STARTED = "{title} bắt đầu từ {start}, chưa có số liệu."
EXPORT_READY = (
    "Đã lập {title}: {period}, tình trạng tính đến ngày {cutoff}.\n"
    "Bảng tổng hợp (Excel) và dự thảo báo cáo (Word) đang được gửi."
)
EXPORT_XLSX_CAPTION = "Bảng tổng hợp — {title} ({period})"
EXPORT_DOCX_CAPTION = "Dự thảo báo cáo — {title} (văn phòng hoàn thiện mục III)"


def cycle_title(name: str, year: int) -> str:
    """ "Báo cáo 6 tháng năm 2026", "Báo cáo năm 2026"."""
    return f"{name} {year}" if name.rstrip().endswith("năm") else f"{name} năm {year}"


RECORDED_ON_BEHALF = "{confirm} (ghi nhận hộ {unit}, lúc {at})"


def sweep_text(title: str, period: str, due: date, unit_name: str, tasks: list[tuple[int, str, str]]) -> str:
    """The status sweep before a report: one message per person, the unit's tasks listed as
    (number, content, current state)."""
    lines = [
        f"HỎI TÌNH HÌNH THỰC HIỆN — {title}",
        f"Văn phòng sắp tổng hợp báo cáo gửi cấp trên (hạn {vn_date(due)}; {period[:1].lower()}{period[1:]}).",
        f"Xin {unit_name} cho biết tình hình các nhiệm vụ sau:",
        "",
    ]
    for stt, content, state in tasks:
        lines.append(f"{stt}. {shorten(content, 110)} — hiện: {state}")
    lines += [
        "",
        'Trả lời từng nhiệm vụ, ví dụ: "4: đã xong", "4: đang làm 50%", "4: vướng: lý do", "4: không phát sinh".',
    ]
    return "\n".join(lines)


def report_due_text(title: str, period: str, due: date, working_days: int, cutoff: date, recipient: str) -> str:
    """The compiling unit's reminder that the report to the city is due, files attached."""
    to = f" gửi {recipient}" if recipient else ""
    return "\n".join(
        [
            f"SẮP ĐẾN HẠN BÁO CÁO — {title}",
            f"Hạn gửi báo cáo{to}: {vn_weekday_date(due)} (còn {working_days} ngày làm việc).",
            f"{period}. Tình trạng các nhiệm vụ tính đến ngày {vn_date(cutoff)}.",
            "Kèm theo: bảng tổng hợp (Excel) và dự thảo báo cáo (Word). Lập lại bất cứ lúc nào bằng /export.",
        ]
    )


DIGEST_CHART_CAPTION = "Biểu đồ tiến độ theo đơn vị chủ trì — tính đến ngày {day}"


def blocked_notice(view: AssignmentView) -> str:
    """To the office, once per blocker, when the unit's overdue nag is held back."""
    return (
        f"⏸ Nhiệm vụ {view.task_label} ({view.unit_name}) đã quá hạn {vn_date(view.due)} và đơn vị báo "
        f"vướng mắc: {shorten(view.note or '', 300)}. Bot tạm ngừng nhắc quá hạn đơn vị này cho đến khi "
        "đơn vị báo tình trạng khác; xin Văn phòng xem xét hỗ trợ tháo gỡ."
    )


def ask_fully_done(label: str | int) -> str:
    """The question when a reply says done but also something else ("cơ bản xong"): numbered
    answers, since Zalo has no buttons (the reader takes 1/2, có/chưa, rồi, đúng …)."""
    return f"Nhiệm vụ {label} đã hoàn thành hẳn chưa ạ? 1 = đã xong, 2 = chưa xong"


# --- "sai" / "nhầm": taking back what was just recorded (bot/conversation/retraction.py) ---

RESTATE_QUESTION = "Nhiệm vụ {label} anh/chị đang ở trạng thái nào ạ? 1 = đã xong, 2 = đang làm, 3 = vướng"


def labels_list(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " và " + labels[-1]


def retracted(labels: list[str]) -> str:
    """The answer to "sai": what was undone, and the question again (numbered answers: Zalo
    has no buttons). Several tasks are asked about in words, one line for all."""
    head = f"Xin lỗi, tôi đã hiểu sai. Đã hủy ghi nhận vừa rồi của nhiệm vụ {labels_list(labels)}."
    if len(labels) == 1:
        return f"{head} {RESTATE_QUESTION.format(label=labels[0])}"
    a, b = labels[0], labels[1]
    return f'{head} Xin báo lại từng nhiệm vụ, ví dụ: "{a} xong; {b} đang làm 50%" hoặc "{a} vướng: lý do".'


def already_retracted(labels: list[str]) -> str:
    """ "sai" again: the record is already undone; the question stands."""
    if len(labels) == 1:
        return f"Ghi nhận vừa rồi đã được hủy. {RESTATE_QUESTION.format(label=labels[0])}"
    return (
        f"Ghi nhận vừa rồi của nhiệm vụ {labels_list(labels)} đã được hủy. "
        f'Xin báo lại từng nhiệm vụ, ví dụ: "{labels[0]} xong".'
    )


def retract_too_late(labels: list[str], at: datetime, zone: ZoneInfo) -> str:
    """ "sai" more than 10 minutes after the record: it stays; a new report corrects it."""
    first = labels[0] if labels else "3"
    return (
        f"Ghi nhận nhiệm vụ {labels_list(labels)} lúc {_at(at, zone)} đã quá 10 phút "
        f"nên vẫn được giữ trong lịch sử báo cáo. Để sửa, xin báo lại tình trạng đúng, ví dụ: "
        f'"{first} đang làm 50%" — báo cáo mới sẽ thay cho báo cáo cũ.'
    )


def retract_refused_confirmed(labels: list[str]) -> str:
    return (
        f"Văn phòng đã xác nhận sản phẩm của nhiệm vụ {labels_list(labels)}, nên không thể hủy ghi nhận này. "
        "Nếu có sai sót, xin liên hệ Văn phòng để được điều chỉnh."
    )


def retract_refused_superseded(labels: list[str]) -> str:
    return (
        f"Nhiệm vụ {labels_list(labels)} đã có ghi nhận mới hơn sau tin nhắn đó, nên không hủy được. "
        f'Để sửa, xin báo lại tình trạng đúng, ví dụ: "{labels[0]} đang làm 50%".'
    )


NOTHING_TO_RETRACT = (
    "Chưa có ghi nhận nào của anh/chị để hủy. Xin báo tình trạng nhiệm vụ, ví dụ: "
    '"3 xong", "3 đang làm 50%", "3 vướng: lý do".'
)


def retraction_notice(unit_name: str, unit_code: str, items: list[tuple[str, str, datetime]], zone: ZoneInfo) -> str:
    """To the office: reports it was told of (task label, status, when) were taken back by
    the unit within minutes."""
    listed = "\n".join(
        f"- Nhiệm vụ {label}: {STATUS_LABELS.get(status, status)} (báo lúc {_at(at, zone)})"
        for label, status, at in items
    )
    return f"{unit_name} ({unit_code}) đã rút lại báo cáo vừa gửi (bot hiểu sai tin nhắn); đơn vị sẽ báo lại:\n{listed}"


def _at(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {vn_date(local.date())}"


def retracted_mark(at: datetime, zone: ZoneInfo) -> str:
    """After a report's line in a history: it was taken back, shown, not counted."""
    return f" (đã rút lại lúc {_at(at, zone)})"


# Why an evidence file was not kept (bot/actions/evidence_files.py); shown with the report.
FILE_NOT_FETCHABLE = "kênh này không tải được tệp"


def file_too_large(max_bytes: int) -> str:
    if max_bytes >= 1024 * 1024:
        return f"tệp quá lớn (hơn {max_bytes // (1024 * 1024)} MB)"
    return f"tệp quá lớn (hơn {max_bytes} byte)"


def file_size_over(size: int) -> str:
    return f"tệp quá lớn ({size} byte)"


def file_not_fetched(error: str) -> str:
    return f"không tải được tệp ({error})"


def file_not_written(error: str | None) -> str:
    return f"không ghi được tệp ({error})"
