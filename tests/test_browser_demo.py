"""Demo mode in a real browser (Playwright, Debian's chromium) against `streamlit run app.py`
(as `make demo`) with PHOTOIMPORT_DEMO=1: two visitors upload, each sees only their own photos,
a click on a thumbnail opens the photo and the arrow keys move through the selection, the second
gets their photos back organised (a streamed ZIP), and the first visitor's photos, thumbnails
and uploads are gone after expiry while the second's stay.

Screenshots of the gallery, a photo, the timeline and the map at 1400x900 and 390x844 go to
test-artifacts/15-*.png.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from photoimport.settings import load_settings
from tests.fixtures.corpus import CORPUS
from tests.fixtures.server import Server, streamlit_server
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

# The map is WebGL (deck.gl): --disable-gpu leaves it blank or one flat colour in headless
# chromium; ANGLE's SwiftShader renders it. (Its base map tiles need the internet: none here.)
WEBGL_ARGS = [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + [
    "--use-gl=angle",
    "--use-angle=swiftshader-webgl",
    "--ignore-gpu-blocklist",
]

ALICE = [CORPUS / "exifr" / "door-knocker.jpg", CORPUS / "pillow" / "hopper.jpg"]
BOB = [
    CORPUS / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg",
    CORPUS / "exif-samples" / "jpg" / "gps" / "DSCN0021.jpg",
    CORPUS / "exif-samples" / "jpg" / "gps" / "DSCN0025.jpg",
    CORPUS / "metadata-extractor" / "jpg" / "Sony Cybershot (5).jpg",
]
VIEWPORTS: dict[str, ViewportSize] = {
    "1400": {"width": 1400, "height": 900},
    "390": {"width": 390, "height": 844},
}


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Server]:
    demo = {"PHOTOIMPORT_DEMO": "1", "PHOTOIMPORT_DEMO_TTL_MINUTES": "30"}
    with streamlit_server(tmp_path, script="app.py", env=demo) as srv:  # as `make demo`
        yield srv


def _nav(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def _visitor(browser: Browser, srv: Server, photos: list[Path]) -> Page:
    """A new browser context (a new visitor) that uploads ``photos`` and waits for the job."""
    page = browser.new_context(viewport=VIEWPORTS["1400"]).new_page()
    page.bring_to_front()
    page.goto(srv.url)
    expect(page.get_by_text("Demo.").first).to_be_visible(timeout=30_000)
    links = [
        t.split()[-1]
        for t in page.get_by_test_id("stSidebarNavItems").get_by_role("link").all_inner_texts()
    ]
    assert links == ["Home", "Import", "Gallery"], links  # no folders, watch, settings
    _nav(page, "Import")
    expect(page.get_by_role("tab", name=re.compile("Upload from this computer"))).to_be_visible()
    expect(page.get_by_role("tab", name=re.compile("Folder on the server"))).to_have_count(0)
    page.locator("input[type=file]").first.set_input_files([str(p) for p in photos])
    expect(page.get_by_text(f"{len(photos)} files selected")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Import uploaded photos").click()
    done = re.compile(rf"COMPLETED {len(photos)}/{len(photos)}")
    expect(page.get_by_text(done)).to_be_visible(timeout=240_000)  # a loaded machine
    return page


def _gallery(page: Page, count: int) -> None:
    _nav(page, "Gallery")
    expect(page.get_by_text(f"of {count}: click one to open it")).to_be_visible(timeout=30_000)


def _click_thumbnail(page: Page, row: int = 0) -> None:
    """Click the thumbnail of ``row`` in the grid (a canvas: by position, header 35 px, rows
    72 px, the image column first)."""
    grid = page.get_by_test_id("stDataFrame").locator("canvas").first
    expect(grid).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)  # the grid paints its rows after it appears
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 72 * row + 36)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(800)  # let images, charts and the map settle
    page.screenshot(path=str(ARTIFACTS / f"15-{name}.png"), full_page=True)


def _show(page: Page, view: str) -> None:
    """The Gallery's view switch (a segmented control)."""
    choice = page.get_by_role("radiogroup", name="View").get_by_role("radio", name=view)
    page.wait_for_timeout(1000)  # let a rerun in flight (a chart's selection) finish first
    choice.click()
    expect(choice).to_be_checked(timeout=30_000)


def _back_to_gallery(page: Page) -> None:
    page.get_by_role("link", name="Back to the gallery").click()
    expect(page.get_by_text(f"of {len(BOB)}: click one to open it")).to_be_visible(timeout=30_000)


def _open_first_photo(page: Page) -> None:
    _click_thumbnail(page)
    expect(page.get_by_text("Timestamp candidates")).to_be_visible(timeout=30_000)


def _screenshots(page: Page, width: str) -> None:
    """From a photo's page (in-page links only: a phone-sized window hides the sidebar)."""
    page.set_viewport_size(VIEWPORTS[width])
    _back_to_gallery(page)
    _shot(page, f"gallery-{width}")
    _open_first_photo(page)
    _shot(page, f"photo-{width}")
    _back_to_gallery(page)
    _show(page, "Timeline")
    expect(page.get_by_test_id("stVegaLiteChart")).to_be_visible(timeout=30_000)
    _shot(page, f"timeline-{width}")
    _show(page, "Map")
    expect(page.get_by_test_id("stDeckGlJsonChart")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(2500)  # deck.gl draws after the page settles
    _shot(page, f"map-{width}")
    _show(page, "Photos")
    _open_first_photo(page)


def _timeline_and_map_filter(page: Page) -> None:
    """A click on October 2008 in the timeline shows its 3 photos; a click on their place on
    the map filters by it (both end up in the URL)."""
    _show(page, "Timeline")
    chart = page.get_by_test_id("stVegaLiteChart")
    expect(chart).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)  # 2008-10
    expect(page.get_by_text("Photos 1–3 of 3: click one to open it")).to_be_attached(timeout=30_000)
    expect(page).to_have_url(re.compile(r"dates=2008-10-01&dates=2008-10-31"), timeout=30_000)
    _show(page, "Map")
    deck = page.get_by_test_id("stDeckGlJsonChart")
    expect(deck).to_be_visible(timeout=30_000)
    page.wait_for_timeout(2500)
    box = deck.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the cluster
    expect(page.get_by_role("button", name=re.compile("Show every place again"))).to_be_visible(
        timeout=30_000
    )
    expect(page).to_have_url(re.compile(r"area=43\.4"), timeout=30_000)  # the Tuscan cluster


def _organised_copy(page: Page, srv: Server) -> None:
    """Issue 14 for a demo visitor: Home's "Organise my photos" runs an export of their photos
    through the worker, then links its ZIP (app.py's route, streamed): the photos renamed by
    date, a sidecar each, the manifest (screenshots 14-demo-organised-*.png)."""
    page.set_viewport_size(VIEWPORTS["1400"])
    _nav(page, "Home")
    page.get_by_role("button", name=re.compile("Organise my photos")).click()
    link = page.get_by_role("link", name=re.compile("Download the organised copy"))
    expect(link).to_be_visible(timeout=120_000)
    href = link.get_attribute("href")
    assert href is not None
    assert re.fullmatch(r"/export/\d+/[\w-]+\.zip", href), href
    response = page.request.get(srv.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.body())) as zf:
        names = zf.namelist()
    photos = sorted(n for n in names if n.lower().endswith(".jpg"))
    assert len(photos) == len(BOB), names
    dated = r"(\d{4}/\d{4}-\d{2}-\d{2}/\d{8}_\d{6}|undated/.+)\.jpg"
    assert all(re.fullmatch(dated, n) for n in photos), names
    assert sorted(names) == sorted([*photos, *(n + ".xmp" for n in photos), "manifest.csv"])
    for width in VIEWPORTS:
        page.set_viewport_size(VIEWPORTS[width])
        page.get_by_role("heading", name="Your photos, organised").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / f"14-demo-organised-{width}.png"))


@pytest.mark.browser
def test_two_visitors_see_only_their_photos_until_expiry(demo_server: Server) -> None:
    srv = demo_server
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=WEBGL_ARGS)
            alice = _visitor(browser, srv, ALICE)
            bob = _visitor(browser, srv, BOB)
            _gallery(alice, len(ALICE))
            _gallery(bob, len(BOB))
            # alice's thumbnails open alice's photos (the counts above differ: 2 and 4)
            alice.bring_to_front()
            _click_thumbnail(alice)
            expect(
                alice.get_by_role("heading", name=re.compile("door-knocker.jpg|hopper.jpg"))
            ).to_be_visible(timeout=30_000)
            bob.bring_to_front()
            # a click on a thumbnail opens the photo; the right arrow key goes to the next one
            _click_thumbnail(bob)
            expect(bob.get_by_text("Photo 1 of the gallery's selection")).to_be_visible(
                timeout=30_000
            )
            bob.keyboard.press("ArrowRight")
            expect(bob.get_by_text("Photo 2 of the gallery's selection")).to_be_visible(
                timeout=30_000
            )
            bob.keyboard.press("ArrowLeft")
            expect(bob.get_by_text("Photo 1 of the gallery's selection")).to_be_visible(
                timeout=30_000
            )
            for width in VIEWPORTS:
                _screenshots(bob, width)

            # alice's import is now older than the time to live: her next page run expires it
            url = load_settings({"PHOTOIMPORT_HOME": str(srv.home)}).database_url
            db = sqlite3.connect(url.removeprefix("sqlite:///"))
            with db:
                (job_id,) = db.execute("SELECT min(id) FROM job").fetchone()
                db.execute(
                    "UPDATE job SET created_at = '2000-01-01 00:00:00.000000' WHERE id = ?",
                    (job_id,),
                )
            thumbs = [r[0] for r in db.execute(
                "SELECT thumbnail FROM file JOIN jobitem ON jobitem.file_id = file.id "
                "WHERE jobitem.job_id = ?", (job_id,))]  # fmt: skip
            db.close()
            assert thumbs
            assert all((srv.home / t).exists() for t in thumbs)
            _nav(alice, "Home")
            _nav(alice, "Gallery")
            expect(alice.get_by_text("No photos match")).to_be_visible(timeout=30_000)
            assert not (srv.home / "uploads" / str(job_id)).exists()
            assert not any((srv.home / t).exists() for t in thumbs)
            bob.set_viewport_size(VIEWPORTS["1400"])
            _back_to_gallery(bob)  # bob's photos stay
            _timeline_and_map_filter(bob)
            _organised_copy(bob, srv)
            browser.close()
    except BaseException:
        print(srv.logs())
        raise
