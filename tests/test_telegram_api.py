"""Our Bot API client (bot/channels/telegram/api.py), which replaced python-telegram-bot in
the service (issue 26): the calls on the wire, their timeouts, each error mapped to the
outbox's scope as before, the token in no error, and stored updates of both eras read back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.channels.telegram.api import (
    BadRequest,
    BotApi,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
    Upload,
)
from bot.channels.telegram.app import ALLOWED_UPDATES, TelegramBot, inbound_of
from bot.channels.telegram.channel import classify
from bot.channels.telegram.poller import poll
from bot.channels.telegram.updates import Update
from bot.messages import InboundFile
from scheduler.delivery import ErrorScope
from tests.fakes.server import RunningServer, free_port, serve
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.waiting import until


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeTelegram, BotApi]]:
    fake = FakeTelegram()
    server: RunningServer = await serve(fake.app())
    client = BotApi(fake.token, f"{server.url}/bot", timeout=1.0)
    try:
        yield fake, client
    finally:
        await client.aclose()
        await server.stop()


# --- what goes on the wire -----------------------------------------------------------------


async def test_a_message_with_buttons_goes_as_send_message_with_an_inline_keyboard(
    api: tuple[FakeTelegram, BotApi],
) -> None:
    fake, client = api
    markup = {"inline_keyboard": [[{"text": "Đã xong", "callback_data": "done:1"}]]}
    sent = await client.send_message("5001", "Nhiệm vụ 4", markup)
    assert fake.sent[-1]["text"] == "Nhiệm vụ 4" and fake.sent[-1]["reply_markup"] == markup
    assert sent["message_id"] == fake.sent[-1]["message_id"]
    # No buttons: no reply_markup at all (not a null).
    await client.send_message(5001, "không nút")
    assert "reply_markup" not in fake.calls[-1][1] and fake.calls[-1][1]["chat_id"] == 5001


async def test_a_photo_and_a_document_are_uploaded_with_their_filename_and_caption(
    api: tuple[FakeTelegram, BotApi],
) -> None:
    fake, client = api
    photo = await client.send_photo("5002", Upload("bieu-do.png", b"\x89PNG..."), "Biểu đồ tiến độ")
    document = await client.send_document("5002", Upload("báo cáo.xlsx", b"PK\x03\x04"))
    assert [(f["method"], f["filename"], f["content"], f["caption"]) for f in fake.files] == [
        ("sendPhoto", "bieu-do.png", b"\x89PNG...", "Biểu đồ tiến độ"),
        ("sendDocument", "báo cáo.xlsx", b"PK\x03\x04", ""),
    ]
    assert photo["message_id"] < document["message_id"]


async def test_polling_asks_for_messages_and_button_presses_and_confirms_what_was_stored(
    api: tuple[FakeTelegram, BotApi],
) -> None:
    fake, client = api
    fake.webhook_url = "https://old.example/hook"
    fake.push_text(5003, "một")
    fake.push_text(5003, "hai")
    taken: list[int] = []

    async def accept(update: Update) -> None:
        taken.append(update.update_id)

    task = asyncio.create_task(poll(client, accept, timeout=1, allowed_updates=ALLOWED_UPDATES))
    try:
        await until(lambda: len(taken) == 2 and fake.pending_updates() == 0, what="both stored and confirmed")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.webhook_url is None  # deleteWebhook first: polling and a webhook exclude each other
    polls = [params for method, params in fake.calls if method == "getUpdates"]
    assert polls[0] == {"timeout": 1, "allowed_updates": ["message", "callback_query"]}
    assert polls[1]["offset"] == taken[-1] + 1


async def test_a_webhook_is_registered_with_its_secret_and_the_updates_wanted(
    api: tuple[FakeTelegram, BotApi],
) -> None:
    fake, client = api
    await client.set_webhook("https://phuong.example/telegram/webhook", "s3cret", ALLOWED_UPDATES)
    await client.set_my_commands([("tasks", "Nhiệm vụ đang mở")])
    await client.answer_callback_query("cb7")
    assert (fake.webhook_url, fake.webhook_secret) == ("https://phuong.example/telegram/webhook", "s3cret")
    assert fake.calls[0][1]["allowed_updates"] == ["message", "callback_query"]
    assert fake.commands == [{"command": "tasks", "description": "Nhiệm vụ đang mở"}]
    assert fake.answered_callbacks == ["cb7"]


def _answering(client: BotApi, answer: Callable[[httpx.Request], httpx.Response]) -> None:
    """Both of the client's connection pools answered by `answer`, their settings kept."""
    for name in ("_http", "_poll_http"):
        real: httpx.AsyncClient = getattr(client, name)
        setattr(client, name, httpx.AsyncClient(transport=httpx.MockTransport(answer), timeout=real.timeout))


async def test_timeouts_are_those_the_service_ran_with() -> None:
    """python-telegram-bot's HTTPXRequest defaults, as the service configured them: 5 s to
    connect, read and write (20 s to write an upload), 30 s to wait for one of 16 connections;
    a long poll reads for its timeout plus 5 s, on a connection of its own."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path.rsplit("/", 1)[-1], request.extensions["timeout"]))
        result: Any = [] if request.url.path.endswith("getUpdates") else {"message_id": 1}
        return httpx.Response(200, json={"ok": True, "result": result})

    client = BotApi("1:x", "http://api.test/bot")
    _answering(client, answer)
    await client.send_message(1, "x")
    await client.send_document(1, Upload("a.pdf", b"%PDF"))
    await client.get_updates(None, 10, ALLOWED_UPDATES)
    await client.aclose()
    got = dict(seen)
    assert got["sendMessage"] == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 30.0}
    assert got["sendDocument"] == {"connect": 5.0, "read": 5.0, "write": 20.0, "pool": 30.0}
    assert got["getUpdates"] == {"connect": 5.0, "read": 15.0, "write": 5.0, "pool": 1.0}


# --- errors, mapped as before ----------------------------------------------------------------


async def test_a_refused_token_stops_the_channel_and_is_never_quoted() -> None:
    fake = FakeTelegram()
    server = await serve(fake.app())
    client = BotApi("999:WRONG-secret", f"{server.url}/bot")
    try:
        with pytest.raises(InvalidToken) as refused:
            await client.send_message(1, "x")
    finally:
        await client.aclose()
        await server.stop()
    error = classify(refused.value)
    assert error.scope == ErrorScope.CHANNEL
    assert "WRONG-secret" not in str(refused.value) and "WRONG-secret" not in str(error)


async def test_a_429_carries_its_retry_after_to_the_outbox(api: tuple[FakeTelegram, BotApi]) -> None:
    fake, client = api
    fake.fail_next("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as flood:
        await client.send_message(1, "x")
    assert flood.value.retry_after == 7.0 and classify(flood.value).retry_after == 7.0


async def test_a_blocked_or_missing_chat_is_the_recipients_fault_a_bad_message_the_messages(
    api: tuple[FakeTelegram, BotApi],
) -> None:
    fake, client = api
    fake.blocked.add("10")
    fake.missing_chats.add("11")
    with pytest.raises(Forbidden) as blocked:
        await client.send_message(10, "x")
    with pytest.raises(BadRequest) as missing:
        await client.send_message(11, "x")
    with pytest.raises(BadRequest) as too_long:
        await client.send_message(12, "x" * 5000)
    assert classify(blocked.value).scope == ErrorScope.RECIPIENT and "blocked" in str(blocked.value)
    assert classify(missing.value).scope == ErrorScope.RECIPIENT
    assert classify(too_long.value).scope == ErrorScope.MESSAGE


async def test_a_group_that_became_a_supergroup_is_the_recipients_fault() -> None:
    body = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1001234},
    }
    client = BotApi("1:x", "http://api.test/bot")
    _answering(client, lambda request: httpx.Response(400, json=body))
    with pytest.raises(ChatMigrated) as migrated:
        await client.send_message(-5, "x")
    await client.aclose()
    assert migrated.value.new_chat_id == -1001234
    assert classify(migrated.value).scope == ErrorScope.RECIPIENT


async def test_a_server_error_or_a_dropped_answer_may_have_been_carried_out(
    api: tuple[FakeTelegram, BotApi],
) -> None:
    fake, client = api
    fake.fail_next("sendMessage", "500")
    fake.fail_next("sendMessage", "drop")
    with pytest.raises(NetworkError) as failed:
        await client.send_message(1, "x")
    with pytest.raises(NetworkError) as dropped:
        await client.send_message(1, "y")
    assert failed.value.status == 500 and classify(failed.value).unknown_outcome
    assert dropped.value.status is None and classify(dropped.value).unknown_outcome
    assert fake.texts_to(1) == ["y"]  # the dropped one did reach Telegram


async def test_a_read_timeout_is_an_unknown_outcome(api: tuple[FakeTelegram, BotApi]) -> None:
    fake, client = api
    fake.fail_next("sendMessage", "slow", delay=3.0)  # the client reads for 1 s
    with pytest.raises(TimedOut) as slow:
        await client.send_message(1, "x")
    assert classify(slow.value).unknown_outcome
    assert fake.token not in str(slow.value)


async def test_a_connection_never_made_delivered_nothing() -> None:
    token = "42:never-shown"
    client = BotApi(token, f"http://127.0.0.1:{free_port()}/bot")
    try:
        with pytest.raises(NetworkError) as refused:
            await client.send_message(1, "x")
    finally:
        await client.aclose()
    assert refused.value.never_left and not classify(refused.value).unknown_outcome
    assert "ConnectError" in str(refused.value) and token not in str(refused.value)


async def test_an_answer_that_is_not_the_bot_apis_is_an_error() -> None:
    client = BotApi("1:x", "http://api.test/bot")
    _answering(client, lambda request: httpx.Response(200, text="<html>proxy</html>"))
    with pytest.raises(TelegramError) as odd:
        await client.send_message(1, "x")
    await client.aclose()
    assert not isinstance(odd.value, NetworkError) and "Invalid server response" in str(odd.value)


# --- updates -------------------------------------------------------------------------------

# Rows stored before issue 26 hold python-telegram-bot's `Update.to_dict()` (as PTB 22.8 wrote
# them: the same shape as Telegram's JSON, plus a few `false` flags).
PTB_PHOTO_REPLY = (
    '{"message": {"caption": "NV 4 ảnh", "channel_chat_created": false, "delete_chat_photo": false, '
    '"group_chat_created": false, "photo": [{"height": 90, "width": 90, "file_id": "s", "file_unique_id": "us"}, '
    '{"height": 600, "width": 800, "file_id": "big", "file_size": 1234, "file_unique_id": "ub"}], '
    '"reply_to_message": {"channel_chat_created": false, "delete_chat_photo": false, "group_chat_created": false, '
    '"supergroup_chat_created": false, "text": "🔔", "chat": {"id": 5001, "type": "private"}, "date": 1782345000, '
    '"message_id": 1100}, "supergroup_chat_created": false, "chat": {"first_name": "Lan", "id": 5001, '
    '"type": "private"}, "date": 1782345600, "message_id": 1201, "from": {"first_name": "Lan", "id": 5001, '
    '"is_bot": false, "last_name": "Nguyễn"}}, "update_id": 41}'
)
PTB_BUTTON = (
    '{"callback_query": {"chat_instance": "ci", "data": "done:17", "id": "cb9", "message": '
    '{"channel_chat_created": false, "delete_chat_photo": false, "group_chat_created": false, '
    '"supergroup_chat_created": false, "text": "🔔", "chat": {"id": -1005, "title": "Phường", '
    '"type": "supergroup"}, "date": 1782345000, "message_id": 1100}, "from": {"first_name": "Lan", "id": 5001, '
    '"is_bot": false}}, "update_id": 42}'
)
PTB_DOCUMENT = (
    '{"message": {"channel_chat_created": false, "delete_chat_photo": false, "document": {"file_name": '
    '"báo cáo.pdf", "mime_type": "application/pdf", "file_id": "d1", "file_size": 99, "file_unique_id": "ud"}, '
    '"group_chat_created": false, "supergroup_chat_created": false, "chat": {"id": -5, "title": "G", '
    '"type": "group"}, "date": 1782345601, "message_id": 1202, "from": {"first_name": "Lan", "id": 5001, '
    '"is_bot": false}}, "update_id": 43}'
)


def test_updates_stored_by_python_telegram_bot_read_back_as_they_were() -> None:
    bot = TelegramBot("123:abc", "http://127.0.0.1:9/bot", None, webhook=True)  # type: ignore[arg-type]
    photo = bot.read_stored(PTB_PHOTO_REPLY)
    button = bot.read_stored(PTB_BUTTON)
    document = bot.read_stored(PTB_DOCUMENT)
    assert photo is not None and button is not None and document is not None
    assert (photo.chat_id, photo.message_id, photo.text, photo.sender_id, photo.sender_name) == (
        "5001",
        "1201",
        "NV 4 ảnh",
        "5001",
        "Lan Nguyễn",
    )
    assert photo.sent_at == datetime(2026, 6, 25, 0, 0, tzinfo=UTC)
    assert photo.reply_to_message_id == "1100" and photo.private
    assert photo.attachments == (InboundFile("big", "photo", None, "image/jpeg", 1234),)
    assert (button.chat_id, button.message_id, button.callback_data, button.sender_id) == (
        "-1005",
        "cb:cb9",
        "done:17",
        "5001",
    )
    assert not button.private and button.text == ""
    assert document.attachments == (InboundFile("d1", "document", "báo cáo.pdf", "application/pdf", 99),)
    assert not document.private and document.reply_to_message_id is None
    # Read back, a row keeps what it stored.
    assert json.loads(photo.raw or "") == json.loads(PTB_PHOTO_REPLY)


def test_a_new_update_is_stored_as_received() -> None:
    data = json.loads(PTB_DOCUMENT)
    data["message"]["unknown_field_of_a_newer_api"] = {"kept": True}
    msg = inbound_of(Update.parse(data))
    assert msg is not None and json.loads(msg.raw or "") == data


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"message": {"message_id": 1}},
        {"update_id": "1"},
        {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": "x", "type": "private"}}},
        {"update_id": 1, "message": {"message_id": 1, "date": 2**62, "chat": {"id": 1, "type": "private"}}},
        {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": []}},
        {"update_id": 1, "callback_query": {"id": "c", "from": {"id": True, "first_name": "A"}}},
    ],
)
def test_an_update_that_cannot_be_read_is_refused_with_a_value_error(data: object) -> None:
    with pytest.raises(ValueError):
        Update.parse(data)


def test_an_edit_or_an_unknown_update_is_not_a_message() -> None:
    edit = {"update_id": 3, "edited_message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    assert inbound_of(Update.parse(edit)) is None
    pressed_on_nothing = {"update_id": 4, "callback_query": {"id": "c", "from": {"id": 1, "first_name": "A"}}}
    assert inbound_of(Update.parse(pressed_on_nothing)) is None
