"""A thin async client for the Zalo Bot API (Telegram-like; see shared/reference/zalo.md).

Every call is a POST with a JSON body to {base}/bot{token}/{method}; HTTP 200 alone is not
success, the envelope's `ok` is. The token sits in the URL, so no URL is ever put in an
error message or a log line by this module.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class ZaloError(Exception):
    """A failed call. `transient`: worth retrying (network, 429, 5xx, HTML error pages)."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        status: int | None = None,
        error_code: int | None = None,
        retry_after: float | None = None,
        unknown_outcome: bool = False,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status
        self.error_code = error_code
        self.retry_after = retry_after
        self.unknown_outcome = unknown_outcome


class ZaloClient:
    def __init__(self, token: str, base_url: str, http: httpx.AsyncClient | None = None, timeout: float = 45.0) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=10.0))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, payload: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            response = await self._http.post(
                url, json=payload or {}, timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
            )
        except httpx.TimeoutException as exc:
            # A read timeout means the request left: it may have been carried out.
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            raise ZaloError(
                f"Zalo {method}: timed out ({type(exc).__name__})", transient=True, unknown_outcome=sent
            ) from None
        except httpx.TransportError as exc:
            # A connection never made delivered nothing; one cut after the request left may have.
            sent = not isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol | httpx.ProxyError)
            raise ZaloError(
                f"Zalo {method}: network error ({type(exc).__name__})", transient=True, unknown_outcome=sent
            ) from None
        return self._result(method, response)

    def _result(self, method: str, response: httpx.Response) -> Any:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            # e.g. an HTML 502 page from a proxy in front of the API.
            raise ZaloError(
                f"Zalo {method}: HTTP {status}, not JSON", transient=status >= 500 or status == 429, status=status
            ) from None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        description = str(body.get("description", "")) if isinstance(body, dict) else ""
        code = body.get("error_code") if isinstance(body, dict) else None
        retry_after = _retry_after(response, body)
        transient = status == 429 or status >= 500 or code == 429 or retry_after is not None
        raise ZaloError(
            f"Zalo {method}: {status} {description}".strip(),
            transient=transient,
            status=status,
            error_code=code if isinstance(code, int) else None,
            retry_after=retry_after,
        )

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """Long poll. One update object comes back (a list is accepted too); HTTP 408
        "Request timeout" only means nothing arrived."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, timeout=timeout + 15)
        except ZaloError as exc:
            if exc.status == 408 or exc.error_code == 408:
                return []
            raise
        if result is None:
            return []
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) else []

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})


def _retry_after(response: httpx.Response, body: Any) -> float | None:
    header = response.headers.get("retry-after")
    if header and header.replace(".", "", 1).isdigit():
        return float(header)
    if isinstance(body, dict):
        params = body.get("parameters")
        if isinstance(params, dict) and isinstance(params.get("retry_after"), int | float):
            return float(params["retry_after"])
    return None
