"""Vietnamese words for what is wrong with a plan file: the PlanError that carries them, the
place a problem is named by (task, field, line), and the errors below the plan's own rules —
encoding, YAML syntax, wrong value types.

The office edits the plan in Notepad or Word; PyYAML and pydantic explain problems in English
for programmers. Each function here turns one of their errors into one Vietnamese line that
names the place (task, field, line) so that the clerk can find and fix it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml

from scheduler.plan.model import task_label


class PlanError(ValueError):
    """An invalid plan file; `problems` names task, field and line for each problem."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: kế hoạch không hợp lệ\n" + "\n".join(f"- {p}" for p in problems))


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_plan_bytes(data: bytes) -> str:
    """UTF-8 text (a BOM from Notepad is accepted); anything else is a ValueError in Vietnamese."""
    if data.startswith(_UTF16_BOMS):
        raise ValueError(
            "tệp đang lưu ở mã hóa UTF-16 (Unicode của Notepad cũ), không phải UTF-8 — "
            "hãy mở tệp, chọn Lưu thành… và chọn mã hóa UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"tệp không phải mã hóa UTF-8 (ký tự đầu tiên không đọc được ở dòng {line}; có thể tệp lưu bằng "
            "mã TCVN3/VNI hoặc Windows-1258) — hãy mở tệp, chọn Lưu thành… và chọn mã hóa UTF-8"
        ) from None


# --- YAML syntax ---------------------------------------------------------------------------

# PyYAML's `problem` texts that a person editing a plan actually meets, most specific first.
_YAML_PROBLEMS: list[tuple[str, str]] = [
    ("found character '\\t'", "có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"),
    (
        "mapping values are not allowed here",
        'dấu hai chấm ":" không đúng chỗ — văn bản có dấu ":" phải đặt trong ngoặc kép',
    ),
    ("could not find expected ':'", 'thiếu dấu hai chấm ":" sau tên trường, hoặc thiếu ngoặc kép quanh văn bản'),
    ("found unexpected end of stream", "thiếu dấu ngoặc kép đóng ở cuối văn bản"),
    ("expected ',' or ']'", 'danh sách thiếu dấu "]" đóng hoặc thiếu dấu phẩy giữa các phần tử'),
    ("expected ',' or '}'", 'bảng thiếu dấu "}" đóng hoặc thiếu dấu phẩy giữa các phần tử'),
    ("expected <block end>", "thụt lề không khớp với các dòng phía trên"),
    ("found duplicate anchor", "trùng tên neo (&)"),
    ("found undefined alias", "dùng tham chiếu (*) chưa được khai báo"),
    ("found unknown escape character", 'ký tự "\\" không hợp lệ trong ngoặc kép — dùng ngoặc đơn hoặc viết "\\\\"'),
    ("found unexpected ':'", 'dấu hai chấm ":" không đúng chỗ'),
    ("did not find expected key", "thụt lề không khớp hoặc thiếu dấu gạch đầu dòng"),
    ("did not find expected '-' indicator", 'thiếu dấu gạch đầu dòng "-" của phần tử danh sách'),
    ("found character '@' that cannot start any token", 'văn bản bắt đầu bằng "@" phải đặt trong ngoặc kép'),
    ("found character '`' that cannot start any token", 'văn bản bắt đầu bằng "`" phải đặt trong ngoặc kép'),
]

_TASK_START = re.compile(r"^\s*-\s+stt\s*:\s*(?P<stt>[^#\n]*?)\s*(?:#.*)?$")
_SECTION_KEY = re.compile(r"^\s*(?:-\s+)?section\s*:\s*[\"']?(?P<section>[^\"'#\n]+?)[\"']?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][A-Za-z_0-9]*)\s*:")


def _context(text: str, line: int) -> str:
    """Which task and field a 1-based line falls in, read from the text itself: when the
    YAML does not parse there is no tree to ask."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    key_match = _KEY.match(lines[line - 1])
    field = f'trường "{key_match["key"]}"' if key_match else ""
    task = ""
    in_tasks = False
    for i in range(line - 1, -1, -1):
        current = lines[i]
        if not in_tasks and (m := _TASK_START.match(current)):
            stt = m["stt"].strip("\"' ")
            # A section line just below the "- stt:" line makes it "Nhiệm vụ II.3".
            section = next(
                (s["section"].strip() for s in map(_SECTION_KEY.match, lines[i + 1 : line]) if s),
                None,
            )
            task = f"Nhiệm vụ {section}.{stt}" if section else f"Nhiệm vụ STT {stt}"
            in_tasks = True
        if re.match(r"^[A-Za-z_]", current):  # a top-level key: the search stops here
            top = m["key"] if (m := _KEY.match(current)) else ""
            if not task and top:
                inner = key_match["key"] if key_match else top
                field = f'trường "{top}.{inner}"' if inner != top else f'trường "{top}"'
            break
    return ", ".join(p for p in (task, field) if p)


def yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """One Vietnamese line for a YAML syntax error, with task, field and line when known."""
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", "") or "")
    words = next((vi for en, vi in _YAML_PROBLEMS if problem.startswith(en)), "cú pháp YAML không hợp lệ")
    if mark is None:
        return f"YAML không hợp lệ: {words}"
    line = mark.line + 1
    where = _context(text, line)
    place = f"{where} (dòng {line})" if where else f"dòng {line}"
    return f"YAML không hợp lệ ở {place}: {words}"


_DATE_LIKE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")


def bad_scalar_problem(text: str, exc: ValueError) -> str:
    """PyYAML reads 2026-13-05 as a date and fails outside its own error type: find the line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _DATE_LIKE.finditer(line.split("#", 1)[0]):
            y, mo, d = (int(x) for x in m[0].split("-"))
            try:
                date(y, mo, d)
            except ValueError:
                where = _context(text, number)
                place = f"{where} (dòng {number})" if where else f"dòng {number}"
                return f'{place}: "{m[0]}" không phải ngày có thật (dạng YYYY-MM-DD, ví dụ 2026-05-05)'
    return f"YAML không hợp lệ: giá trị không đọc được ({exc})"


# --- wrong types ---------------------------------------------------------------------------


def _expected(ctx: dict[str, Any] | None) -> str:
    return str((ctx or {}).get("expected", "")).replace(" or ", " hoặc ")


def pydantic_problem(err: Any) -> str:
    """Vietnamese for one pydantic error; the place is named by the caller."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = f' (đang ghi "{value}")' if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    simple = {
        "missing": "thiếu trường bắt buộc",
        "extra_forbidden": "trường không được hỗ trợ (kiểm tra chính tả tên trường và thụt lề)",
        "int_parsing": f"phải là số nguyên{shown}",
        "int_type": f"phải là số nguyên{shown}",
        "int_from_float": f"phải là số nguyên, không có phần thập phân{shown}",
        "float_parsing": f"phải là số{shown}",
        "float_type": f"phải là số{shown}",
        "string_type": f'phải là văn bản (đặt trong ngoặc kép, ví dụ "Phòng Văn hóa - Xã hội"){shown}',
        "list_type": f'phải là danh sách, ví dụ ["Phòng Văn hóa - Xã hội"]{shown}',
        "dict_type": "phải là một bảng các trường (tên: giá trị)",
        "model_type": "phải là một bảng các trường (tên: giá trị)",
        "model_attributes_type": "phải là một bảng các trường (tên: giá trị)",
        "bool_parsing": f"phải là true (có) hoặc false (không){shown}",
        "bool_type": f"phải là true (có) hoặc false (không){shown}",
        "date_parsing": f"không phải ngày hợp lệ (dạng YYYY-MM-DD, ví dụ 2026-05-05){shown}",
        "date_from_datetime_parsing": f"không phải ngày hợp lệ (dạng YYYY-MM-DD, ví dụ 2026-05-05){shown}",
        "date_from_datetime_inexact": "phải là ngày, không kèm giờ (dạng YYYY-MM-DD)",
        "date_type": f"không phải ngày hợp lệ (dạng YYYY-MM-DD, ví dụ 2026-05-05){shown}",
        "time_parsing": f'không phải giờ hợp lệ (dạng "HH:MM", ví dụ "08:00"){shown}',
        "time_type": f'không phải giờ hợp lệ (dạng "HH:MM", ví dụ "08:00"){shown}',
        "none_required": "phải để trống",
    }
    if kind in simple:
        return simple[kind]
    if kind == "greater_than_equal":
        return f"phải lớn hơn hoặc bằng {ctx.get('ge')}{shown}"
    if kind == "greater_than":
        return f"phải lớn hơn {ctx.get('gt')}{shown}"
    if kind == "less_than_equal":
        return f"phải nhỏ hơn hoặc bằng {ctx.get('le')}{shown}"
    if kind == "less_than":
        return f"phải nhỏ hơn {ctx.get('lt')}{shown}"
    if kind == "string_too_long":
        return f"dài quá {ctx.get('max_length')} ký tự"
    if kind == "too_long":
        return f"có quá nhiều phần tử (tối đa {ctx.get('max_length')})"
    if kind == "string_unicode":
        return "có ký tự không lưu được (nửa cặp ký tự đại diện)"
    if kind == "too_short":
        return "không được để trống"
    if kind == "string_too_short":
        return "không được để trống"
    if kind == "literal_error" or kind == "enum":
        return f"phải là một trong các giá trị: {_expected(ctx)}{shown}"
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
    if kind == "assertion_error":
        return str(err.get("msg", "")).removeprefix("Assertion failed, ")
    # An error type we have not met yet: say so in Vietnamese and keep the technical word
    # so that the IT person can look it up, rather than showing English prose to the clerk.
    return f"giá trị không hợp lệ (mã lỗi: {kind}){shown}"


# --- places in a parsed file ----------------------------------------------------------------


def _task_name(raw: dict[str, Any], index: int) -> str:
    """How the checker names a task: "Nhiệm vụ STT 3" or, in a plan with sections, "Nhiệm vụ II.3"."""
    tasks = raw.get("tasks") or []
    item = tasks[index] if isinstance(tasks, list) and index < len(tasks) else None
    if not isinstance(item, dict) or item.get("stt") is None:
        return f"Nhiệm vụ thứ {index + 1}"
    stt, section = item.get("stt"), item.get("section")
    if section is not None:
        return f"Nhiệm vụ {task_label(str(section), str(stt).strip())}"
    return f"Nhiệm vụ STT {stt}"


def where(path: tuple[Any, ...], raw: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> str:
    """'Nhiệm vụ STT 3, trường "deadline" (dòng 120)' for a path into the file."""
    parts: list[str] = []
    if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
        parts.append(_task_name(raw, path[1]))
        if len(path) >= 3:
            parts.append(f'trường "{".".join(str(p) for p in path[2:])}"')
    else:
        parts.append(f'trường "{".".join(str(p) for p in path)}"')
    line = None
    for cut in range(len(path), 0, -1):
        line = lines.get(tuple(path[:cut]))
        if line is not None:
            break
    text = ", ".join(parts)
    return f"{text} (dòng {line})" if line else text
