"""Issue 14: export against ``cp`` of the same files (target >= 0.9x), and a 100,000-photo dry run
(target < 10 s).

* copy: ``--n`` phone-sized JPEGs (one rendered 12 MP picture, each file made unique by a few
  trailer bytes after its end-of-image marker: sizes and content are what an export meets,
  without rendering and encoding hundreds of pictures) become a library (File rows written
  directly, dates from the photos' own EXIF, as an import leaves them), then rounds of A B A B:
  ``cp`` of every file into a fresh folder on the same disk, and a real export job run by
  ``ExportRun`` (claims, verified copies, sidecars, mtimes, commits, manifest) into another.
  Twice: sources in the page cache (each run first reads them), and sources on the disk (each
  run first drops these files, only these, from the cache with ``posix_fadvise``). The best
  round of each is compared, wall clock and CPU (cp's from its rusage; the export's is this
  process, every thread). Every timed run starts with nothing left to write (``sync``
  outside the clock): the export syncs its file system before each batch counts, and would
  otherwise wait for the previous run's writes too. A third run with every date taken from a
  decision shows what writing the date inside each copy with ExifTool costs (ExifTool's own CPU
  not counted).
* equally verified baselines (sources cached, same rounds; never instead of the target row):
  ``cp`` followed by one ``sha256sum`` of the copies (coreutils: here without the CPU's SHA
  instructions), by one ``openssl dgst -sha256`` (the same SHA-256 code as the export's
  hashlib), and by ``sync``: what ``cp`` costs when it checks or keeps what the export does.
* dry run: ``preview_export`` over ``--page-rows`` seeded File rows (default 100,000) into an
  empty destination: the query, the templates, collisions and the free-space check.
"""

from __future__ import annotations

import hashlib
import io
import os
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
from bench.synth import CACHE_DIR, render_pixels
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, JobStatus
from photoimport.export.create import create_export_job, preview_export
from photoimport.export.request import ExportRequest
from photoimport.settings import ImportSettings, Settings
from worker.export_run import ExportRun

COPY_TARGET = 0.9
SYNC = ("sync",)
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


def _evict(paths: list[Path]) -> None:
    """Drop these files (only these) from the page cache: the next read comes from the disk."""
    os.sync()
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _export_once(settings: Settings, dest: Path) -> tuple[float, float]:
    """Wall and CPU seconds (this process, all threads) of one export job."""
    engine = make_engine(settings.database_url)
    imports = ImportSettings(workers=2)
    job = create_export_job(engine, settings, ExportRequest(destination=str(dest)), imports)
    cpu, start = time.process_time(), time.perf_counter()
    ExportRun(settings, engine, job).run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with engine.connect() as conn:
        status = conn.execute(sa.text("select status from job where id = :j"), {"j": job}).scalar()
    engine.dispose()
    assert status == JobStatus.COMPLETED.value, status
    return seconds, cpu


def _cp_once(
    root: Path, paths: list[Path], dest: Path, then: tuple[str, ...] = ()
) -> tuple[float, float]:
    """``cp --parents`` of the same files (their folders kept, as names may repeat), then
    ``then`` (given the copies' paths, except ``sync``, which takes none)."""
    dest.mkdir(parents=True)
    relative = [str(p.relative_to(root)) for p in paths]
    before, start = os.times(), time.perf_counter()
    subprocess.run(["cp", "--parents", "-t", str(dest), *relative], check=True, cwd=root)
    if then:
        args = list(then) if then == SYNC else [*then, *relative]
        subprocess.run(args, check=True, cwd=dest, stdout=subprocess.DEVNULL)
    seconds, after = time.perf_counter() - start, os.times()
    cpu = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    return seconds, cpu


def _photos(ctx: BenchContext, root: Path) -> list[Path]:
    picture = io.BytesIO()
    render_pixels(14, ctx.size).save(picture, "JPEG", quality=92)
    data = picture.getvalue()
    paths = []
    for i in range(ctx.n):
        path = root / f"DCIM/{100 + i // 100}APPLE/IMG_{i:04d}.JPG"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data + i.to_bytes(8, "big"))
        paths.append(path)
    return paths


BASELINES = (  # label, the command after cp (cached sources only)
    ("cp + sha256sum of the copies", ("sha256sum",)),
    ("cp + openssl dgst -sha256 of the copies", ("openssl", "dgst", "-sha256")),
    ("cp + sync", SYNC),
)
MODES = (  # label, dates from decisions (ExifTool writes them), sources in the page cache
    ("photos' own dates, sources cached", False, True),
    ("photos' own dates, sources on disk", False, False),
    ("dates written by ExifTool, cached", True, True),
)


def _copy_section(ctx: BenchContext, work: Path) -> None:
    root = work / "photos"
    paths = _photos(ctx, root)
    rows, extra = [], []
    for n, (label, decided, cached) in enumerate(MODES):
        home = work / f"home-{n}"
        home.mkdir()
        settings = Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}")
        unique = _library(settings, paths, decided)
        prepare = _warm if cached else _evict
        baselines = BASELINES if n == 0 else ()
        cps, ours = [], []
        verified: list[list[tuple[float, float]]] = [[] for _ in baselines]
        for r in range(ctx.rounds):
            progress(f"export round {r + 1}/{ctx.rounds}: {label}")
            prepare(unique)
            os.sync()
            cps.append(_cp_once(root, unique, work / f"cp-{n}-{r}"))
            prepare(unique)
            os.sync()
            ours.append(_export_once(settings, work / f"out-{n}-{r}"))
            shutil.rmtree(work / f"cp-{n}-{r}")
            shutil.rmtree(work / f"out-{n}-{r}")
            for times, (_, then) in zip(verified, baselines, strict=True):
                prepare(unique)
                os.sync()
                times.append(_cp_once(root, unique, work / f"cpv-{r}", then))
                shutil.rmtree(work / f"cpv-{r}")
        (cp_s, cp_cpu), (ex_s, ex_cpu) = min(cps), min(ours)
        verdict = "-" if decided else ("ok" if cp_s / ex_s >= COPY_TARGET else "UNDER TARGET")
        size = sum(p.stat().st_size for p in unique) / 1e6
        rows.append([label, len(unique), size, cp_s, ex_s, cp_s / ex_s, cp_cpu, ex_cpu, verdict])
        for times, (name, _) in zip(verified, baselines, strict=True):
            base_s, base_cpu = min(times)
            extra.append([name, len(unique), size, base_s, ex_s, base_s / ex_s, base_cpu, ex_cpu])
    headers = ["export", "files", "MB", "cp s", "export s", "x cp", "cp cpu s", "export cpu s"]
    say(table([*headers, "target 0.9x"], rows))
    say("\nequally verified baselines (not the target): sources cached, the export's row above")
    extra_headers = ["baseline", "files", "MB", "baseline s", "export s", "x baseline"]
    say(table([*extra_headers, "baseline cpu s", "export cpu s"], extra))


def _dry_run_section(ctx: BenchContext, work: Path) -> None:
    home = work / "dry"
    home.mkdir()
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}")
    engine = make_engine(settings.database_url)
    progress(f"seeding {ctx.page_rows:,} File rows")
    seed_library(engine, ctx.page_rows)
    request = ExportRequest(destination=str(work / "dry-out"))
    times = []
    for _ in range(ctx.rounds):
        cpu, start = time.process_time(), time.perf_counter()
        preview = preview_export(engine, settings, request)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    engine.dispose()
    best, best_cpu = min(times)
    verdict = "ok" if best < DRY_RUN_TARGET_SECONDS else "OVER TARGET"
    row = [ctx.page_rows, len(preview.plan.files), preview.plan.collisions, best, best_cpu]
    headers = ["dry run", "photos", "planned", "renamed", "seconds", "cpu s", "target"]
    say(table(headers, [["preview_export", *row, f"< {DRY_RUN_TARGET_SECONDS:.0f} s {verdict}"]]))


def run(ctx: BenchContext) -> None:
    heading("export: verified copies vs cp; dry run of a large library")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)  # the same disk as the project, git-ignored
    with tempfile.TemporaryDirectory(prefix="export-", dir=CACHE_DIR) as tmp:
        work = Path(tmp)
        _copy_section(ctx, work)
        _dry_run_section(ctx, work)
