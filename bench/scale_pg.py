"""PostgreSQL with 1, 2 and 4 worker processes on one job, and the cost of a batch commit.

``pg_server()`` starts a throw-away server from Debian's binaries (as the test fixture does:
``runuser -u postgres`` when root) with ``synchronous_commit=off``: this VM's disk is shared
and a flush takes 100-200 ms under load, which would measure the disk, not the server's work
(on a production server with a fast WAL device a flush costs well under a millisecond).

``multi_worker_job(url, folder, workers)``: a folder job in a fresh database, ``workers``
``python -m worker run --job N`` processes started together, each with a pool of one process
(so 4 workers are 4 processes on 2 cores), timed from the first start to COMPLETED.

``commit_cost(url, batch)``: the worker's ``commit_batch`` for generated new files, replayed
in-process: wall milliseconds per commit with one client, and the server's CPU per commit
(the postgres processes' CPU time over the run, from ``/proc``), which is what bounds how many
hosts one server can feed.
"""

from __future__ import annotations

import os
import pwd
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import psycopg

from bench.scale_flat import OWNER, _file
from photoimport.db.claims import claim_items, commit_batch, is_known
from photoimport.db.engine import make_engine
from photoimport.db.models import ItemState, JobKind, JobStatus
from photoimport.db.work import ItemOutcome
from photoimport.jobs.control import job_progress
from photoimport.jobs.create import create_job
from photoimport.settings import ImportSettings

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PgServer:
    port: int
    base: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def pg_server() -> Iterator[PgServer]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql)")
    bindir = found[-1].parent
    base = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data, log = base / "data", base / "server.log"
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
         "-E", "UTF8"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=100"
        " -c synchronous_commit=off"  # a commit does not wait for this VM's slow, shared disk
    )
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
         "-t", "60", "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield PgServer(port, base)
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def _server_cpu(base: Path) -> float:
    """CPU seconds so far of the server: its postmaster and every live child (backends too)."""
    pid = int((base / "data" / "postmaster.pid").read_text().split()[0])
    main = psutil.Process(pid)
    total = 0.0
    for proc in [main, *main.children()]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass(frozen=True)
class MultiRun:
    workers: int
    files: int
    seconds: float
    cpu_seconds: float  # the worker processes and their pools (user + system)

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds


def multi_worker_job(url: str, folder: Path, workers: int, home: Path) -> MultiRun:
    env = {**os.environ, "PHOTOIMPORT_HOME": str(home), "PHOTOIMPORT_DATABASE_URL": url}
    engine = make_engine(url)
    settings = ImportSettings(workers=1, timezone="UTC")
    job_id = create_job(engine, JobKind.DIRECTORY, str(folder), settings)
    cpu0 = _children_cpu()
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "worker", "run", "--job", str(job_id)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    time.sleep(0.3)  # the first takes the job (and lists it); the others join it
    procs += [
        subprocess.Popen(
            [sys.executable, "-m", "worker", "run", "--job", str(job_id)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers - 1)
    ]
    while True:
        prog = job_progress(engine, job_id)
        if prog.status is JobStatus.COMPLETED:
            break
        if all(p.poll() is not None for p in procs) and prog.status is not JobStatus.RUNNING:
            raise RuntimeError(f"job {job_id} ended {prog.status}: {prog.message}")
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    for p in procs:
        p.wait(timeout=120)
    engine.dispose()
    return MultiRun(workers, prog.total, seconds, _children_cpu() - cpu0)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CommitCost:
    batch: int
    commits: int
    wall_ms: float  # per commit, one client
    server_cpu_ms: float  # per batch (claim, look-ups, commit), the server's processes


def commit_cost(server: PgServer, url: str, files: int, batch: int) -> CommitCost:
    engine = make_engine(url)
    paths = [Path(f"/scale/pg/{i:06d}.jpg") for i in range(files)]
    job_id = create_job(engine, JobKind.UPLOAD, "bench", ImportSettings(), paths=paths)
    rng = random.Random(4)
    spent, commits = 0.0, 0
    cpu0 = _server_cpu(server.base)
    while True:  # what the worker asks the server per batch: claim, look-ups, commit
        items = claim_items(engine, job_id, OWNER, batch, 600.0)
        if not items:
            break
        rows = {i.id: _file(rng, i.path) for i in items}
        for row in rows.values():
            is_known(engine, row.sha256)
        outcomes = [
            ItemOutcome(i.id, i.path, ItemState.DONE, sha256=rows[i.id].sha256, file=rows[i.id])
            for i in items
        ]
        t0 = time.perf_counter()
        commit_batch(engine, job_id, OWNER, outcomes, current_file=items[-1].path)
        spent += time.perf_counter() - t0
        commits += 1
    cpu = _server_cpu(server.base) - cpu0
    engine.dispose()
    return CommitCost(batch, commits, 1000 * spent / commits, 1000 * cpu / commits)
