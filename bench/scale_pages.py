"""The dashboard's pages over a library of a million photos: whole server-side scripts through
AppTest (as ``bench.pages`` does at 100,000), on a copy of the cached generated library.

Home (the finished job's summary panel, recent jobs, library totals), Gallery (count and a page
of 60 thumbnails, which are written for that page) and Jobs (the table, the job's panel and
summary); Review and Duplicates too when this checkout has them (other issues add them).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from PIL import Image
from streamlit.testing.v1 import AppTest  # noqa: TID251 (times the page scripts; not core)

from bench.library_seed import best_ms
from bench.pages import DASHBOARD, _home_env, _page
from bench.scale_data import copy_database
from photoimport.db.engine import make_engine
from photoimport.db.models import JOB
from photoimport.jobs.summary import compute_summary, summary_to_json
from photoimport.library.queries import FileFilter, list_files

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL_PAGES = ("pages/review.py", "pages/duplicates.py")


@dataclass(frozen=True)
class PageTime:
    page: str
    ms: float  # best of the runs after a warm-up run


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
        pages = ["home", "pages/gallery.py", "pages/jobs.py"]
        pages += [p for p in OPTIONAL_PAGES if (ROOT / p).exists()]
        times = []
        with _home_env(home):
            for page in pages:
                app = (
                    AppTest.from_file(DASHBOARD, default_timeout=120)
                    if page == "home"
                    else _page(page)
                )
                app.run()  # warm: imports, engine, caches
                assert not app.exception, app.exception
                times.append(PageTime(page, best_ms(app.run, repeat)))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return times
