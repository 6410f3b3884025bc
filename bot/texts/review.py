"""Vietnamese texts of evidence, the office's review (confirm, return), blockers and
declines."""

from __future__ import annotations

from datetime import date

from bot.texts.common import shorten, vn_date
from store.enums import Review, Status

_N = "N là số nhiệm vụ như kế hoạch ghi (3, hoặc II.3 ở kế hoạch có mục)"
USAGE_XACNHAN = f"Cách dùng: /xacnhan N [đơn vị], ví dụ /xacnhan 4 VHXH. {_N}."
USAGE_TRALAI = f"Cách dùng: /tralai N [đơn vị] LÝ_DO, ví dụ /tralai 4 VHXH thiếu số và ngày văn bản. {_N}."
USAGE_GOBO = f"Cách dùng: /gobo N [đơn vị], ví dụ /gobo 4 VHXH. {_N}."
USAGE_CHAPNHAN = f"Cách dùng: /chapnhan N ĐƠN_VỊ, ví dụ /chapnhan 4 CA. {_N}."
USAGE_KHONGCHAPNHAN = f"Cách dùng: /khongchapnhan N ĐƠN_VỊ LÝ_DO, ví dụ /khongchapnhan 4 CA nhiệm vụ có giao. {_N}."

# Review labels, for /summary N (history), the summary and the export.
REVIEW_LABELS: dict[str, str] = {
    Review.NO_EVIDENCE: "Báo xong, chưa có sản phẩm",
    Review.PENDING: "Chờ xác nhận",
    Review.CONFIRMED: "Văn phòng xác nhận hoàn thành",
    Review.RETURNED: "Văn phòng trả lại",
    Review.UNBLOCKED: "Văn phòng gỡ vướng",
}
MARKER_LABELS = {
    "awaiting_confirmation": "chờ xác nhận",
    "no_product": "báo xong, chưa có sản phẩm",
    "returned": "bị trả lại",
    "decline_pending": "đơn vị đề nghị không thực hiện, chờ văn phòng",
}


def review_label(status: str, review: str | None) -> str | None:
    """How a reviewed report reads in a history line, None for a plain one."""
    if review is None:
        return None
    if status == Status.NOT_APPLICABLE:
        declined: dict[str, str] = {
            Review.PENDING: "Đề nghị không thực hiện, chờ văn phòng",
            Review.CONFIRMED: "Văn phòng chấp nhận: không áp dụng",
        }
        return declined.get(review)
    if status == Status.NOT_STARTED and review == Review.RETURNED:
        return "Văn phòng không chấp nhận đề nghị"
    return REVIEW_LABELS.get(review)


def product_hint(product: str) -> str:
    asked = f" ({shorten(product, 200)})" if product.strip() else ""
    return (
        f"Xin gửi sản phẩm{asked}: số và ngày văn bản (ví dụ: Công văn số 45/UBND-VHXH ngày 20/6/2026), "
        "đường link, hoặc ảnh/tệp văn bản."
    )


def done_with_evidence(label: str, evidence: list[str], confirm: bool) -> str:
    listed = "; ".join(evidence)
    then = " Văn phòng sẽ xem và xác nhận." if confirm else ""
    return f"Đã ghi nhận: Nhiệm vụ {label} — báo xong, kèm sản phẩm: {listed}.{then}"


def done_without_evidence(label: str, product: str) -> str:
    return f"Đã ghi nhận: Nhiệm vụ {label} — báo xong, chưa có sản phẩm.\n{product_hint(product)}"


def done_without_evidence_short(label: str) -> str:
    """One answer of several: the product asked for in a few words."""
    return (
        f"Đã ghi nhận: Nhiệm vụ {label} — báo xong, chưa có sản phẩm "
        f'(xin gửi: "{label}: số, ngày văn bản", đường link hoặc ảnh).'
    )


def already_done(label: str, confirmed: bool) -> str:
    if confirmed:
        return f"Nhiệm vụ {label} đã được Văn phòng xác nhận hoàn thành."
    return f"Nhiệm vụ {label} đã báo xong kèm sản phẩm, đang chờ Văn phòng xác nhận."


def evidence_added(label: str, evidence: list[str], confirm: bool) -> str:
    then = " Văn phòng sẽ xem và xác nhận." if confirm else ""
    return f"Đã nhận sản phẩm của nhiệm vụ {label}: {'; '.join(evidence)}.{then}"


FILE_NOT_FETCHED = "ảnh/tệp (chưa tải được, văn phòng đã được báo; nếu được xin gửi lại)"
EVIDENCE_WHICH = (
    "Đã nhận ảnh/tệp, nhưng chưa rõ là sản phẩm của nhiệm vụ nào. "
    'Xin gửi lại kèm số nhiệm vụ trong chú thích, ví dụ "4 xong".'
)


def declined(label: str) -> str:
    return (
        f"Đã ghi nhận: Nhiệm vụ {label} — đơn vị đề nghị không thực hiện (không phát sinh/không thuộc "
        "chức năng). Đã chuyển Văn phòng xem xét; nhiệm vụ chỉ được tính là không áp dụng khi Văn phòng chấp nhận."
    )


# --- to the office ---------------------------------------------------------------------------


def evidence_notice(items: list[tuple[str, str, str, str | None, list[str]]]) -> str:
    """One message per office person per slot: (task, unit, product asked, who, evidence)."""
    lines = [
        "📎 SẢN PHẨM ĐƠN VỊ VỪA GỬI — xin xem và xác nhận (/xacnhan N ĐƠN_VỊ) hoặc trả lại (/tralai N ĐƠN_VỊ LÝ_DO):"
    ]
    for label, unit, product, who, evidence in items:
        lines.append(f"• NV {label} — {unit}" + (f" ({who})" if who else "") + f": {'; '.join(evidence)}")
        if product.strip():
            lines.append(f"  Sản phẩm theo kế hoạch: {shorten(product, 160)}")
    return "\n".join(lines)


def decline_notice(label: str, unit_name: str, unit_code: str, words: str) -> str:
    return (
        f"❓ Nhiệm vụ {label}: {unit_name} đề nghị không thực hiện: “{shorten(words, 300)}”.\n"
        f"Xin Văn phòng chấp nhận (/chapnhan {label} {unit_code}) hoặc không chấp nhận "
        f"(/khongchapnhan {label} {unit_code} LÝ_DO)."
    )


def blocked_now_notice(
    label: str, unit_name: str, unit_code: str, reason: str, nudged: list[str], nobody: list[str]
) -> str:
    lines = [
        f"⏸ Nhiệm vụ {label}: {unit_name} báo vướng mắc: “{shorten(reason, 300)}”.",
        "Bot tạm ngừng nhắc quá hạn đơn vị này cho đến khi đơn vị báo tình trạng khác "
        f"hoặc Văn phòng gỡ vướng (/gobo {label} {unit_code}).",
    ]
    if nudged:
        lines.append(f"Lý do nêu đơn vị phối hợp: đã nhắc {', '.join(nudged)}.")
    if nobody:
        lines.append(f"Lý do nêu đơn vị phối hợp {', '.join(nobody)} nhưng đơn vị chưa có người nhận (chưa liên kết).")
    return "\n".join(lines)


def coordinator_nudge(label: str, content: str, lead_name: str, reason: str) -> str:
    return (
        f"🔔 Nhiệm vụ {label} (đơn vị phối hợp): {shorten(content, 160)}\n"
        f"Đơn vị chủ trì {lead_name} báo vướng: “{shorten(reason, 300)}”.\n"
        "Đề nghị đơn vị phối hợp hỗ trợ để nhiệm vụ được thực hiện đúng hạn."
    )


# --- to the unit -----------------------------------------------------------------------------


def confirmed_to_unit(label: str, reported: date) -> str:
    return f"✅ Văn phòng đã xác nhận nhiệm vụ {label} hoàn thành (ngày hoàn thành: {vn_date(reported)})."


def returned_to_unit(label: str, content: str, reason: str, product: str) -> str:
    return (
        f"↩ Văn phòng trả lại nhiệm vụ {label}: {shorten(content, 160)}\n"
        f"Lý do: {shorten(reason, 400)}\n"
        f'Nhiệm vụ được mở lại và tiếp tục được nhắc. Xin hoàn thiện rồi báo lại "{label} xong" kèm sản phẩm. '
        + product_hint(product)
    )


def unblocked_to_unit(label: str) -> str:
    return (
        f"Văn phòng đã gỡ vướng nhiệm vụ {label}; bot nhắc lại theo lịch. "
        f'Xin báo tiến độ, ví dụ "{label} đang làm 50%".'
    )


def decline_accepted_to_unit(label: str) -> str:
    return f"Văn phòng chấp nhận đề nghị của đơn vị: nhiệm vụ {label} không áp dụng với đơn vị, không nhắc nữa."


def decline_refused_to_unit(label: str, content: str, reason: str) -> str:
    return (
        f"Văn phòng không chấp nhận đề nghị không thực hiện nhiệm vụ {label}: {shorten(content, 160)}\n"
        f"Lý do: {shorten(reason, 400)}\nNhiệm vụ vẫn giao cho đơn vị và tiếp tục được nhắc."
    )


# --- answers to the office -------------------------------------------------------------------


def confirmed_reply(label: str, unit: str, reported: date) -> str:
    return f"Đã xác nhận: Nhiệm vụ {label} — {unit} hoàn thành ngày {vn_date(reported)} (ngày đơn vị báo xong)."


def returned_reply(label: str, unit: str) -> str:
    return f"Đã trả lại nhiệm vụ {label} cho {unit}; đơn vị đã được báo lý do và tiếp tục được nhắc."


def unblocked_reply(label: str, unit: str) -> str:
    return f"Đã gỡ vướng nhiệm vụ {label} của {unit}; nhắc quá hạn tiếp tục theo lịch."


def accepted_reply(label: str, unit: str) -> str:
    return f"Đã chấp nhận: nhiệm vụ {label} không áp dụng với {unit}."


def refused_reply(label: str, unit: str) -> str:
    return f"Đã không chấp nhận đề nghị của {unit}; nhiệm vụ {label} mở lại, đơn vị đã được báo."


def nothing_to(label: str, what: str) -> str:
    return f"Nhiệm vụ {label} không có {what}."


def name_the_unit(label: str, units: list[str], usage: str) -> str:
    return f"Nhiệm vụ {label} có nhiều đơn vị ({', '.join(units)}): xin ghi rõ đơn vị.\n{usage}"


# What the office's decisions need first: `nothing_to(label, …)` when there is nothing to decide.
AWAITING_CONFIRMATION = "báo xong chờ xác nhận"
DONE_TO_RETURN = "báo xong để trả lại"
ANY_BLOCKER = "đơn vị nào báo vướng"
DECLINE_TO_REVIEW = "đề nghị không thực hiện chờ xem xét"
NEED_RETURN_REASON = "Xin ghi lý do trả lại."
NEED_REFUSAL_REASON = "Xin ghi lý do không chấp nhận."
NEED_EXTENSION_REFUSAL_REASON = "Xin ghi lý do không đồng ý gia hạn."


def file_words(photo: bool, filename: str | None) -> str:
    """A file a unit sent, as the unit's confirmation names it."""
    return "ảnh" if photo else f"tệp {filename or ''}".strip()


def file_notice_words(photo: bool, path: str | None, error: str | None, file_id: str | None) -> str:
    """A file a unit sent, as the office's notice names it: where it is kept, or why it is not."""
    if path:
        return f"{'ảnh' if photo else 'tệp'} (lưu tại {path})"
    return f"ảnh/tệp chưa tải được ({error}; mã tệp {(file_id or '')[:60]})"


def evidence_caption(label: str, unit_name: str) -> str:
    return f"Sản phẩm nhiệm vụ {label} — {unit_name}"
