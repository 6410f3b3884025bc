"""The desk inside `nhacviec run`: its own small server on NHACVIEC_DESK_HOST:PORT, or routes
of the webhook server when both are given the same address."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from bot.context import AppContext
from bot.settings import Settings
from bot.texts.desk import DEMO_OFFICE_NAME
from store.enums import PersonRole

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)


class LazyDesk:
    """The desk's ASGI app, built at its first request: until someone opens a page, the bot
    holds neither Starlette, Jinja2 nor the desk's pages (≈ 3 MiB of an idle worker, issue
    26: heavy libraries imported only where used). Building it awaits nothing, so two first
    requests cannot build it twice."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            from bot.desk.app import desk_app

            self.app = desk_app(self.ctx)
        await self.app(scope, receive, send)


def shares_webhook_server(settings: Settings) -> bool:
    """On the webhook server's port (the default: both 8080), that server serves the desk
    too, on its address (0.0.0.0 in a container), behind the same proxy: in webhook mode,
    and in polling mode when it runs for /healthz (the image sets NHACVIEC_HEALTH_SERVER),
    where a second server on the same port could never listen."""
    serves = settings.messengers() and (settings.webhook_mode or settings.health_server)
    return serves and settings.desk_port == settings.webhook_port


def serves_own_desk(settings: Settings) -> bool:
    """Whether `nhacviec run` starts the desk's own server (its port held at start)."""
    return settings.desk_enabled and not shares_webhook_server(settings)


@contextlib.asynccontextmanager
async def running_desk(ctx: AppContext, listener: socket.socket | None = None) -> AsyncIterator[bool]:
    """Serve the desk while the block runs; yields whether it is being served here.
    `listener`: its socket, held since the start (`hold_port`), so a busy port stopped the
    start in one line instead of a bot running on without the desk. On a held socket the
    server itself (uvicorn) is started by the first connection, which waits in the socket's
    backlog meanwhile (~50 ms once): until someone opens the desk, an idle worker holds
    neither uvicorn nor the desk's pages (≈ 1 MiB more, issue 26, bench/idle_memory.py)."""
    if not serves_own_desk(ctx.settings):
        yield False
        return
    servers: list[Any] = []
    task = asyncio.create_task(_serve(ctx, listener, servers), name="desk")
    started = True  # a held port: served from the first connection on
    if listener is None:
        for _ in range(100):
            if (servers and servers[0].started) or task.done():
                break
            await asyncio.sleep(0.05)
        started = bool(servers) and servers[0].started
    try:
        yield started
    finally:
        if servers:
            servers[0].should_exit = True
        else:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _serve(ctx: AppContext, listener: socket.socket | None, servers: list[Any]) -> None:
    settings = ctx.settings
    if listener is not None:
        await _first_connection(listener)
    import uvicorn

    class Server(uvicorn.Server):
        # Our own signal handlers stop the bot, and the bot stops this server.
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    server = Server(
        uvicorn.Config(
            LazyDesk(ctx),
            host=settings.desk_host,
            port=settings.desk_port,
            log_level="warning",
            lifespan="off",
            access_log=False,  # a login link is a path: never written to a log
            log_config=None,
        )
    )
    servers.append(server)
    try:
        await server.serve(sockets=[listener] if listener is not None else None)
    except (SystemExit, OSError):
        log.error("the desk could not listen on %s:%s (port in use?)", settings.desk_host, settings.desk_port)
    except Exception:  # said when it happens, not at the stop that would await this task
        log.exception("the desk's server stopped; the bot goes on without the desk")


async def _first_connection(listener: socket.socket) -> None:
    """Until a connection waits on `listener` (not accepted: the server takes it)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(listener.fileno(), readable)
    try:
        await ready
    finally:
        loop.remove_reader(listener.fileno())


async def demo_login_link(ctx: AppContext) -> str:
    """A login link for the demo's office person (created on first use) in the first ward."""
    from bot.actions.desk_links import desk_now, issue_login_link
    from bot.actions.people import create_person
    from store.desk import find_person
    from store.queries import unit_by_code

    office = ctx.plan.coordinating_unit
    async with ctx.db.session() as s, s.begin():
        unit = await unit_by_code(s, ctx.ward_id, office)
        person = await find_person(s, ctx.ward_id, DEMO_OFFICE_NAME, PersonRole.OFFICE, unit.id if unit else None)
        if person is None:
            person = await create_person(s, ctx.ward_id, DEMO_OFFICE_NAME, PersonRole.OFFICE, office, ctx.now())
        return await issue_login_link(s, ctx.settings, person, desk_now(ctx))
