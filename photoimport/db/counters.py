"""Library totals kept as counters in the same transaction as each write: no page counts rows.

``LibraryCount`` rows are (name, shard, value); a total is the sum of its shards. Database
triggers move them in the transaction that changes the rows, so every writer (the batch
commit, a date decision, a test inserting rows) keeps them right:

* on ``file``: ``files``; ``confidence:<level>`` by effective confidence; ``exact_groups``,
  the exact duplicates (``is_exact_duplicate``: contents held by more than one path now);
* on ``seenpath`` (``db.seen``): ``paths``, paths that hold a library content; ``errors``,
  paths whose last import failed; and ``File.path_count`` itself.

On PostgreSQL a trigger adds to the shard ``pg_backend_pid() % 16``, so workers on several
hosts do not queue behind one hot row; SQLite has one writer at a time and uses shard 0.

``rebuild(conn)`` gives every ended path its ``SeenPath`` row, then recounts everything from
the rows: migration 0010 does the same for an existing library, and code that writes items
itself (the benchmark's generated libraries, tests) calls it after. Near-duplicate groups are
not counted here: ``library.queries`` counts the distinct ``File.near_group`` of grouped files
through its index. The Review page's counts (queue, cameras) are ``db.tallies``'.
"""

from __future__ import annotations

from typing import overload

import sqlalchemy as sa

from photoimport.db import tallies
from photoimport.db.models import LibraryCount

__all__ = [
    "ERRORS",
    "EXACT_GROUPS",
    "FILES",
    "PATHS",
    "is_exact_duplicate",
    "read",
    "rebuild",
    "trigger_sql",
]

COUNT: sa.Table = LibraryCount.__table__  # type: ignore[attr-defined]
FILES, PATHS, ERRORS, EXACT_GROUPS = "files", "paths", "errors", "exact_groups"

_UPSERT = (
    "INSERT INTO librarycount (name, shard, value) VALUES {rows} "
    "ON CONFLICT (name, shard) DO UPDATE SET value = librarycount.value + excluded.value"
)
_CONF = "'confidence:' || coalesce({row}.effective_confidence, 'none')"

# THE exact-duplicate rule: a content that more than one path holds now (``File.path_count``,
# moved by the ``seenpath`` triggers below). A path re-imported with another content stops
# counting for the old one. Gallery marks and filter, ``files`` rows, job summaries, duplicate
# groups and the library total all use it; the trigger text below is formatted from it.
EXACT_MIN_PATHS = 2
_EXACT = f"({{row}}.path_count >= {EXACT_MIN_PATHS})"


@overload
def is_exact_duplicate(path_count: int) -> bool: ...
@overload
def is_exact_duplicate(path_count: sa.ColumnElement[int]) -> sa.ColumnElement[bool]: ...
def is_exact_duplicate(path_count: int | sa.ColumnElement[int]) -> bool | sa.ColumnElement[bool]:
    """Whether ``path_count`` (a ``File.path_count`` value, or the column in a query) makes its
    content an exact duplicate: the same rule in Python and in SQL."""
    return path_count >= EXACT_MIN_PATHS


SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER librarycount_file_insert AFTER INSERT ON file BEGIN
    {
        _UPSERT.format(
            rows=f"('files', 0, 1), ({_CONF.format(row='NEW')}, 0, 1), "
            f"('exact_groups', 0, {_EXACT.format(row='NEW')})"
        )
    };
    END
    """,
    f"""
    CREATE TRIGGER librarycount_file_delete AFTER DELETE ON file BEGIN
    {
        _UPSERT.format(
            rows=f"('files', 0, -1), ({_CONF.format(row='OLD')}, 0, -1), "
            f"('exact_groups', 0, -{_EXACT.format(row='OLD')})"
        )
    };
    END
    """,
    f"""
    CREATE TRIGGER librarycount_file_update AFTER UPDATE OF effective_confidence, path_count
    ON file BEGIN
    {
        _UPSERT.format(
            rows=f"({_CONF.format(row='OLD')}, 0, -1), ({_CONF.format(row='NEW')}, 0, 1),"
            f" ('exact_groups', 0, {_EXACT.format(row='NEW')} - {_EXACT.format(row='OLD')})"
        )
    };
    END
    """,
    f"""
    CREATE TRIGGER librarycount_seen_insert AFTER INSERT ON seenpath BEGIN
    UPDATE file SET path_count = path_count + 1 WHERE id = NEW.file_id;
    {_UPSERT.format(rows="('paths', 0, NEW.file_id IS NOT NULL), ('errors', 0, NEW.failed)")};
    END
    """,
    f"""
    CREATE TRIGGER librarycount_seen_delete AFTER DELETE ON seenpath BEGIN
    UPDATE file SET path_count = path_count - 1 WHERE id = OLD.file_id;
    {_UPSERT.format(rows="('paths', 0, -(OLD.file_id IS NOT NULL)), ('errors', 0, -OLD.failed)")};
    END
    """,
    f"""
    CREATE TRIGGER librarycount_seen_update AFTER UPDATE OF file_id, failed ON seenpath
    WHEN OLD.file_id IS NOT NEW.file_id OR OLD.failed IS NOT NEW.failed BEGIN
    UPDATE file SET path_count = path_count - 1
        WHERE id = OLD.file_id AND OLD.file_id IS NOT NEW.file_id;
    UPDATE file SET path_count = path_count + 1
        WHERE id = NEW.file_id AND OLD.file_id IS NOT NEW.file_id;
    {
        _UPSERT.format(
            rows="('paths', 0, (NEW.file_id IS NOT NULL) - (OLD.file_id IS NOT NULL)), "
            "('errors', 0, NEW.failed - OLD.failed)"
        )
    };
    END
    """,
)

POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION librarycount_add(counter text, delta bigint) RETURNS void AS $$
    BEGIN
        IF delta <> 0 THEN
            INSERT INTO librarycount (name, shard, value)
            VALUES (counter, pg_backend_pid() % 16, delta)
            ON CONFLICT (name, shard) DO UPDATE SET value = librarycount.value + excluded.value;
        END IF;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION librarycount_file() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF TG_OP = 'INSERT' OR coalesce(OLD.effective_confidence, 'none')
                    <> coalesce(NEW.effective_confidence, 'none') THEN
                PERFORM librarycount_add(
                    'confidence:' || coalesce(NEW.effective_confidence, 'none'), 1);
            END IF;
            PERFORM librarycount_add('exact_groups', NEW_EXACT::int
                - CASE WHEN TG_OP = 'UPDATE' THEN OLD_EXACT::int ELSE 0 END);
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            IF TG_OP = 'DELETE' OR coalesce(OLD.effective_confidence, 'none')
                    <> coalesce(NEW.effective_confidence, 'none') THEN
                PERFORM librarycount_add(
                    'confidence:' || coalesce(OLD.effective_confidence, 'none'), -1);
            END IF;
        END IF;
        IF TG_OP = 'INSERT' THEN PERFORM librarycount_add('files', 1); END IF;
        IF TG_OP = 'DELETE' THEN
            PERFORM librarycount_add('files', -1);
            PERFORM librarycount_add('exact_groups', -OLD_EXACT::int);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER librarycount_file AFTER INSERT OR DELETE
        OR UPDATE OF effective_confidence, path_count ON file
        FOR EACH ROW EXECUTE FUNCTION librarycount_file()
    """,
    """
    CREATE FUNCTION librarycount_seen() RETURNS trigger AS $$
    DECLARE
        old_file integer := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.file_id END;
        new_file integer := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.file_id END;
        old_failed int := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.failed::int END;
        new_failed int := CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.failed::int END;
    BEGIN
        IF old_file IS DISTINCT FROM new_file THEN
            IF old_file IS NOT NULL THEN
                UPDATE file SET path_count = path_count - 1 WHERE id = old_file;
            END IF;
            IF new_file IS NOT NULL THEN
                UPDATE file SET path_count = path_count + 1 WHERE id = new_file;
            END IF;
            PERFORM librarycount_add('paths',
                (new_file IS NOT NULL)::int - (old_file IS NOT NULL)::int);
        END IF;
        PERFORM librarycount_add('errors', new_failed - old_failed);
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER librarycount_seen AFTER INSERT OR DELETE
        OR UPDATE OF file_id, failed ON seenpath
        FOR EACH ROW EXECUTE FUNCTION librarycount_seen()
    """,
)

# From the rows: the seen path of every ended item (its newest), then each count. Plain SQL
# that SQLite and PostgreSQL both run; migration 0010 keeps its own copy.
REBUILD_SQL = (
    """
    INSERT INTO seenpath (path, file_id, failed, updated_at)
    SELECT i.path,
           CASE WHEN i.state = 'error' THEN NULL ELSE i.file_id END,
           i.state = 'error',
           CURRENT_TIMESTAMP
    FROM jobitem i
    WHERE i.id IN (
        SELECT max(j.id) FROM jobitem j JOIN job ON job.id = j.job_id
        WHERE j.state IN ('done', 'skipped', 'error') AND job.kind <> 'export'
        GROUP BY j.path
    )
    AND NOT EXISTS (SELECT 1 FROM seenpath s WHERE s.path = i.path)
    """,
    """
    UPDATE file SET path_count = (SELECT count(*) FROM seenpath s WHERE s.file_id = file.id)
    WHERE path_count <> (SELECT count(*) FROM seenpath s WHERE s.file_id = file.id)
    """,
    "DELETE FROM librarycount",
    "INSERT INTO librarycount (name, shard, value) SELECT 'files', 0, count(*) FROM file",
    """
    INSERT INTO librarycount (name, shard, value)
    SELECT 'confidence:' || coalesce(effective_confidence, 'none'), 0, count(*) FROM file
    GROUP BY coalesce(effective_confidence, 'none')
    """,
    """
    INSERT INTO librarycount (name, shard, value)
    SELECT 'paths', 0, count(*) FROM seenpath WHERE file_id IS NOT NULL
    """,
    "INSERT INTO librarycount (name, shard, value) SELECT 'errors', 0, count(*) FROM seenpath"
    " WHERE failed",
    "INSERT INTO librarycount (name, shard, value) SELECT 'exact_groups', 0, count(*) FROM file"
    f" WHERE {_EXACT.format(row='file')}",
)


def trigger_sql(dialect: str) -> tuple[str, ...]:
    if dialect != "postgresql":
        return SQLITE_TRIGGERS
    exact = {"NEW_EXACT": _EXACT.format(row="NEW"), "OLD_EXACT": _EXACT.format(row="OLD")}
    out = []
    for sql in POSTGRESQL_TRIGGERS:
        for name, text in exact.items():
            sql = sql.replace(name, text)
        out.append(sql)
    return tuple(out)


def read(conn: sa.Connection) -> dict[str, int]:
    """Every counter's total (a few dozen rows, whatever the library's size)."""
    query = sa.select(COUNT.c.name, sa.func.sum(COUNT.c.value)).group_by(COUNT.c.name)
    return {str(name): int(value or 0) for name, value in conn.execute(query)}


def rebuild(conn: sa.Connection) -> None:
    """Seen paths for every ended item, then every counter from the rows, the review queue's
    and the cameras' (``db.tallies``) too (caller's transaction)."""
    for statement in (*REBUILD_SQL, *tallies.REBUILD_SQL):
        conn.exec_driver_sql(statement)
