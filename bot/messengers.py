"""`nhacviec run` with messenger tokens: Telegram and/or Zalo, polling or webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextlib import AsyncExitStack

from bot.app import Ticker, make_dispatcher, run_with_scheduler
from bot.channel import Channel
from bot.context import AppContext
from bot.conversation import Conversation
from bot.logs import install_redaction

log = logging.getLogger(__name__)


async def run_messengers(ctx: AppContext, stop: asyncio.Event | None = None) -> None:
    settings = ctx.settings
    install_redaction(
        s.get_secret_value()
        for s in (
            settings.telegram_token,
            settings.zalo_token,
            settings.telegram_webhook_secret,
            settings.zalo_webhook_secret,
        )
        if s
    )
    conversation = Conversation(ctx)
    channels: dict[str, Channel] = {}
    feeds = {}
    async with AsyncExitStack() as stack:
        if settings.telegram_token:
            from bot.telegram.app import TelegramBot

            telegram = TelegramBot(
                settings.telegram_token.get_secret_value(),
                settings.telegram_base_url,
                conversation,
                webhook=settings.webhook_mode,
                max_rate=settings.telegram_max_rate,
                db=ctx.db,
            )
            await stack.enter_async_context(telegram.running())
            channels["telegram"] = telegram.channel
            feeds["telegram"] = telegram.feed
            log.info("Telegram channel running (%s)", "webhook" if settings.webhook_mode else "polling")
        if settings.zalo_token:
            from bot.zalo.app import ZaloBot

            zalo = ZaloBot(
                settings.zalo_token.get_secret_value(),
                settings.zalo_base_url,
                conversation,
                webhook=settings.webhook_mode,
            )
            await stack.enter_async_context(zalo.running())
            channels["zalo"] = zalo.channel
            feeds["zalo"] = zalo.feed
            log.info("Zalo channel running (%s)", "webhook" if settings.webhook_mode else "polling")
        if settings.webhook_mode:
            import uvicorn

            from bot.webhooks import webhook_app

            _Server = _server_class()

            app = webhook_app(
                telegram=feeds.get("telegram"),
                telegram_secret=settings.telegram_webhook_secret.get_secret_value()
                if settings.telegram_webhook_secret
                else None,
                zalo=feeds.get("zalo"),
                zalo_secret=settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None,
            )
            server = _Server(
                uvicorn.Config(
                    app, host=settings.webhook_listen, port=settings.webhook_port, log_level="warning", lifespan="off"
                )
            )
            serving = asyncio.create_task(server.serve())

            async def _stop_server() -> None:
                server.should_exit = True
                await serving

            stack.push_async_callback(_stop_server)
        ticker = Ticker(ctx, make_dispatcher(ctx, channels))
        print(f"Nhắc việc đang chạy: {', '.join(channels)}. Nhấn Ctrl+C để dừng.")
        await run_with_scheduler(ticker, (stop or asyncio.Event()).wait(), settings.tick_seconds)


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn without its own signal handling: it would swallow SIGTERM and raise it
        again after serving, killing the process before the batch in hand is recorded.
        Our handlers (bot.app.stop_on_signals) stop the bot, and the bot stops uvicorn."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Server
