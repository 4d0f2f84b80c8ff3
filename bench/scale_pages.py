"""The dashboard's pages over a library of a million photos: whole server-side scripts through
AppTest (as ``bench.pages`` does at 100,000), on a copy of the cached generated library.

Home (the finished job's summary panel, recent jobs, library totals), Gallery (count and a page
of 60 thumbnails, which are written for that page), Jobs (the table, the job's panel and
summary), Review (the date queue: its order, a page of 20 with candidates, and the tools' tabs)
and Duplicates (groups largest first, a page of 5 with their facts, the rules' outcome). Each is
run once to warm up (imports, engine, Streamlit caches: the review queue's order is computed
once per library change), then timed best of ``repeat``. The scale section times the same pages
on a small library of the same generator as their baseline.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from PIL import Image
from streamlit.testing.v1 import AppTest  # noqa: TID251 (times the page scripts; not core)

from bench.library_seed import best_ms
from bench.pages import DASHBOARD, _home_env, _page
from bench.report import Cell, progress, say, table
from bench.scale_data import copy_database, million_library
from photoimport.db.engine import make_engine
from photoimport.db.models import JOB
from photoimport.jobs.summary import compute_summary, summary_to_json
from photoimport.library.queries import FileFilter, list_files

PAGES = ("home", "pages/gallery.py", "pages/jobs.py", "pages/review.py", "pages/duplicates.py")
PAGE_MS = 300.0
PAGE_BASELINE_PHOTOS = 10_000


@dataclass(frozen=True)
class PageTime:
    page: str
    ms: float  # best of the runs after a warm-up run

    @property
    def label(self) -> str:
        return Path(self.page).stem.capitalize()


def store_summary(db: Path, job_id: int) -> None:
    """Store the job's summary, as the worker leaves a finished job (once, in the cache)."""
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        stored = conn.execute(sa.select(JOB.c.summary_json).where(JOB.c.id == job_id)).scalar()
    if not stored or '"months"' not in stored:
        summary = summary_to_json(compute_summary(engine, job_id))
        with engine.begin() as conn:
            conn.execute(JOB.update().where(JOB.c.id == job_id).values(summary_json=summary))
    engine.dispose()


def _check_shown(page: str, app: AppTest) -> None:
    """The review and duplicates pages show a full queue / groups, not an empty library."""
    shown = " ".join(c.value for c in app.caption)
    if page == "pages/review.py":
        assert "photos to review" in shown, shown
    elif page == "pages/duplicates.py":
        assert "Groups 1–5 of" in shown, shown


def time_pages(db: Path, repeat: int = 3) -> list[PageTime]:
    home = Path(tempfile.mkdtemp(prefix="bench-scale-pages-"))
    try:
        copy_database(db, home)
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        for f in list_files(engine, FileFilter(), offset=0, limit=60):
            assert f.thumbnail is not None
            thumb = home / f.thumbnail
            thumb.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (320, 240), (90, 120, 160)).save(thumb, "JPEG", quality=80)
        engine.dispose()
        times = []
        with _home_env(home):
            for page in PAGES:
                app = (
                    AppTest.from_file(DASHBOARD, default_timeout=120)
                    if page == "home"
                    else _page(page)
                )
                app.run()  # warm: imports, engine, caches
                assert not app.exception, app.exception
                _check_shown(page, app)
                times.append(PageTime(page, best_ms(app.run, repeat)))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return times


def page_rows(db: Path, photos: int, baseline_photos: int) -> list[list[Cell]]:
    """Table rows: each page at ``photos`` (the library ``db``), its target, and the same page
    on a library of ``baseline_photos`` from the same generator (timed first)."""
    small, small_job = million_library(baseline_photos)
    store_summary(small, small_job)
    progress(f"page scripts at {baseline_photos:,} photos, then at {photos:,}")
    baseline = {p.page: p.ms for p in time_pages(small)}
    rows: list[list[Cell]] = []
    for page in time_pages(db):
        verdict = "ok" if page.ms < PAGE_MS else "MISSES TARGET"
        rows.append(
            [
                f"{page.label} page script, {photos:,} photos (ms)",
                page.ms,
                f"< {PAGE_MS:.0f} {verdict}",
                f"{baseline[page.page]:,.0f} at {baseline_photos:,} photos",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The five page scripts on a big library.")
    parser.add_argument("--photos", type=int, default=1_000_000, help="photos in the library")
    parser.add_argument("--baseline", type=int, default=PAGE_BASELINE_PHOTOS, help="small one")
    args = parser.parse_args(argv)
    db, job_id = million_library(args.photos)
    store_summary(db, job_id)
    rows = page_rows(db, args.photos, args.baseline)
    say(table(["figure", "value", "target", "baseline (same run)"], rows))


if __name__ == "__main__":
    main()
