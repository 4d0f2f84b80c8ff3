"""Decisions about single photos, and accepting proposals: set, pick a candidate, fill, accept.

Every function checks everything first (raising a ``DateDecisionError`` in plain words, with
nothing changed), then writes one ``DateAction``, a ``DateDecision`` per photo (old and new
effective value) and the photos' ``effective_*``, in one transaction (``review.record``). The
detected ``capture_*`` facts are never touched. Selections (shift, zone, align): ``review.bulk``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.capture.zones import fixed_zone
from photoimport.db.claims import write_transaction
from photoimport.db.models import Confidence, File, utcnow
from photoimport.errors import BadDateInput, DateDecisionError, FileNotInLibrary
from photoimport.review.record import (
    Change,
    apply_action,
    decision_count,
    insert_derived,
    new_action,
    read_one,
    read_rows,
    record_values,
)
from photoimport.review.timeinput import check_in_range, parse_user_time, parse_zone, to_fixed
from photoimport.review.values import ActionKind, ActionResult, UserTime

__all__ = ["accept_proposals", "fill_date", "pick_candidate", "set_date"]

ID_CHUNK = 10_000  # SQLite caps the parameters of one statement


def _with_variants(conn: sa.Connection, change: Change) -> list[Change]:
    """The photo's change, and the same for its variants (a RAW or Live video beside it)."""
    variants = read_rows(conn, [col(File.variant_of) == change.row.id])
    return [change, *(Change(v, change.local, change.confidence) for v in variants)]


def set_date(
    engine: Engine, file_id: int, text: str, configured_zone: str, *, now: datetime | None = None
) -> tuple[ActionResult, UserTime]:
    """Set photo ``file_id`` to a typed date. Without an offset the photo's own zone is assumed
    (else the configured one); returns the action and the time as read, with that assumption."""
    with write_transaction(engine) as conn:
        row = read_one(conn, file_id)
        zone: tzinfo
        if row.effective_offset_minutes is not None:
            zone = fixed_zone(timedelta(minutes=row.effective_offset_minutes))
            label = "the photo's zone"
        else:
            zone, name = parse_zone(configured_zone)
            label = f"the configured zone {name}"
        typed = parse_user_time(text, zone, label, now=now)
        summary = f"set photo {file_id} ({row.name}) to {typed.local.isoformat()}"
        change = Change(row, typed.local, Confidence.HIGH.value)
        return record_values(conn, ActionKind.SET, summary, _with_variants(conn, change)), typed


def _candidate(raw: str, index: int, file_id: int) -> dict[str, Any]:
    try:
        items = json.loads(raw or "[]")
    except json.JSONDecodeError:
        items = []
    if not isinstance(items, list) or not 0 <= index < len(items):
        raise BadDateInput(f"photo {file_id} has no candidate number {index + 1}")
    found = items[index]
    if not isinstance(found, dict) or not found.get("local") or found.get("rejected"):
        why = found.get("rejected") if isinstance(found, dict) else None
        raise BadDateInput(f"candidate {index + 1} of photo {file_id} cannot be used: {why}")
    return found


def pick_candidate(engine: Engine, file_id: int, index: int) -> ActionResult:
    """Make candidate ``index`` (0-based, as stored) photo ``file_id``'s date."""
    with write_transaction(engine) as conn:
        row = read_one(conn, file_id)
        raw = conn.execute(
            sa.select(col(File.candidates_json)).where(col(File.id) == file_id)
        ).scalar_one()
        cand = _candidate(str(raw), index, file_id)
        local = datetime.fromisoformat(str(cand["local"]))
        check_in_range(local, f"candidate {index + 1} of photo {file_id}")
        summary = (
            f"picked {cand.get('source')} {cand.get('raw')!r} for photo {file_id} ({row.name})"
        )
        change = Change(row, to_fixed(local), Confidence.HIGH.value)
        return record_values(conn, ActionKind.PICK, summary, _with_variants(conn, change))


def fill_date(engine: Engine, file_id: int, local: datetime, reason: str) -> ActionResult:
    """Give photo ``file_id`` a date suggested from its neighbours (the person accepted it)."""
    check_in_range(local, f"the suggested date of photo {file_id}")
    with write_transaction(engine) as conn:
        row = read_one(conn, file_id)
        summary = f"filled photo {file_id} ({row.name}) with {local.isoformat()}: {reason}"
        change = Change(row, to_fixed(local), Confidence.MEDIUM.value)
        return record_values(conn, ActionKind.FILL, summary, _with_variants(conn, change))


def accept_proposals(engine: Engine, file_ids: Sequence[int]) -> ActionResult:
    """Confirm the proposed (current) date of each of these photos that has one: HIGH."""
    wanted = sorted(set(file_ids))
    if not wanted:
        raise BadDateInput("no photos chosen to accept")
    with write_transaction(engine) as conn:
        found = 0
        for i in range(0, len(wanted), ID_CHUNK):
            chunk = wanted[i : i + ID_CHUNK]
            query = sa.select(sa.func.count()).select_from(File).where(col(File.id).in_(chunk))
            found += int(conn.execute(query).scalar_one())
        if found < len(wanted):
            raise FileNotInLibrary(f"{len(wanted) - found} of these photos are not in the library")
        now = utcnow()
        action_id = new_action(conn, ActionKind.ACCEPT, "accepted the proposed dates", now)
        for i in range(0, len(wanted), ID_CHUNK):
            part = [col(File.id).in_(wanted[i : i + ID_CHUNK])]
            insert_derived(conn, action_id, now, part, confidence=Confidence.HIGH.value)
        count = decision_count(conn, action_id)
        if count == 0:
            raise DateDecisionError("none of these photos has a proposed date to accept")
        summary = f"accepted the proposed dates of {count:,} photos"
        return apply_action(conn, action_id, ActionKind.ACCEPT, summary)
