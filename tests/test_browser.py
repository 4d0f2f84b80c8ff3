"""One real browser test: `streamlit run dashboard.py` driven by Playwright and Debian's chromium.

Upload five corpus photos through the file input, wait for the job to complete, open the
gallery and count five thumbnails. Full-page screenshots go to test-artifacts/. On failure the
server's and the worker's logs are printed.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.fixtures.corpus import CORPUS
from tests.fixtures.server import Server, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHOTOS = [
    CORPUS / "exifr" / "door-knocker.jpg",
    CORPUS / "pillow" / "hopper.jpg",
    CORPUS / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg",
    CORPUS / "metadata-extractor" / "jpg" / "Sony Cybershot (5).jpg",
    CORPUS / "exifr" / "IMG_20180725_163423-tiny.jpg",
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with streamlit_server(tmp_path) as srv:
        yield srv


def _upload_bytes_held(srv: Server) -> int:
    with urllib.request.urlopen(f"{srv.url}/_stcore/metrics", timeout=5) as r:
        text = r.read().decode()
    held = re.findall(r'cache_type="UploadedFileManager"[^}]*}\s+(\d+)', text)
    return sum(int(n) for n in held)


def _nav(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)  # let charts and images settle
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_upload_five_photos_and_see_them_in_the_gallery(server: Server) -> None:
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            # The server's first request is a page's URL (a bookmark): the sidebar must still
            # be the app's navigation, not Streamlit's list of every file in pages/.
            page.goto(f"{server.url}/import_photos")
            nav = page.get_by_test_id("stSidebarNavItems")
            expect(nav.get_by_role("link", name="Settings")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("heading", name=re.compile("Import photos"))).to_be_visible(
                timeout=30_000
            )
            links = [t.strip() for t in nav.get_by_role("link").all_inner_texts()]
            assert [t.split()[-1] for t in links] == [
                "Home",
                "Import",
                "Jobs",
                "Gallery",
                "Review",
                "Duplicates",
                "Export",
                "Watch",
                "Settings",
            ], links

            page.goto(server.url)
            expect(page.get_by_text("No imports yet")).to_be_visible(timeout=30_000)
            _shot(page, "01-home-empty")

            _nav(page, "Import")
            page.locator("input[type=file]").first.set_input_files([str(p) for p in PHOTOS])
            expect(page.get_by_text("5 files selected")).to_be_visible(timeout=30_000)
            _shot(page, "02-import")
            page.get_by_role("button", name="Import uploaded photos").click()

            expect(page.get_by_text(re.compile(r"COMPLETED 5/5"))).to_be_visible(timeout=90_000)
            assert _upload_bytes_held(server) == 0  # released from the server's memory
            _shot(page, "03-job-completed")

            _nav(page, "Home")
            expect(page.get_by_text("Photos per month")).to_be_visible(timeout=30_000)
            _shot(page, "04-home-summary")

            _nav(page, "Gallery")
            # the grid is a canvas (st.dataframe with an image column): its caption counts
            expect(page.get_by_text("Photos 1–5 of 5: click one to open it")).to_be_visible(
                timeout=30_000
            )
            expect(page.get_by_test_id("stDataFrame")).to_be_visible()
            _shot(page, "05-gallery")
            browser.close()
    except BaseException:
        print(server.logs())
        raise
