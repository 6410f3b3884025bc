"""The plan intake in a real browser (Debian's Chromium driven by Playwright, the desk served
by uvicorn on 127.0.0.1): from the seed's Word file to a running plan with invitations, and
from a test plan with questions, answering each — the deadline re-read live as it is typed.
Skipped, saying why, only when no Chromium binary is installed. With NHACVIEC_DESK_SHOTS set
to a folder, the review, preview and activation pages are saved there as intake-*.png."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.context import AppContext
from scheduler.plan import load_plan
from store.models import LinkCode, Reminder
from tests.desk_support import login_url, serving
from tests.fixtures import plans
from tests.intake_support import SEED_DOCX, IntakeWard, intake_ward

CHROMIUM = next(
    (
        p
        for p in (os.environ.get("NHACVIEC_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"))
        if p and Path(p).exists()
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium binary (apt-get install chromium; .ci/run installs it)"
)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SHOTS = os.environ.get("NHACVIEC_DESK_SHOTS")


@pytest.fixture
async def ward(ctx: AppContext, tmp_path: Path) -> IntakeWard:
    return await intake_ward(ctx, tmp_path)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            await b.close()


async def _shot(page: object, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / f"intake-{name}.png"), full_page=True)  # type: ignore[attr-defined]


async def _logged_in(ctx: AppContext, browser: object, base: str, person: int) -> object:
    context = await browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page = await context.new_page()
    link = await login_url(ctx, person)
    await page.goto(base + "/" + link.split("/", 3)[3])
    await page.wait_for_url(base + "/")
    return page


async def _upload(page: object, base: str, path: Path) -> None:
    await page.goto(base + "/ke-hoach/nhap")  # type: ignore[attr-defined]
    await page.set_input_files('input[name="tep"]', str(path))  # type: ignore[attr-defined]
    await page.click('[data-action="upload"]')  # type: ignore[attr-defined]
    await page.wait_for_selector("form.review")  # type: ignore[attr-defined]


async def _activate_and_invite(page: object, unit: str, name: str) -> str:
    await page.click('[data-action="activate"]')  # type: ignore[attr-defined]
    await page.wait_for_selector("[data-activated]")  # type: ignore[attr-defined]
    await _shot(page, f"3-kich-hoat-{unit.lower()}")
    form = f'form.invite-unit[data-unit="{unit}"]'
    await page.fill(f'{form} input[name="ho_ten"]', name)  # type: ignore[attr-defined]
    await page.click(f'{form} [data-action="invite"]')  # type: ignore[attr-defined]
    code: str = await page.inner_text("[data-code]")  # type: ignore[attr-defined]
    assert await page.locator(".qr svg").count() == 1  # type: ignore[attr-defined]
    return code


async def test_the_seed_word_file_becomes_running_reminders_with_invitations(
    ctx: AppContext, ward: IntakeWard, browser: object
) -> None:
    async with serving(ctx) as base:
        page = await _logged_in(ctx, browser, base, ward.office)
        await page.click('nav a[href="/ke-hoach"]')  # type: ignore[attr-defined]
        await page.click('[data-action="new-file"]')  # type: ignore[attr-defined]
        await _upload(page, base, SEED_DOCX)
        assert await page.locator("tr[data-row]").count() == 19  # type: ignore[attr-defined]
        question = page.locator('[data-question="q1"]')  # type: ignore[attr-defined]
        assert "Phòng VHXXH" in await question.inner_text()
        await question.locator('input[value="VHXH"]').check()
        await page.fill('input[name="cd_VHXH"]', "Trưởng phòng Văn hóa - Xã hội")  # type: ignore[attr-defined]
        await page.click('[data-action="save"]')  # type: ignore[attr-defined]
        await page.wait_for_selector('[data-open="0"]')  # type: ignore[attr-defined]
        await _shot(page, "1-xem-lai-seed")
        await page.click('[data-action="preview"]')  # type: ignore[attr-defined]
        await page.wait_for_selector('[data-first="VHXH"]')  # type: ignore[attr-defined]
        first = await page.inner_text('[data-first="VHXH"]')  # type: ignore[attr-defined]
        assert "Kính gửi Trưởng phòng Văn hóa - Xã hội" in first
        await _shot(page, "2-xem-truoc-seed")
        code = await _activate_and_invite(page, "VHXH", "Trần Văn Hùng")
        assert len(code) == 6 and code.isdigit()
        await page.goto(base + "/ke-hoach")  # type: ignore[attr-defined]
        assert await page.locator("[data-version]").count() == 2  # type: ignore[attr-defined]
        await _shot(page, "4-ke-hoach-dang-chay")
    async with ctx.db.read() as s:
        assert await s.scalar(select(func.count()).select_from(LinkCode)) == 1
        assert (await s.scalar(select(func.count()).select_from(Reminder)) or 0) > 0


async def test_a_plan_with_questions_is_answered_one_by_one(
    ctx: AppContext, ward: IntakeWard, browser: object, tmp_path: Path
) -> None:
    docx = plans.provincial_table(tmp_path / "ke-hoach-tinh.docx")
    async with serving(ctx) as base:
        page = await _logged_in(ctx, browser, base, ward.leader)
        await _upload(page, base, docx)
        assert await page.locator(".question.open").count() == 4  # type: ignore[attr-defined]
        # The ward the province's plan is for.
        await page.fill('[data-question="q1"] input[name="go_q1"]', "Phường Lộc Phát")  # type: ignore[attr-defined]
        # The group's members; the lead nobody named; the deadline with two readings, typed
        # again and re-read as it is typed.
        await page.locator('[data-question="q2"] input[value="SYT"]').check()  # type: ignore[attr-defined]
        await page.locator('[data-question="q3"] input[value="CAT"]').check()  # type: ignore[attr-defined]
        typed = page.locator('[data-question="q4"] input[name="go_q4"]')  # type: ignore[attr-defined]
        await typed.fill("Trước 10/5/2026 hoặc")
        read = page.locator('[data-question="q4"] [data-deadline-read]')  # type: ignore[attr-defined]
        await page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('[data-question=\"q4\"] [data-deadline-read]').textContent.length > 0"
        )
        await typed.fill("Trước 10/6/2026")
        shown = "() => document.querySelector('[data-question=\"q4\"] [data-deadline-read]').textContent"
        await page.wait_for_function(shown + ".includes('09/06/2026')")  # type: ignore[attr-defined]
        assert await read.get_attribute("data-confidence") == "exact"
        await page.fill('input[name="ma_UBNDP1BL"]', "P1")  # type: ignore[attr-defined]
        await page.click('[data-action="save"]')  # type: ignore[attr-defined]
        await page.wait_for_selector('[data-open="0"]')  # type: ignore[attr-defined]
        assert await page.locator(".question.done").count() == 4  # type: ignore[attr-defined]
        await _shot(page, "1-xem-lai-cau-hoi")
        await page.click('[data-action="preview"]')  # type: ignore[attr-defined]
        await page.wait_for_selector('[data-action="activate"]')  # type: ignore[attr-defined]
        await _shot(page, "2-xem-truoc-cau-hoi")
        code = await _activate_and_invite(page, "SYT", "Phạm Thị Y")
        assert len(code) == 6
    written = load_plan(ward.folder / "phuong-loc-phat_2150-kh-ubnd.yaml")
    assert written.groups["CAC_CSKBCB"] == ("SYT",) and "P1" in written.units
