"""photoimport.db.engine: SQLite pragmas, Alembic migrations at start (also from several
processes at once), PostgreSQL, UTC columns, and a one-line error for a
database that cannot be reached."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from photoimport.db.engine import current_revision, ensure_schema, make_engine
from photoimport.db.models import Job, JobKind
from photoimport.errors import DatabaseError

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"job", "jobitem", "file", "watchedfolder", "watcherstate", "storedsettings"}


def _head() -> str:
    """The newest revision of the migration scripts (each test below expects a library at it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from photoimport.db.engine import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    assert int(head) >= 3
    return head


def test_sqlite_engine_has_wal_normal_sync_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lib' / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    assert (tmp_path / "lib" / "p.db").is_file()


def test_migrations_create_every_table_and_stamp_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    assert current_revision(engine) == _head()
    ensure_schema(engine)  # idempotent
    indexes = {i["name"] for i in sa.inspect(engine).get_indexes("file")}
    assert {"ix_file_sha256", "ix_file_capture_utc", "ix_file_confidence"} <= indexes


def test_schema_from_migrations_matches_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_several_processes_migrating_one_new_file_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    code = f"from photoimport.db.engine import make_engine; make_engine({url!r}); print('ok')"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    assert all(out.strip() == b"ok" for out, _ in outputs)
    assert current_revision(make_engine(url)) == _head()


def test_datetimes_are_stored_in_utc_and_read_back_aware(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    created = datetime(2024, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    with Session(engine) as session:
        job = Job(kind=JobKind.UPLOAD, source="x", created_at=created)
        session.add(job)
        session.commit()
        job_id = job.id
    with Session(engine) as session:
        loaded = session.get(Job, job_id)
        assert loaded is not None
        assert loaded.created_at == created
        assert loaded.created_at.tzinfo == UTC
        assert (loaded.created_at.hour, loaded.created_at.minute) == (6, 30)


def test_naive_datetime_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with Session(engine) as session:
        session.add(Job(kind=JobKind.UPLOAD, source="x", created_at=datetime(2024, 1, 1)))  # noqa: DTZ001
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            session.commit()


def test_unreachable_postgres_is_a_one_line_database_error() -> None:
    with pytest.raises(DatabaseError) as info:
        make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        "cannot reach the database postgresql+psycopg://nobody@127.0.0.1:9/none"
    )


def test_sqlite_file_in_an_unwritable_place_is_a_database_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match="cannot"):
        make_engine(f"sqlite:///{blocker / 'p.db'}")


@pytest.mark.postgres
def test_postgres_engine_migrates_and_round_trips(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    assert current_revision(engine) == _head()
    with Session(engine) as session:
        job = Job(kind=JobKind.DIRECTORY, source="/photos")
        session.add(job)
        session.commit()
        assert job.id == 1
    engine.dispose()


@pytest.mark.postgres
def test_several_processes_migrating_one_postgres_database_at_once(postgres_url: str) -> None:
    code = (
        f"from photoimport.db.engine import make_engine; make_engine({postgres_url!r}); print('ok')"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs


def test_a_library_at_an_older_revision_is_upgraded_with_its_rows(tmp_path: Path) -> None:
    """A user's library made by an older photoimport survives the upgrade at the next start."""
    from alembic import command

    from photoimport.db.engine import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.create_engine(url)
    with old.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.exec_driver_sql(
            "INSERT INTO job (kind, source, status, control, settings_json, listing_done, total,"
            " done, errors, skipped, created_at, run_done_at_start, active_seconds)"
            " VALUES ('directory', '/p', 'COMPLETED', 'none', '', 1, 1, 1, 1, 0,"
            " '2024-01-01 00:00:00', 0, 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO jobitem (job_id, path, state, attempts, error_stage, error_reason)"
            " VALUES (1, '/p/a.jpg', 'error', 1, 'decode', 'truncated JPEG')"
        )
    old.dispose()
    assert current_revision(make_engine(url, migrate=False)) == "0001"

    engine = make_engine(url)  # what every start does
    assert current_revision(engine) == _head()
    indexes = {i["name"] for i in sa.inspect(engine).get_indexes("jobitem")}
    assert "ix_jobitem_job_state_path" in indexes
    assert "ix_jobitem_job_state" in indexes
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT path, error_reason FROM jobitem").all()
    assert [tuple(r) for r in rows] == [("/p/a.jpg", "truncated JPEG")]
