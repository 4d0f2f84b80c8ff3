"""Read the duplicate groups: paged, filtered, each with its members' facts and its keeper.

``count_groups`` and ``list_groups`` page through ``DupGroup`` rows in SQL (largest or newest
first, by kind, by job, to review or resolved): a page reads its 10 groups and their members,
never the whole library. ``iter_groups`` streams every group of a filter in pages (the CLI's
``list`` and the rules over a filter).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from photoimport.db.decisions import DupGroup, DupGroupJob, DupMember, DupRules
from photoimport.db.models import FILE, ITEM
from photoimport.duplicates.rules import choose_keeper
from photoimport.duplicates.values import (
    Group,
    GroupKind,
    GroupOrder,
    KeepRule,
    KeepRules,
    Member,
    ResolvePreview,
)
from photoimport.enums import Confidence
from photoimport.errors import GroupNotFound

__all__ = [
    "GroupFilter",
    "count_groups",
    "get_group",
    "groups_in",
    "iter_groups",
    "list_groups",
    "load_rules",
    "rules_outcome",
    "save_rules",
]

GROUP: sa.Table = DupGroup.__table__  # type: ignore[attr-defined]
MEMBER: sa.Table = DupMember.__table__  # type: ignore[attr-defined]
RULES: sa.Table = DupRules.__table__  # type: ignore[attr-defined]
GROUPJOB: sa.Table = DupGroupJob.__table__  # type: ignore[attr-defined]
STREAM_PAGE = 5000  # groups per read: few statements, a bounded batch of members in memory
_CONFIDENCE = {c.value: c for c in Confidence}
_KINDS = {k.value: k for k in GroupKind}
_EXACT = GroupKind.EXACT.value


@dataclass(frozen=True)
class GroupFilter:
    kind: GroupKind | None = None
    job_id: int | None = None  # groups with a member this job saw
    resolved: bool | None = False  # False: to review; True: resolved; None: both
    order: GroupOrder = GroupOrder.LARGEST


def _conditions(flt: GroupFilter) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if flt.kind is not None:
        conds.append(GROUP.c.kind == flt.kind.value)
    if flt.resolved is not None:
        decided = GROUP.c.decision_id.is_not(None)
        conds.append(decided if flt.resolved else sa.not_(decided))
    if flt.job_id is not None:
        in_job = sa.select(GROUPJOB.c.group_id).where(GROUPJOB.c.job_id == flt.job_id)
        conds.append(GROUP.c.id.in_(in_job))
    return conds


def _ordering(order: GroupOrder) -> list[sa.ColumnElement[object]]:
    if order is GroupOrder.NEWEST:
        return [GROUP.c.newest_utc.desc().nulls_last(), GROUP.c.id.desc()]
    return [GROUP.c.size.desc(), GROUP.c.id.desc()]


def count_groups(engine: Engine, flt: GroupFilter) -> int:
    query = sa.select(sa.func.count()).select_from(GROUP).where(*_conditions(flt))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def rules_outcome(engine: Engine, flt: GroupFilter) -> ResolvePreview:
    """What resolving every group of ``flt`` to review by the rules does, counted in SQL: one
    keeper per group; an exact group discards nothing (it is one content)."""
    review = GroupFilter(kind=flt.kind, job_id=flt.job_id, resolved=False)
    query = (
        sa.select(GROUP.c.kind, sa.func.count(), sa.func.sum(GROUP.c.size))
        .where(*_conditions(review))
        .group_by(GROUP.c.kind)
    )
    groups = kept = discarded = 0
    with engine.connect() as conn:
        for kind, count, size in conn.execute(query):
            groups += int(count)
            kept += int(count)
            if kind != GroupKind.EXACT.value:
                discarded += int(size) - int(count)
    return ResolvePreview(groups, kept, discarded)


def list_groups(
    engine: Engine, flt: GroupFilter, rules: KeepRules, offset: int = 0, limit: int = 10
) -> list[Group]:
    """A page of groups, each with its members and the keeper ``rules`` recommend."""
    query = (
        sa.select(*_GROUP_COLUMNS)
        .where(*_conditions(flt))
        .order_by(*_ordering(flt.order))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        return _with_members(conn, rows, rules)


def iter_groups(engine: Engine, flt: GroupFilter, rules: KeepRules) -> Iterator[Group]:
    """Every group of ``flt`` (in id order, ``STREAM_PAGE`` at a time, each page on a connection
    of its own), with members."""
    last = 0
    while True:
        with engine.connect() as conn:
            groups = _page_after(conn, flt, rules, last)
        if not groups:
            return
        yield from groups
        last = groups[-1].id


def groups_in(conn: Connection, flt: GroupFilter, rules: KeepRules) -> Iterator[Group]:
    """``iter_groups`` on one connection: a decision reads the groups it changes in its own
    transaction, so the old values it writes down for undo are the ones it replaces."""
    query = sa.select(*_GROUP_COLUMNS).where(*_conditions(flt)).order_by(GROUP.c.id)
    result = conn.execute(query.execution_options(yield_per=STREAM_PAGE))  # one scan
    for rows in result.partitions():
        yield from _with_members(conn, rows, rules)


def _page_after(conn: Connection, flt: GroupFilter, rules: KeepRules, last: int) -> list[Group]:
    query = (
        sa.select(*_GROUP_COLUMNS)
        .where(*_conditions(flt), GROUP.c.id > last)
        .order_by(GROUP.c.id)
        .limit(STREAM_PAGE)
    )
    return _with_members(conn, conn.execute(query).all(), rules)


def get_group(engine: Engine, group_id: int, rules: KeepRules) -> Group:
    with engine.connect() as conn:
        query = sa.select(*_GROUP_COLUMNS).where(GROUP.c.id == group_id)
        rows = conn.execute(query).all()
        groups = _with_members(conn, rows, rules)
    if not groups:
        raise GroupNotFound(f"no duplicate group number {group_id}")
    return groups[0]


# a group row as ``_with_members`` reads it, by position
_GROUP_COLUMNS = (GROUP.c.id, GROUP.c.kind, GROUP.c.size, GROUP.c.newest_utc, GROUP.c.decision_id)
_MEMBER_COLUMNS = (
    MEMBER.c.group_id,
    FILE.c.id,
    FILE.c.sha256,
    FILE.c.path,
    FILE.c.name,
    FILE.c.format,
    FILE.c.size,
    FILE.c.width,
    FILE.c.height,
    FILE.c.effective_local,
    FILE.c.effective_confidence,
    FILE.c.make,
    FILE.c.model,
    FILE.c.gps_latitude,
    FILE.c.discarded,
    FILE.c.thumbnail,
    FILE.c.effective_utc,
    FILE.c.effective_offset_minutes,
    FILE.c.date_decision_id,
    FILE.c.gps_longitude,
    FILE.c.dup_decision_id,
)


def _with_members(
    conn: Connection, rows: Sequence[sa.Row[*tuple[Any, ...]]], rules: KeepRules
) -> list[Group]:
    """``_GROUP_COLUMNS`` rows as groups, with their members and the keeper ``rules`` choose."""
    ids = [r[0] for r in rows]
    if not ids:
        return []
    found = conn.execute(
        sa.select(*_MEMBER_COLUMNS)
        .join(FILE, FILE.c.id == MEMBER.c.file_id)
        .where(_id_in(MEMBER.c.group_id, ids))
        .order_by(MEMBER.c.group_id, MEMBER.c.file_id)  # the key's order: no sort
    ).all()
    raws = _with_raw(conn, [m[1] for m in found])
    by_group: dict[int, list[Member]] = {}
    for m in found:
        by_group.setdefault(m[0], []).append(_member(m, m[1] in raws))
    exact = [r[0] for r in rows if r[1] == _EXACT]
    paths = _paths(conn, [by_group[g][0].file_id for g in exact if g in by_group])
    groups = []
    for group_id, kind, size, newest, decision in rows:
        members = by_group.get(group_id, [])
        if kind == _EXACT and members:
            one = members[0]
            members = [
                replace(one, path=p, name=p.rsplit("/", 1)[-1])  # a member per path
                for p in sorted(paths.get(one.file_id, [one.path]), key=lambda p: p != one.path)
            ]
        choice = choose_keeper(members, rules) if members else None
        groups.append(  # by position: one per group
            Group(group_id, _KINDS[kind], size, newest, decision, tuple(members), choice)
        )
    return groups


def _member(m: sa.Row[*tuple[Any, ...]], has_raw: bool) -> Member:
    """A ``_MEMBER_COLUMNS`` row as a member. The fields go by position, in ``Member``'s order:
    a resolve builds one per photo, and 23 keywords cost seven times as much per call."""
    (_, file_id, sha, path, name, fmt, size, width, height, local, confidence, make, model) = m[:13]
    (latitude, discarded, thumbnail, utc, offset, date_decision, longitude, decision) = m[13:]
    return Member(
        file_id, sha, path, name, fmt, size, width, height, local,
        _CONFIDENCE.get(confidence, Confidence.NONE), make, model,
        latitude is not None,  # has_gps
        has_raw, bool(discarded), thumbnail,
        1,  # paths
        utc, offset,
        date_decision is not None,  # date_decided
        latitude, longitude, decision,
    )  # fmt: skip


def _with_raw(conn: Connection, file_ids: list[int]) -> set[int]:
    """Which of ``file_ids`` have a RAW variant beside them. The kind is tested here: with it in
    the WHERE clause SQLite walks the kind index (every RAW of the library, for each page of
    groups) instead of looking the ids up in the ``variant_of`` index."""
    if not file_ids:
        return set()
    query = sa.select(FILE.c.variant_of, FILE.c.kind).where(_id_in(FILE.c.variant_of, file_ids))
    return {int(v) for v, kind in conn.execute(query) if kind == "raw"}


def _id_in(column: sa.ColumnElement[Any], ids: Sequence[int]) -> sa.ColumnElement[bool]:
    """``column IN (ids)`` with the integers written into the statement: a page of groups
    compiles in microseconds, where thousands of bound parameters cost milliseconds each time."""
    listed = ", ".join(str(int(i)) for i in ids)
    return column.op("IN")(sa.literal_column(f"({listed})"))


def _paths(conn: Connection, file_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if file_ids:
        query = (
            sa.select(ITEM.c.file_id, ITEM.c.path)
            .where(_id_in(ITEM.c.file_id, file_ids))
            .distinct()
            .order_by(ITEM.c.file_id, ITEM.c.path)
        )
        for fid, path in conn.execute(query):
            found.setdefault(int(fid), []).append(str(path))
    return found


def load_rules(engine: Engine) -> KeepRules:
    """The saved keep-best rules (the defaults until someone saves an order)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(RULES).where(RULES.c.id == 1)).first()
    if row is None:
        return KeepRules()
    order = tuple(KeepRule(name) for name in row.rule_order.split(",") if name)
    rest = tuple(r for r in KeepRules().order if r not in order)
    return KeepRules(order=order + rest, preferred_folders=tuple(json.loads(row.preferred_folders)))


def save_rules(engine: Engine, rules: KeepRules) -> None:
    values = {
        "rule_order": ",".join(r.value for r in rules.order),
        "preferred_folders": json.dumps(list(rules.preferred_folders)),
    }
    with engine.begin() as conn:
        if conn.execute(RULES.update().where(RULES.c.id == 1).values(**values)).rowcount == 0:
            conn.execute(RULES.insert().values(id=1, **values))
