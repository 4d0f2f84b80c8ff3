"""the review queue and the cameras counted by triggers (db.tallies)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:00:00

Issue 16, pages at a million photos: the Review page counted its queue (4.3 s at 1,000,000
photos: SQLite walked the Gallery's index and read every row) and grouped every photo by camera
(94 ms, twice) on each view. ``librarycount`` gains ``shown:<confidence>`` and
``shown:disputed``; ``cameracount`` holds photos per camera. An existing library gets them from
its rows, then the triggers that keep them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from photoimport.db import tallies

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cameracount",
        sa.Column("make", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("serial", sa.String(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("make", "model", "serial", "shard"),
    )
    for statement in tallies.REBUILD_SQL:
        op.execute(statement)
    for statement in tallies.trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in tallies.DROP_SQL["postgresql" if dialect == "postgresql" else "sqlite"]:
        op.execute(statement)
    op.execute(tallies.FORGET_SQL)
    op.drop_table("cameracount")
