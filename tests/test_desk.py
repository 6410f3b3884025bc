"""The desk in process (httpx over ASGI, real database): login by one-time link, the
matrix's contract, the office's decisions through the chat's use cases, files, people,
two wards kept apart on every page, CSRF, security headers."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.context import AppContext
from bot.desk.app import desk_app
from store.models import DeskToken, ExtensionRequest, InboundMessage, Reminder, StatusReport
from tests.desk_support import SECRET_NOTE, TwoWards, csrf_of, log_in, login_url, path_of, two_wards

BASE = "http://desk.test"


@pytest.fixture
async def wards(ctx: AppContext) -> TwoWards:
    return await two_wards(ctx)


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = desk_app(ctx, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


def cells(html: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(task, unit) → (standing, flags) of every cell of the matrix."""
    out = {}
    for m in re.finditer(r'data-task="([^"]*)" data-unit="([^"]*)" data-standing="([^"]*)" data-flags="([^"]*)"', html):
        out[(m[1], m[2])] = (m[3], m[4])
    return out


async def test_a_login_link_opens_the_desk_once(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    path = path_of(await login_url(ctx, wards.office_a))
    first = await client.get(path)
    assert first.status_code == 200 and "data-autosubmit" in first.text  # a GET never spends it
    assert (await client.get(path)).status_code == 200
    done = await client.post(path)
    assert done.status_code == 303 and done.headers["location"] == "/"
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert (await client.get("/")).status_code == 200
    again = await client.post(path)
    assert again.status_code == 410 and "đã được dùng" in again.text
    assert (await client.get(path)).status_code == 410
    async with ctx.db.read() as s:
        stored = list(await s.scalars(select(DeskToken.token_hash)))
    assert stored and path.rsplit("/", 1)[1] not in stored  # only its hash is kept


async def test_an_expired_link_and_no_session_are_refused(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:

    path = path_of(await login_url(ctx, wards.office_a))
    ctx.clock.advance(minutes=11)  # type: ignore[attr-defined]
    assert (await client.post(path)).status_code == 410
    page = await client.get("/")
    assert page.status_code == 401 and "/web" in page.text


async def test_idle_session_ends_and_logout_ends_it(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:

    await log_in(client, ctx, wards.office_a)
    ctx.clock.advance(minutes=61)  # type: ignore[attr-defined]
    assert (await client.get("/")).status_code == 401
    await log_in(client, ctx, wards.office_a)
    assert (await client.get("/dang-xuat")).status_code == 200
    assert (await client.get("/")).status_code == 401


async def test_the_matrix_carries_the_contract_attributes(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    page = await client.get("/")
    got = cells(page.text)
    # Task 1 (VHXH, due 10/05/2026) is overdue with an extension asked; task 4 is done with a
    # product and waits for the office; VP reported task 2 blocked.
    assert got[("1", "VHXH")] == ("overdue", "extension_pending")
    assert got[("4", "VHXH")][1] == "awaiting_confirmation"
    assert got[("4", "VHXH")][0] in ("in_progress", "not_started")
    assert "blocked" in got[("2", "VP")][1].split()
    assert got[("15", "VHXH")][0] == "waiting"  # "Sau khi có hướng dẫn…", not activated
    assert got[("3", "VP")][0] == "not_started"  # a yearly task nobody reported on yet
    standings = {s for s, _ in got.values()}
    assert standings <= {
        "done_on_time",
        "done_late",
        "in_progress",
        "overdue",
        "not_started",
        "waiting",
        "not_applicable",
    }
    assert re.search(r'data-count="overdue"><span class="n">\d+', page.text)
    only_vp = cells((await client.get("/?don-vi=VP")).text)
    assert only_vp and {u for _, u in only_vp} == {"VP"}
    overdue = cells((await client.get("/?tinh-trang=overdue")).text)
    assert ("1", "VHXH") in overdue


async def test_the_office_confirms_a_product_and_the_unit_is_told(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    page = await client.get("/nhiem-vu/4")
    assert "CV 45/UBND-VHXH" in page.text
    done = await client.post("/nhiem-vu/4/xac-nhan", data={"csrf": csrf_of(page.text), "don_vi": "VHXH"})
    assert done.status_code == 303
    after = await client.get("/nhiem-vu/4")
    assert "Đã xác nhận" in after.text or "xác nhận" in after.text
    assert "Nguyễn Thị Lan" in after.text and "trang làm việc" in after.text  # who, through which channel
    async with ctx.db.read() as s:
        notices = list(await s.scalars(select(Reminder.key).where(Reminder.key.like("confirmed:%"))))
        by = await s.scalar(select(StatusReport.person_id).where(StatusReport.review == "confirmed"))
    assert notices and by == wards.office_a
    assert cells((await client.get("/")).text)[("4", "VHXH")][0] == "done_on_time"


async def test_returning_needs_a_reason_and_tells_it(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    csrf = csrf_of((await client.get("/nhiem-vu/4")).text)
    await client.post("/nhiem-vu/4/tra-lai", data={"csrf": csrf, "don_vi": "VHXH", "ly_do": ""})
    assert "lý do" in (await client.get("/nhiem-vu/4")).text
    await client.post("/nhiem-vu/4/tra-lai", data={"csrf": csrf, "don_vi": "VHXH", "ly_do": "thiếu chữ ký"})
    async with ctx.db.read() as s:
        body = await s.scalar(select(Reminder.body).where(Reminder.key.like("returned:%")))
    assert body is not None and "thiếu chữ ký" in body
    assert cells((await client.get("/")).text)[("4", "VHXH")][1] == "returned"


async def test_approving_an_extension_moves_the_deadline(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    csrf = csrf_of((await client.get("/nhiem-vu/1")).text)
    await client.post("/nhiem-vu/1/duyet-gia-han", data={"csrf": csrf, "don_vi": "VHXH"})
    async with ctx.db.read() as s:
        state = await s.scalar(select(ExtensionRequest.state))
        told = list(await s.scalars(select(Reminder.key).where(Reminder.key.like("ext:%:approved:%"))))
    assert state == "approved" and told
    cell = cells((await client.get("/")).text)[("1", "VHXH")]
    assert cell == ("in_progress", "") or cell[0] != "overdue"


async def test_unblock_and_remind_now(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    await log_in(client, ctx, wards.office_a)
    csrf = csrf_of((await client.get("/nhiem-vu/2")).text)
    assert (await client.post("/nhiem-vu/2/go-vuong", data={"csrf": csrf, "don_vi": "VP"})).status_code == 303
    assert (await client.post("/nhiem-vu/4/nhac-ngay", data={"csrf": csrf, "don_vi": "VHXH"})).status_code == 303
    async with ctx.db.read() as s:
        keys = list(await s.scalars(select(Reminder.key)))
        actions = list(await s.scalars(select(InboundMessage.text).where(InboundMessage.channel == "desk")))
    assert any(k.startswith("unblocked:") for k in keys) and any(k.startswith("m:") for k in keys)
    assert any("Gỡ vướng" in a for a in actions) and any("Nhắc ngay" in a for a in actions)


async def test_a_post_without_the_csrf_token_is_refused(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    refused = await client.post("/nhiem-vu/4/xac-nhan", data={"don_vi": "VHXH"})
    assert refused.status_code == 403
    wrong = await client.post("/nhiem-vu/4/xac-nhan", data={"csrf": "x" * 32, "don_vi": "VHXH"})
    assert wrong.status_code == 403
    async with ctx.db.read() as s:
        assert await s.scalar(select(StatusReport.id).where(StatusReport.review == "confirmed")) is None


async def test_security_headers_on_pages_and_refusals(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    for response in (await client.get("/"), await client.get("/static/desk.css")):
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
    await log_in(client, ctx, wards.office_a)
    page = (await client.get("/")).text
    assert "<script>" not in page and "onclick" not in page and "style=" not in page


PAGES = ["/", "/nhiem-vu/4", "/nhiem-vu/1", "/bao-cao", "/nguoi"]


async def test_ward_b_sees_nothing_of_ward_a(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    await log_in(client, ctx, wards.office_b)
    for path in PAGES:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert SECRET_NOTE not in page.text and "Trần Văn Hùng" not in page.text, path
        assert "CV 45/UBND-VHXH" not in page.text, path
    assert not any("awaiting_confirmation" in f for _, f in cells((await client.get("/")).text).values())
    for path in PAGES[:4]:
        assert (await client.get(f"{path}?phuong={wards.a}")).status_code == 403, path
    csrf = csrf_of((await client.get("/nhiem-vu/4")).text)
    await client.post("/nhiem-vu/4/xac-nhan", data={"csrf": csrf, "don_vi": "VHXH"})
    async with ctx.db.read() as s:
        assert await s.scalar(select(StatusReport.id).where(StatusReport.review == "confirmed")) is None
    workbook = await client.get("/bao-cao/tai/xlsx")
    text = " ".join(str(c.value) for ws in load_workbook(io.BytesIO(workbook.content)) for row in ws for c in row)
    assert "CV 45" not in text and SECRET_NOTE not in text
    docx = await client.get("/bao-cao/tai/docx")
    words = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "CV 45" not in words and "Trần Văn Hùng" not in words
    for kind in ("xlsx", "docx", "png"):
        assert (await client.get(f"/bao-cao/tai/{kind}?phuong={wards.a}")).status_code == 403
    assert (await client.get("/thanh-pho")).status_code == 403


async def test_ward_a_sees_its_own_and_downloads_the_export_files(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    report = await client.get("/bao-cao")
    assert report.status_code == 200 and 'data-count="overdue"' in report.text
    link = re.search(r'href="(/bao-cao/tai/bao-cao-158-KH-UBND-\d{8}-\d{8}\.xlsx)"', report.text)
    assert link, "the workbook's link ends in its file name"
    assert (await client.get(link[1])).content[:2] == b"PK"
    xlsx = await client.get("/bao-cao/tai/xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    text = " ".join(str(c.value) for ws in load_workbook(io.BytesIO(xlsx.content)) for row in ws for c in row)
    assert "CV 45" in text
    docx = await client.get("/bao-cao/tai/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "45/UBND-VHXH" in zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    older = await client.get("/bao-cao/tai/xlsx?ky=six_month&nam=2026&ngay=2026-06-22")
    assert older.status_code == 200
    png = await client.get("/bao-cao/tai/png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_head_sees_only_their_unit_and_cannot_act(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.head_a)
    page = await client.get("/")
    assert {u for _, u in cells(page.text)} == {"VP"}
    task4 = await client.get("/nhiem-vu/4")  # VP coordinates task 4: it sees its own card only
    assert 'data-unit="VP"' in task4.text and 'data-unit="VHXH"' not in task4.text
    assert SECRET_NOTE not in task4.text and "Xác nhận hoàn thành" not in task4.text
    assert (await client.get("/bao-cao")).status_code == 403
    assert (await client.get("/nguoi")).status_code == 403
    csrf = csrf_of((await client.get("/nhiem-vu/2")).text) if "csrf" in (await client.get("/nhiem-vu/2")).text else ""
    refused = await client.post("/nhiem-vu/2/go-vuong", data={"csrf": csrf, "don_vi": "VP"})
    assert refused.status_code == 403


async def test_the_city_sees_every_ward(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    await log_in(client, ctx, wards.city)
    city = await client.get("/thanh-pho")
    assert city.status_code == 200
    assert f"/?phuong={wards.a}" in city.text and f"/?phuong={wards.b}" in city.text
    other = await client.get(f"/?phuong={wards.b}")
    assert other.status_code == 200 and cells(other.text)
    await log_in(client, ctx, wards.office_a)
    assert (await client.get("/thanh-pho")).status_code == 403


async def test_inviting_gives_a_code_and_a_qr_and_revoking_unlinks(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, wards.office_a)
    people = await client.get("/nguoi")
    assert "Trần Văn Hùng" in people.text and "thử trên máy" in people.text
    assert "Hoàng Thành Phố" in people.text  # a city person, in no unit
    csrf = csrf_of(people.text)
    sheet = await client.post(
        "/nguoi/moi", data={"csrf": csrf, "don_vi": "VP", "vai_tro": "deputy", "ho_ten": "Vũ <b>Thị</b> Hoa"}
    )
    assert sheet.status_code == 200
    assert re.search(r"data-code>\d{6}<", sheet.text) and "<svg" in sheet.text
    assert "Vũ &lt;b&gt;Thị&lt;/b&gt; Hoa" in sheet.text  # escaped
    new_id = int(re.findall(r'data-person="(\d+)"', (await client.get("/nguoi")).text)[-1])
    assert (await client.post(f"/nguoi/{new_id}/huy", data={"csrf": csrf})).status_code == 303
    assert f'data-person="{new_id}"' not in (await client.get("/nguoi")).text
    await log_in(client, ctx, wards.office_b)
    csrf_b = csrf_of((await client.get("/nguoi")).text)
    assert (await client.post(f"/nguoi/{wards.office_a}/huy", data={"csrf": csrf_b})).status_code == 404


async def test_evidence_is_served_only_to_its_ward(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    from store.evidence import add_evidence
    from store.queries import current_assignments

    folder = ctx.settings.evidence_folder().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "anh.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo")
    (folder / "bao-cao.html").write_bytes(b"<script>alert(1)</script>")
    async with ctx.db.session() as s, s.begin():
        view = next(
            v for v in await current_assignments(s, wards.a, ctx.today()) if v.task_stt == 4 and v.unit_code == "VHXH"
        )
        base = {
            "ward_id": wards.a,
            "assignment_id": view.id,
            "kind": "file",
            "created_at": ctx.now(),
            "fetch_state": "stored",
        }
        photo, page_file, outside = await add_evidence(
            s,
            [
                {**base, "path": str(folder / "anh.jpg"), "mime": "image/jpeg"},
                {**base, "path": str(folder / "bao-cao.html"), "mime": "text/html", "filename": "bao-cao.html"},
                {**base, "path": "/etc/passwd", "mime": "text/plain", "filename": "passwd"},
            ],
        )
    await log_in(client, ctx, wards.office_a)
    task = await client.get("/nhiem-vu/4")
    assert f'<img src="/bang-chung/{photo.id}"' in task.text
    shown = await client.get(f"/bang-chung/{photo.id}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith("inline")
    attached = await client.get(f"/bang-chung/{page_file.id}")
    assert attached.headers["content-type"] == "application/octet-stream"
    assert attached.headers["content-disposition"].startswith("attachment")
    assert (await client.get(f"/bang-chung/{outside.id}")).status_code == 404  # never outside the folder
    await log_in(client, ctx, wards.office_b)
    assert (await client.get(f"/bang-chung/{photo.id}")).status_code == 404


async def test_wrong_login_links_are_throttled(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    for n in range(10):
        assert (await client.get(f"/dang-nhap/sai-{n}")).status_code == 410
    assert (await client.get("/dang-nhap/sai-11")).status_code == 429
    good = path_of(await login_url(ctx, wards.office_a))
    assert (await client.post(good)).status_code == 303  # the office is never locked out


async def test_the_export_link_opens_the_report_page(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    from bot.actions.desk_links import REPORT_PATH
    from bot.texts.links import report_message

    url = await login_url(ctx, wards.office_a, REPORT_PATH)
    assert url in report_message(url, 10) and "dùng một lần" in report_message(url, 10)
    done = await client.post(path_of(url))
    assert done.headers["location"] == "/bao-cao"
    assert 'data-file="xlsx"' in (await client.get("/bao-cao")).text


async def test_unknown_pages_answer_in_vietnamese(ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient) -> None:
    missing = await client.get("/khong-co")
    assert missing.status_code == 404 and "Không có trang này" in missing.text
    assert "frame-ancestors 'none'" in missing.headers["content-security-policy"]
    await log_in(client, ctx, wards.office_a)
    assert (await client.get("/nhiem-vu/99")).status_code == 404


async def test_two_workers_share_the_cookie_key(ctx: AppContext, wards: TwoWards) -> None:
    """Without NHACVIEC_DESK_SECRET the key is made once and kept in the database: a session
    opened on one worker is good on the other (a proxy balances between them)."""
    first, second = desk_app(ctx), desk_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url=BASE) as one:
        await log_in(one, ctx, wards.office_a)
        cookies = one.cookies
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url=BASE, cookies=cookies) as two:
        assert (await two.get("/")).status_code == 200
    stranger = desk_app(ctx, secret=b"another key")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stranger), base_url=BASE, cookies=cookies) as three:
        assert (await three.get("/")).status_code == 401


async def test_a_link_never_sends_anyone_off_the_desk(
    ctx: AppContext, wards: TwoWards, client: httpx.AsyncClient
) -> None:
    for target in ("//evil.example", "/\\evil.example", "https://evil.example/"):
        done = await client.post(path_of(await login_url(ctx, wards.office_a, target)))
        assert done.headers["location"] == "/", target


async def test_a_sped_up_demo_clock_does_not_expire_links_and_sessions(ctx: AppContext, wards: TwoWards) -> None:
    """`run --now … --speed 600`: the bot's hours pass in seconds, a login link's 10 minutes
    and a session's hour do not."""
    import asyncio

    from bot.desk.serve import demo_login_link
    from scheduler.clock import ShiftedClock

    ctx.clock = ShiftedClock(ctx.now(), speed=100_000)  # a real second is a bot day
    url = await demo_login_link(ctx)
    await asyncio.sleep(0.1)
    app = desk_app(ctx, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        assert (await client.post(path_of(url))).status_code == 303
        await asyncio.sleep(0.1)
        assert (await client.get("/")).status_code == 200
