"""t.me deep links for one-time link codes."""

from __future__ import annotations


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"
