"""photoimport.db.claims on real SQLite and PostgreSQL: taking a job, exclusive claims from
concurrent processes, expired leases, exactly-once commits and one File row per content."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db import claims
from photoimport.db.engine import make_engine
from photoimport.db.models import (
    EXPORT_ITEM,
    FILE,
    ITEM,
    JOB,
    File,
    ItemState,
    JobKind,
    JobStatus,
    utcnow,
)
from photoimport.db.work import ClaimedItem, ItemOutcome, TakeResult
from photoimport.jobs.control import create_job
from photoimport.settings import ImportSettings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'p.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Engine:
    return make_engine(db_url)


def new_job(engine: Engine, n: int) -> int:
    return create_job(
        engine,
        JobKind.UPLOAD,
        "test",
        ImportSettings(),
        [Path(f"/p/{i:04d}.jpg") for i in range(n)],
    )


def file_row(sha: str, job_id: int) -> File:
    return File(
        sha256=sha, path=f"/p/{sha}.jpg", name=f"{sha}.jpg", size=10, mime="image/jpeg",
        format="JPEG", width=1, height=1, display_width=1, display_height=1, first_job_id=job_id,
    )  # fmt: skip


def done(item: ClaimedItem, sha: str, job_id: int) -> ItemOutcome:
    return ItemOutcome(item.id, item.path, ItemState.DONE, sha, file_row(sha, job_id))


def failed(item: ClaimedItem, reason: str) -> ItemOutcome:
    return ItemOutcome(
        item.id, item.path, ItemState.ERROR, error_stage="decode", error_reason=reason
    )


def job_row(engine: Engine, job_id: int) -> sa.RowMapping:
    with engine.connect() as conn:
        return conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().one()


def test_take_job_then_join_then_refuse_when_completed(engine: Engine) -> None:
    job_id = new_job(engine, 3)
    stale = utcnow() - timedelta(seconds=10)
    assert claims.take_job(engine, job_id, 11, "h1", stale) is TakeResult.TOOK
    row = job_row(engine, job_id)
    assert (row["status"], row["worker_pid"], row["worker_host"]) == ("RUNNING", 11, "h1")
    assert row["heartbeat_at"] is not None
    assert claims.take_job(engine, job_id, 12, "h2", stale) is TakeResult.JOINED
    assert job_row(engine, job_id)["worker_pid"] == 11  # the joiner does not take the row
    with engine.begin() as conn:
        conn.execute(JOB.update().values(status=JobStatus.COMPLETED.value))
    assert claims.take_job(engine, job_id, 13, "h3", stale) is TakeResult.REFUSED


def test_stale_running_job_is_taken_over_and_its_claims_return(engine: Engine) -> None:
    job_id = new_job(engine, 5)
    stale = utcnow() - timedelta(seconds=10)
    claims.take_job(engine, job_id, 11, "h1", stale)
    held = claims.claim_items(engine, job_id, "dead", 3, lease_seconds=600)
    assert len(held) == 3
    with engine.begin() as conn:  # the first worker died 60 s ago
        conn.execute(JOB.update().values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    assert claims.take_job(engine, job_id, 22, "h2", stale) is TakeResult.TOOK
    assert job_row(engine, job_id)["worker_pid"] == 22
    again = claims.claim_items(engine, job_id, "new", 10, lease_seconds=60)
    assert [c.path for c in again] == [f"/p/{i:04d}.jpg" for i in range(5)]
    assert all(c.attempts == (2 if c.id in {h.id for h in held} else 1) for c in again)


def test_taking_over_an_export_gives_back_its_export_claims_in_the_same_step(
    engine: Engine,
) -> None:
    """An export's items live in their own table: a take-over gives back *those* claims, and
    the leases are extended and given back through the same functions as an import's."""
    importing = new_job(engine, 2)
    claims.claim_items(engine, importing, "import-worker", 2, lease_seconds=600)
    with engine.begin() as conn:
        job = conn.execute(
            JOB.insert()
            .values(kind=JobKind.EXPORT.value, source="/out", total=4)
            .returning(JOB.c.id)
        ).scalar_one()
        rows = [file_row(f"{i:064d}", job).model_dump(exclude={"id"}) for i in range(4)]
        conn.execute(sa.insert(FILE), rows)
        files = conn.execute(sa.select(FILE.c.id).order_by(FILE.c.id)).scalars().all()
        conn.execute(
            sa.insert(EXPORT_ITEM),
            [
                {"job_id": job, "file_id": f, "target": f"t{n}.jpg", "state": "claimed",
                 "lease_owner": "dead", "lease_expires_at": utcnow() + timedelta(hours=1),
                 "attempts": 1}
                for n, f in enumerate(files)
            ],
        )  # fmt: skip
    stale = utcnow() - timedelta(seconds=10)
    assert claims.take_job(engine, job, 31, "h1", stale, EXPORT_ITEM) is TakeResult.TOOK
    with engine.connect() as conn:
        states = conn.execute(
            sa.select(EXPORT_ITEM.c.state, EXPORT_ITEM.c.lease_owner).where(
                EXPORT_ITEM.c.job_id == job
            )
        ).all()
        import_states = conn.execute(sa.select(ITEM.c.state).where(ITEM.c.job_id == importing))
        assert set(import_states.scalars()) == {"claimed"}  # another job's claims: untouched
        assert states == [("pending", None)] * 4
        assert claims.items_open(conn, job, EXPORT_ITEM)
    with engine.begin() as conn:
        conn.execute(
            EXPORT_ITEM.update()
            .where(EXPORT_ITEM.c.target.in_(["t0.jpg", "t1.jpg"]))
            .values(state="claimed", lease_owner="me", attempts=2)
        )
    assert claims.extend_leases(engine, job, "me", 60, EXPORT_ITEM) == 2
    assert claims.release_owner(engine, job, "me", EXPORT_ITEM) == 2
    with engine.connect() as conn:
        attempts = conn.execute(
            sa.select(EXPORT_ITEM.c.attempts).where(EXPORT_ITEM.c.target == "t0.jpg")
        ).scalar_one()
    assert attempts == 1  # a clean give-back takes its attempt back


def test_claims_are_exclusive_and_expired_leases_come_back(engine: Engine) -> None:
    job_id = new_job(engine, 10)
    a = claims.claim_items(engine, job_id, "a", 4, lease_seconds=60)
    b = claims.claim_items(engine, job_id, "b", 4, lease_seconds=-1)  # already expired
    assert len(a) == 4
    assert len(b) == 4
    assert not {i.id for i in a} & {i.id for i in b}
    c = claims.claim_items(engine, job_id, "c", 10, lease_seconds=60)
    assert {i.id for i in c} == {i.id for i in b} | (
        set(range(1, 11)) - {i.id for i in a} - {i.id for i in b}
    )
    assert claims.release_owner(engine, job_id, "a") == 4
    assert len(claims.claim_items(engine, job_id, "d", 10, lease_seconds=60)) == 4


def test_commit_batch_counts_links_and_makes_one_file_row_per_content(engine: Engine) -> None:
    job_id = new_job(engine, 4)
    items = claims.claim_items(engine, job_id, "w", 4, lease_seconds=60)
    sha = "a" * 64
    outcomes = [
        done(items[0], sha, job_id),
        done(items[1], sha, job_id),  # the same new content in one batch: one File row, SKIPPED
        failed(items[2], "truncated JPEG"),
        ItemOutcome(items[3].id, items[3].path, ItemState.SKIPPED, sha),
    ]
    counts = claims.commit_batch(engine, job_id, "w", outcomes, current_file=items[3].path)
    assert (counts.done, counts.errors, counts.skipped, counts.dropped) == (4, 1, 2, 0)
    with engine.connect() as conn:
        files = conn.execute(sa.select(FILE.c.id, FILE.c.sha256)).all()
        states = conn.execute(
            sa.select(ITEM.c.state, ITEM.c.file_id, ITEM.c.error_reason).order_by(ITEM.c.id)
        ).all()
    assert len(files) == 1
    fid = files[0][0]
    assert [tuple(s) for s in states] == [
        ("done", fid, None),
        ("skipped", fid, None),
        ("error", None, "truncated JPEG"),
        ("skipped", fid, None),
    ]
    row = job_row(engine, job_id)
    assert (row["done"], row["errors"], row["skipped"], row["current_file"]) == (
        4,
        1,
        2,
        items[3].path,
    )


def test_a_result_for_an_item_taken_over_is_dropped(engine: Engine) -> None:
    job_id = new_job(engine, 1)
    [item] = claims.claim_items(engine, job_id, "slow", 1, lease_seconds=-1)
    [again] = claims.claim_items(engine, job_id, "fast", 1, lease_seconds=60)
    assert again.id == item.id
    fast = claims.commit_batch(engine, job_id, "fast", [done(item, "b" * 64, job_id)], None)
    slow = claims.commit_batch(engine, job_id, "slow", [failed(item, "late")], None)
    assert (fast.done, slow.done, slow.dropped) == (1, 0, 1)
    row = job_row(engine, job_id)
    assert (row["done"], row["errors"]) == (1, 0)


CLAIMER = """
import json, pathlib, sys, time
from photoimport.db import claims
from photoimport.db.engine import make_engine
engine = make_engine(sys.argv[1])
go = pathlib.Path(sys.argv[4])
(go.parent / (sys.argv[3] + ".ready")).touch()
while not go.exists():
    time.sleep(0.01)
got = []
while True:
    time.sleep(0.005)
    batch = claims.claim_items(engine, int(sys.argv[2]), sys.argv[3], 7, 60)
    if not batch:
        break
    got += [i.id for i in batch]
print(json.dumps(got))
"""


def test_four_processes_claiming_at_once_each_get_distinct_items(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    job_id = new_job(engine, 400)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, db_url, str(job_id), f"w{i}", str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("*.ready"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()  # all four start claiming together
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, results
    claimed = [json.loads(out) for out, _ in results]
    every = [i for ids in claimed for i in ids]
    assert sorted(every) == list(range(1, 401))  # each item once, none lost
    assert sum(1 for ids in claimed if ids) >= 2  # the work really was shared
