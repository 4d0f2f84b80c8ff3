"""What the Review and Gallery pages count on every view, kept by triggers: queue, cameras.

Beside ``db.counters`` (library totals), and kept the same way, in the transaction that changes
the rows, so no page view counts rows (issue 16: at 1,000,000 photos counting the review queue
took 4.3 s, the cameras 94 ms twice):

* ``librarycount`` rows ``shown:<confidence>``: photos a page shows (primaries, not discarded:
  ``File.variant_of IS NULL AND NOT File.discarded``) by effective confidence, and
  ``shown:disputed``, those of them MEDIUM with a disputed capture time. The review queue is
  ``shown:LOW + shown:NONE + shown:disputed``; a queue narrowed to some confidences is their sum.
  The Gallery's count without filters (or by confidence only) is a sum of ``shown:`` rows too.
* ``cameracount`` rows (make, model, serial; '' for a missing part): photos per camera, of every
  file with a make or a model, as ``review.selection.list_camera_keys`` lists them (and the
  Gallery's camera filter, its models).

PostgreSQL triggers add to the shard ``pg_backend_pid() % 16`` (as ``db.counters``); SQLite's to
shard 0. ``REBUILD_SQL`` recounts both from the rows (migration 0011; ``counters.rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from photoimport.db.models import CameraCount, LibraryCount
from photoimport.enums import Confidence

__all__ = [
    "REBUILD_SQL",
    "camera_counts",
    "camera_models",
    "queue_count",
    "shown_count",
    "trigger_sql",
]

SHOWN, DISPUTED = "shown:", "shown:disputed"
COUNT: sa.Table = LibraryCount.__table__  # type: ignore[attr-defined]
CAMERAS: sa.Table = CameraCount.__table__  # type: ignore[attr-defined]

_LIB_UPSERT = (
    "INSERT INTO librarycount (name, shard, value) {rows} "
    "ON CONFLICT (name, shard) DO UPDATE SET value = librarycount.value + excluded.value"
)
_CAM_UPSERT = (
    "INSERT INTO cameracount (make, model, serial, shard, value) {rows} "
    "ON CONFLICT (make, model, serial, shard) DO UPDATE SET value = cameracount.value + "
    "excluded.value"
)


def _shown(r: str) -> str:
    return f"({r}.variant_of IS NULL AND NOT {r}.discarded)"


def _disputed(r: str) -> str:
    return f"({_shown(r)} AND {r}.effective_confidence = 'MEDIUM' AND {r}.capture_disputed IS 1)"


def _conf(r: str) -> str:
    return f"'{SHOWN}' || coalesce({r}.effective_confidence, 'NONE')"


def _camera(r: str, delta: int) -> str:
    return (
        f"SELECT coalesce({r}.make, ''), coalesce({r}.model, ''), coalesce({r}.camera_serial, "
        f"''), 0, {delta} WHERE {r}.make IS NOT NULL OR {r}.model IS NOT NULL"
    )


_QUEUE = ("effective_confidence", "capture_disputed", "variant_of", "discarded")
_CAMERA = ("make", "model", "camera_serial")


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _shown_rows(sign: str, r: str) -> str:
    return f"({_conf(r)}, 0, {sign}{_shown(r)}), ('{DISPUTED}', 0, {sign}{_disputed(r)})"


SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER tally_file_insert AFTER INSERT ON file BEGIN
    {_LIB_UPSERT.format(rows="VALUES " + _shown_rows("", "NEW"))};
    {_CAM_UPSERT.format(rows=_camera("NEW", 1))};
    END
    """,
    f"""
    CREATE TRIGGER tally_file_delete AFTER DELETE ON file BEGIN
    {_LIB_UPSERT.format(rows="VALUES " + _shown_rows("-", "OLD"))};
    {_CAM_UPSERT.format(rows=_camera("OLD", -1))};
    END
    """,
    f"""
    CREATE TRIGGER tally_file_queue AFTER UPDATE OF {", ".join(_QUEUE)} ON file
    WHEN {_changed(_QUEUE)} BEGIN
    {_LIB_UPSERT.format(rows="VALUES " + _shown_rows("-", "OLD") + ", " + _shown_rows("", "NEW"))};
    END
    """,
    f"""
    CREATE TRIGGER tally_file_camera AFTER UPDATE OF {", ".join(_CAMERA)} ON file
    WHEN {_changed(_CAMERA)} BEGIN
    {_CAM_UPSERT.format(rows=_camera("OLD", -1))};
    {_CAM_UPSERT.format(rows=_camera("NEW", 1))};
    END
    """,
)


def _row_of(r: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{r}.{c}" for c in columns) + ")"


POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION cameracount_add(r file, delta bigint) RETURNS void AS $$
    BEGIN
        IF r.make IS NOT NULL OR r.model IS NOT NULL THEN
            INSERT INTO cameracount (make, model, serial, shard, value)
            VALUES (coalesce(r.make, ''), coalesce(r.model, ''), coalesce(r.camera_serial, ''),
                    pg_backend_pid() % 16, delta)
            ON CONFLICT (make, model, serial, shard)
            DO UPDATE SET value = cameracount.value + excluded.value;
        END IF;
    END $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION tally_shown(r file, delta bigint) RETURNS void AS $$
    BEGIN
        IF r.variant_of IS NULL AND NOT r.discarded THEN
            PERFORM librarycount_add('{SHOWN}' || coalesce(r.effective_confidence, 'NONE'), delta);
            IF r.effective_confidence = 'MEDIUM' AND r.capture_disputed IS TRUE THEN
                PERFORM librarycount_add('{DISPUTED}', delta);
            END IF;
        END IF;
    END $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION tally_file() RETURNS trigger AS $$
    DECLARE
        queue_changed boolean := TG_OP <> 'UPDATE';
        camera_changed boolean := TG_OP <> 'UPDATE';
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            queue_changed := {_row_of("OLD", _QUEUE)} IS DISTINCT FROM {_row_of("NEW", _QUEUE)};
            camera_changed := {_row_of("OLD", _CAMERA)} IS DISTINCT FROM {_row_of("NEW", _CAMERA)};
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            IF queue_changed THEN PERFORM tally_shown(OLD, -1); END IF;
            IF camera_changed THEN PERFORM cameracount_add(OLD, -1); END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF queue_changed THEN PERFORM tally_shown(NEW, 1); END IF;
            IF camera_changed THEN PERFORM cameracount_add(NEW, 1); END IF;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER tally_file AFTER INSERT OR DELETE
        OR UPDATE OF {", ".join(_QUEUE + _CAMERA)} ON file
        FOR EACH ROW EXECUTE FUNCTION tally_file()
    """,
)

# From the rows (plain SQL both databases run): the queue's counts, then the cameras'.
FORGET_SQL = f"DELETE FROM librarycount WHERE substr(name, 1, {len(SHOWN)}) = '{SHOWN}'"
REBUILD_SQL = (
    FORGET_SQL,  # (no LIKE: its percent sign is a placeholder to psycopg's driver SQL)
    f"""
    INSERT INTO librarycount (name, shard, value)
    SELECT '{SHOWN}' || coalesce(effective_confidence, 'NONE'), 0, count(*) FROM file
    WHERE variant_of IS NULL AND NOT discarded GROUP BY coalesce(effective_confidence, 'NONE')
    """,
    f"""
    INSERT INTO librarycount (name, shard, value)
    SELECT '{DISPUTED}', 0, count(*) FROM file WHERE variant_of IS NULL AND NOT discarded
    AND effective_confidence = 'MEDIUM' AND capture_disputed
    """,
    "DELETE FROM cameracount",
    """
    INSERT INTO cameracount (make, model, serial, shard, value)
    SELECT coalesce(make, ''), coalesce(model, ''), coalesce(camera_serial, ''), 0, count(*)
    FROM file WHERE make IS NOT NULL OR model IS NOT NULL
    GROUP BY coalesce(make, ''), coalesce(model, ''), coalesce(camera_serial, '')
    """,
)
DROP_SQL = {
    "sqlite": tuple(
        f"DROP TRIGGER IF EXISTS tally_file_{s}" for s in ("insert", "delete", "queue", "camera")
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS tally_file ON file",
        "DROP FUNCTION IF EXISTS tally_file()",
        "DROP FUNCTION IF EXISTS tally_shown(file, bigint)",
        "DROP FUNCTION IF EXISTS cameracount_add(file, bigint)",
    ),
}


def trigger_sql(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS


def queue_count(conn: sa.Connection, confidences: Iterable[Confidence] = ()) -> int:
    """Photos in the review queue (no ``confidences``), or shown ones of these confidences."""
    wanted = [c.value for c in confidences]
    if wanted:
        names = [SHOWN + c for c in wanted]
    else:
        names = [SHOWN + Confidence.LOW.value, SHOWN + Confidence.NONE.value, DISPUTED]
    return _sum(conn, names)


def shown_count(conn: sa.Connection, confidences: Iterable[Confidence] = ()) -> int:
    """Photos a page shows (primaries, not discarded) of these confidences (every one: none)."""
    wanted = tuple(confidences) or tuple(Confidence)
    return _sum(conn, [SHOWN + c.value for c in wanted])


def _sum(conn: sa.Connection, names: list[str]) -> int:
    query = sa.select(sa.func.sum(COUNT.c.value)).where(COUNT.c.name.in_(names))
    return int(conn.execute(query).scalar_one() or 0)


def camera_counts(conn: sa.Connection) -> list[tuple[str | None, str | None, str | None, int]]:
    """(make, model, serial, photos) of every camera with photos, ordered by model, make, serial;
    a missing part is None."""
    total = sa.func.sum(CAMERAS.c.value)
    query = (
        sa.select(CAMERAS.c.make, CAMERAS.c.model, CAMERAS.c.serial, total)
        .group_by(CAMERAS.c.make, CAMERAS.c.model, CAMERAS.c.serial)
        .having(total > 0)
        .order_by(CAMERAS.c.model, CAMERAS.c.make, CAMERAS.c.serial)
    )
    return [
        (make or None, model or None, serial or None, int(n))
        for make, model, serial, n in conn.execute(query)
    ]


def camera_models(conn: sa.Connection) -> list[str]:
    """The distinct camera models with photos, in order (the Gallery's camera filter)."""
    total = sa.func.sum(CAMERAS.c.value)
    query = (
        sa.select(CAMERAS.c.model)
        .where(CAMERAS.c.model != "")
        .group_by(CAMERAS.c.model)
        .having(total > 0)
        .order_by(CAMERAS.c.model)
    )
    return [str(m) for m in conn.execute(query).scalars()]
