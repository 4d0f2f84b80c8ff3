"""Page speed with a big library (issue 5): whole page scripts, not only their queries.

``time_pages(rows)`` seeds a fresh SQLite library with ``rows`` generated ``File`` rows
(``bench.library_seed``), writes real thumbnails for the first gallery page, and times
(best of ``repeat``):

* the progress fragment's query work (``job_progress``; target < 5 ms),
* the Gallery page's whole server-side script run through AppTest (count, page of 60, one
  ``st.image`` list; target < 300 ms),
* the Jobs page's whole script (jobs table, the selected job's panel and summary charts;
  the jobs table target is < 200 ms).

Run ``python -m bench.pages --rows 100000``. ``bench/sections/pages.py`` may call ``time_pages``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import sqlalchemy as sa
from PIL import Image
from sqlmodel import col
from streamlit.testing.v1 import AppTest  # noqa: TID251 (times the page scripts; not core)

from bench.library_seed import best_ms, seed_library
from photoimport.db.engine import make_engine
from photoimport.db.models import Job
from photoimport.jobs.control import job_progress, list_jobs
from photoimport.jobs.display import job_rows
from photoimport.jobs.summary import compute_summary, summary_to_json
from photoimport.library.queries import FileFilter, list_files

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")


@dataclass(frozen=True)
class PageTimings:
    rows: int
    progress_query_ms: float
    jobs_table_ms: float  # list_jobs + its table rows
    gallery_script_ms: float
    jobs_script_ms: float  # warm: the finished job's chart data is cached
    jobs_first_view_ms: float  # the first view of the job (charts computed)


@contextmanager
def _home_env(home: Path) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("PHOTOIMPORT_HOME", "PHOTOIMPORT_DATABASE_URL")}
    os.environ["PHOTOIMPORT_HOME"] = str(home)
    os.environ.pop("PHOTOIMPORT_DATABASE_URL", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _page(path: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=120).run()
    return at.switch_page(path)


def time_pages(rows: int = 100_000, repeat: int = 3) -> PageTimings:
    home = Path(tempfile.mkdtemp(prefix="bench-page-scripts-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        job_id = seed_library(engine, rows)
        with engine.begin() as conn:  # as the worker leaves a completed job: summary stored
            summary = summary_to_json(compute_summary(engine, job_id))
            conn.execute(sa.update(Job).where(col(Job.id) == job_id).values(summary_json=summary))
        for f in list_files(engine, FileFilter(), offset=0, limit=60):
            assert f.thumbnail is not None
            thumb = home / f.thumbnail
            thumb.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (320, 240), (90, 120, 160)).save(thumb, "JPEG", quality=80)
        progress_ms = best_ms(lambda: job_progress(engine, job_id), repeat * 3)
        table_ms = best_ms(lambda: job_rows(list_jobs(engine, limit=200), UTC), repeat * 3)
        with _home_env(home):
            gallery = _page("pages/gallery.py")
            gallery.run()  # warm: imports, engine, caches
            gallery_ms = best_ms(gallery.run, repeat)
            assert not gallery.exception, gallery.exception
            jobs_page = _page("pages/jobs.py")
            start = time.perf_counter()
            jobs_page.run()
            jobs_first_ms = (time.perf_counter() - start) * 1000
            jobs_ms = best_ms(jobs_page.run, repeat)
            assert not jobs_page.exception, jobs_page.exception
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return PageTimings(rows, progress_ms, table_ms, gallery_ms, jobs_ms, jobs_first_ms)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the dashboard's page scripts.")
    parser.add_argument("--rows", type=int, default=100_000, help="File rows to seed")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (best is kept)")
    args = parser.parse_args(argv)
    t = time_pages(args.rows, args.repeat)
    print(f"page scripts with {t.rows:,} File rows (best of {args.repeat}):")
    print(f"  progress fragment query work  {t.progress_query_ms:8.2f} ms   target < 5 ms")
    print(f"  jobs table query + rows       {t.jobs_table_ms:8.2f} ms   target < 200 ms")
    print(f"  gallery page script (AppTest) {t.gallery_script_ms:8.1f} ms   target < 300 ms")
    print(f"  jobs page script (AppTest)    {t.jobs_script_ms:8.1f} ms   table target < 200 ms")
    print(
        f"  jobs page, first view         {t.jobs_first_view_ms:8.1f} ms   (month chart computed)"
    )


if __name__ == "__main__":
    main()
