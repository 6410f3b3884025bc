"""The Telegram side of the conversation: updates in, replies out.

One MessageHandler and one CallbackQueryHandler hand everything to the channel-agnostic
conversation, which parses commands itself so Telegram and Zalo behave the same.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot, BotCommand, Message, Update
from telegram.constants import ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.actions.evidence_files import FileTooLarge
from bot.channels.files import fetch_under
from bot.channels.startup import StartupFailed, StartupUnreachable
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.pacing import PacedRateLimiter, token_key
from bot.channels.telegram.polling import WatchedRequest, keep_polling
from bot.channels.watch import InboundWatch
from bot.conversation.handle import COMMANDS, Conversation
from bot.messages import InboundFile, InboundMessage
from bot.texts import common as texts
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
        builder = (
            Application.builder()
            .token(token)
            .base_url(base_url)  # "https://api.telegram.org/bot"; the token is appended
            .base_file_url(base_url.replace("/bot", "/file/bot", 1))
            # Paces sends evenly at Telegram's ~30 messages/s per bot and ~1/s per chat; a
            # 429 still comes back to the outbox, which reschedules the reminder after retry_after.
            .rate_limiter(PacedRateLimiter(max_rate, shared=shared, chat_interval=chat_interval))
            .get_updates_request(WatchedRequest(self.watch))
            .connection_pool_size(16)
            .pool_timeout(30)
        )
        if webhook:
            builder = builder.updater(None)
        self.app = builder.build()
        self.conversation = conversation
        if (sources := getattr(conversation, "file_sources", None)) is not None:
            sources[CHANNEL] = TelegramFiles(self.app.bot)  # photos and files people send
        self.channel = TelegramChannel(self.app.bot)
        self.poll_timeout = poll_timeout
        self.app.add_handler(CallbackQueryHandler(self.on_button))
        self.app.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, self.on_message))
        self.app.add_error_handler(self.on_error)

    async def connect(self) -> None:
        """getMe: the token is accepted and the API reachable. Failures become one line
        (PTB's own InvalidToken message quotes the token, so it is never shown)."""
        try:
            await self.app.initialize()
        except InvalidToken:
            raise StartupFailed(
                "Telegram từ chối token (NHACVIEC_TELEGRAM_TOKEN); kiểm tra lại token với @BotFather."
            ) from None
        except NetworkError as exc:  # TimedOut, connection refused, 5xx
            raise StartupUnreachable(f"không kết nối được Telegram ({type(exc).__name__})") from None
        except TelegramError as exc:
            raise StartupFailed(f"Telegram trả lỗi khi khởi động ({type(exc).__name__}).") from None

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
            raise StartupFailed("Telegram từ chối token (NHACVIEC_TELEGRAM_TOKEN) khi đăng ký webhook.") from None
        except NetworkError as exc:
            raise StartupUnreachable(f"không đăng ký được webhook Telegram ({type(exc).__name__})") from None
        except TelegramError as exc:
            # e.g. "bad webhook: HTTPS url must be provided", "failed to resolve host"
            raise StartupFailed(f"Telegram không nhận webhook {url}: {exc.message}") from None
        log.info("Telegram webhook registered: %s", url)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[TelegramBot]:
        """Start inside the caller's event loop (not run_polling, which owns the loop).
        `connect` (and in webhook mode `register_webhook`) is called first, with retries."""
        async with self.app:
            await self.register_commands()
            await self.app.start()
            keeper: asyncio.Task[None] | None = None
            if self.app.updater is not None:
                await self._start_polling()
                # One 401 ends PTB's polling for good: start it again, with backoff.
                keeper = asyncio.create_task(
                    keep_polling(self.app.updater, self._start_polling, self.watch), name="telegram-polling"
                )
            try:
                yield self
            finally:
                if keeper is not None:
                    keeper.cancel()
                    await asyncio.gather(keeper, return_exceptions=True)
                if self.app.updater is not None and self.app.updater.running:
                    try:
                        await self.app.updater.stop()
                    except Exception as exc:
                        # PTB ends polling for good on a 401 and re-raises it here; the
                        # application must still be stopped, or its shutdown fails.
                        log.warning("Telegram polling had ended with %s", type(exc).__name__)
                await self.app.stop()

    async def _start_polling(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0.0, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES
        )

    async def register_commands(self) -> None:
        try:
            await self.app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS.menu()])
        except Exception as exc:  # commands are a convenience; the bot works without them
            log.warning("setMyCommands failed: %s", exc)

    async def feed(self, data: dict[str, object]) -> None:
        """Webhook mode: an update received by our ASGI route, handled before the route
        answers — so its 200 means the message is stored (the conversation stores it first),
        and an update the handlers choke on cannot stop the ones after it."""
        await self.app.process_update(Update.de_json(data, self.app.bot))

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every message, commands included, goes to the conversation."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None:
            return
        inbound = InboundMessage(
            channel=CHANNEL,
            chat_id=str(chat.id),
            message_id=str(message.message_id),
            text=message.text or message.caption or "",
            sender_id=str(user.id) if user else None,
            sender_name=user.full_name if user else None,
            sent_at=message.date,
            reply_to_message_id=str(message.reply_to_message.message_id) if message.reply_to_message else None,
            raw=json.dumps(update.to_dict(), ensure_ascii=False, default=str),
            private=chat.type == ChatType.PRIVATE,
            attachments=attachments(message),
        )
        # The answer is queued in the outbox with what it confirms; the dispatcher sends it.
        await self.conversation.handle(inbound, buttons=True)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on "Đã xong" / "Đang làm" / "Vướng mắc"."""
        query = update.callback_query
        if query is None or query.message is None:
            return
        try:
            await query.answer()
        except Exception as exc:  # the spinner stops by itself; the press still counts
            log.info("answerCallbackQuery failed: %s", exc)
        chat = query.message.chat
        inbound = InboundMessage(
            channel=CHANNEL,
            chat_id=str(chat.id),
            message_id=f"cb:{query.id}",
            text="",
            sender_id=str(query.from_user.id),
            sender_name=query.from_user.full_name,
            callback_data=query.data,
            raw=json.dumps(update.to_dict(), ensure_ascii=False, default=str),
            private=chat.type == ChatType.PRIVATE,
        )
        await self.conversation.handle(inbound, buttons=True)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with context; the person gets a short apology, never a stack trace."""
        chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.error("error handling Telegram update (chat %s)", chat_id, exc_info=context.error)
        if chat_id is not None:
            try:
                await self.app.bot.send_message(chat_id=chat_id, text=texts.APOLOGY)
            except Exception as exc:
                log.warning("could not send the apology: %s", exc)
