"""What the channels say when they cannot start or send: the operator's one line at start
(token refused, network unreachable, webhook settings, a busy port) and Zalo's send errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

# Start-up: retries and webhook settings (bot/channels/startup.py).

RETRY_LOG = "%s: %s; lần thử %d/%d, thử lại sau %g giây"


def gave_up(exc: object, tries: int) -> str:
    return f"{exc} (đã thử {tries} lần). Kiểm tra mạng và tường lửa của máy chủ."


NO_PUBLIC_URL = (
    "chế độ webhook cần NHACVIEC_PUBLIC_URL, địa chỉ HTTPS công khai mà Telegram/Zalo gọi tới "
    "(ví dụ https://nhacviec.phuong.example.vn)."
)


def public_url_not_https(url: str) -> str:
    return f"NHACVIEC_PUBLIC_URL phải là địa chỉ https:// công khai, không phải {url!r}."


PUBLIC_URL_QUERY = "NHACVIEC_PUBLIC_URL không được có phần ?… hoặc #…."
NO_TELEGRAM_SECRET = "chế độ webhook cần NHACVIEC_TELEGRAM_WEBHOOK_SECRET (một chuỗi ngẫu nhiên dài)."
BAD_TELEGRAM_SECRET = "NHACVIEC_TELEGRAM_WEBHOOK_SECRET chỉ được gồm chữ A-Z, a-z, số, '_' và '-', tối đa 256 ký tự."
NO_ZALO_SECRET = "chế độ webhook cần NHACVIEC_ZALO_WEBHOOK_SECRET (một chuỗi ngẫu nhiên dài)."
BAD_ZALO_SECRET = "NHACVIEC_ZALO_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự."


def bad_listen_host(host: str, setting: str = "NHACVIEC_WEBHOOK_LISTEN") -> str:
    return f"không dùng được địa chỉ lắng nghe {host!r} ({setting})."


def port_busy(host: str, port: int, why: str | None, setting: str = "NHACVIEC_WEBHOOK_PORT") -> str:
    hint = ", hoặc NHACVIEC_DESK_ENABLED=false nếu không dùng trang làm việc" if setting == "NHACVIEC_DESK_PORT" else ""
    return (
        f"cổng {port} trên {host} đang được dùng hoặc không được phép ({why}). "
        f"Dừng tiến trình đang giữ cổng, hoặc đặt {setting} khác{hint}."
    )


def folder_not_writable(folder: Path, why: str | None) -> str:
    return f"không ghi được vào thư mục {folder} ({why}); kiểm tra quyền hoặc NHACVIEC_FILES_PATH."


# Telegram (bot/channels/telegram/app.py).

TELEGRAM_TOKEN_REFUSED = "Telegram từ chối token (NHACVIEC_TELEGRAM_TOKEN); kiểm tra lại token với @BotFather."
TELEGRAM_TOKEN_REFUSED_WEBHOOK = "Telegram từ chối token (NHACVIEC_TELEGRAM_TOKEN) khi đăng ký webhook."


def telegram_unreachable(error: str) -> str:
    return f"không kết nối được Telegram ({error})"


def telegram_error(error: str) -> str:
    return f"Telegram trả lỗi khi khởi động ({error})."


def telegram_webhook_unreachable(error: str) -> str:
    return f"không đăng ký được webhook Telegram ({error})"


def telegram_webhook_refused(url: str, message: str) -> str:
    return f"Telegram không nhận webhook {url}: {message}"


# Zalo (bot/channels/zalo/).

ZALO_AT_START = "khi khởi động"


def zalo_at_webhook(url: str) -> str:
    return f"khi đăng ký webhook {url}"


def zalo_token_refused(when: str) -> str:
    return f"Zalo từ chối token (NHACVIEC_ZALO_TOKEN) {when}; kiểm tra lại token của Zalo Bot."


def zalo_unreachable(when: str, exc: object) -> str:
    return f"không kết nối được Zalo {when} ({exc})"


def zalo_error(when: str, exc: object) -> str:
    return f"Zalo trả lỗi {when}: {exc}"


def zalo_error_code(exc: object, code: object) -> str:
    return f"{exc} (mã lỗi {code})"


def zalo_paused(seconds: float) -> str:
    return f"Zalo 429: kênh Zalo tạm dừng {seconds:.0f} s"


# The console channel: a terminal chat for trying the bot (bot/channels/console.py).


def console_to(name: str) -> str:
    return f"\n┌─ tin nhắn tới {name}\n"


def console_person(role: str, code: str, title: str) -> str:
    """The name the console's stand-in person of a unit (and role) is given."""
    return f"Văn phòng {code}" if role == "office" else "Lãnh đạo" if role == "leader" else title


def console_office_choice(office_name: str) -> str:
    return f"Văn phòng theo dõi kế hoạch — {office_name} (/summary, /remind…)"


CONSOLE_LEADER_CHOICE = "Lãnh đạo UBND (Chủ tịch, Phó Chủ tịch): tổng hợp, xếp loại đơn vị (/summary)"
CONSOLE_WHICH_ROLE = "\nBạn muốn dùng thử với vai trò nào?"
CONSOLE_PICK = "Chọn số: "
CONSOLE_PICK_AGAIN = "Xin nhập một số trong danh sách."


def console_you_are(label: str) -> str:
    return f"\nBạn đang là: {label}. Gõ /help để xem lệnh, /chon để đổi vai, /thoat để thoát."


def console_greeting(ward: str, plan_code: str, now: datetime) -> str:
    return f"Nhắc việc — {ward}, kế hoạch {plan_code}. Giờ của bot: {now:%d/%m/%Y %H:%M}."


def console_clock(weekday_date: str, now: datetime) -> str:
    return f"  Giờ của bot: {weekday_date}, {now:%H:%M}"
