"""Demo mode (``PHOTOIMPORT_DEMO=1``): its configuration, visitor keys and the caps on what
visitors may store, checked *before* anything is written.

A demo deployment is shared with strangers: uploads and the demo photos only (no server
folder, no watched folder, no Settings changes: the dashboard hides those), each visitor's
jobs carry their key (``Job.owner``), and everything a visitor brought is removed after
``ttl`` (``photoimport.jobs.visitors.expire_visitors``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.db.models import Job, JobItem, JobKind
from photoimport.errors import UploadRejected

__all__ = ["DemoConfig", "Usage", "check_visitor_caps", "demo_config", "new_visitor_key", "usage"]


@dataclass(frozen=True)
class DemoConfig:
    enabled: bool = False
    ttl: timedelta = timedelta(hours=1)  # a visitor's photos are removed this long after upload
    visitor_files: int = 50
    visitor_bytes: int = 200_000_000
    visitor_jobs: int = 5
    total_files: int = 2_000
    total_bytes: int = 2_000_000_000
    total_jobs: int = 200


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def demo_config(environ: Mapping[str, str] | None = None) -> DemoConfig:
    """``PHOTOIMPORT_DEMO=1`` turns demo mode on; ``PHOTOIMPORT_DEMO_TTL_MINUTES`` and the
    ``PHOTOIMPORT_DEMO_MAX_*`` variables (files, MB, jobs; per visitor and in total) tune it."""
    env = os.environ if environ is None else environ
    d = DemoConfig()
    return DemoConfig(
        enabled=env.get("PHOTOIMPORT_DEMO", "").strip().lower() in {"1", "true", "yes", "on"},
        ttl=timedelta(minutes=_number(env, "PHOTOIMPORT_DEMO_TTL_MINUTES", 60)),
        visitor_files=int(_number(env, "PHOTOIMPORT_DEMO_MAX_FILES", d.visitor_files)),
        visitor_bytes=int(_number(env, "PHOTOIMPORT_DEMO_MAX_MB", d.visitor_bytes / 1e6) * 1e6),
        visitor_jobs=int(_number(env, "PHOTOIMPORT_DEMO_MAX_JOBS", d.visitor_jobs)),
        total_files=int(_number(env, "PHOTOIMPORT_DEMO_TOTAL_FILES", d.total_files)),
        total_bytes=int(_number(env, "PHOTOIMPORT_DEMO_TOTAL_MB", d.total_bytes / 1e6) * 1e6),
        total_jobs=int(_number(env, "PHOTOIMPORT_DEMO_TOTAL_JOBS", d.total_jobs)),
    )


def new_visitor_key() -> str:
    """A visitor's key: random, unguessable, kept in their browser session only."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Usage:
    files: int
    bytes: int
    jobs: int


def usage(engine: Engine, owner: str | None) -> Usage:
    """What ``owner`` (every visitor when None) holds now: jobs, files, and bytes on disk."""
    jobs_q = sa.select(col(Job.id)).where(
        col(Job.owner) == owner if owner is not None else col(Job.owner).is_not(None),
        col(Job.kind) != JobKind.EXPORT,  # an export's copies are not what the caps count
    )
    with engine.connect() as conn:
        job_ids = [int(i) for i in conn.execute(jobs_q).scalars() if i is not None]
        paths = (
            [
                str(p)
                for p in conn.execute(
                    sa.select(col(JobItem.path)).where(col(JobItem.job_id).in_(job_ids))
                ).scalars()
            ]
            if job_ids
            else []
        )
    size = 0
    for p in paths:
        try:
            size += Path(p).stat().st_size
        except OSError:
            continue
    return Usage(files=len(paths), bytes=size, jobs=len(job_ids))


def check_visitor_caps(
    engine: Engine, config: DemoConfig, owner: str, new_files: int, new_bytes: int
) -> None:
    """Raise ``UploadRejected`` when adding a job of ``new_files`` files and ``new_bytes``
    bytes would pass a cap of the visitor or of the whole demo (nothing is stored yet)."""
    mine, everyone = usage(engine, owner), usage(engine, None)
    mb = 1e6
    checks = [
        (
            mine.jobs + 1 > config.visitor_jobs,
            f"you already have {mine.jobs} imports, the most a visitor may have",
        ),
        (
            mine.files + new_files > config.visitor_files,
            f"a visitor may import {config.visitor_files} files in all; "
            f"you have {mine.files} and chose {new_files}",
        ),
        (
            mine.bytes + new_bytes > config.visitor_bytes,
            f"a visitor may import {config.visitor_bytes / mb:,.0f} MB in all; "
            f"you have {mine.bytes / mb:,.1f} MB and chose {new_bytes / mb:,.1f} MB",
        ),
        (everyone.jobs + 1 > config.total_jobs, "this demo holds as many imports as it may"),
        (
            everyone.files + new_files > config.total_files,
            "this demo holds as many files as it may",
        ),
        (everyone.bytes + new_bytes > config.total_bytes, "this demo holds as many MB as it may"),
    ]
    minutes = config.ttl.total_seconds() / 60
    for over, reason in checks:
        if over:
            raise UploadRejected(
                f"{reason}: imports are removed {minutes:,.0f} minutes after they start, "
                "try again later"
            )
