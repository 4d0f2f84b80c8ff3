"""Suggestions from the library's own evidence: cameras' clock offsets, and missing dates.

* ``clock_observations(engine)``: near-duplicate pairs across cameras (the same scene shot
  seconds apart: the difference of their effective times) and photos with a GPS time (the
  camera's effective time minus the GPS UTC time). Phones (network-synced clocks) are the
  references. ``suggest_offsets`` runs ``estimate.estimate_offsets`` over them;
  ``apply_suggestion`` applies one camera's correction as one undoable action.
* ``fill_suggestions(engine)``: a date for undated photos from their dated neighbours
  (``fill.suggest_fills``), only suggested; ``decisions.fill_date`` applies one.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.capture.values import CandidateSource
from photoimport.db.models import File
from photoimport.enums import Confidence
from photoimport.review.bulk import shift_dates
from photoimport.review.estimate import Observation, estimate_offsets
from photoimport.review.fill import SeqPhoto, suggest_fills
from photoimport.review.selection import find_camera, folder_expr
from photoimport.review.timeinput import format_shift
from photoimport.review.values import (
    ActionKind,
    ActionResult,
    CameraKey,
    FillSuggestion,
    OffsetSuggestion,
    Selection,
)

__all__ = [
    "apply_suggestion",
    "clock_observations",
    "fill_suggestions",
    "is_phone",
    "suggest_offsets",
]

PHONE_MAKES = frozenset(
    {
        "apple",
        "google",
        "samsung",
        "huawei",
        "xiaomi",
        "oneplus",
        "oppo",
        "vivo",
        "motorola",
        "honor",
        "realme",
        "nokia",
        "hmd global",
        "lg electronics",
        "fairphone",
        "nothing",
    }
)
PHONE_MODEL_PREFIXES = ("iphone", "pixel", "sm-", "galaxy")
MAX_PAIR_GAP = timedelta(days=1)  # a near duplicate further apart is another shot, not a clock
MAX_GROUP = 12  # near groups larger than this are bursts or stock images: pairs would explode
FILL_FOLDERS = 20  # folders looked at per call (the first ones with an undated photo)


def is_phone(key: CameraKey) -> bool:
    make, model = (key.make or "").strip().lower(), (key.model or "").strip().lower()
    return make in PHONE_MAKES or model.startswith(PHONE_MODEL_PREFIXES)


def _key(row: Any) -> CameraKey:
    return CameraKey(row.make, row.model, row.camera_serial)


def _pairs(conn: sa.Connection) -> list[Observation]:
    query = (
        sa.select(
            col(File.id),
            col(File.name),
            col(File.near_group),
            col(File.make),
            col(File.model),
            col(File.camera_serial),
            col(File.effective_utc),
        )
        .where(
            col(File.near_group).is_not(None),
            col(File.effective_utc).is_not(None),
            sa.or_(col(File.make).is_not(None), col(File.model).is_not(None)),
        )
        .order_by(col(File.near_group), col(File.id))
    )
    found: list[Observation] = []
    for _, members in itertools.groupby(conn.execute(query).all(), key=lambda r: r.near_group):
        group = list(members)
        if len(group) > MAX_GROUP:
            continue
        for a, b in itertools.combinations(group, 2):
            ka, kb = _key(a), _key(b)
            gap = a.effective_utc - b.effective_utc
            if ka == kb or abs(gap) > MAX_PAIR_GAP:
                continue
            seconds = gap.total_seconds()
            text = (
                f"{a.name} ({ka.label}) and {b.name} ({kb.label}) look alike, "
                f"{seconds:+,.0f} s apart"
            )
            found.append(Observation(ka.label, kb.label, seconds, text))
    return found


def _gps(conn: sa.Connection) -> list[Observation]:
    gps = CandidateSource.GPS.value
    query = sa.select(
        col(File.name),
        col(File.make),
        col(File.model),
        col(File.camera_serial),
        col(File.effective_utc),
        col(File.candidates_json),
        col(File.capture_source),
    ).where(
        col(File.effective_utc).is_not(None),
        col(File.candidates_json).contains(gps),
        col(File.capture_source) != gps,
    )
    found: list[Observation] = []
    for row in conn.execute(query).all():
        try:
            cands = json.loads(row.candidates_json)
        except json.JSONDecodeError:
            continue
        fix = next(
            (
                c
                for c in cands
                if isinstance(c, dict)
                and c.get("source") == gps
                and c.get("local")
                and not c.get("rejected")
            ),
            None,
        )
        if fix is None:
            continue
        error = row.effective_utc - datetime.fromisoformat(str(fix["local"])).astimezone(UTC)
        if abs(error) > MAX_PAIR_GAP:
            continue
        label = _key(row).label
        text = f"{row.name} ({label}): camera {error.total_seconds():+,.0f} s from its GPS time"
        found.append(Observation(label, None, error.total_seconds(), text))
    return found


def clock_observations(engine: Engine) -> tuple[list[Observation], set[str]]:
    """Every piece of clock evidence, and the labels of the phones among the cameras."""
    with engine.connect() as conn:
        observations = _pairs(conn) + _gps(conn)
        cameras = conn.execute(
            sa.select(col(File.make), col(File.model), col(File.camera_serial)).distinct()
        ).all()
    phones = {_key(r).label for r in cameras if is_phone(_key(r))}
    return observations, phones


def suggest_offsets(engine: Engine) -> list[OffsetSuggestion]:
    """Each camera's suggested clock correction with its spread and evidence."""
    observations, phones = clock_observations(engine)
    return estimate_offsets(observations, phones)


def apply_suggestion(engine: Engine, suggestion: OffsetSuggestion) -> ActionResult:
    """Shift the suggestion's camera by its correction: one action, undone as one."""
    camera = find_camera(engine, suggestion.camera)
    summary = (
        f"suggested clock correction for {suggestion.camera}: "
        f"{format_shift(suggestion.correction)} "
        f"(spread {suggestion.spread.total_seconds():,.0f} s over {suggestion.observations} "
        f"observations, against {suggestion.reference})"
    )
    return shift_dates(
        engine,
        Selection(camera=camera),
        by=suggestion.correction,
        kind=ActionKind.SUGGESTED,
        summary=summary,
    )


def fill_suggestions(engine: Engine) -> list[FillSuggestion]:
    """Dates for undated photos (no date, or only a guess) from dated neighbours."""
    undated = sa.or_(
        col(File.effective_utc).is_(None), col(File.effective_confidence) == Confidence.NONE.value
    )
    folder = folder_expr()
    with engine.connect() as conn:
        folders = [
            str(f)
            for f in conn.execute(
                sa.select(folder).where(undated).distinct().limit(FILL_FOLDERS)
            ).scalars()
        ]
        if not folders:
            return []
        rows = conn.execute(
            sa.select(
                col(File.id),
                col(File.name),
                folder.label("folder"),
                col(File.make),
                col(File.model),
                col(File.camera_serial),
                col(File.effective_local),
                col(File.effective_confidence),
                col(File.effective_utc),
            ).where(folder.in_(folders))
        ).all()
    photos: list[SeqPhoto] = []
    for r in rows:
        dated = r.effective_utc is not None and r.effective_confidence != Confidence.NONE.value
        has_camera = r.make is not None or r.model is not None
        photos.append(
            SeqPhoto(
                file_id=r.id,
                name=r.name,
                folder=r.folder,
                camera=_key(r).label if has_camera else None,
                local=datetime.fromisoformat(str(r.effective_local)) if dated else None,
            )
        )
    return suggest_fills(photos)
