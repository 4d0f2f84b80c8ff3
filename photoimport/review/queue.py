"""The review queue: photos whose date needs a person, grouped by folder, camera and day, paged.

In the queue: effective confidence LOW or NONE, or MEDIUM when another usable candidate of the
photo disagrees with the chosen one (``File.capture_disputed``: worked out from the stored
candidates the first time the queue runs after an import, ``refresh_disputes``). A photo leaves
the queue when a person confirms its date (set, pick, accept: HIGH).

Each item carries its candidates and the reason it is uncertain, in plain words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.capture.values import CandidateSource
from photoimport.db import tallies
from photoimport.db.claims import write_transaction
from photoimport.db.decisions import DateAction
from photoimport.db.models import File
from photoimport.enums import Confidence
from photoimport.review.selection import folder_expr
from photoimport.review.values import CameraKey

__all__ = [
    "CandidateView",
    "QueueGroup",
    "QueueItem",
    "QueuePage",
    "count_queue",
    "disputed",
    "queue_groups",
    "queue_ids",
    "queue_items",
    "queue_version",
    "refresh_disputes",
    "review_queue",
]

AGREEMENT = timedelta(minutes=2)
_WEAK_OR_NOT = ("mtime",)


@dataclass(frozen=True)
class CandidateView:
    index: int  # as stored: what ``decisions.pick_candidate`` takes
    source: str  # as a person names it
    value: str  # the raw value
    local: str | None
    usable: bool
    chosen: bool
    note: str  # why rejected / demoted, or ""


@dataclass(frozen=True)
class QueueItem:
    file_id: int
    name: str
    folder: str
    camera: str
    day: str  # effective local date, or "no date"
    thumbnail: str | None
    local: str | None  # the proposal: the effective time now
    confidence: Confidence
    reason: str
    candidates: tuple[CandidateView, ...]


@dataclass(frozen=True)
class QueueGroup:
    folder: str
    camera: str
    day: str
    count: int


@dataclass(frozen=True)
class QueuePage:
    total: int
    items: tuple[QueueItem, ...]


def _label(source: str) -> str:
    try:
        return CandidateSource(source).label
    except ValueError:
        return source or "unknown source"


def _parse(raw: str | None) -> list[dict[str, Any]]:
    try:
        items = json.loads(raw or "[]")
    except json.JSONDecodeError:
        return []
    return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []


def _usable(c: dict[str, Any]) -> bool:
    return bool(c.get("local")) and not c.get("rejected")


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ta, tb = datetime.fromisoformat(str(a["local"])), datetime.fromisoformat(str(b["local"]))
    if a.get("date_only") or b.get("date_only"):
        return ta.date() == tb.date()
    same_wall = abs(ta.replace(tzinfo=UTC) - tb.replace(tzinfo=UTC)) <= AGREEMENT  # wall clocks
    return same_wall or abs(ta - tb) <= AGREEMENT


def _chosen(cands: list[dict[str, Any]], source: str | None) -> dict[str, Any] | None:
    return next((c for c in cands if _usable(c) and c.get("source") == source), None)


def _dissent(cands: list[dict[str, Any]], source: str | None) -> dict[str, Any] | None:
    chosen = _chosen(cands, source)
    if chosen is None:
        return None
    for c in cands:
        if c is chosen or not _usable(c) or c.get("demoted") or c.get("source") in _WEAK_OR_NOT:
            continue
        if not _agree(chosen, c):
            return c
    return None


def disputed(candidates_json: str | None, source: str | None) -> bool:
    """Does a usable candidate (not the mtime, not demoted) disagree with the chosen one?"""
    return _dissent(_parse(candidates_json), source) is not None


def refresh_disputes(engine: Engine, batch: int = 5000) -> int:
    """Work out ``capture_disputed`` for MEDIUM photos not looked at yet; how many were."""
    pending = sa.and_(
        col(File.confidence) == Confidence.MEDIUM.value, col(File.capture_disputed).is_(None)
    )
    done = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(col(File.id), col(File.candidates_json), col(File.capture_source))
                .where(pending)
                .limit(batch)
            ).all()
        if not rows:
            return done
        yes = [r.id for r in rows if disputed(r.candidates_json, r.capture_source)]
        no = [r.id for r in rows if r.id not in set(yes)]
        with write_transaction(engine) as conn:
            for ids, value in ((yes, True), (no, False)):
                if ids:
                    conn.execute(
                        sa.update(File).where(col(File.id).in_(ids)).values(capture_disputed=value)
                    )
        done += len(rows)


def _in_queue(confidences: tuple[Confidence, ...]) -> sa.ColumnElement[bool]:
    """Primaries only (a RAW or Live video beside its photo follows it), discarded ones left out."""
    eff = col(File.effective_confidence)
    shown = sa.and_(col(File.variant_of).is_(None), col(File.discarded).is_(False))
    if confidences:
        return sa.and_(eff.in_([c.value for c in confidences]), shown)
    medium_disputed = sa.and_(eff == Confidence.MEDIUM.value, col(File.capture_disputed).is_(True))
    return sa.and_(
        sa.or_(eff.in_([Confidence.LOW.value, Confidence.NONE.value]), medium_disputed), shown
    )


def _day() -> sa.ColumnElement[str]:
    return sa.func.coalesce(sa.func.substr(col(File.effective_local), 1, 10), "no date")


def count_queue(engine: Engine, confidences: tuple[Confidence, ...] = ()) -> int:
    """How many photos ``_in_queue`` holds, from the counters the triggers keep (``db.tallies``):
    counting them took 4.3 s at 1,000,000 photos, and every view of the Review page asks."""
    with engine.connect() as conn:
        return tallies.queue_count(conn, confidences)


def queue_groups(
    engine: Engine, confidences: tuple[Confidence, ...] = (), limit: int = 500
) -> list[QueueGroup]:
    """How many queued photos each folder / camera / day holds (the largest first)."""
    folder, day = folder_expr(), _day()
    query = (
        sa.select(folder, col(File.make), col(File.model), day, sa.func.count())
        .where(_in_queue(confidences))
        .group_by(folder, col(File.make), col(File.model), day)
        .order_by(sa.func.count().desc(), folder)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            QueueGroup(str(f), CameraKey(mk, mo).label, str(d), int(n))
            for f, mk, mo, d, n in conn.execute(query).all()
        ]


def _reason(row: Any, cands: list[dict[str, Any]]) -> str:
    conf = Confidence(row.effective_confidence)
    if row.effective_local is None:
        rejected = [
            f"{_label(str(c.get('source')))}: {c['rejected']}" for c in cands if c.get("rejected")
        ]
        return "no date at all" + (
            f" ({'; '.join(rejected)})" if rejected else ": the photo carries no date"
        )
    if conf is Confidence.NONE:
        chosen = _chosen(cands, row.capture_source)
        if chosen is not None and chosen.get("demoted"):
            return f"only a camera default date ({chosen['demoted']})"
        return "only the file's modification time, often the time it was copied"
    if conf is Confidence.LOW:
        return f"only a weak source ({_label(str(row.capture_source))}) and nothing confirms it"
    other = _dissent(cands, row.capture_source)
    if other is not None:
        return (
            f"{_label(str(row.capture_source))} disagrees with {_label(str(other.get('source')))} "
            f"({other.get('local')})"
        )
    return f"{conf.value.lower()} confidence"


def _views(cands: list[dict[str, Any]], source: str | None) -> tuple[CandidateView, ...]:
    chosen = _chosen(cands, source)
    return tuple(
        CandidateView(
            index=i,
            source=_label(str(c.get("source"))),
            value=str(c.get("raw") or ""),
            local=c.get("local"),
            usable=_usable(c),
            chosen=c is chosen,
            note=str(c.get("rejected") or c.get("demoted") or ""),
        )
        for i, c in enumerate(cands)
    )


def _order() -> tuple[Any, ...]:
    return (folder_expr(), col(File.make), col(File.model), _day(), col(File.name), col(File.id))


def queue_ids(engine: Engine, confidences: tuple[Confidence, ...] = ()) -> list[int]:
    """Every queued photo's id in folder, camera, day, name order (refreshes disputes first).

    One sort of narrow rows; a page keeps this list while ``queue_version`` stays the same."""
    if not confidences:
        refresh_disputes(engine)
    query = sa.select(col(File.id)).where(_in_queue(confidences)).order_by(*_order())
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars() if i is not None]


def queue_version(engine: Engine, confidences: tuple[Confidence, ...] = ()) -> tuple[int, ...]:
    """Changes when the queue's members or order may have: an import, a decision, an undo, a
    discarded duplicate. Cheap: index lookups only."""
    action = DateAction.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        newest_file = conn.execute(sa.select(sa.func.max(col(File.id)))).scalar_one()
        newest_action = conn.execute(sa.select(sa.func.max(action.c.id))).scalar_one()
        undone = conn.execute(
            sa.select(sa.func.count()).where(action.c.undone_at.is_not(None))
        ).scalar_one()
    parts = (newest_file, newest_action, undone, count_queue(engine, confidences))
    return tuple(int(p or 0) for p in parts)


def queue_items(engine: Engine, ids: list[int]) -> tuple[QueueItem, ...]:
    """The queue items of these photos, in the order of ``ids``."""
    query = sa.select(
        col(File.id),
        col(File.name),
        folder_expr().label("folder"),
        col(File.make),
        col(File.model),
        _day().label("day"),
        col(File.thumbnail),
        col(File.effective_local),
        col(File.effective_confidence),
        col(File.capture_source),
        col(File.candidates_json),
    ).where(col(File.id).in_(ids))
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(query).all()}
    return tuple(_item(rows[i]) for i in ids if i in rows)


def _item(r: Any) -> QueueItem:
    cands = _parse(r.candidates_json)
    return QueueItem(
        file_id=r.id,
        name=r.name,
        folder=r.folder,
        camera=CameraKey(r.make, r.model).label,
        day=r.day,
        thumbnail=r.thumbnail,
        local=r.effective_local,
        confidence=Confidence(r.effective_confidence),
        reason=_reason(r, cands),
        candidates=_views(cands, r.capture_source),
    )


def review_queue(
    engine: Engine, *, offset: int = 0, limit: int = 50, confidences: tuple[Confidence, ...] = ()
) -> QueuePage:
    """One page of the queue in folder, camera, day, name order (refreshes disputes first)."""
    if not confidences:
        refresh_disputes(engine)
    page = (  # sort narrow rows (keys and id only), then read the page's rows
        sa.select(col(File.id))
        .where(_in_queue(confidences))
        .order_by(*_order())
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(page).scalars() if i is not None]
    return QueuePage(total=count_queue(engine, confidences), items=queue_items(engine, ids))
