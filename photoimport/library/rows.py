"""Write library rows (``library.FileRow``) as CSV or JSON to a text stream, row by row.

The columns are fixed and named for people (``type`` is the MIME type, ``capture_local`` the
wall-clock time the photo was taken with its UTC offset, ``capture_utc`` the same instant in
UTC). ``capture_local``, ``capture_utc`` and ``confidence`` are the *effective* values: a date
decision may have set them (``decision`` says which; ``detected_local`` keeps the detected time).
``id`` is the photo's id, as ``photoimport dates`` takes it. JSON is one array of objects,
written as the rows come so a 100,000-row export never sits in memory; empty values are ``null``
in JSON and empty cells in CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from photoimport.db.counters import is_exact_duplicate
from photoimport.db.decisions import DateAction, DateDecision, DupGroup, DupMember
from photoimport.db.models import Confidence, File, ItemState, Job, JobItem
from photoimport.display import spreadsheet_cell
from photoimport.errors import JobNotFound
from photoimport.library.queries import FINISHED_STATES

__all__ = [
    "EXPORT_COLUMNS",
    "ExportFormat",
    "FileRow",
    "export_record",
    "export_rows",
    "iter_export_rows",
    "write_rows",
]

Value = str | int | None

EXPORT_COLUMNS: tuple[str, ...] = (
    "path",
    "sha256",
    "size",
    "type",
    "width",
    "height",
    "capture_local",
    "capture_utc",
    "capture_source",
    "confidence",
    "exact_group",
    "near_group",
    "thumbnail",
    "error",
    "make",
    "model",
    "kind",
    "variant_of",
    "variants",
    "sidecars",
    "id",
    "detected_local",
    "decision",
    "discarded",
    "group",
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def export_record(row: FileRow) -> dict[str, Value]:
    """``row`` as an ordered column -> value mapping (the order of ``EXPORT_COLUMNS``)."""
    return {
        "path": row.path,
        "sha256": row.sha256,
        "size": row.size,
        "type": row.mime,
        "width": row.width,
        "height": row.height,
        "capture_local": row.capture_local,
        "capture_utc": row.capture_utc,
        "capture_source": row.capture_source,
        "confidence": row.confidence.value if row.confidence else None,
        "exact_group": row.exact_group,
        "near_group": row.near_group,
        "thumbnail": row.thumbnail,
        "error": row.error,
        "make": row.make,
        "model": row.model,
        "kind": row.kind,
        "variant_of": row.variant_of,
        "variants": row.variants,
        "sidecars": row.sidecars,
        "id": row.file_id,
        "detected_local": row.detected_local,
        "decision": row.decision,
        "discarded": row.discarded,
        "group": row.group,
    }


def write_rows(rows: Iterable[FileRow], out: TextIO, fmt: ExportFormat) -> int:
    """Write ``rows`` to ``out`` in ``fmt``; returns how many rows were written."""
    if fmt is ExportFormat.CSV:
        return _write_csv(rows, out)
    return _write_json(rows, out)


def _write_csv(rows: Iterable[FileRow], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        # a spreadsheet must not run a name or a tag as a formula: cells are text
        writer.writerow({k: spreadsheet_cell(v) for k, v in export_record(row).items()})
        count += 1
    return count


def _write_json(rows: Iterable[FileRow], out: TextIO) -> int:
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(export_record(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


EXPORT_PAGE = 2000


@dataclass(frozen=True)
class FileRow:
    """One path of the library (a content seen under two paths gives two rows)."""

    path: str
    file_id: int | None  # None for an error row
    sha256: str | None
    size: int | None
    mime: str | None
    width: int | None
    height: int | None
    capture_local: str | None  # ISO wall clock with offset
    capture_utc: str | None  # ISO UTC
    capture_source: str | None
    confidence: Confidence | None
    exact_group: int | None  # File.id when the content has more than one path, else None
    near_group: int | None
    thumbnail: str | None  # relative to the home folder
    error: str | None  # "stage: reason" for a file that failed
    make: str | None = None
    model: str | None = None
    # --- issue 11 ---
    kind: str | None = None  # photo | raw | video
    variant_of: int | None = None  # the primary file's id when this file is a variant
    variants: int = 0  # on a primary: how many variants it has
    sidecars: str | None = None  # the sidecars read, "|"-separated
    # --- issue 12: capture_* above are the EFFECTIVE values; the detected time, the decision
    detected_local: str | None = None
    decision: str | None = None  # "decision 57 (action 12: shift camera X by +01:00:00)"
    discarded: bool | None = None  # issue 13: a duplicate resolved away (None: error row)
    group: int | None = None  # issue 13: its duplicate group (a near group before an exact one)


# --- export ------------------------------------------------------------------------------


def export_rows(engine: Engine, job_id: int | None = None) -> list[FileRow]:
    """One row per path (CLI ``files``); streamed in pages internally."""
    return list(iter_export_rows(engine, job_id))


def iter_export_rows(engine: Engine, job_id: int | None = None) -> Iterator[FileRow]:
    """``export_rows`` as a stream, one page of ``EXPORT_PAGE`` items at a time.

    With a job: that job's finished items (``JobNotFound`` at once when there is no such job).
    Without: every path once, from its newest finished item (a folder imported twice gives one
    row per path, as it is now).
    """
    finished = col(JobItem.state).in_([s.value for s in FINISHED_STATES])
    if job_id is not None:
        _require_job(engine, job_id)
        scope: sa.ColumnElement[bool] = sa.and_(col(JobItem.job_id) == job_id, finished)
    else:
        newest = sa.select(sa.func.max(col(JobItem.id))).where(finished).group_by(JobItem.path)
        scope = col(JobItem.id).in_(newest)
    return _stream_rows(engine, scope)


_EXPORT_COLUMNS: tuple[Any, ...] = (
    col(JobItem.path),
    col(JobItem.state),
    col(JobItem.error_stage),
    col(JobItem.error_reason),
    col(File.id),
    col(File.sha256),
    col(File.size),
    col(File.mime),
    col(File.width),
    col(File.height),
    col(File.effective_local).label("capture_local"),
    col(File.effective_utc).label("capture_utc"),
    col(File.capture_source),
    col(File.effective_confidence).label("confidence"),
    col(File.near_group),
    col(File.thumbnail),
    col(File.make),
    col(File.model),
    col(File.kind),
    col(File.variant_of),
    col(File.variant_count),
    col(File.sidecars_json),
    col(File.capture_local).label("detected_local"),  # issue 12
    col(File.date_decision_id),
    col(DateDecision.action_id),
    col(DateAction.summary),
    col(File.discarded),
    col(File.path_count),
    sa.select(col(DupMember.group_id))  # issue 13: a near group first, then an exact one
    .join(DupGroup, col(DupGroup.id) == DupMember.group_id)
    .where(col(DupMember.file_id) == File.id)
    .order_by(col(DupGroup.kind) == "exact", col(DupMember.group_id))
    .limit(1)
    .scalar_subquery()
    .label("dup_group"),
)


def _stream_rows(engine: Engine, scope: sa.ColumnElement[bool]) -> Iterator[FileRow]:
    """One query, read ``EXPORT_PAGE`` rows at a time (a server-side cursor on PostgreSQL)."""
    query = (
        sa.select(*_EXPORT_COLUMNS)
        .join(File, col(JobItem.file_id) == File.id, isouter=True)
        .join(DateDecision, col(DateDecision.id) == File.date_decision_id, isouter=True)
        .join(DateAction, col(DateAction.id) == DateDecision.action_id, isouter=True)
        .where(scope)
        .order_by(col(JobItem.id))
    )
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=EXPORT_PAGE).execute(query)
        for row in result:
            yield _row(row)


def _require_job(engine: Engine, job_id: int) -> None:
    with Session(engine) as session:
        if session.get(Job, job_id) is None:
            raise JobNotFound(f"no job number {job_id}")


def _row(r: sa.Row[*tuple[Any, ...]]) -> FileRow:
    error = None
    if r.state == ItemState.ERROR.value or r.error_reason:
        error = f"{r.error_stage or 'unknown stage'}: {r.error_reason or 'no reason given'}"
    file_id = None if r.id is None else int(r.id)
    capture_utc: datetime | None = r.capture_utc
    decision = None
    if r.date_decision_id is not None:
        decision = f"decision {r.date_decision_id} (action {r.action_id}: {r.summary})"
    return FileRow(
        path=r.path,
        file_id=file_id,
        sha256=r.sha256,
        size=r.size,
        mime=r.mime,
        width=r.width,
        height=r.height,
        capture_local=r.capture_local,
        capture_utc=capture_utc.isoformat() if capture_utc else None,
        capture_source=r.capture_source,
        confidence=None if r.confidence is None else Confidence(r.confidence),
        exact_group=file_id
        if r.path_count is not None and is_exact_duplicate(int(r.path_count))
        else None,
        near_group=r.near_group,
        thumbnail=r.thumbnail,
        error=error,
        make=r.make,
        model=r.model,
        kind=r.kind,
        variant_of=r.variant_of,
        variants=int(r.variant_count or 0),
        sidecars="|".join(json.loads(r.sidecars_json or "[]")) or None,
        detected_local=r.detected_local,
        decision=decision,
        discarded=None if r.discarded is None else bool(r.discarded),
        group=r.dup_group,
    )
