"""A false "done" is the costliest mistake: partial work, promises, pauses and done mixed with
anything else are never read as done (with and without diacritics)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reading.replies import ParsedReply, needs_confirmation, parse_reply, read_confirmation
from bot.texts import common as texts
from scheduler.folding import fold

TODAY = date(2026, 6, 20)

FORMS = [
    # partial completion
    ("xong 1 phần", "in_progress"),
    ("đã xong phần 1, phần 2 đang làm", "in_progress"),
    ("xong bước 1", "in_progress"),
    ("hoàn thành một phần", "in_progress"),
    ("đã xong phần lớn", "in_progress"),
    ("xong giai đoạn 1", "in_progress"),
    ("đã hoàn thành một số nội dung", "in_progress"),
    # promises
    ("dự kiến xong trước 30/6", "in_progress"),
    ("tuần sau xong", "in_progress"),
    ("mai xong", "in_progress"),
    ("cuối tháng hoàn thành", "in_progress"),
    ("sẽ gửi báo cáo trước ngày 25", "in_progress"),
    # pauses
    ("tạm dừng", "blocked"),
    ("tạm hoãn chờ chỉ đạo", "blocked"),
    ("tạm ngừng triển khai", "blocked"),
    # done mixed with something else: in progress
    ("xong rồi, đang chờ ký", "in_progress"),
    ("đã xong, đang trình lãnh đạo", "in_progress"),
    # done hedged or mixed with a negation: the bot asks
    ("cơ bản hoàn thành", "unclear_done"),
    ("tạm xong", "unclear_done"),
    ("xong nhưng còn phải chỉnh sửa", "unclear_done"),
    # English and short forms
    ("done", "done"),
    ("Done!", "done"),
    ("ok xong", "done"),
    ("ok done", "done"),
    ("finished", "done"),
    ("not done", "in_progress"),
    ("in progress", "in_progress"),
    # still plainly done
    ("đã xong", "done"),
    ("xong rồi ạ", "done"),
    ("hoàn thành trước hạn", "done"),
    ("đã xong 100%", "done"),
    ("đã phân công xong", "done"),
    # a negation scopes what it negates: here the blockers, not the done (issue 23)
    ("đã xong, không có vướng mắc gì", "done"),
]


@pytest.mark.parametrize(("text", "status"), FORMS)
def test_each_form(text: str, status: str) -> None:
    assert parse_reply(text, TODAY).status == status, parse_reply(text, TODAY)


@pytest.mark.parametrize(("text", "status"), FORMS)
def test_each_form_without_diacritics(text: str, status: str) -> None:
    plain = fold(text)
    if text == "đã phân công xong":
        # Without marks "phan" may be "phần" (a part): the safe reading is not done.
        assert parse_reply(plain, TODAY).status == "in_progress"
        return
    assert parse_reply(plain, TODAY).status == status, (plain, parse_reply(plain, TODAY))


def test_a_named_day_after_today_is_a_promise_and_one_before_is_not() -> None:
    assert parse_reply("xong ngày 30/6", TODAY).status == "in_progress"
    assert parse_reply("xong ngày 15/6", TODAY).status == "done"
    # Without today the parser cannot tell a promise from a record of the past.
    assert parse_reply("đã xong ngày 15/6").status == "done"


def test_a_plan_number_in_capitals_is_not_a_negation() -> None:
    assert parse_reply("đã ban hành KH số 12/KH-VHXH", TODAY).status == "done"
    assert parse_reply("kh xong").status != "done"  # "không xong"


def test_unclear_done_is_asked_and_the_answer_read() -> None:
    asked = parse_reply("cơ bản hoàn thành: còn chờ số liệu phường", TODAY)
    assert needs_confirmation(asked)
    assert texts.ask_fully_done(4) == "Nhiệm vụ 4 đã hoàn thành hẳn chưa ạ? 1 = đã xong, 2 = chưa xong"
    for yes in ("có", "co", "rồi ạ", "Có ạ", "xong rồi", "yes"):
        assert read_confirmation(yes, asked) == ParsedReply("done", None, asked.note), yes
    for no in ("chưa", "chua a", "chưa xong", "ko", "not yet"):
        assert read_confirmation(no, asked) == ParsedReply("in_progress", None, asked.note), no
    assert read_confirmation("đang làm 80%", asked) is None


def test_unclear_done_is_never_a_status_to_store() -> None:
    from bot.reading.replies import STATUSES

    assert "unclear_done" not in STATUSES


# --- the property: nothing that contradicts "done" is read as done ------------------------

DONE_WORDS = ["xong", "đã xong", "xong rồi", "hoàn thành", "đã hoàn thành", "ht", "done", "ok xong", "đã gửi báo cáo"]
NEGATIONS = ["không", "chưa", "ko", "k", "chx", "chẳng", "not", "kg"]
PARTS = ["phần 1", "1 phần", "phần lớn", "một phần", "phần còn lại", "các phần", "phần việc"]
FILLER = ["", "ạ", "rồi", "anh", "nhé", ",", "báo cáo", "kế hoạch", "văn bản", "số 12", "em"]


def _variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, fold(text), text.upper()])


def _compose(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).flatmap(lambda ws: st.permutations(list(ws))).map(lambda ws: " ".join(w for w in ws if w))


def _future_day() -> st.SearchStrategy[str]:
    return st.dates(min_value=date(2026, 6, 21), max_value=date(2027, 12, 31)).flatmap(
        lambda d: st.sampled_from(
            [f"{d.day}/{d.month}/{d.year}", f"trước {d.day}/{d.month}/{d.year}", f"ngày {d:%d/%m/%Y}"]
        )
    )


def _percent() -> st.SearchStrategy[str]:
    return st.integers(0, 99).flatmap(lambda n: st.sampled_from([f"{n}%", f"{n} %", f"{n} phần trăm"]))


words = st.sampled_from(DONE_WORDS).flatmap(_variants)
filler = st.sampled_from(FILLER)
contradiction = st.one_of(
    st.sampled_from(NEGATIONS).flatmap(_variants),
    st.sampled_from(PARTS).flatmap(_variants),
    _future_day(),
    _percent(),
)


@settings(max_examples=400, deadline=None)
@given(_compose(words, contradiction, filler, filler))
def test_no_reply_with_a_negation_a_part_a_future_date_or_a_percent_below_100_is_done(text: str) -> None:
    assert parse_reply(text, TODAY).status != "done", text


async def test_an_unclear_done_in_chat_is_asked_and_never_recorded_as_done(ctx) -> None:  # type: ignore[no-untyped-def]
    from bot.conversation.handle import Conversation
    from store.queries import current_assignments
    from tests.helpers import linked, say

    conv = Conversation(ctx)
    chat = await linked(ctx, conv, "VHXH")
    (question,) = await say(conv, chat, "4: cơ bản hoàn thành")
    assert question == "Nhiệm vụ 4 đã hoàn thành hẳn chưa ạ? 1 = đã xong, 2 = chưa xong"
    async with ctx.db.session() as s:
        views = await current_assignments(s, ctx.ward_id, ctx.today())
    assert next(v for v in views if v.task_stt == 4 and v.unit_code == "VHXH").status == "not_started"
