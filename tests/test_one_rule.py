"""Rules that used to be written twice and drifted (issue 9), each driven through a real front end.

* One walker, ignore rule and sniffer: a file the folder import records as failed (an
  unsupported JPEG XL, a JPEG whose header is damaged) is recorded the same way, with the same
  reason, when it lands in a watched folder (it used to be dropped there silently).
* One settings table: a near-duplicate distance out of range is refused where it is entered
  (the settings store and the Settings page), and a stored out-of-range value is refused when a
  job is created, with the setting's name, instead of failing the job at its end.
* One display zone: the CLI and the pages show a job's times in the same (stored) zone.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from photoimport.db.models import Job, JobItem, StoredSettings
from photoimport.db.settings_store import save_import_settings
from photoimport.errors import ConfigError
from photoimport.settings import ImportSettings, validate_import_settings
from tests.fixtures.app import AppEnv
from tests.watch_support import Library, open_library, watcher, write_jpeg

ROOT = Path(__file__).resolve().parent.parent
JXL = b"\xff\x0a" + bytes(range(200))  # a JPEG XL codestream header: an image we cannot read
DAMAGED_JPEG = b"\x00\x00\xff\xe0\x00\x10JFIF\x00" + b"\x13\x37" * 300  # its SOI is gone
CR3_STUB = b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom" + bytes(64)  # a cut Canon raw


def _run_cli(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {"PHOTOIMPORT_HOME": str(home), "PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "photoimport", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def _fill(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_jpeg(folder / "good.jpg", 3)
    (folder / "still.jxl").write_bytes(JXL)
    (folder / "damaged.jpg").write_bytes(DAMAGED_JPEG)
    (folder / "IMG_0001.CR3").write_bytes(CR3_STUB)


def _reasons(engine: Engine) -> dict[str, tuple[str, str | None, str | None]]:
    with Session(engine) as s:
        items = s.exec(select(JobItem).order_by(col(JobItem.id))).all()
    return {Path(i.path).name: (i.state, i.error_stage, i.error_reason) for i in items}


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return open_library(tmp_path / "home")


@pytest.mark.slow
def test_watched_folder_records_bad_images_exactly_as_a_folder_import(
    lib: Library, tmp_path: Path
) -> None:
    folder_lib = open_library(tmp_path / "folder-home")
    source = tmp_path / "pile"
    _fill(source)
    done = _run_cli(folder_lib.home, "import", str(source), "--wait")
    assert done.returncode in (0, 1), done.stderr
    by_folder = _reasons(folder_lib.engine)
    assert set(by_folder) == {"good.jpg", "still.jxl", "damaged.jpg", "IMG_0001.CR3"}
    assert by_folder["good.jpg"][0] == "done"
    assert by_folder["damaged.jpg"][0] == "error"  # no image at all: its start is gone
    assert by_folder["still.jxl"][0] == "error"  # JPEG XL: no decoder

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with watcher(lib, inbox):
        _fill(inbox)
        lib.wait_until(lambda: len(_reasons(lib.engine)) == 4, "all four files to be queued")
        lib.settle_jobs()
    by_watch = _reasons(lib.engine)
    assert by_watch == by_folder  # same state, same stage, same reason, file by file


def test_out_of_range_distance_is_refused_by_the_store() -> None:
    bad = ImportSettings(near_duplicate_distance=25)
    with pytest.raises(ConfigError, match="near_duplicate_distance must be between 0 and 24"):
        validate_import_settings(bad)


def test_settings_page_cannot_enter_a_distance_the_grouping_refuses(app_env: AppEnv) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
    at.switch_page("pages/settings.py").run()
    slider = at.slider(key="s_distance")
    assert slider.max == 24  # the table's range, the same one grouping enforces
    assert not at.exception


def test_a_stored_out_of_range_setting_is_refused_at_job_creation(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _run_cli(home, "jobs")  # creates and migrates the library
    assert first.returncode == 0, first.stderr
    from photoimport.db.engine import make_engine

    engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
    bad = json.loads(ImportSettings(timezone="UTC").to_json()) | {"near_duplicate_distance": 30}
    with Session(engine) as s:  # an old library's stored value, written before the range existed
        s.add(StoredSettings(id=1, settings_json=json.dumps(bad)))
        s.commit()
    source = tmp_path / "pile"
    _fill(source)
    done = _run_cli(home, "import", str(source))
    assert done.returncode == 1
    assert "near_duplicate_distance must be between 0 and 24, got 30" in done.stderr
    assert "Traceback" not in done.stderr
    with Session(engine) as s:
        assert s.exec(select(Job)).all() == []  # refused before anything was written


@pytest.fixture
def tokyo_library(app_env: AppEnv) -> AppEnv:
    save_import_settings(app_env.engine, ImportSettings(timezone="Asia/Tokyo"))
    return app_env


def test_cli_and_pages_show_job_times_in_the_same_zone(tokyo_library: AppEnv) -> None:
    env = tokyo_library
    from photoimport.db.models import JobKind, JobStatus

    started = datetime(2026, 3, 1, 3, 4, 5, tzinfo=ZoneInfo("UTC"))  # 12:04:05 in Tokyo
    with Session(env.engine) as s:
        s.add(
            Job(
                kind=JobKind.DIRECTORY,
                source="/photos",
                status=JobStatus.COMPLETED,
                created_at=started,
                started_at=started,
                finished_at=started,
            )
        )
        s.commit()
    cli = _run_cli(env.home, "jobs", env={"TZ": "America/New_York"})
    assert cli.returncode == 0, cli.stderr
    assert re.search(r"2026-03-01 12:04", cli.stdout), cli.stdout
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
    at.switch_page("pages/jobs.py").run()
    frame = at.dataframe[0].value
    shown = frame["started"].iloc[0]
    assert (shown.hour, shown.minute) == (12, 4)
