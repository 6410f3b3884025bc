"""The plan intake at the desk, in process (httpx over ASGI, real database): a Word plan
uploaded, its questions answered on the review page, previewed, activated into the plans
folder beside the previous version, invitations per unit; "sửa" of the running plan shows
what changes; roles, CSRF and hostile uploads each get one Vietnamese line."""

from __future__ import annotations

import html as html_lib
import io
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from bot.context import AppContext
from bot.desk import intake_draft
from bot.desk.app import desk_app
from scheduler.plan import load_plan
from store.models import Reminder, Unit
from tests.desk_support import csrf_of, log_in
from tests.fixtures import plans
from tests.intake_support import SEED_DOCX, IntakeWard, alias_bomb, intake_ward

BASE = "http://desk.test"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
async def ward(ctx: AppContext, tmp_path: Path) -> IntakeWard:
    return await intake_ward(ctx, tmp_path)


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = desk_app(ctx, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


async def _upload(client: httpx.AsyncClient, name: str, content: bytes) -> httpx.Response:
    csrf = csrf_of((await client.get("/ke-hoach/nhap")).text)
    return await client.post("/ke-hoach/nhap", data={"csrf": csrf}, files={"tep": (name, content, DOCX)})


def _draft_path(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    assert re.fullmatch(r"/ke-hoach/nhap/[A-Za-z0-9_-]+", location), location
    return location


def _error(html: str) -> str:
    m = re.search(r"data-error>([^<]*)<", html)
    assert m, "no error line on the page"
    return html_lib.unescape(m[1])


async def test_the_seed_docx_becomes_the_running_plan_with_the_previous_kept(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, ward.office)
    review = _draft_path(await _upload(client, SEED_DOCX.name, SEED_DOCX.read_bytes()))
    page = await client.get(review)
    assert page.status_code == 200
    assert 'data-question="q1" data-kind="unit"' in page.text and "Phòng VHXXH" in page.text
    assert page.text.count('data-row="') == 19
    assert (
        "<script>" not in page.text and "style=" not in page.text and " on" + "input=" not in page.text
    )  # the CSP's rule
    # Nothing is activated while a question is open.
    refused = await client.post(review + "/kich-hoat", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 400 and "1 câu hỏi chưa trả lời" in refused.text
    assert (await client.get(review + "/xem-truoc")).status_code == 400
    # "Phòng VHXXH" is VHXH indeed; VHXH's head is titled; then the preview.
    saved = await client.post(
        review,
        data={
            "csrf": csrf_of(page.text),
            "tl_q1": "VHXH",
            "cd_VHXH": "Trưởng phòng Văn hóa - Xã hội",
            "tiep": "xem-truoc",
        },
    )
    assert saved.headers["location"] == review + "/xem-truoc"
    preview = await client.get(review + "/xem-truoc")
    assert preview.status_code == 200
    assert 'data-first="VHXH"' in preview.text and "Kính gửi Trưởng phòng Văn hóa - Xã hội" in preview.text
    assert "data-day=" in preview.text
    before = ward.plan_file.read_text(encoding="utf-8")
    done = await client.post(review + "/kich-hoat", data={"csrf": csrf_of(preview.text)})
    assert done.headers["location"] == review + "/da-kich-hoat"
    activated = await client.get(done.headers["location"])
    assert "Đã kích hoạt kế hoạch 158/KH-UBND: 19 nhiệm vụ" in activated.text
    assert activated.text.count('class="invite-unit"') == len(ctx.plan.units)
    kept = [p for p in ward.folder.iterdir() if p.name.endswith(".yaml.bak")]
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == before
    assert load_plan(ward.plan_file).units["VHXH"].title == "Trưởng phòng Văn hóa - Xã hội"
    assert ctx.plan_of(ctx.wards[next(iter(ctx.wards))].ward_id).units["VHXH"].title == "Trưởng phòng Văn hóa - Xã hội"
    # An invitation for VP's head: the code and its QR, as /nguoi makes them.
    sheet = await client.post(
        review + "/moi",
        data={"csrf": csrf_of(activated.text), "don_vi": "VP", "vai_tro": "head", "ho_ten": "Lê Văn An"},
    )
    assert sheet.status_code == 200 and re.search(r"data-code>\d{6}<", sheet.text) and "<svg" in sheet.text
    history = await client.get("/ke-hoach")
    assert history.text.count("data-version=") == 2 and "(đang chạy)" in history.text


async def test_a_plan_with_questions_is_answered_and_runs_as_its_own_ward(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    docx = plans.provincial_table(tmp_path / "ke-hoach-tinh.docx")
    await log_in(client, ctx, ward.leader)
    review = _draft_path(await _upload(client, docx.name, docx.read_bytes()))
    page = (await client.get(review)).text
    kinds = re.findall(r'data-question="(q\d+)" data-kind="(\w+)"', page)
    assert [k for _, k in kinds] == ["plan", "group", "lead", "deadline"]
    assert 'value="Chậm nhất 09/05/2026"' in page  # the unsure deadline's readings, as phrases the plan reads
    answers = {
        "csrf": csrf_of(page),
        "go_q1": "Phường Lộc Phát",
        "tl_q2": ["SYT"],
        "has_q2": "1",
        "tl_q3": "CAT",
        "go_q4": "Trước 10/6/2026",
        "ma_UBNDP1BL": "P1",
    }
    await client.post(review, data=answers)
    after = (await client.get(review)).text
    assert 'data-open="0"' in after and "data-problems" not in after
    built = await client.get(review + "/xem-truoc")
    assert built.status_code == 200 and 'data-first="' in built.text and "P1" in built.text
    done = await client.post(review + "/kich-hoat", data={"csrf": csrf_of(built.text)})
    assert done.status_code == 303
    written = load_plan(ward.folder / "phuong-loc-phat_2150-kh-ubnd.yaml")
    assert written.ward == "Phường Lộc Phát" and "P1" in written.units
    assert written.task_by_label("I.3").lead == ("CAT",)  # type: ignore[union-attr]
    assert written.task_by_label("II.3").deadline_text == "Trước 10/6/2026"  # type: ignore[union-attr]
    assert written.groups["CAC_CSKBCB"] == ("SYT",)
    assert ward.plan_file.exists()  # the ward's own plan keeps running beside it
    async with ctx.db.read() as s:
        units = await s.scalar(select(func.count()).select_from(Unit).where(Unit.code == "P1"))
        queued = await s.scalar(select(func.count()).select_from(Reminder))
    assert units == 1 and queued


async def test_editing_the_running_plan_shows_what_changes_for_people(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, ward.office)
    csrf = csrf_of((await client.get("/ke-hoach")).text)
    review = _draft_path(await client.post("/ke-hoach/sua", data={"csrf": csrf}))
    page = (await client.get(review)).text
    assert "data-changes" not in page  # nothing changed yet
    row = await client.get(review + "/dong/0")
    assert 'name="deadline"' in row.text
    textarea = re.search(r'<textarea name="content"[^>]*>(.*?)</textarea>', row.text, re.S)
    assert textarea is not None
    content = html_lib.unescape(textarea[1])

    async def edit(text: str) -> str:
        fields = {"csrf": csrf, "content": text, "lead": "VHXH", "coordinate": "", "product": "Kế hoạch"}
        await client.post(review + "/dong/0", data={**fields, "deadline": "Trước 30/6/2026"})
        return (await client.get(review)).text

    # The same work, reworded a little: each change is named, and the reports follow the task's id.
    changed = await edit(content + " trên địa bàn phường")
    kinds = re.findall(r'data-change="(\w+)"', changed)
    assert {"reworded", "deadline_moved", "coordinate_changed"} <= set(kinds), kinds
    assert "Trước 10/5/2026 → Trước 30/6/2026" in changed
    assert "ở lại với đúng nhiệm vụ" in changed
    # Other work under the same id: shown as such, with the advice to give it a new id.
    other = await edit("Xây dựng kế hoạch mới")
    assert re.findall(r'data-change="(\w+)"', other) == ["other_work"]
    assert "mã (id) mới" in other


async def test_the_deadline_reader_answers_as_the_clerk_types(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, ward.office)
    sure = (await client.get("/ke-hoach/doc-han", params={"q": "Trước 10/6/2026", "nam": "2026"})).json()
    assert sure["ok"] and "09/06/2026" in sure["text"]
    two = (await client.get("/ke-hoach/doc-han", params={"q": "Trước 10/5/2026 hoặc trước 10/6/2026"})).json()
    assert not two["ok"] and two["confidence"] == "unsure" and "hoặc" in two["text"]
    none = (await client.get("/ke-hoach/doc-han", params={"q": "khi nào xong"})).json()
    assert none["confidence"] == "unknown" and not none["ok"]


async def test_only_the_office_and_leaders_of_the_ward_reach_the_intake(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/ke-hoach")).status_code == 401
    for person in (ward.head, ward.city):
        await log_in(client, ctx, person)
        for path in ("/ke-hoach", "/ke-hoach/nhap", "/ke-hoach/doc-han?q=x"):
            assert (await client.get(path)).status_code == 403, path
        refused = await client.post("/ke-hoach/nhap", files={"tep": ("a.docx", b"x", DOCX)}, data={"csrf": "x"})
        assert refused.status_code == 403
    # Another ward's office cannot open this ward's draft.
    await log_in(client, ctx, ward.office)
    review = _draft_path(await _upload(client, SEED_DOCX.name, SEED_DOCX.read_bytes()))
    from bot.actions.people import create_person
    from scheduler.planner import plan_ward

    async with ctx.db.session() as s, s.begin():
        other = await plan_ward(s, "phuong-b", ctx.plan, ctx.calendar, ctx.now())
        stranger = await create_person(s, other.ward_id, "Phạm Văn Bình", "office", "VHXH", ctx.now())
    await log_in(client, ctx, stranger.id)
    assert (await client.get(review)).status_code == 404


async def test_a_post_without_the_csrf_token_is_refused(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, ward.office)
    upload = await client.post("/ke-hoach/nhap", files={"tep": (SEED_DOCX.name, SEED_DOCX.read_bytes(), DOCX)})
    assert upload.status_code == 403
    review = _draft_path(await _upload(client, SEED_DOCX.name, SEED_DOCX.read_bytes()))
    assert (await client.post(review, data={"tl_q1": "VHXH"})).status_code == 403
    assert (await client.post(review + "/kich-hoat", data={"csrf": "x" * 30})).status_code == 403
    assert (await client.post("/ke-hoach/sua", data={})).status_code == 403


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("ke-hoach.docx", b"%PDF-1.7 not a Word file" * 100, 400, "không phải tệp Word/Excel thật"),
        ("ke-hoach.pdf", b"%PDF-1.7", 400, 'Chưa đọc được tệp dạng ".pdf"'),
        ("../../etc/ke-hoach.docx", b"PK\x03\x04 broken", 400, 'Không đọc được "ke-hoach.docx"'),
        ("ke-hoach.yaml", alias_bomb().encode(), 400, "chưa dùng được"),
        ("ke-hoach.docx", b"\0" * (20 * 1024 * 1024), 413, "Tệp quá lớn"),
    ],
)
async def test_a_hostile_file_gets_one_vietnamese_line(
    ctx: AppContext,
    ward: IntakeWard,
    client: httpx.AsyncClient,
    name: str,
    content: bytes,
    status: int,
    words: str,
) -> None:
    await log_in(client, ctx, ward.office)
    refused = await _upload(client, name, content)
    assert refused.status_code == status, refused.text[:500]
    line = _error(refused.text) if status != 413 else html_lib.unescape(re.findall(r"<p>([^<]*)</p>", refused.text)[0])
    assert words in line and "\n" not in line and "Traceback" not in refused.text


async def test_a_zip_bomb_named_docx_is_refused_before_it_is_unpacked(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, ward.office)
    refused = await _upload(client, "ke-hoach.docx", _zip_bomb())
    assert refused.status_code == 400 and "giải nén quá lớn" in _error(refused.text)


async def test_a_draft_is_kept_to_come_back_to(ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient) -> None:
    await log_in(client, ctx, ward.office)
    review = _draft_path(await _upload(client, SEED_DOCX.name, SEED_DOCX.read_bytes()))
    page = (await client.get(review)).text
    await client.post(review, data={"csrf": csrf_of(page), "tl_q1": "VP", "tiep": "luu"})
    listed = await client.get("/ke-hoach")
    assert review.rsplit("/", 1)[1] in listed.text
    again = (await client.get(review)).text
    assert re.search(r'name="tl_q1" value="VP"\s+checked', again)
    built = yaml.safe_load(Path(ctx.settings.files_path / "ke-hoach-nhap").glob("*/*.json").__next__().read_text())
    assert built["questions"][0]["answer"] == "VP"


async def test_the_running_bot_takes_the_activated_plan_at_its_next_tick(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Served by `open_context` from a plans folder, as deployed: after the desk activates the
    seed's Word file over the ward's plan and a province's plan beside it, the Ticker's next
    tick reloads the edited file in place and serves both, refusing nothing."""
    import logging
    import shutil

    from bot.actions.people import create_person
    from bot.app.service import Ticker, make_dispatcher, open_context
    from bot.settings import Settings
    from scheduler.clock import ManualClock
    from tests.conftest import PLAN_PATH, RecordingChannel, local

    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copyfile(PLAN_PATH, folder / "nhi-chieu.yaml")
    settings = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        plan_path=folder,
        files_path=tmp_path / "files",
        _env_file=None,
    )
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": RecordingChannel()}))
        await ticker.tick()
        async with ctx.db.session() as s, s.begin():
            office = await create_person(s, ctx.ward_id, "Nguyễn Thị Lan", "office", "VHXH", ctx.now())
        app = desk_app(ctx, secret=b"k" * 32)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            await log_in(client, ctx, office.id)
            seed = _draft_path(await _upload(client, SEED_DOCX.name, SEED_DOCX.read_bytes()))
            csrf = csrf_of((await client.get(seed)).text)
            await client.post(seed, data={"csrf": csrf, "tl_q1": "VHXH", "cd_VHXH": "Trưởng phòng VHXH"})
            assert (await client.post(seed + "/kich-hoat", data={"csrf": csrf})).status_code == 303
            docx = plans.prose_fields(tmp_path / "ke-hoach-xa.docx")
            other = _draft_path(await _upload(client, docx.name, docx.read_bytes()))
            assert (await client.post(other + "/kich-hoat", data={"csrf": csrf})).status_code == 303
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.app.service"):
            await ticker.tick()
        assert "refused" not in caplog.text and "invalid" not in caplog.text and "removed" not in caplog.text
        served = {w.path.name: w for w in ctx.served()}
        assert set(served) == {"nhi-chieu.yaml", "phuong-hoa-binh_45-kh-ubnd.yaml"}
        assert served["nhi-chieu.yaml"].plan.units["VHXH"].title == "Trưởng phòng VHXH"
    finally:
        await ctx.db.dispose()


async def test_a_merge_undone_becomes_a_unit_of_its_own_and_can_be_merged_again(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient
) -> None:
    await log_in(client, ctx, ward.office)
    review = _draft_path(await _upload(client, SEED_DOCX.name, SEED_DOCX.read_bytes()))
    csrf = csrf_of((await client.get(review)).text)
    await client.post(review, data={"csrf": csrf, "tl_q1": "VHXH", "tach": "VHXH|Phòng VHXXH"})
    split = (await client.get(review)).text
    assert '<tr data-unit="PV">' in split and "Phòng VHXXH" in split  # its code made from its words
    assert re.search(r'value="VHXH\|Phòng VHXXH"\s+checked', split)  # shown, to merge back
    await client.post(review, data={"csrf": csrf, "tl_q1": "VHXH", "ma_PV": "PVHXXH"})
    merged = (await client.get(review)).text
    assert 'data-unit="PV"' not in merged and 'data-unit="PVHXXH"' not in merged


async def test_another_wards_plan_is_never_replaced_and_a_single_file_deployment_keeps_its_ward(
    ctx: AppContext, ward: IntakeWard, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    from bot.context import ServedWard
    from scheduler.planner import plan_ward

    # Ward B runs the province's plan; ward A's office uploads that same plan.
    docx = plans.prose_fields(tmp_path / "ke-hoach-xa.docx")
    await log_in(client, ctx, ward.office)
    review = _draft_path(await _upload(client, docx.name, docx.read_bytes()))
    draft = intake_draft.load(ctx.settings.files_path, ctx.ward_id, review.rsplit("/", 1)[1])
    assert draft is not None
    plan_b, _ = draft.plan()
    assert plan_b is not None
    async with ctx.db.session() as s, s.begin():
        b = await plan_ward(s, "phuong-b", plan_b, ctx.calendar, ctx.now())
    ctx.serve(ServedWard(b.ward_id, "phuong-b", ward.folder / "b.yaml", plan_b))
    csrf = csrf_of((await client.get(review)).text)
    refused = await client.post(review + "/kich-hoat", data={"csrf": csrf})
    assert refused.status_code == 403 and "chỉ văn phòng phường đó" in refused.text
    # On a deployment with one plan file, another ward's plan cannot replace the running one.
    ctx.stop_serving(b.ward_id)
    ctx.settings = ctx.settings.replace(plan_path=ward.plan_file)
    refused = await client.post(review + "/kich-hoat", data={"csrf": csrf})
    assert refused.status_code == 409 and "báo người quản trị" in refused.text
    assert sorted(p.name for p in ward.folder.iterdir()) == ["nhi-chieu.yaml"]  # nothing written
