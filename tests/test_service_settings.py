"""Settings are checked before anything runs: one line per problem, unknown NHACVIEC_* names
refused with the closest known one, an explicit list of channels, a busy port said at start."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.settings import SecretStr, Settings, SettingsError, unknown_names
from tests.fakes.process import assert_one_clean_line, nhacviec_run, telegram_api
from tests.fakes.server import RunningServer, free_port
from tests.fakes.telegram_api import FakeTelegram

__all__ = ["telegram_api"]  # the fixture (tests/fakes/process.py)


def _errors(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_a_misspelt_setting_is_refused_with_the_closest_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_TELEGRAM_TOKN", "123:abc")
    assert main(["status"]) == 1
    assert _errors(capsys) == ["Lỗi: NHACVIEC_TELEGRAM_TOKN: không có thiết lập này; có phải NHACVIEC_TELEGRAM_TOKEN?"]


def test_a_misspelt_setting_in_dot_env_is_refused_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text('NHACVIEC_DEADMAN_MINUTE="45"\nPOSTGRES_PASSWORD=x\n', encoding="utf-8")
    assert main(["status"]) == 1
    assert _errors(capsys) == [
        "Lỗi: NHACVIEC_DEADMAN_MINUTE: không có thiết lập này; có phải NHACVIEC_DEADMAN_MINUTES?"
    ]


def test_a_dot_env_that_is_not_utf8_is_refused_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    # The ward's name as a TCVN3 (ABC) editor saves "Nhị Chiểu": its bytes are no UTF-8.
    (tmp_path / ".env").write_bytes(b"NHACVIEC_TICK_SECONDS=3\nNHACVIEC_WARD=Nh\xdf Chi\xd6u\n")
    assert main(["status"]) == 1
    assert _errors(capsys) == ["Lỗi: .env, dòng 2: tệp không ở mã UTF-8; lưu lại tệp dưới dạng UTF-8"]


def test_a_dot_env_line_that_is_no_setting_is_refused_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # python-dotenv would skip it with an English warning, and the bot run without the value.
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text('# ghi chú\nNHACVIEC_TICK_SECONDS=3\nNHACVIEC_CLAIM_BATCH="50\n', encoding="utf-8")
    assert main(["status"]) == 1
    assert _errors(capsys) == ["Lỗi: .env, dòng 3: không đọc được dòng này; mỗi dòng phải có dạng TÊN=giá trị"]


def test_the_suites_own_names_are_not_settings_but_allowed() -> None:
    assert unknown_names({"NHACVIEC_TEST_POSTGRES_URL": "x", "NHACVIEC_WARD": "a", "PATH": "/bin"}) == []
    assert unknown_names({"NHACVIEC_SOMETHING_ELSE": "x"}) == [
        "NHACVIEC_SOMETHING_ELSE: không có thiết lập này; xem .env.example"
    ]


def test_every_wrong_value_is_one_line_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_CLAIM_BATCH", "0")  # sent nothing while /healthz said ok
    monkeypatch.setenv("NHACVIEC_WEBHOOK_PORT", "99999")  # "ran" with no listener
    monkeypatch.setenv("NHACVIEC_TELEGRAM_BASE_URL", "api.telegram.org/bot")
    monkeypatch.setenv("NHACVIEC_TICK_SECONDS", "hai")
    assert main(["status"]) == 1
    assert sorted(_errors(capsys)) == [
        "Lỗi: NHACVIEC_CLAIM_BATCH: phải từ 1 trở lên (đang là '0')",
        "Lỗi: NHACVIEC_TELEGRAM_BASE_URL: phải là địa chỉ http(s)://…, không phải 'api.telegram.org/bot'",
        "Lỗi: NHACVIEC_TICK_SECONDS: phải là số (đang là 'hai')",
        "Lỗi: NHACVIEC_WEBHOOK_PORT: phải không quá 65535 (đang là '99999')",
    ]


def test_the_desks_port_and_address_are_checked_like_the_webhooks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NHACVIEC_DESK_PORT", "99999")  # ran, then "OverflowError" at the stop
    monkeypatch.setenv("NHACVIEC_DESK_URL", "nhacviec.phuong.vn")  # login links to nowhere
    assert main(["status"]) == 1
    assert sorted(_errors(capsys)) == [
        "Lỗi: NHACVIEC_DESK_PORT: phải không quá 65535 (đang là '99999')",
        "Lỗi: NHACVIEC_DESK_URL: phải là địa chỉ https://… công khai, không phải 'nhacviec.phuong.vn'",
    ]


def test_database_urls_get_their_async_driver_or_are_refused() -> None:
    assert Settings(database_url="postgresql://u@h/db", _env_file=None).database_url == "postgresql+asyncpg://u@h/db"  # type: ignore[call-arg]
    psycopg = "postgresql+psycopg://u@h/db"  # the driver until issue 26: a URL naming it still works
    assert Settings(database_url=psycopg, _env_file=None).database_url == psycopg  # type: ignore[call-arg]
    assert Settings(database_url="sqlite:///x.db", _env_file=None).database_url == "sqlite+aiosqlite:///x.db"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="chỉ dùng được"):
        Settings(database_url="mysql://u:pw@h/db", _env_file=None)  # type: ignore[call-arg]
    # libpq's sslmode and connect_timeout are translated for asyncpg; any other libpq option
    # would fail every connection: refused, naming it and the way to keep psycopg.
    tls = "postgresql://u@h/db?sslmode=require&connect_timeout=5"
    assert Settings(database_url=tls, _env_file=None).database_url == "postgresql+asyncpg" + tls[10:]  # type: ignore[call-arg]
    with pytest.raises(ValueError, match=r"asyncpg không hiểu tham số application_name.*postgresql\+psycopg://"):
        Settings(database_url="postgresql://u@h/db?application_name=x", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="statement_cache_size của địa chỉ PostgreSQL phải là một số"):
        Settings(database_url="postgresql://u@h/db?statement_cache_size=none", _env_file=None)  # type: ignore[call-arg]
    pooled = "postgresql://u@/db?host=/run/postgresql&statement_cache_size=0&direct_tls=false"  # a socket, a pooler
    assert Settings(database_url=pooled, _env_file=None).database_url == "postgresql+asyncpg" + pooled[10:]  # type: ignore[call-arg]
    kept = "postgresql+psycopg://u@h/db?application_name=x"
    assert Settings(database_url=kept, _env_file=None).database_url == kept  # type: ignore[call-arg]


def test_channels_are_explicit_for_a_service_and_the_console_only_for_the_demo() -> None:
    def channels(**values: object) -> list[str]:
        return Settings(_env_file=None, **values).channel_list()  # type: ignore[call-arg,arg-type]

    assert channels() == ["console"]  # the quick start
    assert channels(telegram_token="1:a") == ["telegram"]
    assert channels(telegram_token="1:a", zalo_token="z", channels="zalo") == ["zalo"]
    assert channels(telegram_token="1:a", zalo_token="z", channels="telegram|zalo") == ["telegram", "zalo"]
    with pytest.raises(ValueError, match="NHACVIEC_CHANNELS có telegram nhưng chưa đặt NHACVIEC_TELEGRAM_TOKEN"):
        channels(channels="telegram")
    with pytest.raises(ValueError, match="console chỉ chạy một mình"):
        channels(telegram_token="1:a", channels="console,telegram")


@pytest.mark.slow
async def test_a_service_whose_token_is_missing_exits_non_zero_instead_of_a_console(tmp_path: Path) -> None:
    run = await nhacviec_run(tmp_path, {"NHACVIEC_CHANNELS": "telegram", "NHACVIEC_TELEGRAM_TOKN": "1:a"})
    assert run.code == 1 and "Traceback" not in run.output
    assert run.stderr.splitlines() == [
        "Lỗi: NHACVIEC_TELEGRAM_TOKN: không có thiết lập này; có phải NHACVIEC_TELEGRAM_TOKEN?",
        "Lỗi: NHACVIEC_CHANNELS có telegram nhưng chưa đặt NHACVIEC_TELEGRAM_TOKEN",
    ]
    assert not (tmp_path / "bot.db").exists()  # refused before the database was touched


@pytest.mark.slow
async def test_a_service_without_any_channel_does_not_run_a_console_on_dev_null(tmp_path: Path) -> None:
    """systemd and Docker give /dev/null as input: the console demo would end at once, exit 0."""
    run = await nhacviec_run(tmp_path, {})
    assert_one_clean_line(run)
    assert "không có kênh nhắn tin nào để chạy: đặt NHACVIEC_CHANNELS" in run.last_line()


@pytest.mark.slow
async def test_a_busy_port_is_one_line_before_any_webhook_is_registered(
    tmp_path: Path, telegram_api: tuple[FakeTelegram, RunningServer]
) -> None:
    fake, server = telegram_api
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        run = await nhacviec_run(
            tmp_path,
            {
                "NHACVIEC_TELEGRAM_TOKEN": fake.token,
                "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot",
                "NHACVIEC_CHANNELS": "telegram",
                "NHACVIEC_WEBHOOK_MODE": "true",
                "NHACVIEC_PUBLIC_URL": "https://nhacviec.example.vn",
                "NHACVIEC_TELEGRAM_WEBHOOK_SECRET": "s3cret-webhook",
                "NHACVIEC_WEBHOOK_PORT": str(port),
            },
        )
    assert_one_clean_line(run, fake.token)
    assert f"cổng {port} trên 127.0.0.1 đang được dùng" in run.last_line()
    assert fake.calls == [] and fake.webhook_url is None  # nothing registered, not even getMe
    assert not (tmp_path / "bot.db").exists()


@pytest.mark.slow
async def test_a_busy_desk_port_is_one_line_naming_it_not_a_bot_without_its_desk(
    tmp_path: Path, telegram_api: tuple[FakeTelegram, RunningServer]
) -> None:
    fake, server = telegram_api
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        run = await nhacviec_run(
            tmp_path,
            {
                "NHACVIEC_TELEGRAM_TOKEN": fake.token,
                "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot",
                "NHACVIEC_CHANNELS": "telegram",
                "NHACVIEC_DESK_PORT": str(port),
            },
        )
    assert_one_clean_line(run, fake.token)
    assert f"cổng {port} trên 127.0.0.1 đang được dùng" in run.last_line()
    assert "NHACVIEC_DESK_PORT" in run.last_line()
    assert fake.calls == [] and not (tmp_path / "bot.db").exists()


@pytest.mark.slow
async def test_polling_with_the_health_server_on_the_desks_port_serves_both_there(
    tmp_path: Path, telegram_api: tuple[FakeTelegram, RunningServer]
) -> None:
    """The image's settings (health server on 8080, the desk's default 8080): one server
    answers /healthz and the desk, where two could never both listen."""
    import asyncio

    from tests.fakes.process import get_when_listening, start_nhacviec

    fake, server = telegram_api
    port = free_port()
    env = {"NHACVIEC_TELEGRAM_TOKEN": fake.token, "NHACVIEC_TELEGRAM_BASE_URL": f"{server.url}/bot"}
    env |= {"NHACVIEC_CHANNELS": "telegram", "NHACVIEC_HEALTH_SERVER": "true"}
    env |= {"NHACVIEC_WEBHOOK_PORT": str(port), "NHACVIEC_DESK_PORT": str(port)}
    proc = await start_nhacviec(tmp_path, env)
    try:
        health = await get_when_listening(f"http://127.0.0.1:{port}/healthz", timeout=60)
        assert health.status_code in (200, 503)
        desk = await get_when_listening(f"http://127.0.0.1:{port}/")
        assert desk.status_code == 401 and "frame-ancestors 'none'" in desk.headers["content-security-policy"]
    finally:
        proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0 and "could not listen" not in err.decode()


async def test_the_webhook_port_is_held_from_the_start_while_the_platform_is_retried(
    telegram_api: tuple[FakeTelegram, RunningServer], tmp_path: Path
) -> None:
    """A port free at the check stays the bot's: another process starting meanwhile (a
    second worker, say) cannot take it while getMe is retried and find the bot failing to
    bind after setWebhook."""
    import asyncio

    from bot.app.messengers import run_messengers
    from bot.app.service import open_context
    from scheduler.clock import SystemClock
    from tests.fakes.waiting import until

    fake, server = telegram_api
    fake.fail_next("getMe", "500", count=3)
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        files_path=tmp_path / "files",
        telegram_token=SecretStr(fake.token),
        telegram_base_url=f"{server.url}/bot",
        telegram_webhook_secret=SecretStr("s3cret-webhook"),
        webhook_mode=True,
        webhook_port=port,
        public_url="https://nhacviec.example.vn",
        startup_retry_seconds=0.3,
    )
    ctx = await open_context(settings, SystemClock())
    stop = asyncio.Event()
    running = asyncio.create_task(run_messengers(ctx, stop))
    try:
        await until(lambda: fake.calls, what="the first getMe")
        assert fake.webhook_url is None  # still retrying getMe
        with socket.socket() as other, pytest.raises(OSError):
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            other.bind(("127.0.0.1", port))
            other.listen()
        await until(lambda: fake.webhook_url, what="the webhook registered")
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await ctx.db.dispose()


# --- the reader itself (bot/settings_reader.py) ---------------------------------------------


def test_a_value_given_wins_over_the_environment_which_wins_over_dot_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NHACVIEC_WARD=tu-tep\nNHACVIEC_CLAIM_BATCH=7\nnhacviec_max_attempts=3\n", encoding="utf-8")
    monkeypatch.setenv("NHACVIEC_CLAIM_BATCH", "9")
    read = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert (read.ward, read.claim_batch, read.max_attempts) == ("tu-tep", 9, 3)
    given = Settings(_env_file=env_file, claim_batch=11)  # type: ignore[call-arg]
    assert given.claim_batch == 11
    assert Settings(_env_file=None).ward == "default"  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("claim_batch", " 12 ", 12),
        ("claim_batch", "7.0", 7),
        ("tick_seconds", "0.5", 0.5),
        ("webhook_mode", "yes", True),
        ("webhook_mode", "Off", False),
        ("webhook_mode", "1", True),
        ("log_format", "json", "json"),
        ("evidence_path", "/srv/bang-chung", Path("/srv/bang-chung")),
        ("public_url", "", None),
        ("channels", "Telegram | zalo", None),  # refused below: no tokens; here only typed
    ],
)
def test_text_from_the_environment_is_read_as_the_settings_type(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, value: object
) -> None:
    monkeypatch.setenv(f"NHACVIEC_{name.upper()}", text)
    if name == "channels":
        monkeypatch.setenv("NHACVIEC_TELEGRAM_TOKEN", "1:a")
        monkeypatch.setenv("NHACVIEC_ZALO_TOKEN", "z")
        value = "telegram,zalo"
    assert getattr(Settings(_env_file=None), name) == value  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("CLAIM_BATCH", "7.5", "NHACVIEC_CLAIM_BATCH: phải là số nguyên (đang là '7.5')"),
        ("WEBHOOK_MODE", "bật", "NHACVIEC_WEBHOOK_MODE: phải là true hoặc false (đang là 'bật')"),
        ("LOG_FORMAT", "xml", "NHACVIEC_LOG_FORMAT: phải là một trong: 'text' hoặc 'json' (đang là 'xml')"),
        ("TICK_SECONDS", "0", "NHACVIEC_TICK_SECONDS: phải lớn hơn 0 (đang là '0')"),
        ("TELEGRAM_MAX_RATE", "31", "NHACVIEC_TELEGRAM_MAX_RATE: phải không quá 30 (đang là '31')"),
        ("STARTUP_RETRIES", "-1", "NHACVIEC_STARTUP_RETRIES: phải từ 0 trở lên (đang là '-1')"),
    ],
)
def test_a_wrong_value_is_said_in_vietnamese_with_what_was_given(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, line: str
) -> None:
    monkeypatch.setenv(f"NHACVIEC_{name}", text)
    with pytest.raises(SettingsError) as raised:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert raised.value.lines == [line]


def test_secrets_are_neither_shown_nor_echoed_when_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None, telegram_token="123:bi-mat", desk_secret="khoa-rieng")  # type: ignore[call-arg,arg-type]
    assert settings.telegram_token is not None and settings.telegram_token.get_secret_value() == "123:bi-mat"
    assert "bi-mat" not in repr(settings) and "khoa-rieng" not in repr(settings)
    assert not SecretStr("")  # an empty token is no token (channel_list)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", "mysql://u:mat-khau@h/db")
    with pytest.raises(SettingsError) as raised:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "mat-khau" not in str(raised.value) and raised.value.lines[0].startswith("NHACVIEC_DATABASE_URL: ")


def test_settings_are_frozen_and_a_changed_copy_is_checked() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        settings.ward = "khac"  # type: ignore[misc]
    copy = settings.replace(ward="khac", database_url="sqlite:///x.db")
    assert (copy.ward, copy.database_url, settings.ward) == ("khac", "sqlite+aiosqlite:///x.db", "default")
    with pytest.raises(SettingsError, match="NHACVIEC_CLAIM_BATCH: phải từ 1 trở lên"):
        settings.replace(claim_batch=0)
    with pytest.raises(TypeError, match="no setting clam_batch"):
        Settings(_env_file=None, clam_batch=3)  # type: ignore[call-arg]
