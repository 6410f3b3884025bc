"""The desk in a real browser: Debian's Chromium driven by Playwright, against the desk served
by uvicorn on a free port of 127.0.0.1, on SQLite and PostgreSQL. Skipped, saying why, only
when no Chromium binary is installed."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.context import AppContext
from bot.conversation.handle import Conversation
from tests.desk_support import SECRET_NOTE, TwoWards, login_url, serving, two_wards
from tests.helpers import say

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
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Where a run keeps its screenshots, when asked (NHACVIEC_DESK_SHOTS=folder).
SHOTS = os.environ.get("NHACVIEC_DESK_SHOTS")


@pytest.fixture
async def wards(ctx: AppContext) -> TwoWards:
    return await two_wards(ctx)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            await b.close()


def _local(url: str, base: str) -> str:
    return base + "/" + url.split("/", 3)[3]


async def _shot(page: object, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


async def test_the_office_works_at_the_desk(ctx: AppContext, wards: TwoWards, browser: object) -> None:
    async with serving(ctx) as base:
        context = await browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)  # type: ignore[attr-defined]
        page = await context.new_page()
        link = _local(await login_url(ctx, wards.office_a), base)
        await page.goto(link)
        await page.wait_for_url(base + "/")
        # The matrix: task 4 of VHXH waits for the office's confirmation.
        cell = page.locator('[data-task="4"][data-unit="VHXH"]')
        assert "awaiting_confirmation" in (await cell.get_attribute("data-flags") or "")
        assert await page.locator('[data-task="1"][data-unit="VHXH"]').get_attribute("data-standing") == "overdue"
        await _shot(page, "1-tong-quan")
        # The page refreshes itself: a report arriving meanwhile shows without a reload.
        vp = page.locator('[data-task="2"][data-unit="VP"]')
        assert "blocked" in (await vp.get_attribute("data-flags") or "")
        await say(Conversation(ctx), "VP-head", "2 đang làm 50%")
        await page.evaluate("window.deskRefresh()")
        await page.wait_for_selector("#live[data-refreshed]")
        assert "blocked" not in (await vp.get_attribute("data-flags") or "")
        # Confirm the product.
        await page.click('tr[data-row="4"] th a')
        await page.wait_for_url(base + "/nhiem-vu/4")
        assert "CV 45/UBND-VHXH" in await page.content()
        await _shot(page, "2-nhiem-vu")
        await page.click('article[data-unit="VHXH"] [data-action="confirm"]')
        await page.wait_for_selector(".flash.ok")
        assert "xác nhận" in (await page.inner_text(".flash")).lower()
        # Return it with a reason (a done can still be returned).
        await page.fill('article[data-unit="VHXH"] form.with-reason input[name="ly_do"]', "thiếu chữ ký")
        await page.click('article[data-unit="VHXH"] [data-action="return"]')
        await page.wait_for_selector(".flash.ok")
        await page.goto(base + "/")
        assert await page.locator('[data-task="4"][data-unit="VHXH"]').get_attribute("data-flags") == "returned"
        # Approve VHXH's extension of task 1.
        await page.goto(base + "/nhiem-vu/1")
        await page.click('article[data-unit="VHXH"] [data-action="approve-extension"]')
        await page.wait_for_selector(".flash.ok")
        assert "gia hạn" in (await page.inner_text(".flash")).lower()
        await page.goto(base + "/")
        flags = await page.locator('[data-task="1"][data-unit="VHXH"]').get_attribute("data-flags")
        assert "extension_pending" not in (flags or "")
        # Download the workbook and open it.
        await page.goto(base + "/bao-cao")
        await _shot(page, "4-bao-cao")
        async with page.expect_download() as info:
            await page.click('[data-file="xlsx"]')
        download = await info.value
        workbook = load_workbook(io.BytesIO(Path(await download.path()).read_bytes()))
        text = " ".join(str(c.value) for ws in workbook for row in ws for c in row if c.value is not None)
        assert "158/KH-UBND" in text and "VHXH" in text
        await page.goto(base + "/nguoi")
        await _shot(page, "5-nguoi")
        # Invite a person: the code, and a QR code on a printable sheet.
        await page.select_option('select[name="don_vi"]', "VP")
        await page.select_option('select[name="vai_tro"]', "deputy")
        await page.fill('input[name="ho_ten"]', "Vũ Thị Hoa")
        await page.click('.invite button[type="submit"]')
        code = await page.inner_text("[data-code]")
        assert len(code) == 6 and code.isdigit()
        assert await page.locator(".qr svg").count() == 1
        await _shot(page, "7-giay-moi")
        # A phone.
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.goto(base + "/")
        assert await page.locator("[data-task]").count() > 0
        wide = await page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > 392)
                .map(e => e.tagName + '.' + e.className)"""
        )
        assert not wide, wide  # nothing but the matrix itself (which scrolls) is wider than a phone
        assert await page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
        await _shot(page, "8-dien-thoai")
        await context.close()


async def test_ward_b_cannot_see_ward_a_and_a_used_link_is_refused(
    ctx: AppContext, wards: TwoWards, browser: object
) -> None:
    async with serving(ctx) as base:
        context = await browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        page = await context.new_page()
        link = _local(await login_url(ctx, wards.office_b), base)
        await page.goto(link)
        await page.wait_for_url(base + "/")
        assert await page.locator("[data-task]").count() > 0
        flags = await page.locator('[data-task="4"][data-unit="VHXH"]').get_attribute("data-flags")
        assert "awaiting_confirmation" not in (flags or "")
        await page.goto(base + "/nhiem-vu/4")
        assert SECRET_NOTE not in await page.content()
        response = await page.goto(f"{base}/?phuong={wards.a}")
        assert response is not None and response.status == 403
        other = await browser.new_context()  # type: ignore[attr-defined]
        used = await other.new_page()
        again = await used.goto(link)
        assert again is not None and again.status == 410
        await _shot(used, "9-lien-ket-da-dung")
        await other.close()
        # The city's view, for the screenshots.
        city = await browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        cpage = await city.new_page()
        await cpage.goto(_local(await login_url(ctx, wards.city), base))
        await cpage.wait_for_url(base + "/")
        await cpage.goto(base + "/thanh-pho")
        assert await cpage.locator("[data-ward]").count() == 2
        await _shot(cpage, "6-thanh-pho")
        await city.close()
        await context.close()


PHONE = {"width": 390, "height": 844}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
# How far the page itself scrolls sideways (the matrix scrolls inside its own box).
PAGE_WIDTH = "() => document.scrollingElement.scrollWidth"


async def test_a_unit_head_reports_from_the_desk_on_a_pc_and_a_phone(
    ctx: AppContext, wards: TwoWards, browser: object
) -> None:
    async with serving(ctx) as base:
        context = await browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        page = await context.new_page()
        await page.goto(_local(await login_url(ctx, wards.head_a), base))
        await page.wait_for_url(base + "/")
        units = await page.eval_on_selector_all("[data-task]", "cells => [...new Set(cells.map(c => c.dataset.unit))]")
        assert units == ["VP"]  # the head's own unit only
        await page.click('tr[data-row="3"] th a')
        await page.wait_for_url(base + "/nhiem-vu/3")
        await _shot(page, "10-bao-cao-don-vi")
        await page.fill('[data-report="progress"] input[name="phan_tram"]', "40")
        await page.click('[data-report="progress"] button[type="submit"]')
        await page.wait_for_selector(".flash.ok")
        assert "40%" in await page.inner_text(".flash")
        await page.fill('[data-report="done"] input[name="san_pham"]', "Báo cáo số 12/BC-VP ngày 02/06/2026")
        scan = {"name": "ban-chup.png", "mimeType": "image/png", "buffer": PNG}
        await page.set_input_files('[data-report="done"] input[name="tep"]', files=[scan])
        await page.click('[data-report="done"] button[type="submit"]')
        await page.wait_for_selector(".flash.ok")
        assert "kèm sản phẩm" in await page.inner_text(".flash")
        assert await page.locator(".evidence img.photo").count() == 1  # the scan, shown to the head
        history = await page.inner_text(".history-table")
        assert "Đỗ Minh Khoa" in history and "trang làm việc" in history and "12/BC-VP" in history
        await page.goto(base + "/")
        cell = page.locator('[data-task="3"][data-unit="VP"]')
        assert "awaiting_confirmation" in (await cell.get_attribute("data-flags") or "")
        # The same pages on a phone: nothing makes the page scroll sideways.
        await page.set_viewport_size(PHONE)
        await page.goto(base + "/nhiem-vu/3")
        assert await page.evaluate(PAGE_WIDTH) <= PHONE["width"]
        await _shot(page, "11-bao-cao-dien-thoai")
        await page.goto(base + "/")
        assert await page.evaluate(PAGE_WIDTH) <= PHONE["width"]
        await context.close()


async def test_the_office_matrix_on_a_phone_scrolls_inside_its_box(
    ctx: AppContext, wards: TwoWards, browser: object
) -> None:
    async with serving(ctx) as base:
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[attr-defined]
        page = await context.new_page()
        await page.goto(_local(await login_url(ctx, wards.office_a), base))
        await page.wait_for_url(base + "/")
        assert await page.evaluate(PAGE_WIDTH) <= PHONE["width"]
        box = await page.evaluate(
            "() => { const s = document.querySelector('.scroll'); return [s.scrollWidth, s.clientWidth]; }"
        )
        assert box[0] > box[1]  # the matrix is wider than the phone and scrolls in its own box
        for path in ("/nhiem-vu/4", "/bao-cao", "/nguoi"):
            await page.goto(base + path)
            assert await page.evaluate(PAGE_WIDTH) <= PHONE["width"], path
        await page.goto(base + "/")
        await _shot(page, "12-dien-thoai-di-dong")
        await context.close()
