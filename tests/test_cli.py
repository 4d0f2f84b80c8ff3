"""The command line: exit codes, one-line messages for bad input, help text, job control.

Bad input runs the real ``python -m photoimport`` process (no traceback may reach the user);
the rest drives the same click commands in-process with click's CliRunner on a real SQLite file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from photoimport import jobs
from photoimport.cli import main
from photoimport.db.engine import make_engine
from photoimport.db.models import JobKind, JobStatus
from photoimport.db.settings_store import save_import_settings
from photoimport.settings import ImportSettings
from tests.unprivileged import obeying_permissions

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/x"


def run_cli(
    home: Path, *args: str, env: dict[str, str] | None = None, obey_permissions: bool = False
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOIMPORT_")}
    base["PHOTOIMPORT_HOME"] = str(home)
    command = [sys.executable, "-m", "photoimport", *args]
    return subprocess.run(
        obeying_permissions(command) if obey_permissions else command,
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_user_error(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"Error: {message}\n"
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def runner(home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("PHOTOIMPORT_DATABASE_URL", "PHOTOIMPORT_ALLOWED_ROOTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(home))
    return CliRunner()


# --- bad input: a real process, exit 1, one line on stderr ------------------------------


def test_missing_folder(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no such folder"
    assert_user_error(run_cli(home, "import", str(missing)), f"folder not found: {missing}")


def test_unreadable_folder(tmp_path: Path, home: Path, make_jpeg: Callable[..., Path]) -> None:
    locked = tmp_path / "locked"
    shutil.copytree(make_jpeg("p.jpg").parent, locked)
    locked.chmod(0o000)
    try:
        done = run_cli(home, "import", str(locked), obey_permissions=True)
    finally:
        locked.chmod(0o755)
    assert_user_error(done, f"folder not readable (permission denied): {locked}")


def test_job_number_that_does_not_exist(home: Path) -> None:
    for command in ("status", "pause", "resume", "cancel", "errors"):
        assert_user_error(run_cli(home, command, "999"), "no job number 999")
    assert_user_error(run_cli(home, "files", "--job", "999"), "no job number 999")


def test_database_that_cannot_be_reached(home: Path) -> None:
    done = run_cli(home, "jobs", env={"PHOTOIMPORT_DATABASE_URL": UNREACHABLE})
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: cannot reach the database {UNREACHABLE}: ")
    assert "Connection refused" in done.stderr
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_database_url_of_an_unknown_kind(home: Path) -> None:
    done = run_cli(home, "jobs", env={"PHOTOIMPORT_DATABASE_URL": "mysql://x/y"})
    assert_user_error(
        done,
        "PHOTOIMPORT_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, "
        "got 'mysql://x/y'",
    )


def test_usage_errors_exit_2(home: Path) -> None:
    for args in (("status",), ("status", "abc"), ("files", "--format", "xml"), ("frobnicate",)):
        done = run_cli(home, *args)
        assert done.returncode == 2, args
        assert "Usage: photoimport" in done.stderr
        assert "Traceback" not in done.stderr


# --- in-process: help, validation, job control ------------------------------------------


def test_every_command_has_help(runner: CliRunner) -> None:
    def walk(group: click.Group, prefix: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        for name, command in group.commands.items():
            yield [*prefix, name], command
            if isinstance(command, click.Group):
                yield from walk(command, [*prefix, name])

    commands = list(walk(main, []))
    names = {" ".join(path) for path, _ in commands}
    expected = {"import", "jobs", "status", "pause", "resume", "cancel", "errors", "files"}
    assert expected <= names
    assert "watch" in names
    for path, command in commands:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        summary = command.get_short_help_str(limit=1000)
        assert len(summary) > 15, path
        assert f"Usage: main {' '.join(path)}" in result.output


def test_import_refuses_a_folder_outside_the_allowed_roots(
    runner: CliRunner, tmp_path: Path, make_jpeg: Callable[..., Path], home: Path
) -> None:
    make_jpeg("outside/p.jpg")
    (tmp_path / "root").mkdir()
    result = runner.invoke(
        main,
        ["import", str(tmp_path / "root" / ".." / "outside")],
        env={"PHOTOIMPORT_ALLOWED_ROOTS": str(tmp_path / "root")},
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: folder not found: {tmp_path / 'root' / '..' / 'outside'} (imports may only"
    )
    assert not (home / "photoimport.db").exists()  # refused before anything was created


def test_import_refuses_a_folder_without_images(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("no photos here")
    result = runner.invoke(main, ["import", str(tmp_path / "docs")])
    assert result.exit_code == 1
    assert result.stderr == f"Error: no image files in folder: {tmp_path / 'docs'}\n"


def test_jobs_with_an_empty_library(runner: CliRunner) -> None:
    result = runner.invoke(main, ["jobs"])
    assert result.exit_code == 0
    assert result.stdout == "no jobs yet: start one with `photoimport import DIR`\n"
    result = runner.invoke(main, ["files", "--format", "json"])
    assert (result.exit_code, result.stdout) == (0, "[]\n")


def test_pause_cancel_status_on_a_waiting_job(
    runner: CliRunner, home: Path, make_jpeg: Callable[..., Path]
) -> None:
    folder = make_jpeg("album/a.jpg").parent
    engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
    job_id = jobs.create_job(engine, JobKind.DIRECTORY, str(folder), ImportSettings())
    status = runner.invoke(main, ["status", str(job_id)])
    assert status.exit_code == 0
    assert status.stdout.splitlines()[0] == f"job {job_id} (directory): waiting for a worker"
    paused = runner.invoke(main, ["pause", str(job_id)])
    assert (paused.exit_code, paused.stdout) == (0, f"job {job_id}: pause requested\n")
    assert jobs.job_progress(engine, job_id).status is JobStatus.PAUSED
    cancelled = runner.invoke(main, ["cancel", str(job_id)])
    assert (cancelled.exit_code, cancelled.stdout) == (0, f"job {job_id}: cancel requested\n")
    assert jobs.job_progress(engine, job_id).status is JobStatus.CANCELLED
    again = runner.invoke(main, ["pause", str(job_id)])
    assert again.exit_code == 1
    assert again.stderr == f"Error: job {job_id} is cancelled: cannot pause it\n"
    listed = runner.invoke(main, ["jobs"])
    assert listed.stdout.splitlines()[1].split()[:4] == [
        str(job_id),
        "CANCELLED",
        "directory",
        "0/0",
    ]
    assert listed.stdout.splitlines()[1].endswith(str(folder))


def test_resume_runs_a_real_worker_to_completion(
    runner: CliRunner, home: Path, make_jpeg: Callable[..., Path]
) -> None:
    make_jpeg("album/a.jpg", dto="2021:04:11 15:47:53", offset="-05:00", seed=1)
    folder = make_jpeg("album/sub/b.jpg", dto="2019:01:02 03:04:05", seed=2).parent.parent
    engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
    job_id = jobs.create_job(engine, JobKind.DIRECTORY, str(folder), ImportSettings(workers=1))
    assert runner.invoke(main, ["pause", str(job_id)]).exit_code == 0
    resumed = runner.invoke(main, ["resume", str(job_id)])
    assert (resumed.exit_code, resumed.stdout) == (0, f"job {job_id}: resumed\n")
    deadline = time.monotonic() + 90
    while jobs.job_progress(engine, job_id).is_active and time.monotonic() < deadline:
        time.sleep(0.3)
    log = home / "logs" / f"worker-{job_id}.log"
    progress = jobs.job_progress(engine, job_id)
    assert progress.status is JobStatus.COMPLETED, log.read_text()
    files = runner.invoke(main, ["files", "--job", str(job_id)])
    lines = files.stdout.splitlines()
    assert lines[0].startswith("path,sha256,size,type,width,height,capture_local,capture_utc")
    assert sorted(line.split(",")[0] for line in lines[1:]) == [
        str(folder / "a.jpg"),
        str(folder / "sub" / "b.jpg"),
    ]
    a_row = next(line for line in lines if line.startswith(str(folder / "a.jpg")))
    assert ",2021-04-11T15:47:53-05:00,2021-04-11T20:47:53+00:00," in a_row
    status = runner.invoke(main, ["status", str(job_id)])
    assert f"job {job_id} COMPLETED: 2 files in " in status.stdout
    errors = runner.invoke(main, ["errors", str(job_id)])
    assert errors.stdout == f"job {job_id}: no errors\n"


def test_import_wait_of_a_halting_job_exits_1_with_its_reason(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for i in range(4):  # named like photos, made of text: every one fails
        (broken / f"IMG_{i:04d}.jpg").write_text(f"not a JPEG, just text {i}\n")
    engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
    save_import_settings(engine, ImportSettings(error_min_sample=2, workers=1))
    engine.dispose()
    done = run_cli(home, "import", str(broken), "--wait")
    assert done.returncode == 1, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("Error: job 1 ended halted: "), done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    errors = run_cli(home, "errors", "1")
    assert errors.returncode == 0
    assert errors.stdout.count("\n") >= 2
    assert all("\tdetect\t" in line or "\tdecode\t" in line for line in errors.stdout.splitlines())
