"""issue 16: unchanged files not read again (seenpath, item stats), library counters

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00

* ``seenpath``: one row per path an import ended, with the stat it was listed with.
* ``jobitem.stat_*``: the stat a listing saw, recorded as seen when the item ends.
* ``job.unchanged``: items linked without reading the file.
* ``file.path_count``: paths currently holding the content (exact duplicates: > 1).
* ``librarycount``: library totals, sharded counters moved by each batch commit.

An existing library gets its seen paths (without stats: each is read once more, then
recorded) and its counters from the rows; then the triggers that keep the counters.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from photoimport.db import counters

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS librarycount_file ON file")
        op.execute("DROP TRIGGER IF EXISTS librarycount_seen ON seenpath")
        for name in (
            "librarycount_file()",
            "librarycount_seen()",
            "librarycount_add(text, bigint)",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {name}")
        return
    for suffix in ("file_insert", "file_delete", "file_update", "seen_insert", "seen_delete",
                   "seen_update"):  # fmt: skip
        op.execute(f"DROP TRIGGER IF EXISTS librarycount_{suffix}")


def upgrade() -> None:
    op.create_table(
        "seenpath",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("inode", sa.BigInteger(), nullable=True),
        sa.Column("ctime_ns", sa.BigInteger(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path"),
    )
    with op.batch_alter_table("seenpath") as batch_op:
        batch_op.create_index("ix_seenpath_file_id", ["file_id"], unique=False)
    op.create_table(
        "librarycount",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", "shard"),
    )
    with op.batch_alter_table("jobitem") as batch_op:
        batch_op.add_column(sa.Column("stat_size", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("stat_mtime_ns", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("stat_inode", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("stat_ctime_ns", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(
            sa.Column("unchanged", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("file") as batch_op:
        batch_op.add_column(
            sa.Column("path_count", sa.Integer(), nullable=False, server_default="0")
        )
    # The library as it stands: seen paths and counts from the rows, then the triggers that
    # keep them. (The statements are db.counters' own; a later change of the triggers gets a
    # migration of its own that drops and recreates them.)
    for statement in counters.REBUILD_SQL:
        op.execute(statement)
    for statement in counters.trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    _drop_triggers(op.get_bind().dialect.name)
    with op.batch_alter_table("file") as batch_op:
        batch_op.drop_column("path_count")
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_column("unchanged")
    with op.batch_alter_table("jobitem") as batch_op:
        for name in ("stat_ctime_ns", "stat_inode", "stat_mtime_ns", "stat_size"):
            batch_op.drop_column(name)
    op.drop_table("librarycount")
    with op.batch_alter_table("seenpath") as batch_op:
        batch_op.drop_index("ix_seenpath_file_id")
    op.drop_table("seenpath")
