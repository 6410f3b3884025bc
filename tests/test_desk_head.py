"""A unit head reports on their unit's tasks from the desk (httpx over ASGI, real database):
the chat's use cases, the same history (who, when, the desk's channel), the office told
in the chat's words, and a head kept to their own unit's assignments."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.desk.app import desk_app
from bot.texts import review as tr
from store.models import Assignment, ExtensionRequest, InboundMessage, Reminder, StatusReport
from tests.desk_support import TwoWards, csrf_of, log_in, two_wards

BASE = "http://desk.test"


@pytest.fixture
async def wards(ctx: AppContext) -> TwoWards:
    return await two_wards(ctx)


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = desk_app(ctx, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


async def _form(client: httpx.AsyncClient, label: str) -> tuple[str, str]:
    """The task page's CSRF token and the assignment its report forms name."""
    page = await client.get(f"/nhiem-vu/{label}")
    assert page.status_code == 200, page.text
    m = re.search(r'data-report-for="(\d+)"', page.text)
    assert m, "no report form on the head's task page"
    return csrf_of(page.text), m[1]


async def _latest(ctx: AppContext, assignment_id: int) -> tuple[StatusReport, InboundMessage]:
    async with ctx.db.read() as s:
        report = await s.scalar(
            select(StatusReport).where(StatusReport.assignment_id == assignment_id).order_by(StatusReport.id.desc())
        )
        assert report is not None and report.inbound_id is not None
        inbound = await s.get(InboundMessage, report.inbound_id)
        assert inbound is not None
        return report, inbound


async def _office_notices(ctx: AppContext, prefix: str) -> list[Reminder]:
    async with ctx.db.read() as s:
        return list(await s.scalars(select(Reminder).where(Reminder.key.like(f"{prefix}%"))))


async def test_a_head_reports_done_with_its_product_and_the_office_is_told(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.head_a)
    csrf, a = await _form(client, "3")
    sent = await client.post(
        "/nhiem-vu/3/bao-cao/xong",
        data={"csrf": csrf, "phan_cong": a, "san_pham": "Báo cáo số 12/BC-VP ngày 02/06/2026", "ghi_chu": "đã gửi"},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/nhiem-vu/3"
    page = await client.get("/nhiem-vu/3")
    assert "kèm sản phẩm" in page.text and "12/BC-VP" in page.text
    report, inbound = await _latest(ctx, int(a))
    assert (report.status, report.review, report.person_id) == ("done", "pending", wards.head_a)
    assert inbound.channel == "desk" and "12/BC-VP" in (inbound.text or "")
    assert "Đỗ Minh Khoa" in page.text and "trang làm việc" in page.text  # who, through which channel
    notices = await _office_notices(ctx, "evidence:")
    assert notices and all(n.person_id == wards.office_a for n in notices)
    assert "12/BC-VP" in (notices[0].body or "")


async def test_a_head_reports_progress_a_blocker_and_a_decline(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.head_a)
    csrf, a = await _form(client, "3")
    await client.post("/nhiem-vu/3/bao-cao/dang-lam", data={"csrf": csrf, "phan_cong": a, "phan_tram": "40"})
    report, inbound = await _latest(ctx, int(a))
    assert (report.status, report.percent, inbound.channel) == ("in_progress", 40, "desk")
    await client.post("/nhiem-vu/3/bao-cao/vuong", data={"csrf": csrf, "phan_cong": a, "ly_do": "chưa có kinh phí"})
    report, _ = await _latest(ctx, int(a))
    assert (report.status, report.note) == ("blocked", "chưa có kinh phí")
    blocked = [n for n in await _office_notices(ctx, f"blocked:a{a}:") if n.person_id == wards.office_a]
    async with ctx.db.read() as s:
        assignment = await s.get(Assignment, int(a))
    assert assignment is not None
    # The office hears it in the chat's words.
    assert blocked and blocked[0].body == tr.blocked_now_notice(
        "3", "Văn phòng HĐND và UBND phường", "VP", "chưa có kinh phí", [], []
    )
    await client.post(
        "/nhiem-vu/3/bao-cao/khong-thuc-hien", data={"csrf": csrf, "phan_cong": a, "ly_do": "không phát sinh"}
    )
    report, _ = await _latest(ctx, int(a))
    assert (report.status, report.review) == ("not_applicable", "pending")
    assert await _office_notices(ctx, f"decline:a{a}:")
    matrix = await client.get("/")
    assert 'data-task="3" data-unit="VP"' in matrix.text


async def test_a_head_asks_for_more_time_and_the_office_is_told(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.head_a)
    csrf, a = await _form(client, "3")
    await client.post(
        "/nhiem-vu/3/bao-cao/gia-han", data={"csrf": csrf, "phan_cong": a, "ngay": "2027-01-15", "ly_do": "chờ số liệu"}
    )
    async with ctx.db.read() as s:
        asked = await s.scalar(select(ExtensionRequest).where(ExtensionRequest.assignment_id == int(a)))
    assert asked is not None and asked.reason == "chờ số liệu" and asked.person_id == wards.head_a
    assert [n.person_id for n in await _office_notices(ctx, f"ext:{asked.id}:asked:")] == [wards.office_a]
    assert "xin gia hạn" in (await client.get("/nhiem-vu/3")).text.lower()


async def test_bad_input_gets_one_vietnamese_line_and_records_nothing(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.head_a)
    csrf, a = await _form(client, "3")
    async with ctx.db.read() as s:
        before = len(list(await s.scalars(select(StatusReport.id))))
    await client.post("/nhiem-vu/3/bao-cao/dang-lam", data={"csrf": csrf, "phan_cong": a, "phan_tram": "150"})
    assert "từ 0 đến 100" in (await client.get("/nhiem-vu/3")).text
    await client.post("/nhiem-vu/3/bao-cao/vuong", data={"csrf": csrf, "phan_cong": a, "ly_do": "  "})
    assert "vướng mắc" in (await client.get("/nhiem-vu/3")).text
    await client.post("/nhiem-vu/3/bao-cao/gia-han", data={"csrf": csrf, "phan_cong": a, "ngay": "31/02/2027"})
    await client.post(
        "/nhiem-vu/3/bao-cao/gia-han", data={"csrf": csrf, "phan_cong": a, "ngay": "01/06/2026", "ly_do": "chờ"}
    )
    assert "Ngày 01/06/2026 đã qua" in (await client.get("/nhiem-vu/3")).text
    async with ctx.db.read() as s:
        assert len(list(await s.scalars(select(StatusReport.id)))) == before
        assert await s.scalar(select(ExtensionRequest.id).where(ExtensionRequest.assignment_id == int(a))) is None
        assert await s.scalar(select(InboundMessage.id).where(InboundMessage.channel == "desk")) is None


async def test_a_head_acts_only_on_their_own_units_assignment(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    async with ctx.db.read() as s:
        others = list(await s.scalars(select(Assignment.id)))
    await log_in(client, ctx, wards.head_a)
    csrf, own = await _form(client, "4")
    # Every assignment that is not VP's current one of task 4 (VHXH's, ward B's) is refused.
    for other in [x for x in others if str(x) != own]:
        refused = await client.post("/nhiem-vu/4/bao-cao/dang-lam", data={"csrf": csrf, "phan_cong": str(other)})
        assert refused.status_code == 403, other
    assert (await client.post("/nhiem-vu/4/bao-cao/dang-lam", data={"phan_cong": own})).status_code == 403  # no CSRF
    async with ctx.db.read() as s:
        desk = list(await s.scalars(select(InboundMessage.id).where(InboundMessage.channel == "desk")))
    assert desk == []
    # The office cannot report for a unit on the head's form.
    await log_in(client, ctx, wards.office_a)
    csrf = csrf_of((await client.get("/nhiem-vu/4")).text)
    assert 'data-report-for="' not in (await client.get("/nhiem-vu/4")).text
    refused = await client.post("/nhiem-vu/4/bao-cao/dang-lam", data={"csrf": csrf, "phan_cong": own})
    assert refused.status_code == 403


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


async def test_a_head_sends_a_scan_with_the_done_and_the_office_sees_it(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    from store.models import Evidence

    await log_in(client, ctx, wards.head_a)
    csrf, a = await _form(client, "3")
    sent = await client.post(
        "/nhiem-vu/3/bao-cao/xong",
        data={"csrf": csrf, "phan_cong": a},
        files={"tep": ("../../bao cao.png", PNG, "image/png")},
    )
    assert sent.status_code == 303
    async with ctx.db.read() as s:
        kept = await s.scalar(select(Evidence).where(Evidence.assignment_id == int(a)))
    assert kept is not None and kept.kind == "file" and kept.path and kept.sha256 and kept.channel == "desk"
    assert kept.path.startswith(str(ctx.settings.evidence_folder().resolve())) and ".." not in kept.path
    report, _ = await _latest(ctx, int(a))
    assert (report.status, report.review) == ("done", "pending")
    shown = await client.get(f"/bang-chung/{kept.id}")
    assert shown.status_code == 200 and shown.content == PNG and shown.headers["content-type"] == "image/png"
    assert [n.person_id for n in await _office_notices(ctx, "evidence:")] == [wards.office_a]
    await log_in(client, ctx, wards.office_b)  # another ward's office never gets it
    assert (await client.get(f"/bang-chung/{kept.id}")).status_code == 404


async def test_an_upload_over_the_limit_is_refused_and_records_nothing(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    from bot.desk.web import MAX_UPLOAD

    await log_in(client, ctx, wards.head_a)
    csrf, a = await _form(client, "3")
    # Far over: refused before the form is read. Just over: the form is read, the file is not kept.
    refused = await client.post(
        "/nhiem-vu/3/bao-cao/xong",
        data={"csrf": csrf, "phan_cong": a},
        files={"tep": ("lon.pdf", b"x" * (MAX_UPLOAD + 2**20), "application/pdf")},
    )
    assert refused.status_code == 413 and "quá lớn" in refused.text
    await client.post(
        "/nhiem-vu/3/bao-cao/xong",
        data={"csrf": csrf, "phan_cong": a},
        files={"tep": ("lon.pdf", b"x" * (MAX_UPLOAD + 1), "application/pdf")},
    )
    assert "quá lớn" in (await client.get("/nhiem-vu/3")).text
    assert not any(ctx.settings.evidence_folder().rglob("*lon.pdf"))
    async with ctx.db.read() as s:
        assert await s.scalar(select(InboundMessage.id).where(InboundMessage.channel == "desk")) is None
    refused = await client.post("/nhiem-vu/3/tra-lai", data={"csrf": csrf}, files={"tep": ("a.png", PNG, "image/png")})
    assert refused.status_code in (400, 403)  # files only where a head sends a product
