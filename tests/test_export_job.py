"""Export jobs run by real worker processes on a real library: copies, idempotence, kill -9,
cancel, refusals, and the streamed ZIP."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import EXPORT_ITEM, FILE, JOB, JobKind, JobStatus
from photoimport.errors import DestinationRefused, ExportError, TemplateInvalid
from photoimport.export.create import create_export_job, preview_export
from photoimport.export.request import ExportRequest
from photoimport.export.status import export_counts, open_zip, zip_url
from photoimport.settings import Settings
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.worker_support import copy_corpus, processes_using, snapshot

FILES = 16


@pytest.fixture
def library(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> Path:
    """A folder of corpus photos imported by a real worker; returns the folder."""
    folder = tmp_path / "photos"
    copy_corpus(folder / "phone", broken=False, limit=FILES)
    job = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    jobs.launch_worker(sqlite_settings, job)
    done = lambda: jobs.job_progress(sqlite_engine, job).status is JobStatus.COMPLETED  # noqa: E731
    wait_until(done, timeout=300, what="the import")
    return folder


def run_export(
    engine: Engine, settings: Settings, wait_until: WaitUntil, dest: Path, **options: object
) -> int:
    job = create_export_job(engine, settings, ExportRequest(str(dest), **options), TEST_IMPORTS)  # type: ignore[arg-type]
    jobs.launch_worker(settings, job)
    wait_until(lambda: not jobs.job_progress(engine, job).is_active, timeout=300, what="the export")
    return job


def library_files(engine: Engine) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(FILE.c.id, FILE.c.sha256, FILE.c.effective_utc)).all())


def exported(dest: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(dest)): p
        for p in dest.rglob("*")
        if p.is_file() and p.suffix != ".xmp" and p.name != "manifest.csv"
    }


def test_export_copies_verify_date_and_never_touch_originals(
    library: Path,
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
) -> None:
    before = snapshot(library)
    dest = tmp_path / "organised"
    job = run_export(sqlite_engine, sqlite_settings, wait_until, dest)
    progress = jobs.job_progress(sqlite_engine, job)
    assert progress.status is JobStatus.COMPLETED, progress.message
    files = library_files(sqlite_engine)
    copies = exported(dest)
    assert len(copies) == len(files) == progress.total
    assert not [p for p in dest.rglob("*") if p.name.endswith(".part")]
    for path in copies.values():
        assert path.with_name(path.name + ".xmp").is_file()
    with (dest / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["destination_path"] for r in rows} == set(copies)
    by_sha = {str(f[1]): f for f in files}
    for row in rows:
        copy = dest / row["destination_path"]
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == row["copy_sha256"]
        utc = by_sha[row["sha256"]][2]
        if utc is not None:
            assert copy.stat().st_mtime == pytest.approx(utc.timestamp(), abs=1)  # type: ignore[attr-defined]
        if row["copy_sha256"] == row["sha256"]:
            assert Path(row["source_path"]).read_bytes() == copy.read_bytes()
    assert snapshot(library) == before

    # exporting again into the same folder: everything recognised, nothing copied twice
    again = run_export(sqlite_engine, sqlite_settings, wait_until, dest)
    assert jobs.job_progress(sqlite_engine, again).status is JobStatus.COMPLETED
    assert export_counts(sqlite_engine, again) == {"already there": len(files)}
    assert set(exported(dest)) == set(copies)

    # the ZIP holds the copies, their sidecars and the manifest, byte for byte
    token = zip_url(sqlite_engine, job).rsplit("/", 1)[1].removesuffix(".zip")
    name, chunks = open_zip(sqlite_engine, job, token)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert name.endswith(".zip")
    assert set(archive.namelist()) == {*copies, *(c + ".xmp" for c in copies), "manifest.csv"}
    some = next(iter(copies))
    assert archive.read(some) == copies[some].read_bytes()
    with pytest.raises(ExportError):
        open_zip(sqlite_engine, job, "wrong-token")


def test_kill_9_mid_export_then_resume_writes_each_file_exactly_once(
    library: Path,
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.3")
    dest = tmp_path / "out"
    job = create_export_job(sqlite_engine, sqlite_settings, ExportRequest(str(dest)), TEST_IMPORTS)
    progress = lambda: jobs.job_progress(sqlite_engine, job)  # noqa: E731
    database = sqlite_settings.home / "photoimport.db"

    def claimed(attempts: int) -> bool:
        """Items held in flight by a worker, claimed for the ``attempts``-th time."""
        with sqlite_engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(EXPORT_ITEM)
                    .where(
                        EXPORT_ITEM.c.job_id == job,
                        EXPORT_ITEM.c.state == "claimed",
                        EXPORT_ITEM.c.attempts >= attempts,
                    )
                ).scalar_one()
            )

    def kill_worker(what: str) -> None:
        with sqlite_engine.connect() as conn:
            pid = conn.execute(sa.select(JOB.c.worker_pid).where(JOB.c.id == job)).scalar_one()
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), what=f"the kill {what}")
        wait_until(lambda: not processes_using(database), what="no orphans")
        assert progress().done < progress().total, what

    jobs.launch_worker(sqlite_settings, job)
    wait_until(lambda: progress().done > 0 and claimed(1), what="a batch done, the next in flight")
    kill_worker("mid-batch after a commit")
    jobs.request_resume(sqlite_settings, sqlite_engine, job)
    wait_until(lambda: claimed(2), what="the killed batch claimed again")
    kill_worker("in the retried batch")
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0")
    jobs.request_resume(sqlite_settings, sqlite_engine, job)
    wait_until(lambda: progress().status is JobStatus.COMPLETED, timeout=300, what="completion")
    with sqlite_engine.connect() as conn:
        states = dict(
            conn.execute(
                sa.select(EXPORT_ITEM.c.state, sa.func.count())
                .where(EXPORT_ITEM.c.job_id == job)
                .group_by(EXPORT_ITEM.c.state)
            ).all()
        )
    final = progress()
    assert set(states) <= {"done", "skipped"}
    assert sum(states.values()) == final.done == final.total == len(library_files(sqlite_engine))
    assert len(exported(dest)) == final.total
    assert not [p for p in dest.rglob("*") if p.name.endswith(".part")]
    with sqlite_engine.connect() as conn:
        planned = set(
            conn.execute(
                sa.select(EXPORT_ITEM.c.target).where(EXPORT_ITEM.c.job_id == job)
            ).scalars()
        )
    assert set(exported(dest)) == planned  # the previewed names, each once


def test_cancel_keeps_what_was_exported_with_its_manifest(
    library: Path,
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.3")
    dest = tmp_path / "out"
    job = create_export_job(sqlite_engine, sqlite_settings, ExportRequest(str(dest)), TEST_IMPORTS)
    jobs.launch_worker(sqlite_settings, job)
    wait_until(lambda: jobs.job_progress(sqlite_engine, job).done > 0, what="a first batch")
    jobs.request_cancel(sqlite_engine, job)
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job).status is JobStatus.CANCELLED, what="cancel"
    )
    done = jobs.job_progress(sqlite_engine, job).done
    with (dest / "manifest.csv").open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == done == len(exported(dest))


def test_discarded_left_out_and_variants_share_the_base_name(
    library: Path, sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path
) -> None:
    ids = sorted(int(f[0]) for f in library_files(sqlite_engine))  # type: ignore[call-overload]
    with sqlite_engine.begin() as conn:
        conn.execute(FILE.update().where(FILE.c.id == ids[0]).values(discarded=True))
        conn.execute(FILE.update().where(FILE.c.id == ids[2]).values(variant_of=ids[1], kind="raw"))
    preview = preview_export(sqlite_engine, sqlite_settings, ExportRequest(str(tmp_path / "o")))
    targets = {f.source.file_id: f.target for f in preview.plan.files}
    assert ids[0] not in targets
    assert [s.file_id for s in preview.plan.discarded] == [ids[0]]
    assert Path(targets[ids[1]]).with_suffix("") == Path(targets[ids[2]]).with_suffix("")
    with_all = ExportRequest(str(tmp_path / "o"), include_discarded=True)
    assert len(preview_export(sqlite_engine, sqlite_settings, with_all).plan.files) == len(ids)


def test_bad_input_is_refused_before_anything_is_written(
    library: Path, sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path
) -> None:
    def refused(dest: Path, **options: object) -> str:
        with pytest.raises((DestinationRefused, TemplateInvalid)) as info:
            create_export_job(
                sqlite_engine,
                sqlite_settings,
                ExportRequest(str(dest), **options),
                TEST_IMPORTS,  # type: ignore[arg-type]
            )
        return str(info.value)

    assert "imported from" in refused(library / "export")
    assert "library's own folder" in refused(sqlite_settings.home / "out")
    assert "unknown token" in refused(tmp_path / "o", template="{yeer}/{name}{ext}")
    assert "'..' folder" in refused(tmp_path / "o", template="../{name}{ext}")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert "not a folder" in refused(a_file)
    roots = Settings(
        home=sqlite_settings.home,
        database_url=sqlite_settings.database_url,
        allowed_roots=(tmp_path / "allowed",),
    )
    with pytest.raises(DestinationRefused, match="outside the allowed roots"):
        preview_export(sqlite_engine, roots, ExportRequest(str(tmp_path / "elsewhere")))
    assert not (tmp_path / "o").exists()
    with sqlite_engine.connect() as conn:
        kinds = conn.execute(sa.select(JOB.c.kind)).scalars().all()
    assert JobKind.EXPORT.value not in kinds
