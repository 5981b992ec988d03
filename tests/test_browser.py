"""Pages in a real browser: Debian's chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (scripts/setup.sh --test installs Debian's chromium)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def test_landing_page_in_chromium(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
    response = page.goto(f"{live_server}/datasets/hz-air-quality-daily")
    assert response.status == 200
    assert page.title().startswith("示例市")
    ld = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert ld["@type"] == "Dataset"
    page.get_by_role("link", name="在线浏览和查询").first.click()
    page.wait_for_load_state()
    assert "/hz-air-quality-daily/" in page.url
    assert page.locator("table.rows-and-columns").count() == 1
    page.screenshot(path=str(tmp_path / "page.png"))


def test_dataset_index_lists_every_dataset(browser, live_server, built):
    data = json.loads((built / "directory" / "data.json").read_text())
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server}/datasets")
    links = page.locator(".cards h3 a").all_text_contents()
    assert len(links) == len(data["dataset"])
