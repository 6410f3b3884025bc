"""Fetching the files people send, safely: only from the channel's own file hosts, never from
this machine or its private network, and never more than the size cap held in memory.

A Zalo image arrives as a URL inside the update, and the bot fetches it: a URL naming
loopback, the office network or the cloud's metadata service would otherwise be fetched
from inside, and its answer kept as "evidence". So a file URL must
name an allowed host (a suffix list, `NHACVIEC_ZALO_FILE_HOSTS`), and the address it
resolves to is checked at connect time (not before, so a DNS answer that changes between
the check and the connection cannot slip through): only public addresses, unless the
allow-list names that very IP address (a test fake, a local mirror the operator chose).
Redirects are followed by hand, each hop checked the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from bot.actions.evidence_files import FileTooLarge

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024


class FileRefused(ValueError):
    """A file URL outside the channel's own hosts, or resolving to a private address."""


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, read in chunks and given up as soon as it passes `max_bytes`: a server that
    declares a small file and sends a big one never gets more than the cap into memory."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FileTooLarge(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


async def download(client: httpx.AsyncClient, url: str, max_bytes: int) -> bytes:
    """GET `url` with `client`, at most `max_bytes`; non-200 answers raise."""
    async with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise httpx.HTTPStatusError(f"HTTP {response.status_code}", request=response.request, response=response)
        return await read_capped(response, max_bytes)


@dataclass(frozen=True)
class FileHosts:
    """The hosts a channel's file URLs may name: host suffixes ("zdn.vn" allows
    "f20-zpc.zdn.vn"), or exact IP addresses, which are then allowed even if private."""

    suffixes: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | Iterable[str]) -> FileHosts:
        items = text.split(",") if isinstance(text, str) else list(text)
        return cls(tuple(h.strip().lower().strip(".") for h in items if h.strip()))

    @property
    def addresses(self) -> frozenset[IPAddress]:
        found: set[IPAddress] = set()
        for h in self.suffixes:
            if (ip := _ip(h)) is not None:
                found.add(ip)
        return frozenset(found)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
            return False
        if (ip := _ip(host)) is not None:
            return ip in self.addresses
        return any(host == s or host.endswith("." + s) for s in self.suffixes if _ip(s) is None)


def _ip(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip


def public(ip: IPAddress) -> bool:
    """Reachable on the internet: not loopback, private, link-local (the cloud metadata
    service at 169.254.169.254), carrier-grade NAT, multicast, reserved or unspecified."""
    return ip.is_global and not ip.is_multicast


class _PublicOnly(httpcore.AsyncNetworkBackend):
    """Resolves the host itself and connects only to an address it has checked."""

    def __init__(self, allowed: frozenset[IPAddress]) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self._checked(host, port)
        return await self._inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def _checked(self, host: str, port: int) -> str:
        literal = _ip(host)
        if literal is not None:
            candidates = [literal]
        else:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            candidates = [ip for info in infos if (ip := _ip(str(info[4][0]))) is not None]
        # Every address must pass: a name that also resolves to a private address is refused,
        # whichever address the connection would have picked.
        refused = [ip for ip in candidates if ip not in self._allowed and not public(ip)]
        if not candidates or refused:
            why = f"a refused address ({refused[0]})" if refused else "no address"
            raise httpcore.ConnectError(f"file host resolves to {why}")
        return str(candidates[0])

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not file hosts")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, hosts: FileHosts) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend, the httpcore pool underneath does: the transport's
        # pool (`_pool`, what every httpx version since 0.18 keeps it in) is replaced.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PublicOnly(hosts.addresses)
        )


def guarded_client(hosts: FileHosts, timeout: float = 60.0) -> httpx.AsyncClient:
    """An HTTP client that connects only to public addresses (or the allow-list's own IPs),
    ignores proxy settings from the environment and does not follow redirects by itself."""
    return httpx.AsyncClient(
        transport=_GuardedTransport(hosts),
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout, connect=10.0),
    )


async def fetch_from_hosts(client: httpx.AsyncClient, hosts: FileHosts, url: str, max_bytes: int) -> bytes:
    """The bytes at `url` if it (and every redirect) names an allowed host; FileRefused
    otherwise, before any connection is made."""
    for _ in range(MAX_REDIRECTS + 1):
        if not hosts.allows(url):
            raise FileRefused("file URL outside the channel's file hosts")
        async with client.stream("GET", url) as response:
            if response.is_redirect and "location" in response.headers:
                url = str(response.url.join(response.headers["location"]))
                continue
            if response.status_code != 200:
                raise httpx.HTTPStatusError(f"HTTP {response.status_code}", request=response.request, response=response)
            return await read_capped(response, max_bytes)
    raise FileRefused("too many redirects")


async def fetch_under(base_url: str, url: str | None, max_bytes: int) -> bytes:
    """The bytes at a file URL the channel's own API gave (Telegram's getFile), refused if
    it is not under the API's file URL; read with the cap. The operator chose that API (it
    may be a local Bot API server), so its address is not checked; the URL carries the
    token, so it is never put in an error."""
    if not url or not url.startswith(base_url.rstrip("/") + "/"):
        raise FileRefused("file URL outside the API's file host")
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=False) as client:
        return await download(client, url, max_bytes)
