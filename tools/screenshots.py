"""Screenshots of each portal page type at a phone's and a laptop's width, for docs/ and the
README's tour: builds the sample catalogue, serves it on loopback, drives Debian's chromium.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "home": "/", "search": "/datasets?q=%E8%99%95%E7%BD%B0", "dataset": "/datasets/hz-shuanggongshi",
    "conditional": "/datasets/xh-lyj-subsistence-stats", "publisher": "/publishers/hz-gov", "theme": "/themes/credit",
    "table": "/hz-shuanggongshi/penalties?_search=%E9%A3%9F%E5%93%81",
    "changelog": "/datasets/hz-shuanggongshi/changelog", "deadlines": "/oversight/deadlines",
    "annual-report": "/oversight/annual-report/xh-gov/2025", "scorecards": "/oversight/scorecards",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "govdata", "build", "--root", str(REPO), "--out", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "govdata", "serve", "--root", str(REPO), "--out", tmp,
                                   "--port", str(port), "--workers", "1"])
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(base + "/-/versions.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"])
                for width, height, locale in ((375, 812, "zh-CN"), (1280, 900, "zh-CN")):
                    page = browser.new_context(viewport={"width": width, "height": height}, locale=locale).new_page()
                    for name, path in PAGES.items():
                        page.goto(base + path)
                        page.screenshot(path=str(args.out / f"{name}-{width}.png"))
                for width, height in ((375, 812), (1280, 900)):
                    page = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB").new_page()
                    for name in ("dataset", "changelog", "annual-report"):
                        page.goto(base + PAGES[name])
                        page.screenshot(path=str(args.out / f"{name}-en-{width}.png"), full_page=name != "dataset")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
