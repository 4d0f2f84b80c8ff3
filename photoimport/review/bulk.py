"""Decisions on selections: shift by ± d h m s, move to the right zone, align a camera.

Each is one ``DateAction`` with a ``DateDecision`` per dated photo of the selection (undated
photos are left as they are and counted). Everything is checked before anything is written: an
unreadable zone, an empty selection, a shift that would move a photo before 1826 or into the
future raise a ``DateDecisionError`` naming what was wrong. The new values are computed in SQL
(``record.insert_derived``): a shift is one ``INSERT ... SELECT``; a zone change is one per
(old offset, new offset) pair, because a named zone's offset depends on the date (summer time).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.db.claims import write_transaction
from photoimport.db.models import File, utcnow
from photoimport.errors import BadDateInput, DateDecisionError
from photoimport.review.record import (
    CURRENT,
    apply_action,
    dated,
    insert_derived,
    new_action,
    read_one,
)
from photoimport.review.selection import camera_conditions, selection_conditions
from photoimport.review.timeinput import (
    check_in_range,
    format_shift,
    parse_user_time,
    parse_zone,
    to_fixed,
)
from photoimport.review.values import (
    ActionKind,
    ActionResult,
    CameraKey,
    Preview,
    PreviewRow,
    Selection,
)

__all__ = ["align_camera", "preview_shift", "shift_dates"]

ID_CHUNK = 10_000
SAMPLE = 5


def _conds(sel: Selection, by: timedelta | None, zone_text: str | None) -> list[Any]:
    if sel.empty:
        raise BadDateInput("choose the photos first: a camera, a job, a folder or a date range")
    if (by is None) == (zone_text is None):
        raise BadDateInput("give either a shift (+/- days, hours, minutes, seconds) or a new zone")
    if by is not None and not by:
        raise BadDateInput("a shift of zero changes nothing")
    return selection_conditions(sel)


def _describe(sel: Selection, by: timedelta | None, label: str) -> str:
    if by is not None:
        return f"shift {sel.describe()} by {format_shift(by)}"
    return f"move {sel.describe()} to the zone {label}, keeping the wall clock"


def _after(row: Any, by: timedelta | None, zone: tzinfo | None) -> datetime:
    before = datetime.fromisoformat(str(row.effective_local))
    return (
        to_fixed(before.replace(tzinfo=zone)) if zone is not None else before + (by or timedelta())
    )


def _check(row: Any, after: datetime, now: datetime | None) -> None:
    try:
        check_in_range(after, "it", now=now)
    except DateDecisionError:
        what = (
            f"photo {row.id} ({row.name}, {row.effective_local}) would move to "
            f"{after:%Y-%m-%d %H:%M:%S}, which"
        )
        check_in_range(after, what, now=now)  # raises again, naming the photo
        raise


def _edges(conn: sa.Connection, conds: list[Any]) -> list[Any]:
    """The earliest and the latest dated photo of the selection."""
    base = sa.select(*CURRENT).where(*conds, dated())
    return [
        row
        for order in (col(File.effective_utc).asc(), col(File.effective_utc).desc())
        for row in conn.execute(base.order_by(order, col(File.id)).limit(1)).all()
    ]


def _zone_groups(
    conn: sa.Connection, conds: list[Any], zone: tzinfo, now: datetime | None
) -> dict[tuple[int, int], list[int]]:
    """Photo ids by (old offset, new offset) in minutes; the extremes are checked."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    query = sa.select(col(File.id), col(File.name), col(File.effective_local)).where(
        *conds, dated()
    )
    lowest: tuple[datetime, Any] | None = None
    highest: tuple[datetime, Any] | None = None
    for row in conn.execute(query).all():
        before = datetime.fromisoformat(str(row.effective_local))
        after = before.replace(tzinfo=zone)
        old, new = before.utcoffset(), after.utcoffset()
        assert old is not None
        assert new is not None
        groups[(int(old.total_seconds() // 60), int(new.total_seconds() // 60))].append(row.id)
        if lowest is None or after < lowest[0]:
            lowest = (after, row)
        if highest is None or after > highest[0]:
            highest = (after, row)
    for edge in (lowest, highest):
        if edge is not None:
            _check(edge[1], to_fixed(edge[0]), now)
    return groups


def preview_shift(
    engine: Engine,
    sel: Selection,
    *,
    by: timedelta | None = None,
    zone_text: str | None = None,
    now: datetime | None = None,
) -> Preview:
    """What ``shift_dates`` would do: the count, a sample before -> after, the undated left out.
    Raises the same errors as ``shift_dates`` would."""
    conds = _conds(sel, by, zone_text)
    zone, label = parse_zone(zone_text) if zone_text is not None else (None, "")
    order = (col(File.effective_utc), col(File.id))
    with engine.connect() as conn:  # one pass over the selection, then the few rows shown
        found = conn.execute(
            sa.select(col(File.id), col(File.effective_local).is_(None))
            .where(*conds)
            .order_by(*order)
        ).all()
        ids = [int(i) for i, undated in found if i is not None and not undated]
        if zone is not None:
            _zone_groups(conn, conds, zone, now)
        picks = {ids[i * (len(ids) - 1) // (SAMPLE - 1)] for i in range(SAMPLE)} if ids else set()
        shown = picks | ({ids[0], ids[-1]} if ids else set())
        rows = conn.execute(
            sa.select(*CURRENT).where(col(File.id).in_(sorted(shown))).order_by(*order)
        ).all()
    if zone is None:
        for row in rows:  # the earliest and the latest are among them
            _check(row, _after(row, by, None), now)
    count, undated = len(ids), len(found) - len(ids)
    rows = [r for r in rows if r.id in picks]
    sample = tuple(
        PreviewRow(r.id, r.name, str(r.effective_local), _after(r, by, zone).isoformat())
        for r in rows
    )
    return Preview(
        count=count, sample=sample, undated=undated, description=_describe(sel, by, label)
    )


def shift_dates(
    engine: Engine,
    sel: Selection,
    *,
    by: timedelta | None = None,
    zone_text: str | None = None,
    kind: ActionKind | None = None,
    summary: str | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Shift every dated photo of ``sel`` by ``by``, or move it to the zone ``zone_text``."""
    conds = _conds(sel, by, zone_text)
    zone, label = parse_zone(zone_text) if zone_text is not None else (None, "")
    what = summary or _describe(sel, by, label)
    chosen = kind or (ActionKind.SHIFT if by is not None else ActionKind.ZONE)
    with write_transaction(engine) as conn:
        stamp = utcnow()
        if zone is None:
            assert by is not None
            for row in _edges(conn, conds):
                _check(row, _after(row, by, None), now)
            action_id = new_action(conn, chosen, what, stamp)
            seconds = round(by.total_seconds())
            insert_derived(conn, action_id, stamp, conds, seconds=seconds)
        else:
            groups = _zone_groups(conn, conds, zone, now)
            action_id = new_action(conn, chosen, what, stamp)
            for (old, new), ids in groups.items():
                for i in range(0, len(ids), ID_CHUNK):
                    chunk = [col(File.id).in_(ids[i : i + ID_CHUNK])]
                    insert_derived(
                        conn, action_id, stamp, chunk, seconds=(old - new) * 60, new_offset=new
                    )
        return apply_action(conn, action_id, chosen, what)


def align_camera(
    engine: Engine,
    camera: CameraKey,
    file_id: int,
    shows: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """ "Photo ``file_id`` shows ``shows``": shift ``camera``'s photos (in the span) to agree."""
    with engine.connect() as conn:
        row = read_one(conn, file_id)
        query = sa.select(sa.func.count()).select_from(File)
        ok = conn.execute(
            query.where(col(File.id) == file_id, *camera_conditions(camera))
        ).scalar_one()
    if not ok:
        raise BadDateInput(f"photo {file_id} ({row.name}) was not taken with {camera.label}")
    if row.effective_local is None:
        raise BadDateInput(f"photo {file_id} ({row.name}) has no date to align from")
    before = datetime.fromisoformat(str(row.effective_local))
    assert before.tzinfo is not None
    truth = parse_user_time(shows, before.tzinfo, "the photo's zone", now=now)
    delta = truth.local - before.replace(microsecond=0)  # whole seconds, as typed
    if not delta:
        raise DateDecisionError(f"{camera.label} already agrees with photo {file_id}")
    sel = Selection(camera=camera, date_from=date_from, date_to=date_to)
    summary = (
        f"align {camera.label}: photo {file_id} ({row.name}) shows "
        f"{truth.local:%Y-%m-%d %H:%M:%S}, shift {format_shift(delta)}"
    )
    return shift_dates(engine, sel, by=delta, kind=ActionKind.ALIGN, summary=summary, now=now)
