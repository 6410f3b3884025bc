"""Links a person is sent: t.me deep links for one-time link codes, and desk login links."""

from __future__ import annotations


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def login_message(url: str, minutes: int) -> str:
    """What `/web` answers in the person's own chat."""
    return (
        f"Liên kết vào trang làm việc (dùng một lần, trong {minutes} phút):\n{url}\n"
        "Xin không chuyển liên kết này cho người khác."
    )


def report_message(url: str, minutes: int) -> str:
    """What `/export` answers on Zalo, which cannot carry files: the files wait on the desk."""
    return (
        "Bảng tổng hợp (Excel), dự thảo báo cáo (Word) và biểu đồ tải tại trang làm việc — "
        f"liên kết dùng một lần, trong {minutes} phút:\n{url}"
    )
