"""Reading the product a unit names: document numbers and dates, links (pure functions)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.actions.evidence_files import fetch_and_store, safe_name
from bot.messages import InboundFile
from bot.reading.evidence import Found, describe, parse_evidence

TODAY = date(2026, 6, 25)


@pytest.mark.parametrize(
    ("text", "number", "day"),
    [
        ("Công văn số 45/UBND-VHXH ngày 20/6/2026", "45/UBND-VHXH", date(2026, 6, 20)),
        ("Cong van so 45/UBND-VHXH ngay 20/6/2026", "45/UBND-VHXH", date(2026, 6, 20)),
        ("CV 45/UBND-VHXH ngày 20/6", "45/UBND-VHXH", date(2026, 6, 20)),
        ("xong, CV 45/UBND-VHXH ngay 20/6", "45/UBND-VHXH", date(2026, 6, 20)),
        ("đã ban hành KH số 12/KH-VHXH", "12/KH-VHXH", None),
        ("Quyết định 123/2026/QĐ-UBND ngày 1/7/2026", "123/2026/QĐ-UBND", date(2026, 7, 1)),
        ("quyet dinh 123/2026/QD-UBND ngay 01.07.2026", "123/2026/QD-UBND", date(2026, 7, 1)),
        ("công văn số 45 ngày 20 tháng 6 năm 2026", "45", date(2026, 6, 20)),
        ("cong van so 45 ngay 20 thang 6", "45", date(2026, 6, 20)),
    ],
)
def test_a_document_number_and_its_date_are_read_with_or_without_diacritics(
    text: str, number: str, day: date | None
) -> None:
    assert parse_evidence(text, TODAY) == [Found("document", doc_number=number, doc_date=day)]


@pytest.mark.parametrize(
    "text",
    ["xong", "xong 20/6", "đã gửi 30/6/2026", "KH 12 xong", "xong 50%", "4: đang làm 50%", "đã trình 2/3 nội dung"],
)
def test_dates_percentages_and_bare_numbers_are_not_evidence(text: str) -> None:
    assert parse_evidence(text, TODAY) == []


def test_a_link_is_kept_without_trailing_punctuation_and_beside_a_document() -> None:
    found = parse_evidence("xong: https://nhichieu.gov.vn/vb/45?id=7. và CV 46/UBND-VP ngày 21/6", TODAY)
    assert found == [
        Found("link", url="https://nhichieu.gov.vn/vb/45?id=7"),
        Found("document", doc_number="46/UBND-VP", doc_date=date(2026, 6, 21)),
    ]


def test_each_date_belongs_to_the_document_it_follows() -> None:
    found = parse_evidence("CV 45/UBND-VHXH ngày 20/6 và KH 12/KH-VHXH ngày 2/5/2026", TODAY)
    assert [(f.doc_number, f.doc_date) for f in found] == [
        ("45/UBND-VHXH", date(2026, 6, 20)),
        ("12/KH-VHXH", date(2026, 5, 2)),
    ]


def test_an_impossible_date_is_left_out_not_guessed() -> None:
    assert parse_evidence("CV 45/UBND-VHXH ngày 31/2/2026", TODAY) == [Found("document", doc_number="45/UBND-VHXH")]


def test_evidence_is_described_with_dd_mm_yyyy() -> None:
    assert describe(Found("document", "45/UBND-VHXH", date(2026, 6, 2))) == "văn bản số 45/UBND-VHXH ngày 02/06/2026"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("báo cáo.pdf", "b_o_c_o.pdf"),
        ("run.sh;rm -rf", "run.sh_rm_-rf"),
        (None, "anh.jpg"),
    ],
)
def test_file_names_cannot_leave_the_folder(name: str | None, safe: str) -> None:
    assert safe_name(name, "photo") == safe


class _Source:
    def __init__(self, content: bytes | Exception) -> None:
        self.content = content

    async def fetch(self, file: InboundFile, max_bytes: int) -> bytes:
        if isinstance(self.content, Exception):
            raise self.content
        return self.content


async def test_a_file_is_stored_with_its_hash_and_without_execute_permission(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    got = await fetch_and_store(
        _Source(b"%PDF-1.4 signed"), InboundFile("f1", "document", "../CV 45.pdf"), tmp_path, datetime.now(UTC)
    )
    assert got.stored and got.size == 15
    import hashlib

    assert got.sha256 == hashlib.sha256(b"%PDF-1.4 signed").hexdigest()
    path = Path(got.path or "")
    assert path.read_bytes() == b"%PDF-1.4 signed" and tmp_path in path.parents
    assert path.name.endswith("CV_45.pdf") and not path.stat().st_mode & 0o111


async def test_a_failed_fetch_keeps_the_file_id_and_says_why(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    got = await fetch_and_store(
        _Source(ConnectionError("down")), InboundFile("f9", "photo"), tmp_path, datetime.now(UTC)
    )
    assert not got.stored and got.file.file_id == "f9" and "ConnectionError" in (got.error or "")
    too_big = await fetch_and_store(_Source(b"x" * 11), InboundFile("f8", "photo"), tmp_path, datetime.now(UTC), 10)
    assert not too_big.stored and "quá lớn" in (too_big.error or "")


async def test_a_fetch_that_fails_once_is_tried_again(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    class Flaky:
        calls = 0

        async def fetch(self, file: InboundFile, max_bytes: int) -> bytes:
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise ConnectionError("reset")
            return b"ok"

    got = await fetch_and_store(Flaky(), InboundFile("f1", "photo"), tmp_path, datetime.now(UTC))
    assert got.stored and Flaky.calls == 2
