"""Helpers for the watch tests and bench/watch.py: a real watcher subprocess, real JPEGs, waits
that fail with the watcher's and workers' logs, and row counts read from the real database."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner, Result
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from photoimport.cli.watch import watch_group
from photoimport.db.engine import make_engine
from photoimport.db.models import ACTIVE_STATUSES, File, Job, JobItem, WatchedFolder, WatchState
from photoimport.jobs.control import pid_alive

ROOT = Path(__file__).resolve().parent.parent
FAST = ("--quiet-seconds", "1", "--rescan-seconds", "3", "--batch-seconds", "0.5")


@dataclass
class Library:
    home: Path
    engine: Engine

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PHOTOIMPORT_DATABASE_URL", None)
        env.pop("PHOTOIMPORT_ALLOWED_ROOTS", None)
        env["PHOTOIMPORT_HOME"] = str(self.home)
        env["PYTHONPATH"] = str(ROOT)
        return env

    def logs(self) -> str:
        out = []
        for log in sorted((self.home / "logs").glob("*.log")):
            out.append(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        return "\n".join(out)

    def file_count(self) -> int:
        with Session(self.engine) as s:
            return int(s.exec(select(sa.func.count()).select_from(File)).one())

    def items_by_path(self) -> dict[str, list[JobItem]]:
        with Session(self.engine) as s:
            items = s.exec(select(JobItem)).all()
        out: dict[str, list[JobItem]] = {}
        for item in items:
            out.setdefault(item.path, []).append(item)
        return out

    def folder_state(self, folder: Path) -> WatchState | None:
        with Session(self.engine) as s:
            row = s.exec(
                select(WatchedFolder).where(WatchedFolder.path == str(folder.resolve()))
            ).first()
            return WatchState(row.state) if row is not None else None

    def active_jobs(self) -> list[Job]:
        with Session(self.engine) as s:
            return list(
                s.exec(select(Job).where(col(Job.status).in_([a.value for a in ACTIVE_STATUSES])))
            )

    def wait_until(self, pred: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{self.logs()}")

    def settle_jobs(self, timeout: float = 60.0) -> None:
        """Wait for every job to end, so no worker outlives the test."""
        self.wait_until(lambda: not self.active_jobs(), "every job to end", timeout)
        with Session(self.engine) as s:
            pids = [p for p in s.exec(select(Job.worker_pid)).all() if p is not None]
        for pid in pids:
            deadline = time.monotonic() + 10
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)


def open_library(home: Path) -> Library:
    home.mkdir(parents=True, exist_ok=True)
    return Library(home, make_engine(f"sqlite:///{home / 'photoimport.db'}"))


def cli(lib: Library, *args: str) -> Result:
    """``watch`` sub-commands, run in this process on the library's environment."""
    return CliRunner().invoke(watch_group, list(args), env=lib.env, catch_exceptions=False)


@contextmanager
def watcher(lib: Library, folder: Path, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``watch --folder`` process; SIGTERM at the end, then its jobs are waited for."""
    (lib.home / "logs").mkdir(parents=True, exist_ok=True)
    with (lib.home / "logs" / "watcher-test.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "photoimport", "watch", "--folder", str(folder), *FAST, *extra],
            cwd=ROOT,
            env=lib.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        lib.wait_until(
            lambda: proc.poll() is None and lib.folder_state(folder) == WatchState.WATCHING,
            "the watcher to watch the folder",
            timeout=30,
        )
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def jpeg_bytes(i: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG, distinct for each ``i``, with EXIF date and camera."""
    im = Image.new("RGB", size, ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
    px = im.load()
    assert px is not None
    for bit in range(20):  # the index, drawn as a row of black and white blocks
        colour = (255, 255, 255) if i >> bit & 1 else (0, 0, 0)
        for y in range(8):
            for x in range(3):
                px[bit * 3 + x, y] = colour
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0110] = "Watch 1"
    exif.get_ifd(0x8769)[0x9003] = f"2024:05:{1 + i % 28:02d} 10:{i // 60 % 60:02d}:{i % 60:02d}"
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def write_jpeg(path: Path, i: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(i))
    return path
