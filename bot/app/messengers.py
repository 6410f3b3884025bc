"""`nhacviec run` with messenger tokens: Telegram and/or Zalo, polling or webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from datetime import timedelta

import bot.commands  # noqa: F401  (registers every chat command)
from bot.app.health import HealthCheck
from bot.app.logs import install_redaction, secrets_of
from bot.app.observe import Metrics, metrics_source, observed
from bot.app.service import Ticker, make_dispatcher, run_with_scheduler
from bot.channels.startup import StartupStopped, check_webhook_settings, hold_port, webhook_url, with_retries
from bot.context import AppContext
from bot.conversation.handle import Conversation
from bot.conversation.resume import keep_answering
from bot.messages import Channel
from bot.settings import SecretStr, Settings
from bot.texts import operator as texts_operator
from store.versioning import version_line

log = logging.getLogger(__name__)


async def run_messengers(
    ctx: AppContext, stop: asyncio.Event | None = None, listener: socket.socket | None = None
) -> None:
    """Start the configured channels (getMe, webhook registration: retried while the API
    is unreachable, a refusal ends the start with one line), then run until `stop`.
    `listener`: the webhook/health server's socket, held since the start (`hold_port`);
    bound here, before any request to a platform, when not given."""
    settings = ctx.settings
    install_redaction(secrets_of(settings))
    check_webhook_settings(settings)
    stop = stop or asyncio.Event()
    owned = None
    if listener is None and (settings.webhook_mode or settings.health_server):
        listener = owned = hold_port(settings.webhook_listen, settings.webhook_port)
    try:
        await _run_messengers(ctx, stop, listener)
    except StartupStopped:
        log.warning("stopped while starting")
    finally:
        if owned is not None:
            owned.close()


async def _retrying(what: str, attempt: Callable[[], Awaitable[None]], settings: Settings, stop: asyncio.Event) -> None:
    await with_retries(what, attempt, retries=settings.startup_retries, delay=settings.startup_retry_seconds, stop=stop)


async def _run_messengers(ctx: AppContext, stop: asyncio.Event, listener: socket.socket | None) -> None:
    settings = ctx.settings
    conversation = Conversation(ctx)
    channels: dict[str, Channel] = {}
    feeds = {}
    watches = []
    async with AsyncExitStack() as stack:
        if settings.telegram_token and "telegram" in settings.channel_list():
            from bot.channels.telegram.app import TelegramBot

            telegram = TelegramBot(
                settings.telegram_token.get_secret_value(),
                settings.telegram_base_url,
                conversation,
                webhook=settings.webhook_mode,
                max_rate=settings.telegram_max_rate,
                db=ctx.db,
            )
            await _retrying("Telegram getMe", telegram.connect, settings, stop)
            ctx.telegram_username = telegram.username()
            if settings.webhook_mode:
                url, secret = webhook_url(settings, "telegram"), _secret(settings.telegram_webhook_secret)

                async def register_telegram() -> None:
                    await telegram.register_webhook(url, secret)

                await _retrying("Telegram setWebhook", register_telegram, settings, stop)
            await stack.enter_async_context(telegram.running())
            channels["telegram"] = telegram.channel
            if not settings.webhook_mode:
                watches.append(telegram.watch)
            feeds["telegram"] = telegram.feed
            log.info("Telegram channel running (%s)", "webhook" if settings.webhook_mode else "polling")
        if settings.zalo_token and "zalo" in settings.channel_list():
            from bot.channels.zalo.app import ZaloBot

            zalo = ZaloBot(
                settings.zalo_token.get_secret_value(),
                settings.zalo_base_url,
                conversation,
                webhook=settings.webhook_mode,
                file_hosts=settings.zalo_file_hosts,
            )
            stack.push_async_callback(zalo.client.aclose)  # also when the start fails
            await _retrying("Zalo getMe", zalo.connect, settings, stop)
            if settings.webhook_mode:
                zalo_url, zalo_secret = webhook_url(settings, "zalo"), _secret(settings.zalo_webhook_secret)

                async def register_zalo() -> None:
                    await zalo.register_webhook(zalo_url, zalo_secret)

                await _retrying("Zalo setWebhook", register_zalo, settings, stop)
            await stack.enter_async_context(zalo.running())
            channels["zalo"] = zalo.channel
            feeds["zalo"] = zalo.feed
            log.info("Zalo channel running (%s)", "webhook" if settings.webhook_mode else "polling")
        serves_http = settings.webhook_mode or settings.health_server
        metrics = Metrics() if serves_http else None  # counted only where /metrics is served
        ticker = Ticker(ctx, make_dispatcher(ctx, observed(channels, metrics)))
        health = HealthCheck(ctx, ticker, inbound=watches)
        for watch in watches:
            watch.recovered.append(_resume(ctx, ticker, watch.channel))
        if serves_http:
            assert metrics is not None
            import uvicorn

            from bot.channels.webhooks import webhook_app

            _Server = _server_class()
            # Polling mode serves /healthz and /metrics only: no webhook route to post to.
            hooks = feeds if settings.webhook_mode else {}
            app = webhook_app(
                telegram=hooks.get("telegram"),
                telegram_secret=settings.telegram_webhook_secret.get_secret_value()
                if settings.telegram_webhook_secret
                else None,
                zalo=hooks.get("zalo"),
                zalo_secret=settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None,
                health=health.http,
                metrics=metrics_source(metrics, health.report),
            )
            from bot.desk.serve import LazyDesk, shares_webhook_server

            if settings.desk_enabled and shares_webhook_server(settings):
                from starlette.routing import Mount

                app.router.routes.append(Mount("/", LazyDesk(ctx)))  # after the webhooks' own routes
            server = _Server(
                uvicorn.Config(
                    app,
                    host=settings.webhook_listen,
                    port=settings.webhook_port,
                    log_level="warning",
                    lifespan="off",
                    # No access log: the desk may be mounted here, and a login link is a path.
                    access_log=False,
                    # uvicorn's loggers go through the root handlers, which redact secrets.
                    log_config=None,
                )
            )
            assert listener is not None  # held since the start (run_messengers)
            serving = asyncio.create_task(server.serve(sockets=[listener]))

            async def _stop_server() -> None:
                server.should_exit = True
                await serving

            stack.push_async_callback(_stop_server)
        # The dead-man's switch: the office is told when nothing could be sent for a while.
        watchdog = asyncio.create_task(health.watch(stop), name="deadman-switch")
        stack.push_async_callback(_cancel, watchdog)
        # Messages stored but not answered (the database went away in between, or a stopped
        # process left them) are answered from their stored rows.
        horizon = timedelta(hours=settings.stale_after_hours)
        answering = asyncio.create_task(keep_answering(conversation, stop, horizon), name="stored-answers")
        stack.push_async_callback(_cancel, answering)
        print(texts_operator.running_line(version_line(), channels), flush=True)
        await run_with_scheduler(ticker, stop.wait(), settings.tick_seconds)


def _resume(ctx: AppContext, ticker: Ticker, channel: str) -> Callable[[], None]:
    """Polling reads again after failing (a 401 blip over): the token works, so the channel's
    outbound pause ends now and what waits is sent at once, not after the pause."""

    def resume() -> None:
        if ticker.dispatcher.paused.pop(channel, None) is not None:
            log.warning("%s reads updates again: its sends resume", channel)
            ctx.wake()

    return resume


def _secret(value: SecretStr | None) -> str:
    assert value is not None  # check_webhook_settings refused to start without it
    return value.get_secret_value()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn without its own signal handling: it would swallow SIGTERM and raise it
        again after serving, killing the process before the batch in hand is recorded.
        Our handlers (bot.app.signals.stop_on_signals) stop the bot, and the bot stops uvicorn."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Server
