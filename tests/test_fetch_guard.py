"""Files people send are fetched only from the channel's own file hosts, never from this
machine or its private network, and never more than the 20 MB cap into memory (issue 25,
item 7). Against the fake Telegram and Zalo servers on loopback."""

from __future__ import annotations

import ipaddress
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.actions.evidence_files import MAX_BYTES, fetch_and_store
from bot.channels.files import FileHosts, public
from bot.channels.telegram.app import TelegramBot, TelegramFiles
from bot.channels.zalo.app import ZaloFiles
from bot.messages import InboundFile
from bot.settings import ZALO_FILE_HOSTS
from tests.fakes.server import RunningServer, serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

PHOTO = b"\xff\xd8\xff\xe0 a photo of a signed document \xff\xd9"
NOW = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)


# --- which URLs name a file host ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://f20-zpc.zdn.vn/1234/photo.jpg", True),
        ("https://s120-ava-talk.zadn.vn/a/b.jpg", True),
        ("https://zdn.vn/x.jpg", True),
        ("https://zdn.vn.attacker.example/x.jpg", False),  # the suffix is a whole label
        ("https://evilzdn.vn/x.jpg", False),
        ("http://127.0.0.1:8080/media/img1.jpg", False),  # loopback
        ("http://localhost/x.jpg", False),
        ("http://169.254.169.254/latest/meta-data/", False),  # the cloud's metadata service
        ("http://[::ffff:127.0.0.1]/x.jpg", False),
        ("http://10.0.0.5/x.jpg", False),
        ("https://user:secret@f20.zdn.vn/x.jpg", False),
        ("file:///etc/passwd", False),
        ("ftp://f20.zdn.vn/x.jpg", False),
    ],
)
def test_only_zalos_own_hosts_are_file_hosts(url: str, allowed: bool) -> None:
    assert FileHosts.parse(ZALO_FILE_HOSTS).allows(url) is allowed


def test_an_ip_address_on_the_allow_list_is_allowed_as_it_is() -> None:
    hosts = FileHosts.parse("127.0.0.1, zdn.vn")
    assert hosts.allows("http://127.0.0.1:9000/media/a.jpg")
    assert not hosts.allows("http://127.0.0.2:9000/media/a.jpg")
    assert not hosts.allows("http://localhost:9000/media/a.jpg")


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.1.10", False),
        ("172.16.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_are_connected_to(address: str, ok: bool) -> None:
    assert public(ipaddress.ip_address(address)) is ok


# --- Zalo: an image URL from an update ---------------------------------------------------------


@pytest.fixture
async def zalo() -> AsyncIterator[tuple[FakeZalo, RunningServer]]:
    fake = FakeZalo()
    server = await serve(fake.app())
    fake.base_url = server.url
    try:
        yield fake, server
    finally:
        await server.stop()


def _image(fake: FakeZalo, url: str | None = None) -> InboundFile:
    fake.media["img1.jpg"] = PHOTO
    return InboundFile(url or f"{fake.base_url}/media/img1.jpg", "photo", None, "image/jpeg", None)


async def test_a_zalo_image_url_on_loopback_is_never_requested(
    zalo: tuple[FakeZalo, RunningServer], tmp_path: Path
) -> None:
    fake, _ = zalo
    got = await fetch_and_store(ZaloFiles(FileHosts.parse(ZALO_FILE_HOSTS)), _image(fake), tmp_path, NOW)
    assert not got.stored and got.error == "không tải được tệp (FileRefused)"
    assert fake.media_requests == 0


async def test_a_file_host_name_that_resolves_to_loopback_is_refused_at_connect(
    zalo: tuple[FakeZalo, RunningServer], tmp_path: Path
) -> None:
    """The name is on the allow-list, but it resolves to 127.0.0.1: the address is checked
    when the connection is made, so nothing reaches the server."""
    fake, server = zalo
    source = ZaloFiles(FileHosts.parse("localhost"))
    got = await fetch_and_store(source, _image(fake, f"http://localhost:{server.port}/media/img1.jpg"), tmp_path, NOW)
    assert not got.stored and got.error == "không tải được tệp (ConnectError)"
    assert fake.media_requests == 0


async def test_a_redirect_to_another_host_is_not_followed(zalo: tuple[FakeZalo, RunningServer], tmp_path: Path) -> None:
    fake, server = zalo
    fake.redirects["img1.jpg"] = f"http://localhost:{server.port}/media/img2.jpg"
    got = await fetch_and_store(ZaloFiles(FileHosts.parse("127.0.0.1")), _image(fake), tmp_path, NOW)
    assert not got.stored and got.error == "không tải được tệp (FileRefused)"
    assert fake.media_requests == 2  # the first try and the retry, each stopped at the redirect


async def test_a_zalo_image_on_an_allowed_host_is_fetched(zalo: tuple[FakeZalo, RunningServer], tmp_path: Path) -> None:
    fake, _ = zalo
    got = await fetch_and_store(ZaloFiles(FileHosts.parse("127.0.0.1")), _image(fake), tmp_path, NOW)
    assert got.stored and got.path is not None and Path(got.path).read_bytes() == PHOTO
    assert fake.media_requests == 1


# --- Telegram: a body bigger than getFile said --------------------------------------------------


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, TelegramFiles]]:
    fake = FakeTelegram()
    server = await serve(fake.app())

    class Nobody:
        async def handle(self, msg: object, *, buttons: bool = False) -> list[object]:
            return []

    bot = TelegramBot(fake.token, f"{server.url}/bot", Nobody())  # type: ignore[arg-type]
    await bot.bot.initialize()
    try:
        yield fake, TelegramFiles(bot.bot)
    finally:
        await bot.bot.aclose()
        await server.stop()


async def test_a_telegram_file_declared_small_but_sent_big_is_cut_at_the_cap(
    telegram: tuple[FakeTelegram, TelegramFiles], tmp_path: Path
) -> None:
    """getFile says a few bytes; the download is 60 MB. Reading stops past 20 MB: the file
    is not kept, the office is told it was too big, and at no moment was the body held
    whole (the old download read all 60 MB into memory before looking at the size)."""
    fake, source = telegram
    fake.user_files["photo1"] = ("photos/photo1.jpg", PHOTO)
    fake.oversized["photo1"] = 60 * 1024 * 1024
    tracemalloc.start()
    try:
        small = InboundFile("photo1", "photo", None, "image/jpeg", len(PHOTO))
        got = await fetch_and_store(source, small, tmp_path, NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not got.stored and got.error == "tệp quá lớn (hơn 20 MB)"
    assert fake.file_downloads == 1  # too big is not worth a second try
    assert peak < 2 * MAX_BYTES + 4 * 1024 * 1024, peak
    assert fake.file_bytes_served < 60 * 1024 * 1024
    assert list(tmp_path.rglob("*")) == []


async def test_a_telegram_file_within_the_cap_is_kept_whole(
    telegram: tuple[FakeTelegram, TelegramFiles], tmp_path: Path
) -> None:
    fake, source = telegram
    fake.user_files["doc1"] = ("documents/doc1", PHOTO * 1000)
    got = await fetch_and_store(source, InboundFile("doc1", "document", "cv.pdf", None, None), tmp_path, NOW)
    assert got.stored and got.path is not None and Path(got.path).read_bytes() == PHOTO * 1000
