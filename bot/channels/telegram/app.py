"""The Telegram side of the conversation: updates in, replies out.

Every message and button press goes to the channel-agnostic conversation (`inbound_of`),
which parses commands itself so Telegram and Zalo behave the same. python-telegram-bot
gives the Bot (requests, pacing); updates are taken in here, stored before they are
confirmed: by the webhook route's answer, or by the poller's next offset.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from telegram import Bot, BotCommand, Message, Update
from telegram.constants import ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.actions.evidence_files import FileTooLarge
from bot.channels.files import fetch_under
from bot.channels.startup import StartupFailed, StartupUnreachable
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.pacing import PacedRateLimiter, token_key
from bot.channels.telegram.poller import poll
from bot.channels.telegram.polling import WatchedRequest
from bot.channels.watch import InboundWatch
from bot.conversation.handle import COMMANDS, Conversation
from bot.conversation.resume import tell_office_of_hold
from bot.messages import InboundFile, InboundMessage
from bot.texts import channels as texts_channels
from store.db import Database
from store.pacing import SharedPace

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]


def attachments(message: Message) -> tuple[InboundFile, ...]:
    """A photo (its largest size) or a document sent with the message."""
    if message.photo:
        largest = message.photo[-1]
        return (InboundFile(largest.file_id, "photo", None, "image/jpeg", largest.file_size),)
    if message.document is not None:
        d = message.document
        return (InboundFile(d.file_id, "document", d.file_name, d.mime_type, d.file_size),)
    return ()


class TelegramFiles:
    """Fetches a file a person sent: getFile, then the download from the file URL."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, file: InboundFile, max_bytes: int) -> bytes:
        found = await self.bot.get_file(file.file_id)
        if found.file_size is not None and found.file_size > max_bytes:
            raise FileTooLarge(found.file_size)
        # Streamed with the cap (PTB's download would hold the whole body, whatever getFile
        # declared), and only from the API's own file URL.
        return await fetch_under(self.bot.base_file_url, found.file_path, max_bytes)


class TelegramBot:
    """python-telegram-bot Application wired to our conversation and outbox channel."""

    def __init__(
        self,
        token: str,
        base_url: str,
        conversation: Conversation,
        *,
        webhook: bool = False,
        poll_timeout: int = 10,
        max_rate: float = 28.0,
        db: Database | None = None,
        chat_interval: float = 1.0,
    ) -> None:
        # On PostgreSQL every worker of this bot takes its slots from one shared grid, so they
        # keep Telegram's limit together; SQLite means one process, paced in memory.
        shared = SharedPace(db, token_key(token)) if db is not None and db.is_postgres else None
        # Whether polling still reads updates: /healthz and the dead-man's switch look here.
        self.watch = InboundWatch.start(CHANNEL)
        # One TLS context (the CA bundle parsed once, ≈ 0.8 MiB) for both of PTB's clients,
        # which would otherwise each build their own and keep it for the process's life.
        tls = httpx.create_ssl_context()  # what each httpx client would make: certifi, or SSL_CERT_FILE/DIR
        builder = (
            Application.builder()
            .token(token)
            .base_url(base_url)  # "https://api.telegram.org/bot"; the token is appended
            .base_file_url(base_url.replace("/bot", "/file/bot", 1))
            # Paces sends evenly at Telegram's ~30 messages/s per bot and ~1/s per chat; a
            # 429 still comes back to the outbox, which reschedules the reminder after retry_after.
            .rate_limiter(PacedRateLimiter(max_rate, shared=shared, chat_interval=chat_interval))
            .get_updates_request(WatchedRequest(self.watch, tls))
            .request(HTTPXRequest(connection_pool_size=16, pool_timeout=30, httpx_kwargs={"verify": tls}))
        )
        # No Updater: it confirms updates before they are stored (see poller.py).
        self.app = builder.updater(None).build()
        self.webhook = webhook
        self.conversation = conversation
        if (sources := getattr(conversation, "file_sources", None)) is not None:
            sources[CHANNEL] = TelegramFiles(self.app.bot)  # photos and files people send
        if (readers := getattr(conversation, "readers", None)) is not None:
            readers[CHANNEL] = (self.read_stored, True)
        self.channel = TelegramChannel(self.app.bot)
        self.poll_timeout = poll_timeout

    async def connect(self) -> None:
        """getMe: the token is accepted and the API reachable. Failures become one line
        (PTB's own InvalidToken message quotes the token, so it is never shown)."""
        try:
            await self.app.initialize()
        except InvalidToken:
            raise StartupFailed(texts_channels.TELEGRAM_TOKEN_REFUSED) from None
        except NetworkError as exc:  # TimedOut, connection refused, 5xx
            raise StartupUnreachable(texts_channels.telegram_unreachable(type(exc).__name__)) from None
        except TelegramError as exc:
            raise StartupFailed(texts_channels.telegram_error(type(exc).__name__)) from None

    def username(self) -> str | None:
        """The bot's @username as getMe gave it (after `connect`), for deep links."""
        try:
            return self.app.bot.username or None
        except RuntimeError:  # not initialised
            return None

    async def register_webhook(self, url: str, secret: str) -> None:
        """Webhook mode: tell Telegram where to post updates, with the secret it must send."""
        try:
            await self.app.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        except InvalidToken:
            raise StartupFailed(texts_channels.TELEGRAM_TOKEN_REFUSED_WEBHOOK) from None
        except NetworkError as exc:
            raise StartupUnreachable(texts_channels.telegram_webhook_unreachable(type(exc).__name__)) from None
        except TelegramError as exc:
            # e.g. "bad webhook: HTTPS url must be provided", "failed to resolve host"
            raise StartupFailed(texts_channels.telegram_webhook_refused(url, exc.message)) from None
        log.info("Telegram webhook registered: %s", url)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[TelegramBot]:
        """Start inside the caller's event loop. `connect` (and in webhook mode
        `register_webhook`) is called first, with retries. Polling is our own
        (bot/channels/telegram/poller.py): an update is confirmed only once stored."""
        async with self.app:
            await self.register_commands()
            poller = None
            if not self.webhook:
                poller = asyncio.create_task(
                    poll(
                        self.app.bot,
                        self.accept,
                        timeout=self.poll_timeout,
                        allowed_updates=ALLOWED_UPDATES,
                        recovered=self._held,
                    ),
                    name="telegram-poller",
                )
            try:
                yield self
            finally:
                if poller is not None:
                    poller.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await poller

    async def _held(self, seconds: float) -> None:
        await tell_office_of_hold(self.conversation, CHANNEL, seconds)

    async def register_commands(self) -> None:
        try:
            await self.app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS.menu()])
        except Exception as exc:  # commands are a convenience; the bot works without them
            log.warning("setMyCommands failed: %s", exc)

    async def feed(self, data: dict[str, object]) -> None:
        """Webhook mode: an update received by our ASGI route, stored before the route
        answers. Raises when it could not be stored (the route answers 503 and Telegram
        sends it again); an update of a shape we cannot read raises ValueError (400)."""
        await self.accept(Update.de_json(data, self.app.bot))

    def read_stored(self, raw: str) -> InboundMessage | None:
        """A stored raw update read back (a message stored and never answered)."""
        return inbound_of(Update.de_json(json.loads(raw), self.app.bot))

    async def accept(self, update: Update) -> None:
        """Store an update and answer it; raises only when it could not be stored."""
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()  # the spinner; the press counts anyway
            except Exception as exc:
                log.info("answerCallbackQuery failed: %s", type(exc).__name__)
        inbound = inbound_of(update)
        if inbound is not None:
            # The answer is queued in the outbox with what it confirms; the dispatcher sends it.
            await self.conversation.receive(inbound, buttons=True)


def inbound_of(update: Update) -> InboundMessage | None:
    """An update → our inbound message: a message (commands included; edits ignored) or a
    press on "Đã xong" / "Đang làm" / "Vướng mắc"; None for anything else."""
    raw = json.dumps(update.to_dict(), ensure_ascii=False, default=str)
    query = update.callback_query
    if query is not None:
        if query.message is None:
            return None
        chat = query.message.chat
        return InboundMessage(
            channel=CHANNEL,
            chat_id=str(chat.id),
            message_id=f"cb:{query.id}",
            text="",
            sender_id=str(query.from_user.id),
            sender_name=query.from_user.full_name,
            callback_data=query.data,
            raw=raw,
            private=chat.type == ChatType.PRIVATE,
        )
    message, user = update.message, update.effective_user
    if message is None:  # an edit, a channel post: not a message to answer
        return None
    return InboundMessage(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        message_id=str(message.message_id),
        text=message.text or message.caption or "",
        sender_id=str(user.id) if user else None,
        sender_name=user.full_name if user else None,
        sent_at=message.date,
        reply_to_message_id=str(message.reply_to_message.message_id) if message.reply_to_message else None,
        raw=raw,
        private=message.chat.type == ChatType.PRIVATE,
        attachments=attachments(message),
    )
