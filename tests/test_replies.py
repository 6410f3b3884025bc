import pytest

from bot.reading.replies import parse_reply

CASES = [
    # done
    ("đã xong", "done", None),
    ("xong rồi", "done", None),
    ("xong r", "done", None),
    ("Hoàn thành", "done", None),
    ("da ht", "done", None),
    ("đã ban hành KH số 12/KH-VHXH", "done", None),
    ("đã gửi báo cáo", "done", None),
    ("da gui bc", "done", None),
    ("xong 100%", "done", 100),
    # percentages make it progress, not done
    ("đã xong 80%", "in_progress", 80),
    ("đang làm 50%", "in_progress", 50),
    ("dang lam 50 %", "in_progress", 50),
    ("dg lam 30 phần trăm", "in_progress", 30),
    ("được một nửa", "in_progress", 50),
    ("70%", "in_progress", 70),
    # in progress
    ("đang triển khai", "in_progress", None),
    ("đang chờ ký", "in_progress", None),
    ("đã trình lãnh đạo", "in_progress", None),
    ("chưa xong", "in_progress", None),
    ("chua hoan thanh, dang lam tiep", "in_progress", None),
    ("sắp xong", "in_progress", None),
    # blocked
    ("vướng: chưa có hướng dẫn", "blocked", None),
    ("vuong mac ve kinh phi", "blocked", None),
    ("khó khăn về kinh phí", "blocked", None),
    ("đề nghị gia hạn", "blocked", None),
    ("chưa có hướng dẫn của sở", "blocked", None),
    # not started
    ("chưa", "not_started", None),
    ("chưa ạ", "not_started", None),
    ("chưa triển khai", "not_started", None),
    ("chx lam", "not_started", None),
    # not applicable
    ("không phát sinh", "not_applicable", None),
    ("ko phat sinh", "not_applicable", None),
    ("không thuộc chức năng của đơn vị", "not_applicable", None),
    # no status at all
    ("ok", "none", None),
    ("dạ", "none", None),
    ("vâng ạ", "none", None),
    ("👍", "none", None),
    ("nhiệm vụ này hạn khi nào?", "none", None),
    ("Anh Vương gọi lại cho em nhé", "none", None),
    ("cảm ơn", "none", None),
    # negated blockers do not block
    ("đang làm, không vướng gì", "in_progress", None),
]


@pytest.mark.parametrize(("text", "status", "percent"), CASES)
def test_it_reads_the_status_of_a_short_reply(text: str, status: str, percent: int | None) -> None:
    got = parse_reply(text)
    assert (got.status, got.percent) == (status, percent), got


def test_a_blocking_reason_after_a_colon_is_the_note() -> None:
    assert parse_reply("vướng: chưa có hướng dẫn").note == "chưa có hướng dẫn"


def test_a_document_number_is_kept_as_the_note() -> None:
    assert parse_reply("đã ban hành KH số 12/KH-VHXH").note == "đã ban hành KH số 12/KH-VHXH"


def test_a_bare_status_has_no_note() -> None:
    assert parse_reply("đã xong").note is None
    assert parse_reply("dang lam 50%").note is None


def test_percent_over_100_is_not_a_percent() -> None:
    assert parse_reply("đang làm 150%").percent is None


def test_a_promise_to_finish_is_not_done() -> None:
    assert parse_reply("2 ngày nữa xong").status == "in_progress"
    assert parse_reply("tuần sau sẽ hoàn thành").status == "in_progress"
