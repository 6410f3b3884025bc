"""The Zalo side of the conversation: long polling (or webhook updates) in, replies out.

Zalo updates have no offset, and some clients saw consumed updates served again, so
de-duplication is durable: the inbound-message table's (channel, chat, message id) key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from bot.channels.files import FileHosts, fetch_from_hosts, guarded_client
from bot.channels.holding import ALERT_AFTER, until_stored
from bot.channels.startup import StartupFailed, StartupUnreachable
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.conversation.handle import Conversation
from bot.conversation.resume import tell_office_of_hold
from bot.messages import InboundFile, InboundMessage
from bot.settings import ZALO_FILE_HOSTS
from bot.texts import channels as texts_channels

log = logging.getLogger(__name__)

CHANNEL = "zalo"


def parse_update(data: dict[str, Any]) -> InboundMessage | None:
    """A Zalo update (wrapped {ok, result} or bare) → our inbound message, or None."""
    if "result" in data and isinstance(data["result"], dict):
        data = data["result"]
    message = data.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    chat_id = chat.get("id") or sender.get("id")
    message_id = message.get("message_id")
    if chat_id is None or message_id is None or sender.get("is_bot"):
        return None
    sent_at = None
    if isinstance(message.get("date"), int | float):
        sent_at = datetime.fromtimestamp(message["date"] / 1000, tz=UTC)  # Zalo dates are milliseconds
    event = data.get("event_name", "message.text.received")
    text = message.get("text") if event == "message.text.received" else ""
    files: tuple[InboundFile, ...] = ()
    if event == "message.image.received":
        # The image arrives as a URL ("photo"; some clients name it "photo_url"), with an
        # optional caption: a photo of a signed document can be a task's evidence.
        url = message.get("photo") or message.get("photo_url") or message.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            files = (InboundFile(url, "photo", None, "image/jpeg", None),)
        text = message.get("caption") or ""
    return InboundMessage(
        channel=CHANNEL,
        chat_id=str(chat_id),
        message_id=str(message_id),
        text=str(text or ""),
        sender_id=str(sender.get("id")) if sender.get("id") is not None else None,
        sender_name=sender.get("display_name"),
        sent_at=sent_at,
        raw=json.dumps(data, ensure_ascii=False),
        # Zalo names the chat type ("PRIVATE", "GROUP") when it has one; without it the
        # update is a one-to-one chat, the only kind the Zalo Bot API had at first.
        private=str(chat.get("chat_type") or "PRIVATE").upper() == "PRIVATE",
        attachments=files,
    )


class ZaloFiles:
    """Fetches an image a person sent: the URL Zalo gave with the update, only from Zalo's
    own file hosts and never from a private address (bot.channels.files)."""

    def __init__(self, hosts: FileHosts) -> None:
        self.hosts = hosts

    async def fetch(self, file: InboundFile, max_bytes: int) -> bytes:
        async with guarded_client(self.hosts) as http:  # images are rare: a client each
            return await fetch_from_hosts(http, self.hosts, file.file_id, max_bytes)


class ZaloBot:
    def __init__(
        self,
        token: str,
        base_url: str,
        conversation: Conversation,
        *,
        webhook: bool = False,
        poll_timeout: int = 30,
        min_poll_interval: float = 1.0,
        max_backoff: float = 60.0,
        file_hosts: str = ZALO_FILE_HOSTS,
        hold_alert_after: float = ALERT_AFTER,
    ) -> None:
        self.client = ZaloClient(token, base_url)
        self.channel = ZaloChannel(self.client)
        self.conversation = conversation
        if (sources := getattr(conversation, "file_sources", None)) is not None:
            sources[CHANNEL] = ZaloFiles(FileHosts.parse(file_hosts))  # images people send
        if (readers := getattr(conversation, "readers", None)) is not None:
            readers[CHANNEL] = (_read_stored, False)
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self.min_poll_interval = min_poll_interval
        self.max_backoff = max_backoff
        self.hold_alert_after = hold_alert_after
        self._poller: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """getMe: the token is accepted and the API reachable (messages never hold a URL)."""
        try:
            await self.client.get_me()
        except ZaloError as exc:
            raise _startup_error(exc, texts_channels.ZALO_AT_START) from None

    async def register_webhook(self, url: str, secret: str) -> None:
        """Webhook mode: tell Zalo where to post updates, with the secret it must send."""
        try:
            await self.client.set_webhook(url, secret)
        except ZaloError as exc:
            raise _startup_error(exc, texts_channels.zalo_at_webhook(url)) from None
        log.info("Zalo webhook registered: %s", url)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ZaloBot]:
        if not self.webhook:
            try:
                await self.client.delete_webhook()  # polling and a webhook exclude each other
            except ZaloError as exc:
                log.warning("Zalo deleteWebhook failed: %s", exc)
            self._poller = asyncio.create_task(self._poll_forever(), name="zalo-poller")
        try:
            yield self
        finally:
            if self._poller is not None:
                self._poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._poller
            await self.client.aclose()

    async def _poll_forever(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = 0.0
        while True:
            started = loop.time()
            try:
                updates = await self.client.get_updates(self.poll_timeout)
                backoff = 0.0
            except ZaloError as exc:
                backoff = min(max(backoff * 2, 1.0), self.max_backoff)
                log.warning("Zalo getUpdates failed (%s); next poll in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                continue
            for update in updates:
                # Zalo serves an update once: the next poll waits until this one is stored.
                await until_stored(
                    "Zalo update",
                    lambda u=update: self.feed(u),  # type: ignore[misc]
                    alert_after=self.hold_alert_after,
                    recovered=self._held,
                )
            # At least ~1 s between polls: a faster loop has been seen to get updates re-served.
            await asyncio.sleep(max(0.0, self.min_poll_interval - (loop.time() - started)))

    async def _held(self, seconds: float) -> None:
        await tell_office_of_hold(self.conversation, CHANNEL, seconds)

    async def feed(self, data: dict[str, Any]) -> None:
        """One update, from polling or from the webhook route: stored, then answered.
        Raises when it could not be stored (the route answers 503, the poller holds it)."""
        inbound = parse_update(data)
        if inbound is None:
            return
        # The answer is queued in the outbox with what it confirms; the dispatcher sends it.
        await self.conversation.receive(inbound, buttons=False)


def _read_stored(raw: str) -> InboundMessage | None:
    """A stored raw update read back (a message stored and never answered)."""
    data = json.loads(raw)
    return parse_update(data) if isinstance(data, dict) else None


def _startup_error(exc: ZaloError, when: str) -> StartupFailed:
    if exc.status in (401, 403) or exc.error_code in (401, 403):
        return StartupFailed(texts_channels.zalo_token_refused(when))
    if exc.transient:
        return StartupUnreachable(texts_channels.zalo_unreachable(when, exc))
    return StartupFailed(texts_channels.zalo_error(when, exc))
