"""Issue 12 "Speed and scale": date decisions on 50,000 photos and the Review page at 100,000.

One fresh SQLite library seeded with ``bench.library_seed`` (``ctx.page_rows`` File rows, default
100,000; effective values = detected ones, as an import leaves them). The selection is the
job's photos taken 2015-2019: about half the library. Every action is timed once, on the real
functions (``photoimport.review``), against a *baseline* measured in the same run: one plain
``UPDATE`` of the effective time of the same rows (the least any "change 50,000 dates" does).
Targets: every action under 5 s; the Review page under 300 ms (AppTest, warm; the Gallery page
script is its baseline here, measured the same way).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col

from bench.context import BenchContext
from bench.library_seed import best_ms, seed_library
from bench.pages import _home_env, _page
from bench.report import Cell, heading, say, table
from photoimport.db.engine import make_engine
from photoimport.db.models import File
from photoimport.review import bulk, decisions, evidence, queue, undo
from photoimport.review.selection import selection_conditions
from photoimport.review.values import Selection

ACTION_MS, PAGE_MS = 5000.0, 300.0


def _ms(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000, out


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"< {target:,.0f} ms " + ("ok" if value < target else "OVER TARGET")


def run(ctx: BenchContext) -> None:
    heading(f"review: date decisions and the Review page, {ctx.page_rows:,} File rows (SQLite)")
    home = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        job_id = seed_library(engine, ctx.page_rows)
        with engine.begin() as conn:  # as an import leaves them (older seeds: effective unset)
            conn.execute(
                sa.update(File)
                .where(col(File.effective_utc).is_(None), col(File.capture_utc).is_not(None))
                .values(
                    effective_utc=File.capture_utc,
                    effective_local=File.capture_local,
                    effective_offset_minutes=File.capture_offset_minutes,
                    effective_confidence=File.confidence,
                )
            )
        sel = Selection(job_id=job_id, date_from=date(2015, 1, 1), date_to=date(2019, 12, 31))
        with engine.connect() as conn:
            ids = [
                int(i)
                for i in conn.execute(
                    sa.select(col(File.id)).where(*selection_conditions(sel))
                ).scalars()
            ]
        rows: list[list[Cell]] = []

        def baseline() -> None:
            with engine.begin() as conn:
                conn.execute(
                    sa.update(File)
                    .where(*selection_conditions(sel))
                    .values(effective_local=File.effective_local)
                )

        base_ms, _ = _ms(baseline)
        rows.append(["baseline: one UPDATE of the same rows", len(ids), base_ms, ""])
        steps: list[tuple[str, Callable[[], object]]] = [
            (
                "preview a shift (count + sample)",
                lambda: bulk.preview_shift(engine, sel, by=timedelta(hours=1)),
            ),
            ("shift by +01:00:00", lambda: bulk.shift_dates(engine, sel, by=timedelta(hours=1))),
            (
                "move to a zone (Europe/Paris)",
                lambda: bulk.shift_dates(engine, sel, zone_text="Europe/Paris"),
            ),
            ("undo the zone move (one action)", lambda: undo.undo_last(engine)),
            ("undo the shift (one action)", lambda: undo.undo_last(engine)),
            ("accept the proposed dates", lambda: decisions.accept_proposals(engine, ids)),
            ("undo the accept", lambda: undo.undo_last(engine)),
        ]
        for name, fn in steps:
            ms, out = _ms(fn)
            count = getattr(out, "count", len(ids))
            rows.append([name, int(count), ms, _verdict(ms, ACTION_MS)])
        ms, found = _ms(lambda: evidence.suggest_offsets(engine))
        rows.append(["suggest cameras' offsets (whole library)", len(found), ms, ""])  # type: ignore[arg-type]
        ms, fills = _ms(lambda: evidence.fill_suggestions(engine))
        rows.append(["suggest dates from neighbours", len(fills), ms, ""])  # type: ignore[arg-type]
        say(table(["action (run once)", "photos", "ms", "target"], rows))

        cold, _ = _ms(lambda: queue.refresh_disputes(engine))
        page_q = best_ms(lambda: queue.review_queue(engine, offset=0, limit=20), 3)
        deep_q = best_ms(lambda: queue.review_queue(engine, offset=20 * 200, limit=20), 3)
        sort_ms = best_ms(lambda: queue.queue_ids(engine), 3)
        ids = queue.queue_ids(engine)
        version_ms = best_ms(lambda: queue.queue_version(engine), 3)
        items_ms = best_ms(lambda: queue.queue_items(engine, ids[4000:4020]), 3)
        groups = best_ms(lambda: queue.queue_groups(engine), 3)
        queued = queue.count_queue(engine)
        engine.dispose()
        with _home_env(home):
            review = _page("pages/review.py")
            start = time.perf_counter()
            review.run()  # the first view sorts the queue; later runs reuse the order
            first_ms = (time.perf_counter() - start) * 1000
            review_ms = best_ms(review.run, 3)
            assert not review.exception, review.exception
            gallery = _page("pages/gallery.py")
            gallery.run()
            gallery_ms = best_ms(gallery.run, 3)
        say(f"\nReview page with {queued:,} photos in the queue (best of 3)")
        say(
            table(
                ["page work", "ms", "target"],
                [
                    ["disputes worked out, first visit after an import", cold, ""],
                    ["queue page 1 (count + 20 items)", page_q, _verdict(page_q, PAGE_MS)],
                    ["queue page 201", deep_q, _verdict(deep_q, PAGE_MS)],
                    ["the queue's order (once per library change)", sort_ms, ""],
                    ["page: queue_version (every run)", version_ms, ""],
                    ["page: its 20 items by id (every run)", items_ms, ""],
                    ["queue groups (folder / camera / day counts)", groups, ""],
                    ["review page script, first view (AppTest)", first_ms, ""],
                    ["review page script (AppTest)", review_ms, _verdict(review_ms, PAGE_MS)],
                    ["baseline: gallery page script (AppTest)", gallery_ms, ""],
                ],
            )
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
