"""What a unit head reads on the desk when reporting on a task (the confirmations are the
chat's own lines, in bot/texts/common.py, review.py and extensions.py)."""

from __future__ import annotations

REPORT_KINDS = {
    "xong": "Đã hoàn thành",
    "dang-lam": "Đang thực hiện",
    "vuong": "Vướng mắc",
    "khong-thuc-hien": "Đề nghị không thực hiện",
    "gia-han": "Xin gia hạn",
}
NO_SUCH_REPORT = "Không có loại báo cáo này."
NOT_YOUR_ASSIGNMENT = "Nhiệm vụ {label} không giao cho đơn vị của anh/chị (hoặc chưa đến kỳ)."
PERCENT_RANGE = "Tỷ lệ hoàn thành ghi bằng số từ 0 đến 100."
NEED_BLOCK_REASON = "Xin ghi rõ vướng mắc (lý do) để văn phòng biết và hỗ trợ."
NEED_DECLINE_REASON = "Xin ghi lý do đề nghị không thực hiện (ví dụ: không phát sinh trong kỳ)."
UPLOAD_LENGTH_NEEDED = "Trình duyệt chưa cho biết kích thước tệp; xin gửi lại."
FILE_NOT_KEPT = "Chưa lưu được tệp gửi lên; xin thử lại, hoặc gửi số, ngày văn bản hay đường link."


def upload_too_large(limit: int) -> str:
    return (
        f"Tệp gửi lên quá lớn (tối đa {limit // (1024 * 1024)} MB). "
        "Xin chụp lại với kích thước nhỏ hơn, hoặc gửi số, ngày văn bản hay đường link."
    )


NEED_DAY = "Xin chọn ngày đề nghị gia hạn đến (dạng 15/07/2026)."


def report_words(kind: str, label: str, detail: str) -> str:
    """The history's line for a report made on the desk."""
    text = f"{REPORT_KINDS[kind]} nhiệm vụ {label}"
    return f"{text}: {detail}" if detail else text


# --- login links -----------------------------------------------------------------------------

USED_LINK = (
    "Liên kết đăng nhập này đã được dùng hoặc đã hết hạn (mỗi liên kết dùng một lần, trong 10 phút). "
    "Xin nhắn /web cho bot để nhận liên kết mới."
)
TOO_MANY = "Có quá nhiều lần mở liên kết không hợp lệ từ máy này. Xin chờ 15 phút rồi thử lại."
TOO_MANY_FOR_LINK = (
    "Liên kết đăng nhập này đã được mở quá nhiều lần. Xin chờ 15 phút, hoặc nhắn /web cho bot để nhận liên kết mới."
)
LOGIN_NEEDED = (
    "Trang làm việc mở bằng liên kết đăng nhập dùng một lần. Xin nhắn /web cho bot (Telegram hoặc Zalo) "
    "để nhận liên kết mới, hoặc nhờ người quản trị chạy: nhacviec desk-link."
)

# --- page titles and the refusals every page shares ------------------------------------------

TITLE_PAUSED = "Tạm dừng đăng nhập"
TITLE_LINK_GONE = "Liên kết không còn dùng được"
TITLE_LOGGED_OUT = "Đã đăng xuất"
LOGGED_OUT = "Anh/chị đã đăng xuất khỏi trang làm việc."
TITLE_NOT_FOUND = "Không tìm thấy"
NO_SUCH_PAGE = "Không có trang này."
CANNOT_DO_REQUEST = "Không thực hiện được yêu cầu này."
TITLE_ERROR = "Có lỗi"
SYSTEM_ERROR = "Trang chưa mở được do lỗi của hệ thống. Xin thử lại sau ít phút; nếu vẫn lỗi, báo người quản trị."
TITLE_REFUSED = "Không thực hiện được"
TITLE_LOGIN_NEEDED = "Cần đăng nhập"
NOT_FOR_ROLE = "Trang này không dành cho vai trò của anh/chị."
SESSION_CHANGED = "Phiên làm việc đã thay đổi; xin tải lại trang rồi thử lại."
WARD_GONE = "Phường này không còn được theo dõi."
PLANS_BEING_READ = "Hệ thống vừa khởi động và đang đọc kế hoạch của phường này; xin tải lại trang sau ít giây."
OWN_WARD_ONLY = "Anh/chị chỉ xem được phường của mình."
NO_SUCH_WARD = "Không có phường này."
BODY_TOO_LARGE = "Nội dung gửi lên quá lớn."
ALL_WARDS = "Các phường"


def bad_date(text: str) -> str:
    return f"Ngày không hợp lệ: {text[:40]} (dạng 14/06/2026)."


NEED_BOTH_ENDS = "Cần cả ngày bắt đầu và ngày kết thúc của khoảng."

# --- the matrix and the task page ------------------------------------------------------------

STANDING_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "in_progress": "Đang thực hiện",
    "overdue": "Quá hạn",
    "not_started": "Chưa bắt đầu",
    "waiting": "Chờ điều kiện",
    "not_applicable": "Không áp dụng",
}
FOUR_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "in_term": "Đang thực hiện trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
}
FLAG_LABELS = {
    "awaiting_confirmation": "Chờ văn phòng xác nhận",
    "returned": "Bị trả lại",
    "blocked": "Vướng mắc",
    "extension_pending": "Xin gia hạn, chờ duyệt",
}
CHANNEL_LABELS = {
    "telegram": "Telegram",
    "zalo": "Zalo",
    "console": "thử trên máy",
    "office": "văn phòng ghi nhận hộ",
    "desk": "trang làm việc",
}
# The office's actions on a task, by their form value.
ACTIONS = {
    "xac-nhan": "Xác nhận hoàn thành",
    "tra-lai": "Trả lại",
    "go-vuong": "Gỡ vướng",
    "chap-nhan": "Chấp nhận đề nghị không thực hiện",
    "khong-chap-nhan": "Không chấp nhận đề nghị không thực hiện",
    "duyet-gia-han": "Đồng ý gia hạn",
    "tu-choi-gia-han": "Không đồng ý gia hạn",
    "nhac-ngay": "Nhắc ngay",
}
NO_UNIT = "Anh/chị chưa thuộc đơn vị nào."
NO_SUCH_ACTION = "Không có thao tác này."
OFFICE_ONLY = "Chỉ văn phòng, lãnh đạo phường thực hiện được thao tác này."
NO_SUCH_FILE = "Không có tệp này."
FILE_NOT_FETCHED = "Tệp này chưa tải được về máy chủ."
FILE_GONE = "Tệp không còn trên máy chủ."
HEADS_ONLY = "Chỉ lãnh đạo đơn vị báo cáo được nhiệm vụ của đơn vị mình."
OWN_WARD_TASKS_ONLY = "Anh/chị chỉ báo cáo được nhiệm vụ của phường mình."


def no_task(label: str) -> str:
    return f"Không có nhiệm vụ {label[:40]}."


def not_your_task(label: str) -> str:
    return f"Nhiệm vụ {label[:40]} không giao cho đơn vị của anh/chị."


def action_words(action: str, label: str, unit: str | None, reason: str | None) -> str:
    """The history's line for an office action taken on the desk."""
    return f"{ACTIONS[action]} nhiệm vụ {label}" + (f" — {unit}" if unit else "") + (f": {reason}" if reason else "")


def no_pending_extension(label: str, unit: str | None) -> str:
    return f"Không có đề nghị gia hạn nào đang chờ duyệt cho nhiệm vụ {label} của {unit}."


def not_assigned_to(label: str, unit: str | None) -> str:
    return f"Nhiệm vụ {label} không giao cho đơn vị {unit or '(chưa chọn)'}."


def with_files(detail: str, filenames: list[str]) -> str:
    """A desk report's history line, naming the files sent with it."""
    return "; ".join([detail, *(f"tệp {name}" for name in filenames)])


def extension_detail(day: str, reason: str | None) -> str:
    return f"đến {day}" + (f": {reason}" if reason else "")


# --- reports, files and people ---------------------------------------------------------------

CYCLE_NOT_STARTED = "Kỳ báo cáo này chưa bắt đầu vào ngày đã chọn; chưa có số liệu."
NO_SUCH_FILE_KIND = "Không có loại tệp này."
INVITE_INCOMPLETE = "Xin chọn đơn vị, vai trò và ghi họ tên người được mời."
NO_SUCH_PERSON = "Không có người này."
NOT_YOURSELF = "Không tự hủy liên kết của chính mình được."
DEMO_OFFICE_NAME = "Văn phòng (trang làm việc)"


def unlinked(name: str) -> str:
    return f"Đã hủy liên kết {name}. Lịch sử báo cáo vẫn được giữ."
