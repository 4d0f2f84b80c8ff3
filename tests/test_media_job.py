"""A real worker imports a phone dump and a camera card: kinds, variants, sidecars, summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import FILE, JobKind, JobStatus
from photoimport.library.photo import tile_badge
from photoimport.library.queries import FileFilter, count_files, list_files
from photoimport.library.rows import export_rows
from photoimport.library.variants import variants_of
from photoimport.settings import Settings
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.fixtures.extra import EXTRA
from tests.fixtures.images import DATETIME_ORIGINAL, save_jpeg
from tests.worker_support import check_job_consistent


def _dump(folder: Path) -> None:
    live = EXTRA / "pigallery2/live_photo"
    shutil.copytree(live, folder / "phone")  # IMG_7943.HEIC + IMG_7943_HEVC.MOV (same id)
    card = folder / "card"
    card.mkdir()
    shutil.copyfile(EXTRA / "imagemeta-bep/sample.cr2", card / "IMG_0001.CR2")
    save_jpeg(card / "IMG_0001.JPG", exif_ifd={DATETIME_ORIGINAL: "2011:08:24 14:41:05"})
    shutil.copyfile(EXTRA / "nom-exif/meta.mov", card / "clip.mov")
    side = folder / "sidecars"
    shutil.copytree(EXTRA / "librephotos", side)  # niaz.jpg + niaz.xmp
    (side / "lost.jpg.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    (side / "gone.jpg.json").write_text(json.dumps({"photoTakenTime": {"timestamp": "1"}}))
    (side / "metadata.json").write_text(json.dumps({"title": "an album", "date": {}}))


def test_a_dump_of_every_kind(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "dump"
    _dump(folder)
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    jobs.launch_worker(sqlite_settings, job_id)
    wait_until(
        lambda: (
            jobs.job_progress(sqlite_engine, job_id).status
            not in (JobStatus.PENDING, JobStatus.RUNNING)
        ),
        timeout=120,
        what="the job to end",
    )
    assert jobs.job_progress(sqlite_engine, job_id).status is JobStatus.COMPLETED
    counts = check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    assert counts == {"done": 6}  # sidecars are read, never imported as files

    with sqlite_engine.connect() as conn:
        rows = {
            Path(r.path).name: r
            for r in conn.execute(
                sa.select(
                    FILE.c.id,
                    FILE.c.path,
                    FILE.c.kind,
                    FILE.c.variant_of,
                    FILE.c.variant_count,
                    FILE.c.is_live,
                    FILE.c.duration_seconds,
                )
            )
        }
    heic, mov = rows["IMG_7943.HEIC"], rows["IMG_7943_HEVC.MOV"]
    assert (mov.kind, mov.variant_of) == ("video", heic.id)  # Live Photo by its identifier
    assert (heic.is_live, heic.variant_count) == (True, 1)
    raw, jpeg = rows["IMG_0001.CR2"], rows["IMG_0001.JPG"]
    assert (raw.kind, raw.variant_of) == ("raw", jpeg.id)  # same name, 1 s apart
    assert (jpeg.is_live, jpeg.variant_count) == (False, 1)
    assert rows["clip.mov"].variant_of is None
    assert rows["clip.mov"].duration_seconds is not None

    assert [f.name for f in variants_of(sqlite_engine, heic.id)] == ["IMG_7943_HEVC.MOV"]
    assert [f.name for f in variants_of(sqlite_engine, mov.id)] == ["IMG_7943.HEIC"]

    summary = jobs.job_summary(sqlite_engine, job_id)
    assert summary.by_kind == {"photo": 3, "raw": 1, "video": 2, "live": 1}
    assert summary.unmatched_sidecars == [
        str(folder / "sidecars" / "gone.jpg.json"),
        str(folder / "sidecars" / "lost.jpg.xmp"),
    ]

    assert count_files(sqlite_engine, FileFilter(kind="video")) == 2
    assert count_files(sqlite_engine, FileFilter(kind="raw")) == 1
    live = list_files(sqlite_engine, FileFilter(kind="live"))
    assert [f.name for f in live] == ["IMG_7943.HEIC"]
    assert [tile_badge(f) for f in live] == ["Live"]
    clips = list_files(sqlite_engine, FileFilter(kind="video", include_variants=False))
    assert [tile_badge(f) for f in clips] == ["0:00"]  # clip.mov lasts half a second
    primaries = {f.name for f in list_files(sqlite_engine, FileFilter())}
    assert primaries == {"IMG_7943.HEIC", "IMG_0001.JPG", "clip.mov", "niaz.jpg"}

    exported = {Path(r.path).name: r for r in export_rows(sqlite_engine, job_id)}
    assert exported["niaz.jpg"].sidecars == str(folder / "sidecars" / "niaz.xmp")
    assert exported["IMG_0001.CR2"].kind == "raw"
    assert exported["IMG_0001.CR2"].variant_of == jpeg.id
    assert exported["IMG_0001.JPG"].variants == 1


def test_an_upload_keeps_its_sidecars_beside_the_photos_but_not_as_items(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path
) -> None:
    staged = sqlite_settings.uploads_dir / ".incoming-test"
    staged.mkdir(parents=True)
    shutil.copyfile(EXTRA / "librephotos/niaz.jpg", staged / "niaz.jpg")
    shutil.copyfile(EXTRA / "librephotos/niaz.xmp", staged / "niaz.xmp")
    job_id = jobs.create_upload_job(
        sqlite_engine, sqlite_settings.uploads_dir, staged, TEST_IMPORTS
    )
    target = sqlite_settings.uploads_dir / str(job_id)
    assert sorted(p.name for p in target.iterdir()) == ["niaz.jpg", "niaz.xmp"]
    assert jobs.job_progress(sqlite_engine, job_id).total == 1  # the photo only
