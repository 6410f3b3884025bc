"""The Telegram side of the conversation: updates in, replies out.

Every message and button press goes to the channel-agnostic conversation (`inbound_of`),
which parses commands itself so Telegram and Zalo behave the same. Our Bot API client
(api.py) makes the calls, paced (pacing.py); updates are taken in here, stored before they
are confirmed: by the webhook route's answer, or by the poller's next offset.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.actions.evidence_files import FileTooLarge
from bot.channels.files import fetch_under
from bot.channels.startup import StartupFailed, StartupUnreachable
from bot.channels.telegram.api import BotApi, InvalidToken, NetworkError, TelegramError
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.pacing import PacedRateLimiter, token_key
from bot.channels.telegram.poller import poll
from bot.channels.telegram.updates import Update
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


class TelegramFiles:
    """Fetches a file a person sent: getFile, then the download from the file URL."""

    def __init__(self, bot: BotApi) -> None:
        self.bot = bot

    async def fetch(self, file: InboundFile, max_bytes: int) -> bytes:
        found = await self.bot.get_file(file.file_id)
        size, path = found.get("file_size"), found.get("file_path")
        if isinstance(size, int) and size > max_bytes:
            raise FileTooLarge(size)
        # Streamed with the cap (whatever getFile declared), and only from the API's own file URL.
        url = self.bot.file_url(path) if isinstance(path, str) and path else None
        return await fetch_under(self.bot.base_file_url, url, max_bytes)


class TelegramBot:
    """Our Bot API client wired to the conversation and the outbox's channel."""

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
        # One TLS context (the CA bundle parsed once, ≈ 0.8 MiB) for both of the client's
        # connection pools, which would otherwise each build their own and keep it for good.
        tls = httpx.create_ssl_context()  # what each httpx client would make: certifi, or SSL_CERT_FILE/DIR
        # Paces sends evenly at Telegram's ~30 messages/s per bot and ~1/s per chat; a 429
        # still comes back to the outbox, which reschedules the reminder after retry_after.
        self.pacer = PacedRateLimiter(max_rate, shared=shared, chat_interval=chat_interval)
        # base_url: "https://api.telegram.org/bot"; the token is appended.
        self.bot = BotApi(token, base_url, tls=tls, pacer=self.pacer)
        self.webhook = webhook
        self.conversation = conversation
        if (sources := getattr(conversation, "file_sources", None)) is not None:
            sources[CHANNEL] = TelegramFiles(self.bot)  # photos and files people send
        if (readers := getattr(conversation, "readers", None)) is not None:
            readers[CHANNEL] = (self.read_stored, True)
        self.channel = TelegramChannel(self.bot)
        self.poll_timeout = poll_timeout

    async def connect(self) -> None:
        """getMe: the token is accepted and the API reachable. Failures become one line that
        never quotes the token."""
        try:
            await self.bot.initialize()
        except InvalidToken:
            raise StartupFailed(texts_channels.TELEGRAM_TOKEN_REFUSED) from None
        except NetworkError as exc:  # TimedOut, connection refused, 5xx
            raise StartupUnreachable(texts_channels.telegram_unreachable(type(exc).__name__)) from None
        except TelegramError as exc:
            raise StartupFailed(texts_channels.telegram_error(type(exc).__name__)) from None

    def username(self) -> str | None:
        """The bot's @username as getMe gave it (after `connect`), for deep links."""
        return self.bot.username

    async def register_webhook(self, url: str, secret: str) -> None:
        """Webhook mode: tell Telegram where to post updates, with the secret it must send."""
        try:
            await self.bot.set_webhook(url, secret, ALLOWED_UPDATES)
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
        try:
            if not self.bot.initialized:
                await self.connect()
            await self.register_commands()
            poller = None
            if not self.webhook:
                poller = asyncio.create_task(
                    poll(
                        self.bot,
                        self.accept,
                        timeout=self.poll_timeout,
                        allowed_updates=ALLOWED_UPDATES,
                        recovered=self._held,
                        watch=self.watch,
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
        finally:
            await self.bot.aclose()

    async def _held(self, seconds: float) -> None:
        await tell_office_of_hold(self.conversation, CHANNEL, seconds)

    async def register_commands(self) -> None:
        try:
            await self.bot.set_my_commands(COMMANDS.menu())
        except Exception as exc:  # commands are a convenience; the bot works without them
            log.warning("setMyCommands failed: %s", exc)

    async def feed(self, data: dict[str, object]) -> None:
        """Webhook mode: an update received by our ASGI route, stored before the route
        answers. Raises when it could not be stored (the route answers 503 and Telegram
        sends it again); an update of a shape we cannot read raises ValueError (400)."""
        await self.accept(Update.parse(data))

    def read_stored(self, raw: str) -> InboundMessage | None:
        """A stored raw update read back (a message stored and never answered): the JSON as
        received, or python-telegram-bot's `to_dict()` of it in rows stored before issue 26."""
        return inbound_of(Update.parse(json.loads(raw)))

    async def accept(self, update: Update) -> None:
        """Store an update and answer it; raises only when it could not be stored."""
        if update.callback_query is not None:
            try:
                # The spinner; the press counts anyway.
                await self.bot.answer_callback_query(update.callback_query.id)
            except Exception as exc:
                log.info("answerCallbackQuery failed: %s", type(exc).__name__)
        inbound = inbound_of(update)
        if inbound is not None:
            # The answer is queued in the outbox with what it confirms; the dispatcher sends it.
            await self.conversation.receive(inbound, buttons=True)


def inbound_of(update: Update) -> InboundMessage | None:
    """An update → our inbound message: a message (commands included; edits ignored) or a
    press on "Đã xong" / "Đang làm" / "Vướng mắc"; None for anything else."""
    raw = json.dumps(update.raw, ensure_ascii=False, default=str)
    query = update.callback_query
    if query is not None:
        if query.chat is None:
            return None
        return InboundMessage(
            channel=CHANNEL,
            chat_id=str(query.chat.id),
            message_id=f"cb:{query.id}",
            text="",
            sender_id=str(query.from_user.id),
            sender_name=query.from_user.full_name,
            callback_data=query.data,
            raw=raw,
            private=query.chat.private,
        )
    message = update.message
    if message is None:  # an edit, a channel post: not a message to answer
        return None
    user = message.from_user
    return InboundMessage(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        message_id=str(message.message_id),
        text=message.text or message.caption or "",
        sender_id=str(user.id) if user else None,
        sender_name=user.full_name if user else None,
        sent_at=message.date,
        reply_to_message_id=str(message.reply_to_message_id) if message.reply_to_message_id is not None else None,
        raw=raw,
        private=message.chat.private,
        attachments=message.attachments,
    )
