"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 05:13:32.751579
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("control", sa.String(length=16), nullable=False),
        sa.Column("settings_json", sa.String(), nullable=False),
        sa.Column("listing_done", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("current_file", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_done_at_start", sa.Integer(), nullable=False),
        sa.Column("active_seconds", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("worker_host", sa.String(), nullable=True),
        sa.Column("summary_json", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_status"), ["status"], unique=False)

    op.create_table(
        "storedsettings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settings_json", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "watcherstate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("folder", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("display_width", sa.Integer(), nullable=False),
        sa.Column("display_height", sa.Integer(), nullable=False),
        sa.Column("orientation", sa.Integer(), nullable=False),
        sa.Column("make", sa.String(), nullable=True),
        sa.Column("model", sa.String(), nullable=True),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.Column("capture_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("capture_local", sa.String(), nullable=True),
        sa.Column("capture_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("capture_offset_source", sa.String(), nullable=True),
        sa.Column("capture_source", sa.String(), nullable=True),
        sa.Column("capture_date_only", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.String(length=8), nullable=False),
        sa.Column("candidates_json", sa.String(), nullable=False),
        sa.Column("gps_latitude", sa.Float(), nullable=True),
        sa.Column("gps_longitude", sa.Float(), nullable=True),
        sa.Column("thumbnail", sa.String(), nullable=True),
        sa.Column("near_group", sa.Integer(), nullable=True),
        sa.Column("first_job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_capture_utc"), ["capture_utc"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_confidence"), ["confidence"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_first_job_id"), ["first_job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_model"), ["model"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_near_group"), ["near_group"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_sha256"), ["sha256"], unique=True)

    op.create_table(
        "watchedfolder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("polling", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_scan_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["last_job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path"),
    )
    op.create_table(
        "jobitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_owner", sa.String(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_stage", sa.String(), nullable=True),
        sa.Column("error_reason", sa.String(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "path", name="uq_jobitem_job_path"),
    )
    with op.batch_alter_table("jobitem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobitem_file_id"), ["file_id"], unique=False)
        batch_op.create_index("ix_jobitem_job_state", ["job_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobitem", schema=None) as batch_op:
        batch_op.drop_index("ix_jobitem_job_state")
        batch_op.drop_index(batch_op.f("ix_jobitem_file_id"))

    op.drop_table("jobitem")
    op.drop_table("watchedfolder")
    with op.batch_alter_table("file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_file_near_group"))
        batch_op.drop_index(batch_op.f("ix_file_model"))
        batch_op.drop_index(batch_op.f("ix_file_first_job_id"))
        batch_op.drop_index(batch_op.f("ix_file_confidence"))
        batch_op.drop_index(batch_op.f("ix_file_capture_utc"))

    op.drop_table("file")
    op.drop_table("watcherstate")
    op.drop_table("storedsettings")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_status"))

    op.drop_table("job")
