"""Turn a processed file (``FileResult``) into what a batch commit writes: an ``ItemOutcome``.

A good file becomes a DONE outcome carrying its ``File`` row's values (the library's one row per
content; a plain mapping, as ``INSERT`` takes it: building a ``File`` model per file cost the
worker 0.6 ms of CPU, more than its whole insert); a bad one an ERROR outcome with the stage and
the plain-words reason. Whether the
content is new is decided in the commit (``claims.commit_batch``: ``ON CONFLICT (sha256) DO
NOTHING``), so two workers importing the same new content still make one ``File`` row.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from photoimport.capture.capture_time import CaptureTime, TimestampCandidate
from photoimport.capture.zones import has_position
from photoimport.db.models import Confidence, ItemState
from photoimport.db.work import ItemOutcome
from photoimport.errors import Stage
from photoimport.pipeline import FileResult


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def candidates_json(capture: CaptureTime | None) -> str:
    if capture is None:
        return "[]"
    return json.dumps([_candidate(c) for c in capture.candidates], ensure_ascii=False)


def _candidate(c: TimestampCandidate) -> dict[str, object]:
    return {
        "source": c.source.value,
        "raw": c.raw,
        "local": _iso(c.local),
        "offset_source": c.offset_source.value if c.offset_source else None,
        "date_only": c.date_only,
        "rejected": c.rejected,
        "demoted": c.demoted,
    }


def _thumbnail_key(path: Path | None) -> str | None:
    """The thumbnail's key ``thumbs/<sha[:2]>/<sha>.jpg``: content-addressed, so it resolves
    under any host's thumbnail folder (``Settings.thumbnail_file``), shared or in its home."""
    if path is None:
        return None
    return f"thumbs/{path.parent.name}/{path.name}"


def file_row(result: FileResult, home: Path, job_id: int) -> dict[str, Any]:
    """The ``File`` row (column -> value; the model's defaults fill the other columns) of a
    successfully processed file (``result.ok`` and hashed)."""
    meta = result.metadata
    capture = result.capture
    if meta is None or result.sha256 is None:
        raise ValueError(f"{result.path}: a file row needs metadata and a SHA-256")
    local = capture.local if capture else None
    offset = local.utcoffset() if local is not None else None
    gps = meta.gps
    # (0, 0) is what phones write without a fix ("null island"): not a place on the map
    position = (gps.latitude, gps.longitude) if gps is not None else (None, None)
    located = has_position(*position)
    utc = capture.utc if capture else None
    offset_minutes = int(offset.total_seconds() // 60) if offset is not None else None
    confidence = capture.confidence if capture else Confidence.NONE
    return dict(
        sha256=result.sha256,
        path=str(result.path),
        name=result.path.name,
        size=result.size,
        mime=meta.mime,
        format=meta.format,
        width=meta.width,
        height=meta.height,
        display_width=meta.display_width,
        display_height=meta.display_height,
        orientation=meta.orientation,
        make=meta.make,
        model=meta.model,
        camera_serial=meta.serial,  # issue 12
        phash=result.phash,
        capture_utc=utc,
        capture_local=_iso(local),
        capture_offset_minutes=offset_minutes,
        capture_offset_source=(
            capture.offset_source.value if capture and capture.offset_source else None
        ),
        capture_source=capture.source.value if capture and capture.source else None,
        capture_date_only=capture.date_only if capture else False,
        confidence=confidence,
        candidates_json=candidates_json(capture),
        gps_latitude=position[0] if located else None,
        gps_longitude=position[1] if located else None,
        thumbnail=_thumbnail_key(result.thumbnail),
        kind=result.kind,
        duration_seconds=result.duration_seconds,
        content_id=meta.content_id,
        preview_error=result.preview_error,
        sidecars_json=json.dumps(list(result.sidecars), ensure_ascii=False),
        first_job_id=job_id,
        # a new content's effective time is its detected one (decisions change it later; a
        # content already in the library keeps its row and so its decisions)
        effective_utc=utc,
        effective_local=_iso(local),
        effective_offset_minutes=offset_minutes,
        effective_confidence=confidence,
    )


def outcome_for(item_id: int, result: FileResult, home: Path, job_id: int) -> ItemOutcome:
    """The outcome of one processed item."""
    path = str(result.path)
    if result.error is not None:
        return ItemOutcome(
            item_id=item_id,
            path=path,
            state=ItemState.ERROR,
            error_stage=result.error.stage.value,
            error_reason=result.error.reason,
        )
    if result.sha256 is None or result.metadata is None:
        return ItemOutcome(
            item_id=item_id,
            path=path,
            state=ItemState.ERROR,
            error_stage=Stage.READ.value,
            error_reason="the pipeline returned no hash or metadata for this file",
        )
    return ItemOutcome(
        item_id=item_id,
        path=path,
        state=ItemState.DONE,
        sha256=result.sha256,
        file=file_row(result, home, job_id),
    )


def known_outcome(item_id: int, path: str, sha256: str) -> ItemOutcome:
    """An item whose content the library already holds: linked, not processed again."""
    return ItemOutcome(item_id=item_id, path=path, state=ItemState.SKIPPED, sha256=sha256)
