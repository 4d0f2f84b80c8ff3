"""Data for the dashboard's charts: photos per month (a timeline) and the confidence breakdown.

The month is taken from the capture time's *local* wall clock (``File.effective_local``, ISO
text), so a photo taken on 31 December at 23:30 in New York counts in December, not in the UTC
January. Grouping happens in SQL: nothing loads the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from photoimport.db.models import Confidence, File, JobItem

__all__ = [
    "CONFIDENCE_ORDER",
    "ConfidenceCount",
    "MonthCount",
    "confidence_counts",
    "photos_per_month",
]

CONFIDENCE_ORDER = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW, Confidence.NONE)
CONFIDENCE_LABELS = {
    Confidence.HIGH: "high (corroborated)",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
    Confidence.NONE: "no date in the photo",
}


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2021-04"
    photos: int


@dataclass(frozen=True)
class ConfidenceCount:
    confidence: Confidence
    label: str
    photos: int


def photos_per_month(engine: Engine, job_id: int | None = None) -> list[MonthCount]:
    """Photos per capture month, oldest first (photos without a date are left out)."""
    month = func.substr(col(File.effective_local), 1, 7).label("month")
    query = select(month, func.count(sa.distinct(col(File.id)))).where(
        col(File.effective_local).is_not(None)
    )
    if job_id is not None:
        query = query.join(JobItem, col(JobItem.file_id) == col(File.id)).where(
            col(JobItem.job_id) == job_id
        )
    with Session(engine) as session:
        rows = session.exec(query.group_by(month).order_by(month)).all()
    return [MonthCount(month=str(m), photos=int(n)) for m, n in rows]


def confidence_counts(by_confidence: Mapping[Confidence, int]) -> list[ConfidenceCount]:
    """Every confidence level in a fixed order (zero when absent), with a readable label."""
    return [
        ConfidenceCount(c, CONFIDENCE_LABELS[c], int(by_confidence.get(c, 0)))
        for c in CONFIDENCE_ORDER
    ]
