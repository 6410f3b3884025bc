"""A small typed client for the Telegram Bot API over httpx: the calls Nhắc việc makes.

Every call is a POST to {base_url}{token}/{method}: a JSON body, or multipart/form-data for
an upload. A call answers `{"ok": true, "result": …}`; anything else becomes one of the
errors below, mapped as python-telegram-bot 22 mapped them (the service ran on it until
issue 26: its two modules and their clients cost an idle worker ≈ 9–13 MiB, see
docs/architecture.md), so the outbox's scopes stay what they were
(bot/channels/telegram/channel.py `classify`).

The token sits in the URL: no URL is put in an error message, and an httpx error's text has
the token replaced before it is quoted.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx

T = TypeVar("T")

# python-telegram-bot's HTTPXRequest defaults, which the service used: 5 s to connect, read
# and write; 20 s to write an upload.
TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0
# Sends: up to 16 connections, and a request waits up to 30 s for one (a burst paced at
# ~28/s with slow answers must queue, not fail).
POOL_SIZE = 16
POOL_TIMEOUT = 30.0
USER_AGENT = "nhacviec (httpx)"


class TelegramError(Exception):
    """A failed Bot API call. `status`: the HTTP status when Telegram answered."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class InvalidToken(TelegramError):
    """HTTP 401 or 404: the token is refused (a 404 is also a malformed token)."""


class Forbidden(TelegramError):
    """HTTP 403: e.g. the bot was blocked by the user."""


class BadRequest(TelegramError):
    """HTTP 400: e.g. chat not found, message is too long."""


class Conflict(TelegramError):
    """HTTP 409: another getUpdates, or a webhook, is active."""


class ChatMigrated(TelegramError):
    """The group became a supergroup with a new id."""

    def __init__(self, new_chat_id: int, *, status: int | None = None) -> None:
        super().__init__(f"Group migrated to supergroup. New chat id: {new_chat_id}", status=status)
        self.new_chat_id = new_chat_id


class RetryAfter(TelegramError):
    """Flood control (429 with parameters.retry_after): nothing more for `retry_after` s."""

    def __init__(self, retry_after: float, *, status: int | None = None) -> None:
        super().__init__(f"Flood control exceeded. Retry in {retry_after:g} seconds", status=status)
        self.retry_after = float(retry_after)


class NetworkError(TelegramError):
    """No usable answer: a transport error or a 5xx. `never_left`: the request cannot have
    reached Telegram (no connection was made), so nothing was carried out."""

    def __init__(self, message: str, *, status: int | None = None, never_left: bool = False) -> None:
        super().__init__(message, status=status)
        self.never_left = never_left


class TimedOut(NetworkError):
    """A timeout: after the request left (read, write), Telegram may have carried it out."""


# httpx errors raised before a request leaves the machine.
_NEVER_LEFT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


class Pacer(Protocol):
    """Paces sends (bot/channels/telegram/pacing.py `PacedRateLimiter`)."""

    async def initialize(self) -> None: ...

    async def paced(self, endpoint: str, chat_id: object, call: Callable[[], Awaitable[T]]) -> T: ...


@dataclass(frozen=True)
class Upload:
    """A file sent with sendPhoto / sendDocument."""

    filename: str
    content: bytes


class BotApi:
    """The Bot API for one token: one connection pool for calls, one connection for long
    polling (a getUpdates held for `timeout` s must not take a sender's connection)."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        tls: ssl.SSLContext | None = None,
        pacer: Pacer | None = None,
        timeout: float = TIMEOUT,
        pool_size: int = POOL_SIZE,
        pool_timeout: float = POOL_TIMEOUT,
    ) -> None:
        self._token = token
        self._base = base_url  # "https://api.telegram.org/bot": the token is appended
        # Where getFile's paths are downloaded from (the token in it, as the API wants).
        self.base_file_url = base_url.replace("/bot", "/file/bot", 1) + token
        self.pacer = pacer
        self.timeout = timeout
        verify: ssl.SSLContext | bool = tls if tls is not None else True
        headers = {"User-Agent": USER_AGENT}
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, pool=pool_timeout),
            limits=httpx.Limits(max_connections=pool_size),
            verify=verify,
            headers=headers,
        )
        self._poll_http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, pool=1.0),
            limits=httpx.Limits(max_connections=1),
            verify=verify,
            headers=headers,
        )
        self.username: str | None = None  # from getMe (`initialize`)
        self.initialized = False

    async def initialize(self) -> None:
        """The pace's start, then getMe: the token is accepted and the API reachable."""
        if self.pacer is not None:
            await self.pacer.initialize()
        me = await self.get_me()
        username = me.get("username")
        self.username = username if isinstance(username, str) and username else None
        self.initialized = True

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._poll_http.aclose()

    # --- calls -----------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        files: dict[str, Upload] | None = None,
        read_timeout: float | None = None,
        polling: bool = False,
    ) -> Any:
        """One Bot API call, paced (sends only) and mapped to our errors; its `result`."""
        params = {k: v for k, v in (params or {}).items() if v is not None}

        async def request() -> Any:
            return await self._request(method, params, files, read_timeout, polling)

        if self.pacer is None:
            return await request()
        return await self.pacer.paced(method, params.get("chat_id"), request)

    async def _request(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, Upload] | None,
        read_timeout: float | None,
        polling: bool,
    ) -> Any:
        http = self._poll_http if polling else self._http
        base = http.timeout
        timeout = httpx.Timeout(
            connect=base.connect,
            read=read_timeout if read_timeout is not None else base.read,
            write=MEDIA_WRITE_TIMEOUT if files else base.write,
            pool=base.pool,
        )
        url = f"{self._base}{self._token}/{method}"
        try:
            if files:
                response = await http.post(
                    url,
                    data={k: _form_value(v) for k, v in params.items()},
                    files={k: (f.filename, f.content) for k, f in files.items()},
                    timeout=timeout,
                )
            else:
                response = await http.post(url, json=params, timeout=timeout)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        return _result(response)

    def _transport_error(self, exc: httpx.HTTPError) -> NetworkError:
        # The class name first: some httpx errors have no text. The token never shows.
        text = f"httpx.{type(exc).__name__}: {exc}".replace(self._token, "***").rstrip(": ")
        never_left = isinstance(exc, _NEVER_LEFT)
        if isinstance(exc, httpx.TimeoutException):
            return TimedOut(f"Timed out ({text})", never_left=never_left)
        return NetworkError(text, never_left=never_left)

    async def get_me(self) -> dict[str, Any]:
        return _dict(await self.call("getMe"))

    async def set_webhook(self, url: str, secret_token: str, allowed_updates: Sequence[str]) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token, "allowed_updates": allowed_updates})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def set_my_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        await self.call("setMyCommands", {"commands": [{"command": c, "description": d} for c, d in commands]})

    async def get_updates(self, offset: int | None, timeout: int, allowed_updates: Sequence[str]) -> list[Any]:
        """Long polling on its own connection; read for the poll's `timeout` and the usual
        margin (PTB's: read timeout + poll timeout)."""
        result = await self.call(
            "getUpdates",
            {"offset": offset, "timeout": timeout, "allowed_updates": allowed_updates},
            read_timeout=self.timeout + timeout,
            polling=True,
        )
        if not isinstance(result, list):
            raise TelegramError("Invalid server response")
        return result

    async def answer_callback_query(self, callback_query_id: str) -> None:
        await self.call("answerCallbackQuery", {"callback_query_id": callback_query_id})

    async def send_message(
        self, chat_id: str | int, text: str, reply_markup: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return _dict(await self.call("sendMessage", {"chat_id": chat_id, "text": text, "reply_markup": reply_markup}))

    async def send_photo(self, chat_id: str | int, photo: Upload, caption: str | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id, "caption": caption}
        return _dict(await self.call("sendPhoto", params, files={"photo": photo}))

    async def send_document(self, chat_id: str | int, document: Upload, caption: str | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id, "caption": caption}
        return _dict(await self.call("sendDocument", params, files={"document": document}))

    async def get_file(self, file_id: str) -> dict[str, Any]:
        return _dict(await self.call("getFile", {"file_id": file_id}))

    def file_url(self, file_path: str) -> str:
        """A getFile path → its download URL (a local Bot API server may give a URL already)."""
        if file_path.startswith(("http://", "https://")):
            return file_path
        return f"{self.base_file_url}/{file_path}"


def _form_value(value: Any) -> str:
    """A parameter in a multipart upload: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _dict(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise TelegramError("Invalid server response")
    return result


def _result(response: httpx.Response) -> Any:
    """An answer → its `result`, or the error it means (python-telegram-bot's mapping)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if 200 <= status <= 299:
        if isinstance(body, dict) and body.get("ok") is True and "result" in body:
            return body["result"]
        if not isinstance(body, dict) or body.get("ok") is not False:
            raise TelegramError("Invalid server response", status=status)
    raise _api_error(status, body if isinstance(body, dict) else {})


def _api_error(status: int, body: dict[str, Any]) -> TelegramError:
    description = body.get("description")
    message = str(description) if description else "Unknown HTTPError"
    parameters = body.get("parameters")
    if isinstance(parameters, dict):
        migrate_to = parameters.get("migrate_to_chat_id")
        if isinstance(migrate_to, int) and migrate_to:
            return ChatMigrated(migrate_to, status=status)
        retry_after = parameters.get("retry_after")
        if isinstance(retry_after, int | float) and retry_after:
            return RetryAfter(float(retry_after), status=status)
    if status == 403:
        return Forbidden(message, status=status)
    if status in (401, 404):
        return InvalidToken(message, status=status)
    if status == 400:
        return BadRequest(message, status=status)
    if status == 409:
        return Conflict(message, status=status)
    if status == 502:
        return NetworkError(str(description) if description else "Bad Gateway", status=status)
    # A 5xx (or an unexpected status): the request reached Telegram, whatever it did with it.
    return NetworkError(f"{message} ({status})", status=status)
