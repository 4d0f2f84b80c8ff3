"""What discarded copies know that their keeper does not (pure): the changes a decision makes.

A messenger copy has no date and no GPS; its original has them. The other way round happens too
(an original whose EXIF an app stripped, kept for its pixels). When a group is resolved the
keeper receives, as changes of that decision (undone with it):

* the best **date** among the discarded copies when its confidence is higher than the keeper's
  and no person decided the keeper's date (``date_decided``): the ``effective_*`` columns only,
  never the ``capture_*`` facts;
* **GPS** when the keeper has none;
* the **camera** (make and model) when the keeper has none.

The discarded copies' paths need no change: the photo page lists them through the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from photoimport.enums import Confidence

__all__ = ["CONFIDENCE_RANK", "DATE_FIELDS", "Facts", "FieldChange", "merge_changes"]

CONFIDENCE_RANK = {Confidence.NONE: 0, Confidence.LOW: 1, Confidence.MEDIUM: 2, Confidence.HIGH: 3}
DATE_FIELDS = (
    "effective_utc",
    "effective_local",
    "effective_offset_minutes",
    "effective_confidence",
)
Value = str | int | float | bool | datetime | None


@dataclass(slots=True)  # many per decision: plain slots, fast to build
class Facts:
    """The values of one photo that merging reads."""

    file_id: int
    effective_utc: datetime | None
    effective_local: str | None
    effective_offset_minutes: int | None
    effective_confidence: Confidence
    date_decided: bool  # a person's date decision holds it (issue 12)
    gps_latitude: float | None
    gps_longitude: float | None
    make: str | None
    model: str | None


@dataclass(slots=True)  # many per decision: plain slots, fast to build
class FieldChange:
    file_id: int
    field: str
    old: Value
    new: Value


def merge_changes(keeper: Facts, discarded: Sequence[Facts]) -> list[FieldChange]:
    """The keeper's changes from what ``discarded`` know (see the module docstring)."""
    changes: list[FieldChange] = []
    dated = [d for d in discarded if d.effective_utc is not None]
    best = max(dated, key=lambda d: CONFIDENCE_RANK[d.effective_confidence], default=None)
    if (
        best is not None
        and not keeper.date_decided
        and CONFIDENCE_RANK[best.effective_confidence]
        > CONFIDENCE_RANK[keeper.effective_confidence]
    ):
        changes += _changed(keeper, best, DATE_FIELDS)
    if keeper.gps_latitude is None or keeper.gps_longitude is None:
        located = next((d for d in discarded if d.gps_latitude is not None), None)
        if located is not None and located.gps_longitude is not None:
            changes += _changed(keeper, located, ("gps_latitude", "gps_longitude"))
    if keeper.make is None and keeper.model is None:
        camera = next((d for d in discarded if d.make or d.model), None)
        if camera is not None:
            changes += _changed(keeper, camera, ("make", "model"))
    return changes


def _changed(keeper: Facts, source: Facts, fields: Sequence[str]) -> list[FieldChange]:
    result = []
    for name in fields:
        old, new = getattr(keeper, name), getattr(source, name)
        if isinstance(old, Confidence):
            old, new = old.value, new.value
        if old != new:
            result.append(FieldChange(keeper.file_id, name, old, new))
    return result
