"""The export's front ends: ``photoimport export`` (CliRunner, a real worker for --wait) and the
Export page (AppTest), on a real SQLite library whose files are real JPEGs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from photoimport.cli import main
from photoimport.db.engine import engine_for
from photoimport.db.models import JOB, JobKind
from photoimport.errors import DestinationRefused
from photoimport.export.destination import check_space, free_bytes
from photoimport.settings import load_settings
from tests.export_support import add_photos
from tests.fixtures.app import AppEnv, open_app
from tests.unprivileged import obeying_permissions


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(tmp_path / "home"))
    for name in ("PHOTOIMPORT_DATABASE_URL", "PHOTOIMPORT_ALLOWED_ROOTS"):
        monkeypatch.delenv(name, raising=False)
    engine = engine_for(load_settings())
    add_photos(engine, tmp_path / "photos", 6)
    return engine


def test_dry_run_prints_the_plan_and_writes_nothing(cli_home: Engine, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(dest), "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "IMG_0002.JPG -> 2022/2022-05-01/20220501_120001.jpg" in out  # Paris wall clock
    assert "20220501_120001_1.jpg  (renamed: same name as another photo)" in out
    assert "undated/photos/IMG_0005.jpg" in out
    assert "1 discarded duplicates left out" in out
    assert "5 files to export" in out
    assert "dry run: nothing was written" in out
    assert not dest.exists()


def test_bad_template_is_one_line_and_exit_1(cli_home: Engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(tmp_path / "o"), "-t", "{when}{ext}"])
    assert result.exit_code == 1
    assert "unknown token {when}" in result.output


def test_export_wait_runs_a_worker_and_prints_the_summary(cli_home: Engine, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(dest), "--include-discarded", "--wait"])
    assert result.exit_code == 0, result.output
    assert "exported 6 files: 6 copied" in result.output, result.output
    assert (dest / "manifest.csv").is_file()
    assert len(list(dest.rglob("*.xmp"))) == 6


def test_export_page_previews_then_starts_a_job(app_env: AppEnv, tmp_path: Path) -> None:
    add_photos(app_env.engine, tmp_path / "photos", 4)
    at = open_app()
    at.switch_page("pages/export.py").run()
    at.text_input(key="exp_dest").set_value(str(tmp_path / "out")).run()
    at.button(key="exp_preview_go").click().run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert labels["Files"] == "3"
    assert labels["Without a date"] == "1"
    assert any("discarded" in i.value for i in at.info)
    at.text_input(key="exp_template").set_value("{year}/{nope}{ext}").run()
    assert "unknown token {nope}" in at.error[0].value
    at.text_input(key="exp_template").set_value("{year}/{name}{ext}").run()
    at.button(key="exp_preview_go").click().run()
    at.button(key="exp_start").click().run()
    with app_env.engine.connect() as conn:
        kinds = conn.execute(sa.select(JOB.c.kind)).scalars().all()
    assert kinds == [JobKind.EXPORT.value]
    assert at.query_params["job"] == ["1"] or at.query_params["job"] == "1"


def test_a_destination_that_cannot_be_written_is_refused(cli_home: Engine, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    done = subprocess.run(
        obeying_permissions(
            [sys.executable, "-m", "photoimport", "export", str(locked / "out"), "--dry-run"]
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "is not writable" in done.stderr
    assert not (locked / "out").exists()


def test_a_destination_too_small_is_refused_with_both_sizes(tmp_path: Path) -> None:
    free = free_bytes(tmp_path)
    with pytest.raises(DestinationRefused, match=r"free but the export needs"):
        check_space(tmp_path, free + 1, 1)
    assert check_space(tmp_path, 1, 1) == pytest.approx(free, rel=0.1)


def test_the_gallery_filter_narrows_the_export(cli_home: Engine, tmp_path: Path) -> None:
    dest = str(tmp_path / "out")
    high = CliRunner().invoke(main, ["export", dest, "--dry-run", "--confidence", "HIGH"])
    assert high.exit_code == 0, high.output
    assert "4 files to export" in high.output  # the undated NONE photo is not HIGH
    later = CliRunner().invoke(main, ["export", dest, "--dry-run", "--from", "2022-05-02"])
    assert "0 files to export" in later.output
