"""Whether Telegram polling still reads updates.

The poller (bot/channels/telegram/poller.py) retries getUpdates through any error, a 401
included, with a backoff; what nobody saw was that it kept failing. `WatchedRequest` is the
getUpdates connection: it tells the channel's InboundWatch how each poll ended, and /healthz,
`nhacviec status` and the dead-man's switch read that (issue 25).
"""

from __future__ import annotations

import ssl

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.channels.watch import InboundWatch


class WatchedRequest(HTTPXRequest):
    """The getUpdates connection (PTB's default: one connection), telling `watch` how each
    poll ended; PTB sends getUpdates past the rate limiter, so this is where polls are seen."""

    def __init__(self, watch: InboundWatch, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs={"verify": tls} if tls is not None else None)
        self.watch = watch

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            code, body = await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        except Exception as exc:
            # The type only: an error may quote the URL, which holds the token.
            self.watch.failed(type(exc).__name__)
            raise
        if code == 200:
            self.watch.ok()
        else:
            self.watch.failed(f"HTTP {code}")
        return code, body
