"""The database: ``make_engine(url)`` (SQLite pragmas / PostgreSQL), sessions, migrations.

* SQLite (the default) runs in WAL mode with ``synchronous=NORMAL`` and a busy timeout, so a
  worker, the dashboard and the CLI can share one file. pysqlite's default transaction handling
  is kept (BEGIN only before the first write); the claim statements in ``claims`` start their own
  ``BEGIN IMMEDIATE`` where a read must be followed by a write.
* PostgreSQL is used when the URL is ``postgresql+psycopg://`` (psycopg 3).
* ``ensure_schema`` runs the Alembic migrations shipped in ``photoimport/db/migrations`` (no
  alembic.ini: the configuration is built here, so an installed copy migrates too). Several
  processes may start at once: PostgreSQL takes an advisory lock, SQLite a file lock.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from photoimport.db import decisions, models  # noqa: F401  (every table on SQLModel.metadata)
from photoimport.errors import DatabaseError, hide_passwords
from photoimport.settings import Settings

BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 7_305_112_001  # arbitrary advisory-lock key for "photoimport migrates"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str, *, migrate: bool = True) -> Engine:
    """A new engine for ``url``, reachable and migrated (raises ``DatabaseError`` otherwise)."""
    url = normalise_url(url)
    shown = hide_passwords(url)  # no message, page, log or stderr ever shows the password
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError) as exc:  # ValueError: a port that is not a number
        why = "its port is not a number" if isinstance(exc, ValueError) else str(exc)
        raise DatabaseError(f"database URL {shown!r} is not valid: {hide_passwords(why)}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    f"cannot create the database folder {folder}: {exc.strerror}"
                ) from exc
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    elif parsed.get_backend_name() == "postgresql":
        try:
            engine = sa.create_engine(
                url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, pool_size=3
            )
        except SQLAlchemyError as exc:  # e.g. an unknown driver after "postgresql+"
            raise DatabaseError(f"database URL {shown!r} cannot be used: {exc}") from exc
    else:
        raise DatabaseError(
            f"database URL {shown!r} is not valid: use sqlite:///PATH or postgresql+psycopg://..."
        )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(
            f"cannot reach the database {parsed.render_as_string(hide_password=True)}: "
            f"{hide_passwords(_first_line(exc))}"
        ) from exc
    if migrate:
        ensure_schema(engine)
    return engine


def engine_for(settings: Settings) -> Engine:
    """One cached engine per database URL for this process (pages, CLI)."""
    url = normalise_url(settings.database_url)
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            _engines[url] = engine
        return engine


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _alembic_config(conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def _head_revision() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to the newest migration; safe when several processes start at once."""
    head = _head_revision()
    try:
        if current_revision(engine) == head:
            return
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
                try:
                    _upgrade(conn)
                finally:
                    conn.execute(
                        sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK}
                    )
                    conn.commit()
            return
        database = engine.url.database
        if not database or database == ":memory:":
            with engine.connect() as conn:
                _upgrade(conn)
            return
        with _file_lock(Path(database + ".migrate-lock")), engine.connect() as conn:
            # SQLite's own recipe for rebuilding a table (what Alembic's batch mode does) runs
            # with foreign keys off: with them on, rebuilding ``file`` re-checks every reference
            # to it, which took more than 15 minutes on a 1,000,000-photo library.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            try:
                _upgrade(conn)
            finally:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot migrate the database: {_first_line(exc)}") from exc


def _upgrade(conn: sa.Connection) -> None:
    command.upgrade(_alembic_config(conn), "head")
    conn.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A short session: committed on success, rolled back on error, always closed."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
