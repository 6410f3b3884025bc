"""A TCP proxy in front of PostgreSQL (or any TCP server) that a test can take away.

The database "goes away" at the network edge, as it does when a server restarts or a
link drops; the code under test is not touched:

- `cut()`: every open connection is reset and new ones are refused (accepted, then closed
  at once: the driver sees "server closed the connection unexpectedly"), until `restore()`;
- `pause()`: connections stay open but no byte passes either way (a hung link), until
  `restore()`.

    proxy = await DbProxy.start("127.0.0.1", 5432)
    url = proxy.url_for("postgresql+psycopg://postgres@127.0.0.1:5432/test")  # via the proxy
    proxy.cut(); …; proxy.restore()
    await proxy.stop()

It runs in the caller's event loop (tests), or in a thread of its own (`ThreadedDbProxy`,
for a harness driving a bot in another process).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url


@dataclass
class DbProxy:
    target_host: str
    target_port: int
    host: str = "127.0.0.1"
    port: int = 0
    state: str = "open"  # open | cut | paused
    connections: int = 0  # accepted so far
    refused: int = 0  # accepted while cut, closed at once
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _flowing: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def start(cls, target_host: str, target_port: int) -> DbProxy:
        proxy = cls(target_host, target_port)
        proxy._flowing.set()
        proxy._server = await asyncio.start_server(proxy._client, proxy.host, 0)
        proxy.port = int(proxy._server.sockets[0].getsockname()[1])
        return proxy

    @classmethod
    async def in_front_of(cls, url: str) -> tuple[DbProxy, str]:
        """A proxy in front of the server of database `url`, and the URL through it."""
        parsed = make_url(url)
        proxy = await cls.start(parsed.host or "127.0.0.1", parsed.port or 5432)
        return proxy, proxy.url_for(url)

    def url_for(self, url: str) -> str:
        return make_url(url).set(host=self.host, port=self.port).render_as_string(hide_password=False)

    def cut(self) -> None:
        """The database is away: open connections reset, new ones closed at once."""
        self.state = "cut"
        self._flowing.set()  # paused pumps wake up to find the link gone
        for writer in list(self._writers):
            _abort(writer)
        self._writers.clear()

    def pause(self) -> None:
        """The link hangs: connections stay open, nothing passes."""
        self.state = "paused"
        self._flowing.clear()

    def restore(self) -> None:
        self.state = "open"
        self._flowing.set()

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.state == "cut":
            self.refused += 1
            _abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            _abort(writer)
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True)
        for w in (writer, up_writer):
            self._writers.discard(w)
            _abort(w)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await self._flowing.wait()
            if self.state == "cut" or writer.is_closing():
                break
            writer.write(data)
            await writer.drain()
        _abort(writer)


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if not transport.is_closing():
        transport.abort()


class ThreadedDbProxy:
    """A DbProxy served by its own event loop in a daemon thread (the harness is synchronous)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-proxy", daemon=True)
        self._target = (target_host, target_port)
        self.proxy: DbProxy | None = None
        self._thread.start()
        self._ready.wait(10)
        assert self.proxy is not None, "the database proxy did not start"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self.proxy = await DbProxy.start(*self._target)
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def _call(self, name: str) -> None:
        assert self.proxy is not None
        self._loop.call_soon_threadsafe(getattr(self.proxy, name))

    def cut(self) -> None:
        self._call("cut")

    def pause(self) -> None:
        self._call("pause")

    def restore(self) -> None:
        self._call("restore")

    def url_for(self, url: str) -> str:
        assert self.proxy is not None
        return self.proxy.url_for(url)

    def stop(self) -> None:
        assert self.proxy is not None
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
