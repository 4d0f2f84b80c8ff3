"""Gallery helpers beside ``library.queries``: a photo's candidates, previews, map points
and the files that failed.

* ``candidate_rows(file)``: every timestamp candidate stored on a ``File`` with whether it was
  chosen and, when not, why (rejected / demoted / less trusted than the chosen source).
* ``preview_image(path, box)``: a larger, upright preview of an original (one reduced decode).
* ``gps_points(engine, flt, limit)``: positions of the photos in the current filter, capped.
* ``failed_files(engine, job_id, limit)``: the files that could not be imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from photoimport.capture.values import CandidateSource
from photoimport.db.models import File, ItemState, JobItem
from photoimport.library.queries import FileFilter, list_files

__all__ = [
    "CandidateRow",
    "Fact",
    "FailedFile",
    "GpsPoint",
    "candidate_rows",
    "failed_files",
    "gps_points",
    "kind_facts",
    "photo_facts",
    "preview_image",
    "tile_badge",
]

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class CandidateRow:
    source: str
    value: str  # the raw value as found
    local_time: str  # the parsed wall clock with its offset, or "" when rejected
    offset_from: str
    chosen: bool
    verdict: str  # "chosen", or why it was not


@dataclass(frozen=True)
class GpsPoint:
    lat: float
    lon: float
    name: str


@dataclass(frozen=True)
class FailedFile:
    job_id: int
    path: str
    stage: str
    reason: str


def candidate_rows(file: File) -> list[CandidateRow]:
    """The candidates stored on ``file``, chosen one first, each with its verdict."""
    try:
        raw: Any = json.loads(file.candidates_json or "[]")
    except json.JSONDecodeError:
        raw = []
    items = [c for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []
    rows: list[CandidateRow] = []
    chosen_taken = False
    for cand in items:
        source = str(cand.get("source") or "")
        rejected = cand.get("rejected")
        demoted = cand.get("demoted")
        is_chosen = (
            not chosen_taken and not rejected and bool(source) and source == file.capture_source
        )
        chosen_taken = chosen_taken or is_chosen
        if is_chosen:
            verdict = "chosen" + (f" (trusted less: {demoted})" if demoted else "")
        elif rejected:
            verdict = f"rejected: {rejected}"
        elif demoted:
            verdict = f"demoted: {demoted}"
        else:
            verdict = "valid, but a more trusted source was chosen"
        rows.append(
            CandidateRow(
                source=source_label(source),
                value=str(cand.get("raw") or ""),
                local_time=str(cand.get("local") or ""),
                offset_from=str(cand.get("offset_source") or ""),
                chosen=is_chosen,
                verdict=verdict,
            )
        )
    rows.sort(key=lambda r: not r.chosen)
    return rows


def preview_image(path: Path, box: int = 1024) -> Image.Image | None:
    """An upright RGB preview of ``path`` fitting ``box`` pixels; None when it cannot be read."""
    try:
        with Image.open(path) as im:
            im.draft("RGB", (box, box))  # JPEG: decode at a reduced scale
            im.thumbnail((box, box))
            return ImageOps.exif_transpose(im).convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None  # the page falls back to the thumbnail the import made


def gps_points(engine: Engine, flt: FileFilter, limit: int = 2000) -> list[GpsPoint]:
    """Positions of up to ``limit`` photos matching ``flt`` (first by the filter's order)."""
    return [
        GpsPoint(f.gps_latitude, f.gps_longitude, f.name)
        for f in list_files(engine, flt, offset=0, limit=limit)
        if f.gps_latitude is not None
        and f.gps_longitude is not None
        and (f.gps_latitude, f.gps_longitude) != (0.0, 0.0)
    ]


def failed_files(engine: Engine, job_id: int | None = None, limit: int = 500) -> list[FailedFile]:
    """The newest ``limit`` files that could not be imported (of one job, or of every job)."""
    query = select(JobItem).where(col(JobItem.state) == ItemState.ERROR.value)
    if job_id is not None:
        query = query.where(col(JobItem.job_id) == job_id)
    with Session(engine) as session:
        items = session.exec(query.order_by(col(JobItem.id).desc()).limit(limit)).all()
        return [
            FailedFile(i.job_id, i.path, i.error_stage or "", i.error_reason or "") for i in items
        ]


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


def photo_facts(file: File) -> list[Fact]:
    """The metadata a person reads on a photo's detail page."""
    offset = file.capture_offset_minutes
    facts = [
        Fact("camera", " ".join(x for x in (file.make, file.model) if x) or "—"),
        Fact(
            "taken (UTC)", f"{file.capture_utc:%Y-%m-%d %H:%M:%S} UTC" if file.capture_utc else "—"
        ),
        Fact("date from", source_label(file.capture_source) if file.capture_source else "—"),
        Fact("offset", "—" if offset is None else _offset_text(offset)),
        Fact("offset from", file.capture_offset_source or "—"),
        Fact("pixels", f"{file.display_width} × {file.display_height}"),
        Fact("type", f"{file.format} ({file.mime})"),
        Fact("size", f"{file.size / 1e6:,.2f} MB"),
        Fact("SHA-256", file.sha256),
    ]
    if file.gps_latitude is not None and file.gps_longitude is not None:
        facts.append(Fact("GPS", f"{file.gps_latitude:.5f}, {file.gps_longitude:.5f}"))
    facts.extend(kind_facts(file))
    return facts


def tile_badge(file: File) -> str | None:
    """Issue 11: the mark a gallery tile shows: "Live", "RAW", a video's "0:12", or None."""
    if file.is_live:
        return "Live"
    if file.kind == "raw":
        return "RAW"
    if file.kind == "video":
        seconds = round(file.duration_seconds or 0)
        return f"{seconds // 60}:{seconds % 60:02d}"
    return None


def kind_facts(file: File) -> list[Fact]:
    """Issue 11: what kind of file it is, a video's length, a Live Photo, a missing picture."""
    kind = {"raw": "RAW", "video": "video"}.get(file.kind, "photo")
    if file.is_live:
        kind += " (Live Photo)"
    if file.variant_of is not None:
        kind += f" (a variant of photo {file.variant_of})"
    facts = [Fact("kind", kind)]
    if file.duration_seconds is not None:
        facts.append(Fact("duration", f"{file.duration_seconds:,.1f} s"))
    if file.preview_error:
        facts.append(Fact("no preview", file.preview_error))
    return facts


def source_label(source: str) -> str:
    """ "exif_dto" -> "EXIF DateTimeOriginal" (unknown codes are shown as they are)."""
    try:
        return CandidateSource(source).label
    except ValueError:
        return source


def capture_text(file: File) -> str:
    """The capture time as a person reads it, in the wall clock of the place it was taken:
    "25 Jul 2018, 16:34:23 (UTC+02:00)", or "25 Jul 2018" when only the date is known."""
    if not file.capture_local:
        return "no date in the photo"
    when = datetime.fromisoformat(file.capture_local)
    if file.capture_date_only:
        return f"{when.day} {when:%b %Y}"
    offset = _offset_text(file.capture_offset_minutes or 0)
    return f"{when.day} {when:%b %Y, %H:%M:%S} (UTC{offset})"


def _offset_text(minutes: int) -> str:
    hours, mins = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else '+'}{hours:02d}:{mins:02d}"
