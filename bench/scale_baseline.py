"""The baselines of the ``scale`` section: the library totals and the job summary as they were
computed before issue 16 (counting items per view; four aggregate queries over the touched
contents), kept here only to be timed next to the new ones in the same run."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import FILE, ITEM, Confidence, ItemState
from photoimport.library.queries import exact_duplicate_ids


def counted_totals(engine: Engine) -> dict[str, int]:
    """The library totals by counting rows (what the home page did on each view)."""
    linked = ITEM.c.file_id.is_not(None)
    queries = {
        "files": sa.select(sa.func.count()).select_from(FILE),
        "paths": sa.select(sa.func.count(sa.distinct(ITEM.c.path))).where(linked),
        "errors": sa.select(sa.func.count(sa.distinct(ITEM.c.path))).where(
            ITEM.c.state == ItemState.ERROR.value
        ),
        "exact_groups": sa.select(sa.func.count()).select_from(exact_duplicate_ids().subquery()),
        "near_groups": sa.select(sa.func.count(sa.distinct(FILE.c.near_group))),
    }
    conf_q = sa.select(FILE.c.effective_confidence, sa.func.count()).group_by(
        FILE.c.effective_confidence
    )
    with engine.connect() as conn:
        out = {name: int(conn.execute(q).scalar_one()) for name, q in queries.items()}
        for conf, n in conn.execute(conf_q):
            out[f"confidence:{Confidence(str(conf)).value}"] = int(n)
    return out


def aggregated_summary(engine: Engine, job_id: int) -> dict[str, object]:
    """A job's summary figures by the aggregate queries compute_summary ran before issue 16."""
    touched = (
        sa.select(ITEM.c.file_id)
        .where(ITEM.c.job_id == job_id, ITEM.c.file_id.is_not(None))
        .distinct()
        .scalar_subquery()
    )
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                sa.select(ITEM.c.state, sa.func.count())
                .where(ITEM.c.job_id == job_id)
                .group_by(ITEM.c.state)
            ).all()
        )
        confidences = dict(
            conn.execute(
                sa.select(FILE.c.confidence, sa.func.count())
                .where(FILE.c.id.in_(touched))
                .group_by(FILE.c.confidence)
            ).all()
        )
        exact = conn.execute(
            sa.select(sa.func.count()).select_from(
                exact_duplicate_ids(ITEM.c.file_id.in_(touched)).subquery()
            )
        ).scalar_one()
        near = conn.execute(
            sa.select(sa.func.count(sa.distinct(FILE.c.near_group))).where(
                FILE.c.id.in_(touched), FILE.c.near_group.is_not(None)
            )
        ).scalar_one()
    return {"states": states, "confidences": confidences, "exact": exact, "near": near}
