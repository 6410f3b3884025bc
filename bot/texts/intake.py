"""Words of the desk's plan intake (`/ke-hoach/nhap`) and the running plan (`/ke-hoach`)."""

from __future__ import annotations

from bot.texts.common import shorten
from scheduler.plan.compare import DiffKind, PlanDiff, TaskDiff

MAX_UPLOAD_MB = 10

TOO_LARGE = f"Tệp quá lớn: trang nhận tệp kế hoạch đến {MAX_UPLOAD_MB} MB (một kế hoạch thường dưới 1 MB)."
NO_LENGTH = "Trình duyệt không cho biết cỡ tệp; xin tải lại trang rồi gửi lại tệp."
NO_FILE = "Xin chọn tệp kế hoạch (Word .docx, Excel .xlsx, hoặc tệp kế hoạch .yaml) rồi bấm Đọc kế hoạch."
WRONG_KIND = (
    'Chưa đọc được tệp dạng "{suffix}": xin dùng tệp Word (.docx, .doc, .odt), Excel (.xlsx) hoặc tệp kế hoạch .yaml.'
)
NOT_OFFICE_FILE = (
    'Không đọc được "{name}": tệp không phải tệp Word/Excel thật (có thể đã đổi đuôi) — '
    "hãy mở bằng Word hoặc Excel và lưu lại."
)
BOMB = 'Không đọc được "{name}": nội dung giải nén quá lớn so với một kế hoạch — tệp có thể bị hỏng hoặc cố ý gây hại.'
BAD_PLAN_FILE = 'Tệp kế hoạch "{name}" chưa dùng được: {problem}'
READ_FAILED = 'Không đọc được "{name}" do một lỗi chưa lường trước; xin lưu lại tệp bằng Word rồi thử lại.'
NO_DRAFT = "Không có bản nháp này (có thể đã được kích hoạt hoặc đã xóa)."
QUESTIONS_OPEN = "Còn {n} câu hỏi chưa trả lời: kế hoạch chỉ được kích hoạt khi mọi câu hỏi đã có câu trả lời."
PROBLEMS_LEFT = "Bản nháp còn lỗi cần sửa trước khi kích hoạt: {problem}"
SAVED = "Đã lưu bản nháp. Anh/chị có thể quay lại bất cứ lúc nào ở mục Kế hoạch."
OTHER_WARD = (
    "Kế hoạch này là của {ward} ({code}), khác kế hoạch đang chạy ({running_ward}, {running_code}); "
    "máy chủ đang chạy một kế hoạch duy nhất nên không thay được từ trang này — xin báo người quản trị."
)
ANOTHER_WARDS = (
    "Kế hoạch {code} của {ward} đang chạy cho một phường khác: chỉ văn phòng phường đó thay được kế hoạch này."
)
TAKEN = 'Thư mục kế hoạch đã có tệp "{name}" của kế hoạch khác; xin báo người quản trị.'
OTHER_ISSUED = (
    "Kế hoạch {code} của {ward} đã có trong cơ sở dữ liệu với ngày ban hành {old}; bản này ghi ngày {new}. "
    "Nếu là kế hoạch mới, số kế hoạch phải khác; nếu cùng kế hoạch, hãy sửa ngày ban hành cho khớp."
)
ACTIVATED = "Đã kích hoạt kế hoạch {code}: {tasks} nhiệm vụ, {units} đơn vị; {queued} lời nhắc đang chờ gửi."
WRITE_FAILED = "Không ghi được tệp kế hoạch vào thư mục kế hoạch: {why}. Xin báo người quản trị."
BAD_CODE = 'Mã đơn vị "{code}" không dùng được: chỉ gồm chữ in hoa không dấu, chữ số và "_", tối đa 32 ký tự.'
SAME_CODE = 'Hai đơn vị cùng mã "{code}": xin đặt mã khác nhau.'
ROW_SAVED = "Đã lưu dòng {label}."
NEW_UNIT = "Đơn vị mới"

CONFIDENCE = {
    "exact": "đọc được",
    "read": "đọc được (bỏ qua chữ không phải thời hạn)",
    "unsure": "chưa chắc — có nhiều cách hiểu",
    "unknown": "chưa đọc được",
}
KIND_LABELS = {
    "plan": "Thông tin kế hoạch",
    "content": "Nội dung",
    "lead": "Đơn vị chủ trì",
    "group": "Nhóm đơn vị",
    "unit": "Cách viết tên đơn vị",
    "deadline": "Thời hạn",
}
CHANGE_LABELS = {
    DiffKind.ADDED: "Nhiệm vụ thêm",
    DiffKind.REMOVED: "Nhiệm vụ bỏ",
    DiffKind.RESTORED: "Nhiệm vụ khôi phục",
    DiffKind.RENUMBERED: "Nhiệm vụ đổi số",
    DiffKind.REWORDED: "Nội dung sửa",
    DiffKind.DEADLINE_MOVED: "Thời hạn đổi",
    DiffKind.LEAD_CHANGED: "Đơn vị chủ trì đổi",
    DiffKind.COORDINATE_CHANGED: "Đơn vị phối hợp đổi",
    DiffKind.OTHER_WORK: "Cùng mã nhưng là việc khác:",
    "unit_added": "Đơn vị thêm",
    "unit_removed": "Đơn vị bỏ",
    "plan": "Thông tin kế hoạch đổi",
}


def task_change_text(c: TaskDiff) -> str:
    """What one task change means for people, after its label (CHANGE_LABELS names the kind)."""
    follow = f" ({c.reports} báo cáo đi theo nhiệm vụ)" if c.reports else ""
    if c.kind in (DiffKind.ADDED, DiffKind.RESTORED):
        return shorten(c.new or c.old, 90) + follow
    if c.kind == DiffKind.REMOVED:
        kept = f"; {c.reports} báo cáo cũ vẫn được lưu" if c.reports else ""
        return f"{shorten(c.old, 90)} — không còn được nhắc{kept}"
    if c.kind == DiffKind.RENUMBERED:
        return f"trước là nhiệm vụ {c.old}, nay là nhiệm vụ {c.new}{follow}"
    if c.kind == DiffKind.REWORDED:
        return f"vẫn là việc cũ: {shorten(c.new, 90)}{follow}"
    if c.kind in (DiffKind.DEADLINE_MOVED, DiffKind.LEAD_CHANGED, DiffKind.COORDINATE_CHANGED):
        return f"{c.old} → {c.new}"
    return (
        f'trước "{shorten(c.old, 70)}" (thời hạn "{c.old_deadline}"), nay "{shorten(c.new, 70)}" '
        f'(thời hạn "{c.new_deadline}"); {c.reports} báo cáo của việc cũ sẽ được tính cho việc mới. '
        "Nếu đây là việc mới, hãy để nhiệm vụ này một mã (id) mới."
    )


def reports_kept(diff: PlanDiff) -> str:
    """Where the reports go, counted from the database: they follow each task's id."""
    line = (
        f"{diff.reports_kept} báo cáo đã có ở lại với đúng nhiệm vụ của mình (theo mã nhiệm vụ, không theo số thứ tự)."
    )
    if diff.reports_on_removed:
        line += f" {diff.reports_on_removed} báo cáo của các nhiệm vụ bỏ đi vẫn được lưu."
    return line


def deadline_read(confidence: str, summary: str) -> str:
    """What the live reader shows under a deadline field as the clerk types."""
    head = CONFIDENCE.get(confidence, confidence)
    return f"{head}: {summary}" if summary else head


_FIELD_WORDS = (
    ("hãy điền plan.ward", "hãy ghi tên phường/xã"),
    ("hãy điền plan.code", "hãy ghi số kế hoạch"),
    ("plan.ward", "tên phường/xã"),
    ("plan.code", "số kế hoạch"),
    (" (khai báo thêm trong units)", ""),
    ("khai báo thêm trong units", ""),
    (" (members)", ""),
    (" (lead)", ""),
    (" (content)", ""),
    (" (units)", ""),
    (" (coordinating_unit)", ""),
    ("khai báo đơn vị mới", "chọn đơn vị mới"),
)


def for_clerk(text: str) -> str:
    """A reader's question as the desk shows it: without the draft file's field names, which
    `nhacviec import` prints for whoever edits the YAML."""
    for written, said in _FIELD_WORDS:
        text = text.replace(written, said)
    return text


# --- the desk's plan pages -------------------------------------------------------------------

PLAN_PAGES_ROLES = "Trang kế hoạch dành cho văn phòng và lãnh đạo phường."
NO_SUCH_VERSION = "Không có phiên bản này."
RUNNING_PLAN_UNREADABLE = "Không đọc được tệp kế hoạch đang chạy; xin báo người quản trị."
NO_SUCH_ROW = "Không có dòng này."
DRAFT_DELETED = "Đã xóa bản nháp."
NOT_ACTIVATED = "Kế hoạch chưa được kích hoạt."
OR = " hoặc "  # between the candidate readings of an unsure deadline
NO_SUFFIX = "không có đuôi"
# The plan's own fields, as the comparison with the running plan names them.
PLAN_FIELDS = (("ward", "tên phường"), ("code", "số kế hoạch"), ("issued", "ngày ban hành"))
CYCLES = "kỳ báo cáo"
TARGETS = "chỉ tiêu"
NONE = "không có"
EVERY_UNIT = "mọi đơn vị"


def list_change(before: list[str], after: list[str]) -> str:
    return f"{', '.join(before) or NONE} → {', '.join(after) or NONE}"


def draft_header(source: str) -> str:
    """The first line of a plan file written from a desk draft."""
    return f'# Kế hoạch nhập ở trang làm việc từ "{source}".\n'


def days_before(seq: int) -> str:
    return f" {seq} ngày"


def cycle_line(kind_label: str, cycle: str, due: str) -> str:
    return f"{kind_label} — {cycle}, hạn {due}"
