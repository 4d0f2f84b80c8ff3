"""Issue 14: export against ``cp`` of the same files (target >= 0.9x), and a 100,000-photo dry run
(target < 10 s).

* copy: the synthetic corpus becomes a library (its File rows written directly, dates from the
  photos' own EXIF, as an import leaves them), then rounds of A B A B: ``cp`` of every file into
  a fresh folder on the same disk, and a real export job run by ``ExportRun`` (claims, verified
  copies, sidecars, mtimes, commits, manifest) into another fresh folder. Both read the sources
  from the page cache (each round first reads them), so the disk's read speed does not decide;
  the best round of each is compared. A second export with every date taken from a decision
  shows what writing the date inside each copy with ExifTool costs.
* dry run: ``preview_export`` over ``--page-rows`` seeded File rows (default 100,000) into an
  empty destination: the query, the templates, collisions and the free-space check.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.context import BenchContext
from bench.library_seed import seed_library
from bench.report import heading, progress, say, table
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, JobStatus
from photoimport.export.create import create_export_job, preview_export
from photoimport.export.request import ExportRequest
from photoimport.settings import ImportSettings, Settings
from worker.export_run import ExportRun

COPY_TARGET = 0.9
DRY_RUN_TARGET_SECONDS = 10.0


def _warm(paths: list[Path]) -> None:
    for p in paths:
        with p.open("rb") as fh:
            while fh.read(1 << 20):
                pass


def _library(settings: Settings, paths: list[Path], decided: bool) -> list[Path]:
    engine = make_engine(settings.database_url)
    base = datetime(2021, 6, 1, 12, tzinfo=UTC)
    rows: dict[str, dict[str, object]] = {}  # one row per content, as an import leaves it
    for i, p in enumerate(paths):
        local = (base + timedelta(minutes=i)).astimezone()
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        rows.setdefault(
            sha,
            {
                "sha256": sha,
                "path": str(p),
                "name": p.name,
                "size": p.stat().st_size,
                "mime": "image/jpeg",
                "format": "JPEG",
                "width": 1,
                "height": 1,
                "display_width": 1,
                "display_height": 1,
                "capture_source": "exif_dto",
                "capture_offset_source": "stated in the photo",
                "effective_utc": base + timedelta(minutes=i),
                "effective_local": local.isoformat(),
                "effective_confidence": "HIGH",
                "date_decision_id": 1 if decided else None,
            },
        )
    with engine.begin() as conn:
        conn.execute(sa.insert(FILE), list(rows.values()))
    engine.dispose()
    return [Path(str(r["path"])) for r in rows.values()]


def _export_once(settings: Settings, dest: Path) -> float:
    engine = make_engine(settings.database_url)
    imports = ImportSettings(workers=2)
    job = create_export_job(engine, settings, ExportRequest(destination=str(dest)), imports)
    start = time.perf_counter()
    ExportRun(settings, engine, job).run()
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        status = conn.execute(sa.text("select status from job where id = :j"), {"j": job}).scalar()
    engine.dispose()
    assert status == JobStatus.COMPLETED.value, status
    return seconds


def _cp_once(root: Path, paths: list[Path], dest: Path) -> float:
    """``cp --parents`` of the same files (their folders kept, as names may repeat)."""
    dest.mkdir(parents=True)
    relative = [str(p.relative_to(root)) for p in paths]
    start = time.perf_counter()
    subprocess.run(["cp", "--parents", "-t", str(dest), *relative], check=True, cwd=root)
    return time.perf_counter() - start


def _copy_section(ctx: BenchContext, work: Path) -> None:
    paths = [f.path for f in ctx.corpus.files]
    rows = []
    for decided in (False, True):
        home = work / f"home-{decided}"
        home.mkdir()
        settings = Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}")
        unique = _library(settings, paths, decided)
        cp_times, ours = [], []
        for r in range(ctx.rounds):
            progress(f"export round {r + 1}/{ctx.rounds} (dates {'decided' if decided else 'own'})")
            _warm(unique)
            cp_times.append(_cp_once(ctx.corpus.root, unique, work / f"cp-{decided}-{r}"))
            _warm(unique)
            ours.append(_export_once(settings, work / f"out-{decided}-{r}"))
            shutil.rmtree(work / f"cp-{decided}-{r}")
            shutil.rmtree(work / f"out-{decided}-{r}")
        best_cp, best = min(cp_times), min(ours)
        label = "export, dates written by ExifTool" if decided else "export (photos' own dates)"
        verdict = "ok" if best_cp / best >= COPY_TARGET or decided else "UNDER TARGET"
        size = sum(p.stat().st_size for p in unique)
        rows.append([label, len(unique), size / 1e6, best_cp, best, best_cp / best, verdict])
    say(table(["run", "files", "MB", "cp s", "export s", "x cp", "target 0.9x"], rows))


def _dry_run_section(ctx: BenchContext, work: Path) -> None:
    home = work / "dry"
    home.mkdir()
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}")
    engine = make_engine(settings.database_url)
    progress(f"seeding {ctx.page_rows:,} File rows")
    seed_library(engine, ctx.page_rows)
    request = ExportRequest(destination=str(work / "dry-out"))
    times = []
    plan_files = 0
    for _ in range(ctx.rounds):
        start = time.perf_counter()
        preview = preview_export(engine, settings, request)
        times.append(time.perf_counter() - start)
        plan_files = len(preview.plan.files)
    engine.dispose()
    best = min(times)
    verdict = "ok" if best < DRY_RUN_TARGET_SECONDS else "OVER TARGET"
    say(
        table(
            ["dry run", "photos", "planned", "renamed", "seconds", "target"],
            [
                [
                    "preview_export",
                    ctx.page_rows,
                    plan_files,
                    preview.plan.collisions,
                    best,
                    f"< {DRY_RUN_TARGET_SECONDS:.0f} s {verdict}",
                ]
            ],
        )
    )


def run(ctx: BenchContext) -> None:
    heading("export: verified copies vs cp; dry run of a large library")
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir=Path.cwd()) as tmp:
        work = Path(tmp)
        _copy_section(ctx, work)
        _dry_run_section(ctx, work)
