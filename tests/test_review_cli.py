"""``photoimport dates ...`` in-process on a real SQLite library (click's CliRunner)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from photoimport.cli import main
from photoimport.enums import Confidence
from tests.review_support import add_job, add_photo, effective


@pytest.fixture
def lib(sqlite_engine: Engine) -> dict[str, int]:
    job = add_job(sqlite_engine)
    return {
        "a": add_photo(sqlite_engine, job, "/p/trip/IMG_0001.JPG", "2021-05-01T10:00:00+02:00"),
        "low": add_photo(
            sqlite_engine,
            job,
            "/p/scan/a.jpg",
            "2020-01-01T12:00:00+01:00",
            make=None,
            model=None,
            confidence=Confidence.LOW,
            source="filename",
        ),
        "job": job,
    }


def _ok(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fails(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    return result.output.strip()


def test_list_set_shift_undo(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    listed = json.loads(_ok("dates", "list", "--format", "json"))
    assert [r["id"] for r in listed] == [lib["low"]]
    assert "id,path,camera,day,local,confidence,reason" in _ok(
        "dates", "list", "--confidence", "low,medium"
    )
    out = _ok("dates", "set", str(lib["low"]), "2020-01-02 08:00:00")
    assert "assumed +01:00 (the photo's zone)" in out
    assert json.loads(_ok("dates", "list", "--format", "json")) == []
    dry = _ok("dates", "shift", "--camera", "Canon EOS 80D", "--by", "-01:00:00", "--dry-run")
    assert "1 photo would change" in dry
    assert "-> 2021-05-01T09:00:00+02:00" in dry
    assert effective(sqlite_engine, lib["a"])[0] == "2021-05-01T10:00:00+02:00"
    _ok(
        "dates",
        "shift",
        "--job",
        str(lib["job"]),
        "--from",
        "2021-05-01",
        "--to",
        "2021-05-01",
        "--by",
        "00:00:10",
        "--days",
        "1",
    )
    assert effective(sqlite_engine, lib["a"])[0] == "2021-05-02T10:00:10+02:00"
    assert "undid shift job" in _ok("dates", "undo")
    assert "history" not in _ok("dates", "history")
    files = json.loads(_ok("files", "--format", "json"))
    row = next(r for r in files if r["id"] == lib["low"])
    assert row["capture_local"] == "2020-01-02T08:00:00+01:00"
    assert row["detected_local"] == "2020-01-01T12:00:00+01:00"
    assert row["decision"].startswith("decision 1 (action 1: set photo")


def test_bad_input_is_one_clear_line_and_changes_nothing(
    sqlite_engine: Engine, lib: dict[str, int]
) -> None:
    assert "cannot read the date 'tomorrow'" in _fails("dates", "set", str(lib["a"]), "tomorrow")
    assert "no photo with id 999" in _fails("dates", "set", "999", "2020-01-01 10:00")
    assert "no photo in the library was taken with a camera named 'Leica M6'" in _fails(
        "dates", "shift", "--camera", "Leica M6", "--by", "01:00:00"
    )
    assert "before 1826" in _fails(
        "dates", "shift", "--camera", "Canon EOS 80D", "--by", "-01:00:00", "--days", "80000"
    )
    assert "future" in _fails(
        "dates", "shift", "--folder", "/p", "--by", "01:00:00", "--days", "3000"
    )
    assert "cannot read the shift" in _fails("dates", "shift", "--job", "1", "--by", "an hour")
    assert "no job number 7" in _fails("dates", "shift", "--job", "7", "--by", "01:00:00")
    assert "there is no date decision to undo" in _fails("dates", "undo")
    assert effective(sqlite_engine, lib["a"]) == ("2021-05-01T10:00:00+02:00", "MEDIUM", None)
