"""Resolve duplicate groups with decisions: keep some, keep all, not duplicates, the rules over
a filter; and undo any of them.

A decision is a ``DupDecision`` row; every value it changes is a ``DupChange`` row with the old
and the new value, so undo restores exactly what was there. Nothing here touches a file on
disk: "discarded" is ``File.discarded`` (export leaves it out, the gallery hides it by default).

* ``keep(engine, group_id, [ids])``: the others are discarded; a "copies" group's keeper gets
  what the discarded copies know (``duplicates.merge``: date, GPS, camera).
* ``keep_all``: nothing is discarded (a discarded member comes back); the group is resolved.
* ``not_duplicates``: every pair of the members' contents (SHA-256) is remembered, so no rescan
  and no later import groups them again.
* ``resolve_by_rules(engine, flt, rules)``: every group of the filter to review, the rules'
  keeper kept; one decision (one undo). ``preview_rules`` counts first, writing nothing.
* ``undo(engine, decision_id=None)``: the newest decision by default. A value that changed
  since (a later decision, a person's date decision) is left as it is and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import combinations
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from photoimport.db.bulk import paused_gc, roomy_cache
from photoimport.db.decisions import DupChange, DupDecision, DupGroup, NotDuplicate
from photoimport.db.models import utcnow
from photoimport.duplicates.changes import FLAGS, Batch, facts_of, revert, write_batch
from photoimport.duplicates.merge import merge_changes
from photoimport.duplicates.queries import GroupFilter, get_group, groups_in
from photoimport.duplicates.values import (
    Action,
    DecisionInfo,
    Group,
    GroupKind,
    KeepRules,
    ResolvePreview,
)
from photoimport.errors import DuplicateDecisionNotFound, InvalidResolution

__all__ = [
    "keep",
    "keep_all",
    "list_decisions",
    "not_duplicates",
    "preview_rules",
    "resolve_by_rules",
    "undo",
]

GROUP: sa.Table = DupGroup.__table__  # type: ignore[attr-defined]
DECISION: sa.Table = DupDecision.__table__  # type: ignore[attr-defined]
CHANGE: sa.Table = DupChange.__table__  # type: ignore[attr-defined]
NOTDUP: sa.Table = NotDuplicate.__table__  # type: ignore[attr-defined]
CHUNK = 500


def keep(
    engine: Engine, group_id: int, keep_ids: Sequence[int], *, source: str = "cli"
) -> DecisionInfo:
    group = get_group(engine, group_id, KeepRules())
    wanted = set(keep_ids)
    unknown = wanted - {m.file_id for m in group.members}
    if not wanted or unknown:
        listed = ", ".join(str(i) for i in sorted(unknown)) or "none"
        raise InvalidResolution(f"keep needs photos of group {group_id}; not members: {listed}")
    return _decide(engine, Action.KEEP, lambda _: [(group, wanted)], source)


def keep_all(engine: Engine, group_id: int, *, source: str = "cli") -> DecisionInfo:
    group = get_group(engine, group_id, KeepRules())
    everyone = {m.file_id for m in group.members}
    return _decide(engine, Action.KEEP_ALL, lambda _: [(group, everyone)], source)


def not_duplicates(engine: Engine, group_id: int, *, source: str = "cli") -> DecisionInfo:
    group = get_group(engine, group_id, KeepRules())
    if group.kind is GroupKind.EXACT:
        raise InvalidResolution(
            f"group {group_id} is one content (the same bytes) under several paths: "
            "it cannot be 'not duplicates'; keep all instead"
        )
    return _decide(engine, Action.NOT_DUPLICATES, lambda _: [(group, set())], source)


def preview_rules(engine: Engine, flt: GroupFilter, rules: KeepRules) -> ResolvePreview:
    """What ``resolve_by_rules`` would do, written nowhere."""
    batch = Batch()
    with paused_gc(), engine.connect() as conn:
        for group in groups_in(conn, _to_review(flt), rules):
            _count(batch, group)
    total = sum(batch.by_rule.values())
    return ResolvePreview(total, batch.kept, batch.discarded, batch.by_rule)


def resolve_by_rules(
    engine: Engine, flt: GroupFilter, rules: KeepRules, *, source: str = "cli"
) -> DecisionInfo:
    """Every group of ``flt`` to review, its keeper the one ``rules`` choose: one decision. The
    groups are read in the decision's transaction and planned as they stream (no group is kept
    once planned)."""

    def chosen(conn: Connection) -> Iterator[tuple[Group, set[int]]]:
        for group in groups_in(conn, _to_review(flt), rules):
            keeper = group.keeper
            if keeper is not None:
                yield group, {keeper.file_id}

    order = ",".join(r.value for r in rules.order)
    return _decide(engine, Action.RULES, chosen, source, order)


def undo(engine: Engine, decision_id: int | None = None) -> DecisionInfo:
    """Undo a decision (the newest one still in force by default)."""
    with engine.begin() as conn, roomy_cache(conn):
        query = sa.select(DECISION)
        if decision_id is None:
            query = query.where(DECISION.c.undone_at.is_(None)).order_by(DECISION.c.id.desc())
        else:
            query = query.where(DECISION.c.id == decision_id)
        row = conn.execute(query.limit(1)).first()
        if row is None:
            what = (
                "no duplicate decision to undo"
                if decision_id is None
                else (f"no duplicate decision number {decision_id}")
            )
            raise DuplicateDecisionNotFound(what)
        if row.undone_at is not None:
            raise InvalidResolution(f"decision {row.id} was already undone")
        skipped = revert(conn, int(row.id))
        conn.execute(NOTDUP.delete().where(NOTDUP.c.decision_id == row.id))
        note = f"; {skipped} values changed since were left as they are" if skipped else ""
        summary = f"{row.summary} (undone{note})"
        conn.execute(
            DECISION.update()
            .where(DECISION.c.id == row.id)
            .values(undone_at=utcnow(), summary=summary)
        )
        done = conn.execute(sa.select(DECISION).where(DECISION.c.id == row.id)).one()
    return _info(done)


def list_decisions(engine: Engine, limit: int = 20) -> list[DecisionInfo]:
    query = sa.select(DECISION).order_by(DECISION.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(query)]


# --- planning and writing ----------------------------------------------------------------


def _to_review(flt: GroupFilter) -> GroupFilter:
    return GroupFilter(kind=flt.kind, job_id=flt.job_id, resolved=False, order=flt.order)


def _count(batch: Batch, group: Group) -> None:
    rule = group.choice.rule if group.choice else ""
    batch.by_rule[rule] = batch.by_rule.get(rule, 0) + 1
    if group.kind is GroupKind.EXACT:
        batch.kept += 1
    else:
        batch.kept += 1
        batch.discarded += len(group.members) - 1


Plan = Callable[[Connection], Iterable[tuple[Group, set[int]]]]  # each group, the ids it keeps


def _decide(
    engine: Engine, action: Action, plan: Plan, source: str, rules: str | None = None
) -> DecisionInfo:
    with paused_gc(), engine.begin() as conn, roomy_cache(conn):
        inserted = conn.execute(
            DECISION.insert().values(
                action=action.value,
                source=source,
                summary="",
                rules=rules,
                groups=0,
                created_at=utcnow(),
            )
        ).inserted_primary_key
        assert inserted is not None
        decision = int(inserted[0])
        batch = Batch()
        for group, kept in plan(conn):
            _plan(batch, decision, group, kept, action)
        if not batch.groups:  # rolls the decision back
            raise InvalidResolution("no group to review matches the filter")
        write_batch(conn, decision, batch)
        conn.execute(
            DECISION.update()
            .where(DECISION.c.id == decision)
            .values(summary=_summary(action, batch), groups=len(batch.groups))
        )
        row = conn.execute(sa.select(DECISION).where(DECISION.c.id == decision)).one()
    return _info(row)


def _summary(action: Action, batch: Batch) -> str:
    count = len(batch.groups)
    groups = f"{count:,} group{'s' if count != 1 else ''}"
    if action is Action.NOT_DUPLICATES:
        return f"{groups}: not duplicates ({len(batch.pairs)} pairs remembered)"
    merged = len({c.file_id for c in batch.files if c.field not in FLAGS})
    extra = f", {merged} keepers got facts from their copies" if merged else ""
    return f"{groups}: kept {batch.kept:,}, discarded {batch.discarded:,}{extra}"


def _plan(batch: Batch, decision: int, group: Group, kept: set[int], action: Action) -> None:
    batch.groups.append((group.id, group.decision_id))
    if group.kind is GroupKind.EXACT:
        batch.kept += 1
        return
    if action is Action.NOT_DUPLICATES:
        shas = sorted({m.sha256 for m in group.members})
        batch.pairs.update(combinations(shas, 2))
        return
    gone = []
    for m in group.members:
        discard = m.file_id not in kept
        batch.mark(m, discard, decision)
        if discard:
            batch.discarded += 1
            gone.append(m)
        else:
            batch.kept += 1
    if group.kind is GroupKind.COPIES and gone:
        facts = [facts_of(m) for m in gone]
        for m in group.members:
            if m.file_id in kept:
                batch.files.extend(merge_changes(facts_of(m), facts))


def _info(row: sa.Row[*tuple[Any, ...]]) -> DecisionInfo:
    created: datetime = row.created_at
    return DecisionInfo(
        id=int(row.id),
        action=Action(row.action),
        created_at=created,
        undone_at=row.undone_at,
        summary=str(row.summary),
        groups=int(row.groups),
    )
