"""A deployment that fails closed: passwords never shown, bad URLs in one line, no traceback
for a visitor, names shown as text, CSV cells that are never formulas, no control characters on
the terminal, the dashboard on 127.0.0.1 with Streamlit's upload limit at the app's cap, a full
disk while saving an upload, and uploads/<id>/ left by an older library."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from photoimport import jobs
from photoimport.cli import main
from photoimport.db.engine import make_engine
from photoimport.display import markdown_text, plain_text, spreadsheet_cell
from photoimport.errors import ConfigError, DatabaseError, UploadRejected, hide_passwords
from photoimport.library.rows import ExportFormat, write_rows
from photoimport.settings import load_settings
from photoimport.sources.uploads import UploadCaps, save_upload_batch
from tests.fixtures.db import TEST_IMPORTS
from tests.test_uploads import Upload

ROOT = Path(__file__).resolve().parent.parent
BAD_URLS = [
    "postgresql+psycopg://bob:hunter2@db.example:notaport/photos",  # non-numeric port
    "postgresql+nodriver://bob:hunter2@db.example/photos",  # unknown driver
    "mysql://bob:hunter2@db.example/photos",  # not a database photoimport uses
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_database_url_is_one_clear_line_without_its_password(url: str) -> None:
    with pytest.raises((DatabaseError, ConfigError)) as caught:
        make_engine(url) if url.startswith("postgresql") else load_settings(
            {"PHOTOIMPORT_DATABASE_URL": url, "PHOTOIMPORT_HOME": "/tmp"}
        )
    message = str(caught.value)
    assert "hunter2" not in message
    assert "bob:***@" in message
    assert "\n" not in message


def test_the_cli_says_a_bad_url_in_one_line_on_stderr_without_the_password(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "photoimport", "jobs"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PHOTOIMPORT_HOME": str(tmp_path),
            "PHOTOIMPORT_DATABASE_URL": BAD_URLS[0],
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "hunter2" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: database URL 'postgresql+psycopg://bob:***@")
    assert "its port is not a number" in result.stderr


def test_hide_passwords() -> None:
    text = "cannot reach postgresql://me:p4ss@host/db nor sqlite:////a/b.db"
    assert hide_passwords(text) == "cannot reach postgresql://me:***@host/db nor sqlite:////a/b.db"


def test_names_and_tags_are_text_never_markdown_html_or_terminal_codes() -> None:
    name = "**x** :red[y] <img src=x onerror=alert(1)> [a](javascript:x) `c`\x1b[2J\u202egpj.jpg"
    shown = markdown_text(name)
    assert re.search(r"(?<!\\)[*\[\]<>`]|(?<!\\):red", shown) is None  # all escaped
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    assert markdown_text("folder not found: /tmp/IMG_0001.jpg") == (
        "folder not found: /tmp/IMG_0001.jpg"  # plain messages read unchanged
    )
    assert plain_text("a\x1b[31mb\x07\u202ec") == "a\\x1b[31mb\\x07\\u202ec"


def test_csv_cells_cannot_be_formulas() -> None:
    for value in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        cell = spreadsheet_cell(value)
        assert isinstance(cell, str)
        assert cell.startswith("'")
    assert spreadsheet_cell("IMG_0001.jpg") == "IMG_0001.jpg"
    assert spreadsheet_cell(-3) == -3  # numbers stay numbers


def test_a_visitor_never_sees_a_traceback_and_the_details_are_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(tmp_path))

    def page() -> None:
        from widgets.errors import guarded

        def broken() -> None:
            raise ZeroDivisionError("secret internals postgresql://u:pw@h/db")

        guarded(broken)

    at = AppTest.from_function(page, default_timeout=30).run()
    assert not at.exception
    shown = at.error[0].value
    assert shown.startswith("Something went wrong on this page (ZeroDivisionError).")
    assert "logs/dashboard.log" in shown
    assert "secret" not in shown
    log = (tmp_path / "logs" / "dashboard.log").read_text()
    assert "Traceback" in log
    assert "ZeroDivisionError" in log
    assert "pw@" not in log


def test_streamlit_listens_on_localhost_hides_errors_and_caps_uploads_like_the_app() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] == UploadCaps().max_total_bytes // 1_000_000


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs (needs root, as make test runs in CI; anywhere else this fails, loudly)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, f"cannot mount a small tmpfs: {done.stderr.decode().strip()}"
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_disk_full_while_saving_an_upload_leaves_nothing_and_says_so(tiny_disk: Path) -> None:
    uploads_dir = tiny_disk / "uploads"
    files = [Upload(f"IMG_{n}.jpg", b"\xff\xd8\xff" + bytes(100_000)) for n in range(4)]
    with pytest.raises(UploadRejected, match=r"^the disk is full: the upload was not saved"):
        save_upload_batch(files, uploads_dir)
    assert list(uploads_dir.iterdir()) == []  # the partial staging folder is gone


def test_uploads_id_left_by_an_older_library_does_not_break_a_new_upload(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    uploads_dir = tmp_path / "uploads"
    (uploads_dir / "1").mkdir(parents=True)
    (uploads_dir / "1" / "old.jpg").write_bytes(b"old")  # job 1 of a library since deleted
    staged = uploads_dir / ".incoming-x"
    staged.mkdir()
    (staged / "new.jpg").write_bytes(b"new")
    job_id = jobs.create_upload_job(sqlite_engine, uploads_dir, staged, TEST_IMPORTS)
    assert job_id == 1
    assert (uploads_dir / "1" / "old.jpg").read_bytes() == b"old"  # left alone
    assert (uploads_dir / "1-2" / "new.jpg").read_bytes() == b"new"
    assert jobs.job_progress(sqlite_engine, job_id).source == str(uploads_dir / "1-2")


def test_cli_lines_carry_no_raw_control_characters(tmp_path: Path) -> None:
    out = io.StringIO()
    write_rows([], out, ExportFormat.CSV)
    header = next(iter(csv.reader(io.StringIO(out.getvalue()))))
    assert header[0] == "path"
    result = CliRunner().invoke(main, ["import", str(tmp_path / "no\x1b[2Jwhere")])
    assert result.exit_code == 1
    assert "\x1b" not in result.output + result.stderr
    assert "no\\x1b[2Jwhere" in result.stderr
