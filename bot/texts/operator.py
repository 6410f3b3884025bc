"""What the operator's commands say to the office (restore)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the type only: `nhacviec --help` and `link` load no SQLAlchemy through the texts
    from store.health import OutboxHealth


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


# What `nhacviec --help` and each command's --help say, by command (and option).
HELP = {
    "desk-link": "cấp liên kết đăng nhập trang làm việc (dùng một lần, 10 phút) cho một người",
    "desk-link --unit": "mã hoặc tên đơn vị (không cần với vai trò city)",
    "desk-link --role": (
        "vai trò: office (văn phòng), leader (lãnh đạo), head (thủ trưởng đơn vị), city (theo dõi các phường)"
    ),
    "desk-link --name": "họ tên (người chưa có thì được thêm)",
    "export": "xuất bảng tổng hợp (Excel), dự thảo báo cáo (Word) và biểu đồ cho kỳ báo cáo",
    "export --cycle": "mã kỳ báo cáo trong kế hoạch (ví dụ six_month, yearly)",
    "export --year": "năm của kỳ báo cáo (năm kết thúc số liệu)",
    "export --from": "số liệu từ ngày (14/6/2026 hoặc 2026-06-14)",
    "export --to": "số liệu đến ngày",
    "export --on": "tình trạng tính đến ngày (mặc định: hôm nay)",
    "export --out": "tệp Excel (.xlsx) cần ghi",
    "export --docx": "tệp dự thảo báo cáo (.docx) cần ghi",
    "export --chart": "tệp biểu đồ (.png) cần ghi",
    "export --city": "một tệp Excel cho mọi phường: trang tổng hợp các phường, rồi mỗi phường một trang",
    "nhacviec --version": "in phiên bản rồi thoát",
    "check": "kiểm tra tệp kế hoạch và giải thích từng thời hạn",
    "check plan": "đường dẫn tasks.yaml (mặc định: data/tasks.yaml)",
    "check --against": (
        "so với kế hoạch đang chạy trong cơ sở dữ liệu (mặc định: NHACVIEC_DATABASE_URL): nhiệm vụ thêm, bỏ, "
        "sửa, đổi số, đổi hạn; báo cáo ở lại theo mã nhiệm vụ"
    ),
    "check --confirm": 'cùng --against: xác nhận các nhiệm vụ "cùng mã, việc khác" để bot áp dụng kế hoạch sửa đổi',
    "check --write-ids": (
        "ghi mã (id) vào các nhiệm vụ chưa có; cùng --against: đúng mã nhiệm vụ đang chạy trong cơ sở dữ liệu"
    ),
    "schedule": "lịch nhắc việc: khi nào, đơn vị nào, nhiệm vụ nào",
    "schedule --plan": "đường dẫn tasks.yaml",
    "schedule --from": "từ ngày (YYYY-MM-DD)",
    "schedule --to": "đến ngày (YYYY-MM-DD)",
    "schedule --unit": "mã hoặc tên đơn vị",
    "deadline": "giải thích một cụm từ thời hạn",
    "deadline phrase": 'ví dụ "Trước 10/5/2026"',
    "deadline --plan-year": "năm của kế hoạch, dùng khi thời hạn không ghi năm",
    "import": "tạo bản nháp tasks.yaml từ phụ lục kế hoạch (.docx, .xlsx, .doc, .odt)",
    "import file": "tệp kế hoạch, ví dụ ke-hoach-158.docx",
    "import --out": "tệp YAML sẽ ghi (mặc định: cùng tên, đuôi .yaml)",
    "import --plan-year": "năm của kế hoạch, dùng khi thời hạn không ghi năm",
    "import --force": "ghi đè tệp --out nếu đã có",
    "migrate": "nâng cấp lược đồ cơ sở dữ liệu (an toàn khi nhiều tiến trình cùng chạy); --to để hạ về bản cũ",
    "migrate --to": "phiên bản lược đồ đích (mặc định: mới nhất), ví dụ 0009r",
    "restore": "khôi phục bản sao lưu SQLite (dừng bot trước) mà không gửi lại tin có thể đã gửi",
    "restore file": "tệp sao lưu do nhacviec backup tạo",
    "restore --database-restored": (
        "PostgreSQL: cơ sở dữ liệu vừa được pg_restore; chỉ làm bước chặn gửi lại và báo Văn phòng"
    ),
    "restore --stopped-at": "bot cũ đã dừng hẳn lúc này (không gửi gì sau đó): tin đến hạn sau mốc này vẫn được gửi",
    "restore --force": "khôi phục cả khi có dấu hiệu bot đang chạy",
    "record": "ghi nhận hộ tình trạng một đơn vị báo qua điện thoại hoặc văn bản",
    "record stt": "số thứ tự nhiệm vụ",
    "record text": 'lời đơn vị báo, ví dụ "đã xong" hoặc "vướng: chưa có kinh phí"',
    "record --unit": "mã hoặc tên đơn vị báo tình trạng",
    "record --at": "thời điểm đơn vị báo (mặc định: bây giờ), ví dụ 2026-06-03T09:30",
    "run": "chạy bot: lịch nhắc + trò chuyện (console, Telegram, Zalo)",
    "run --now": "bắt đầu đồng hồ của bot tại thời điểm này",
    "run --speed": "đồng hồ chạy nhanh gấp bao nhiêu lần (với --now)",
    "run --verbose": "in nhật ký chi tiết",
    "link": "cấp mã liên kết một lần cho một người của đơn vị",
    "link --unit": "mã hoặc tên đơn vị (không cần với vai trò city)",
    "link --role": "vai trò: head (thủ trưởng), deputy (cấp phó / đầu mối), office, leader, city (theo dõi các phường)",
    "link --name": "họ tên",
    "remind": "nhắc ngay một nhiệm vụ (bot đang chạy sẽ gửi trong vài giây)",
    "remind stt": "số hoặc nhãn nhiệm vụ, ví dụ 4 hoặc II.3",
    "remind --unit": "chỉ nhắc đơn vị này (mã hoặc tên)",
    "reply": "xem bot hiểu một câu trả lời thế nào",
    "reply text": 'ví dụ "đang làm 50%%"',
    "status": "tình trạng bot: hàng đợi, lần gửi gần nhất, lỗi trong 24 giờ, cảnh báo",
    "backup": "sao lưu cơ sở dữ liệu SQLite khi bot đang chạy (PostgreSQL: in lệnh pg_dump)",
    "backup --out": "tệp sao lưu, hoặc thư mục để đặt tệp có dấu thời gian",
}

# --- people and links (nhacviec link, desk-link) ---------------------------------------------

NEED_UNIT = "cần --unit (mã hoặc tên đơn vị) cho vai trò head, office, leader"
NEED_NAME = "cần --name (họ tên)"


def desk_link_for(name: str, ward: str, minutes: int) -> str:
    return f"Liên kết đăng nhập trang làm việc cho {name} ({ward}), dùng một lần trong {minutes} phút:"


def link_code_lines(name: str, role: str, unit: str, code: str, expires: str, deep_link: str | None) -> list[str]:
    """What `nhacviec link` prints: the code, until when, how to send it."""
    lines = [
        f"Mã liên kết cho {name} ({role}, {unit}): {code}",
        f"Hết hạn: {expires}. Dùng một lần.",
        f"Gửi cho bot: /start {code}  (Zalo: LIENKET {code})",
    ]
    return lines + ([f"Hoặc mở: {deep_link}"] if deep_link else [])


BOT_SENDS_SOON = "Bot đang chạy sẽ gửi trong vài giây."

# --- plans, units, dates ---------------------------------------------------------------------


def plan_folder_given(target: str) -> str:
    return f"{target} là thư mục kế hoạch (nhiều phường); hãy chỉ một tệp, ví dụ --plan {target}/…"


def no_such_unit(text: str, known: str) -> str:
    return f'Không có đơn vị "{text}". Các đơn vị: {known}'


def bad_iso_date(text: str) -> str:
    return f"ngày không hợp lệ: {text!r} (dạng YYYY-MM-DD)"


def bad_iso_datetime(text: str) -> str:
    return f"thời điểm không hợp lệ: {text!r} (dạng 2026-05-06T08:00)"


WARD_HELP = 'phường (tên như trong kế hoạch, ví dụ "Phường Nhị Chiểu", hoặc mã); không cần khi chỉ có một kế hoạch'

# --- nhacviec record --------------------------------------------------------------------------

AT_IN_FUTURE = "--at không được ở tương lai"


def command_line_recorder(user: str) -> str:
    """Who recorded a status from the command line, as the task's history names them."""
    return f"dòng lệnh ({user})"


# --- nhacviec migrate, restore ----------------------------------------------------------------


def no_schema_version(target: str) -> str:
    return f"không có phiên bản lược đồ {target!r} trong mã này"


def schema_unchanged(after: str | None) -> str:
    return f"Lược đồ cơ sở dữ liệu đã ở phiên bản {after}; không có gì thay đổi."


def schema_moved(before: str | None, after: str | None) -> str:
    return f"Đã chuyển lược đồ cơ sở dữ liệu: {before or '(trống)'} → {after}."


def postgres_restore_steps(file: str | None) -> list[str]:
    return [
        "PostgreSQL: chưa khôi phục gì. Các bước (xem docs/deploying.md):",
        "  1. dừng mọi tiến trình bot;",
        f"  2. pg_restore --clean --if-exists -d <CSDL> {file or 'tệp.dump'};",
        "  3. nhacviec restore --database-restored  (chặn gửi lại tin có thể đã gửi, báo Văn phòng);",
        "  4. khởi động lại bot.",
    ]


NEED_BACKUP_FILE = "cần tệp sao lưu: nhacviec restore TỆP"
RESTART_BOT = "Khởi động lại bot: các tin đến hạn từ nay được gửi như thường."
BOT_SEEMS_RUNNING = (
    "bot có vẻ đang chạy trên cơ sở dữ liệu này (có tin đang được gửi). Dừng bot rồi chạy lại; "
    "nếu chắc chắn bot đã dừng, thêm --force."
)


def no_backup_file(backup: object) -> str:
    return f"không có tệp sao lưu {backup}"


def old_database_kept(aside: object) -> str:
    return f"Cơ sở dữ liệu cũ được giữ lại ở {aside}."


def backup_placed(backup: object, database: object) -> str:
    return f"Đã đặt bản sao lưu {backup} vào {database}."


def restored(when: str | None, closed: int, told: int) -> str:
    return (
        f"Bản sao lưu lúc {when or 'không rõ'}. Không gửi lại {closed} tin có thể đã gửi trước khi khôi phục "
        f"(đánh dấu dropped, restored_unknown); đã báo {told} người của Văn phòng."
    )


# --- nhacviec export --------------------------------------------------------------------------


def error_line(text: object) -> str:
    """Every command's failure, as its one line on stderr."""
    return f"Lỗi: {text}"


def bad_export_date(text: str) -> str:
    return f"Ngày không hợp lệ: {text!r} (dạng 14/6/2026 hoặc 2026-06-14)"


def export_failed(exc: Exception) -> str:
    return error_line(f"không xuất được báo cáo ({type(exc).__name__}: {exc})")


def cycle_not_started(start: str) -> str:
    return f"Kỳ báo cáo bắt đầu từ {start}, chưa có số liệu"


def ward_not_in_database(key: str) -> str:
    return f'Cơ sở dữ liệu chưa có phường "{key}"; hãy chạy "nhacviec run" một lần trước'


def wards_not_in_database(keys: list[str]) -> str:
    return f'Cơ sở dữ liệu chưa có phường {", ".join(keys)}; hãy chạy "nhacviec run" một lần trước'


EXPORT_FILES = ("bảng tổng hợp (Excel)", "dự thảo báo cáo (Word)", "biểu đồ")
CITY_XLSX_ONLY = "--city chỉ ghi tệp Excel (--out); bỏ --docx, --chart"


def not_written(path: object, reason: str | None) -> str:
    return f"Không ghi được tệp {path}: {reason}"


def written(what: str, path: object) -> str:
    return f"Đã ghi {what}: {path}"


def city_written(wards: int, path: object) -> str:
    return f"Đã ghi bảng tổng hợp các phường (Excel, {wards} phường): {path}"


def wrong_suffix(value: str, suffix: str) -> str:
    return f"Tệp {value} phải có đuôi {suffix}"


# --- nhacviec run, status, backup --------------------------------------------------------------


def cannot_start(reason: str) -> str:
    return f"không khởi động được — {reason}"


GOODBYE = "\nTạm biệt!"
NO_CHANNEL = (
    "không có kênh nhắn tin nào để chạy: đặt NHACVIEC_CHANNELS (telegram, zalo) và token của kênh; "
    "bản thử console cần bàn phím."
)


def desk_address(url: str) -> str:
    return f"Trang làm việc: {url} (đăng nhập bằng liên kết: nhacviec desk-link)"


def demo_login(minutes: int, link: str) -> str:
    return f"Văn phòng mở trang làm việc bằng liên kết này (dùng một lần, {minutes} phút): {link}"


def bad_plan(path: object, problems: list[str]) -> str:
    first = problems[0] if problems else "?"
    return f"kế hoạch {path} không hợp lệ ({len(problems)} lỗi; lỗi đầu: {first}). Xem tất cả: nhacviec check {path}"


def bad_calendar(path: object, error: str) -> str:
    return f"lịch {path} không hợp lệ: {' '.join(error.split())}"


def sqlite_unopenable(error: str) -> str:
    return f"không mở được cơ sở dữ liệu SQLite ({error})"


def database_unreachable(error: str) -> str:
    return f"không kết nối được cơ sở dữ liệu ({error})"


def no_database_file(path: object, setting: bool = False) -> str:
    return f"không có tệp cơ sở dữ liệu {path}" + (" (NHACVIEC_DATABASE_URL)" if setting else "")


def unknown_database_kind(kind: str) -> str:
    return f"không biết sao lưu loại cơ sở dữ liệu này: {kind}"


def sqlite_backed_up(path: object, out: object, pages: int) -> str:
    return f"Đã sao lưu {path} → {out} ({pages} trang, kiểm tra toàn vẹn: ok)."


def backup_exists(out: object) -> str:
    return f"tệp {out} đã có; chọn tên khác với --out"


PG_DUMP_BY_HAND = (
    "PostgreSQL: sao lưu bằng pg_dump (nhất quán khi bot đang chạy); mật khẩu qua PGPASSWORD hoặc ~/.pgpass:"
)
PG_RESTORE_HINT = (
    "Khôi phục: dừng bot, pg_restore --clean --if-exists -d <CSDL> tệp.dump, rồi nhacviec restore "
    "--database-restored. Xem docs/deploying.md."
)


def postgres_backed_up(out: object) -> str:
    return f"Đã sao lưu PostgreSQL → {out} (pg_dump, định dạng custom; khôi phục: xem docs/deploying.md)."


# --- nhacviec check, schedule, deadline; failures of any command -------------------------------

DESCRIPTION = "Nhắc việc: nhắc các đơn vị thực hiện nhiệm vụ của kế hoạch đúng hạn."


def no_plan_files(folder: object) -> str:
    return f"Thư mục {folder} không có tệp kế hoạch nào (*.yaml, *.yml)."


def wards_valid(wards: list[tuple[str, str]]) -> str:
    """`nhacviec check FOLDER`: the wards found, as (ward name, key)."""
    return f"Hợp lệ: {len(wards)} phường: " + "; ".join(f"{name} ({key})" for name, key in wards)


def task_problem(name: str, problem: object) -> str:
    return f"Nhiệm vụ {name}: {problem}"


DEADLINES_AFTER_IGNORING = "\nThời hạn đọc được sau khi bỏ qua những chữ không phải thời hạn:"
SIX_CLEAR_WARNINGS = '\nCảnh báo "một việc – một đầu mối, 6 rõ":'


def plan_valid(tasks: int, units: int, warnings: int) -> str:
    return f"\nHợp lệ: {tasks} nhiệm vụ, {units} đơn vị, {warnings} cảnh báo."


TO_BEFORE_FROM = "--to phải sau --from"


def confidence(text: str) -> str:
    return f"Mức chắc chắn: {text}"


def ignored_words(words: list[str]) -> str:
    return "Đã bỏ qua: " + "; ".join(f'"{w}"' for w in words)


def reading_number(n: int, text: str) -> str:
    return f"  Cách hiểu {n}: {text}"


CHOOSE_ONE_READING = "Hãy chọn một cách hiểu và ghi lại thời hạn chỉ với cách đó."


def unexpected_error(exc: BaseException, detail: str) -> str:
    return (
        f"Lỗi không mong đợi ({type(exc).__name__}): {detail}. "
        "Xin chạy lại; nếu vẫn lỗi, báo cho người quản trị kèm lệnh vừa chạy."
    )


def database_unusable(first: str) -> str:
    return (
        f"không dùng được cơ sở dữ liệu ({first}). Kiểm tra NHACVIEC_DATABASE_URL và máy chủ cơ sở dữ liệu "
        "có đang chạy không, rồi chạy lại."
    )


OR = " hoặc "  # between the last two of the values a setting may take


def currently(value: object) -> str:
    """A wrong setting's value, shown after the problem."""
    return f" (đang là {value!r})"


# What is wrong with a setting's value (bot/settings_reader.py), said in Vietnamese.
SETTING_WORDS = {
    "gt": "phải lớn hơn {gt}",
    "ge": "phải từ {ge} trở lên",
    "le": "phải không quá {le}",
    "int": "phải là số nguyên",
    "float": "phải là số",
    "bool": "phải là true hoặc false",
    "literal": "phải là một trong: {expected}",
    "str": "phải là chuỗi ký tự",
    "path": "phải là đường dẫn",
    "missing": "chưa đặt",
}
BAD_ADDRESS = "địa chỉ không hợp lệ"


def env_file_not_utf8(path: object, line: int) -> str:
    return f"{path}, dòng {line}: tệp không ở mã UTF-8; lưu lại tệp dưới dạng UTF-8"


def env_file_unreadable(path: object, reason: object) -> str:
    return f"{path}: không mở được tệp ({reason})"


def env_file_bad_line(path: object, line: int) -> str:
    return f"{path}, dòng {line}: không đọc được dòng này; mỗi dòng phải có dạng TÊN=giá trị"


ODD_FILE_LAYOUT = "cấu trúc tệp khác thường"


def backup_too_new(reason: object) -> str:
    return f"không khôi phục: bản sao lưu — {reason}"


# --- backups (bot/cli/backup.py) ------------------------------------------------------------

IN_MEMORY_SQLITE = "cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được"


def backup_damaged(check: object) -> str:
    return f"bản sao lưu không toàn vẹn: {check}"


def not_sqlite_file(backup: object, exc: object) -> str:
    return f"{backup} không phải tệp cơ sở dữ liệu SQLite ({exc})"


def backup_not_whole(backup: object, check: object) -> str:
    return f"bản sao lưu {backup} không toàn vẹn ({check})"


def not_our_database(backup: object) -> str:
    return f"{backup} không phải cơ sở dữ liệu của Nhắc việc"


def pg_dump_failed(first: str) -> str:
    return f"pg_dump không thành công: {first}"


# The health report (`nhacviec status`) and the office's notices when sending or reading stops.

NOT_YET = "chưa có"
UNKNOWN_ERROR = "không rõ lỗi"


def minutes_text(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:g} phút"


def health_text(
    status: str,
    outbox: OutboxHealth | None,
    threshold: timedelta,
    queue: str,
    last_tick: datetime | None,
    ticking: bool,
    inbound_stopped: dict[str, tuple[datetime, str | None]],
    zone: ZoneInfo,
) -> str:
    """The health report in Vietnamese, times in the ward's zone."""
    o = outbox

    def at(t: datetime | None) -> str:
        return t.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S") if t else NOT_YET

    verdict = {
        "ok": "Bình thường.",
        "deadman": (
            f"CẢNH BÁO: có tin đến hạn từ {at(o.oldest_unsent_due_at if o else None)} chưa gửi được, "
            f"và hơn {minutes_text(threshold)} không gửi được tin nào."
        ),
        "stalled": f"CẢNH BÁO: bot không chạy vòng gửi nào trong hơn {minutes_text(threshold)}.",
        "inbound_stopped": "CẢNH BÁO: có kênh không nhận được tin nhắn đến (xem bên dưới).",
    }[status]
    lines = [
        f"Tình trạng: {verdict}",
        f"Hàng đợi: {queue}; đến lượt gửi ngay: {o.due_now if o else 0}.",
        f"Tin chưa gửi đến hạn sớm nhất: {at(o.oldest_unsent_due_at if o else None)}",
    ]
    if ticking:
        lines.append(f"Vòng gửi gần nhất: {at(last_tick)}")
    lines.append(f"Hoạt động gửi gần nhất (theo CSDL): {at(o.last_activity_at if o else None)}")
    last_ok = o.last_ok_by_channel if o else {}
    if last_ok:
        lines += [f"Gửi thành công gần nhất qua {c}: {at(t)}" for c, t in sorted(last_ok.items())]
    else:
        lines.append(f"Gửi thành công gần nhất: {NOT_YET}")
    failures = o.failures_since if o else {}
    detail = ", ".join(f"{k} {v}" for k, v in sorted(failures.items())) or "không có"
    lines.append(f"Lỗi gửi trong 24 giờ qua: {detail}; tin bỏ cuộc (failed): {o.failed_rows_since if o else 0}.")
    lines += [
        f"Kênh {c} không nhận được tin nhắn đến từ {at(t)} ({e or UNKNOWN_ERROR}); bot vẫn đang thử lại."
        for c, (t, e) in sorted(inbound_stopped.items())
    ]
    return "\n".join(lines)


def inbound_text(channel: str, since: datetime, error: str | None, zone: ZoneInfo) -> str:
    """The office notice when a channel stops reading what people write."""
    at = since.astimezone(zone).strftime("%H:%M %d/%m/%Y")
    return (
        f"⚠️ Nhắc việc: từ {at} bot không nhận được tin nhắn gửi đến qua {channel} "
        f"({error or UNKNOWN_ERROR}). Bot vẫn tự thử lại; tin nhắn đến trong lúc này sẽ được đọc khi kênh "
        "hoạt động lại. Xin báo người quản trị kiểm tra token và kết nối (lệnh: nhacviec status)."
    )


def deadman_text(outbox: OutboxHealth | None, threshold: timedelta, zone: ZoneInfo) -> str:
    """The office notice when the dead-man switch trips."""
    o = outbox
    since = o.oldest_unsent_due_at.astimezone(zone).strftime("%H:%M %d/%m/%Y") if o and o.oldest_unsent_due_at else "?"
    last_ok = o.last_ok_at.astimezone(zone).strftime("%H:%M %d/%m/%Y") if o and o.last_ok_at else NOT_YET
    return (
        f"⚠️ Nhắc việc: có tin đến hạn từ {since} nhưng hơn {minutes_text(threshold)} nay không gửi được tin "
        f"nào (lần gửi thành công gần nhất: {last_ok}). Bot vẫn thử lại; xin báo người quản trị kiểm tra kết nối "
        "Telegram/Zalo và nhật ký của bot (lệnh: nhacviec status)."
    )


def plan_changed(where: str, change: str) -> str:
    """The operator's line at start for each change of the plan since the last run."""
    return f"Kế hoạch thay đổi{where}: {change}"


def running_line(version: str, channels: Iterable[str]) -> str:
    return f"Nhắc việc đang chạy ({version}): {', '.join(channels)}. Nhấn Ctrl+C để dừng."
