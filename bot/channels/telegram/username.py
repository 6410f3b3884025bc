"""The bot's @username, asked of Telegram (getMe) when the settings do not give it: the
office's invitations carry a t.me deep link only when it is known."""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger(__name__)


async def bot_username(token: str, base_url: str, timeout: float = 5.0) -> str | None:
    """The bot's @username from getMe, or None when Telegram cannot be reached."""
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            body = (await client.post(f"{base_url}{token}/getMe")).json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("getMe failed (%s); the link code works without the deep link", type(exc).__name__)
        return None
    if isinstance(body, dict) and body.get("ok") and isinstance(body.get("result"), dict):
        username = body["result"].get("username")
        return str(username) if username else None
    return None
