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
