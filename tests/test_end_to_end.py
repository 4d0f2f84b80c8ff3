"""End to end: ``photoimport import tests/corpus --wait`` in a real process, then ``files``.

A real CLI process creates the job and launches the real detached worker on a real SQLite file
(``PHOTOIMPORT_HOME`` in tmp_path); the exported rows are compared with MANIFEST.csv.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.fixtures.corpus import CORPUS, manifest_rows
from tests.fixtures.extra import extra_rows

ROOT = Path(__file__).resolve().parent.parent
# Pillow decodes this truncated HEIC; the pipeline may keep it or refuse it, but consistently.
DECODABLE_BROKEN = "pillow-heif/heif_truncated/truncated.heic"
# issue 11: tests/corpus/extra holds RAW, video and sidecar cases; its sidecars are not listed
EXTRA_MEDIA = {
    f"extra/{r['path']}": r["kind"] for r in extra_rows() if not r["kind"].endswith(("json", "car"))
}
TOTAL = 98 + len(EXTRA_MEDIA)


def cli(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOIMPORT_")}
    env["PHOTOIMPORT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "photoimport", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library home after one ``import tests/corpus --wait`` (the slow part, done once)."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    done = cli(home, "import", "tests/corpus", "--wait", timeout=280)
    log = home / "logs" / "worker-1.log"
    assert done.returncode == 0, done.stderr + (
        log.read_text() if log.exists() else "no worker log"
    )
    return home


def relative(path: str) -> str:
    return Path(path).relative_to(CORPUS).as_posix()


@pytest.mark.slow
def test_import_wait_prints_progress_and_the_summary(imported: Path) -> None:
    status = cli(imported, "status", "1")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0] == "job 1 (directory): completed"
    assert lines[1] == f"  source:   {CORPUS}"
    assert lines[2] == f"  progress: {TOTAL}/{TOTAL} (100.0 %)"
    assert any(line.startswith(f"job 1 COMPLETED: {TOTAL} files in ") for line in lines)
    assert any(line.startswith("  kinds: ") and "raw " in line for line in lines)
    assert (imported / "photoimport.db").is_file()


@pytest.mark.slow
def test_files_json_matches_the_manifest(imported: Path) -> None:
    done = cli(imported, "files", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    by_path = {relative(r["path"]): r for r in rows}
    manifest = manifest_rows()
    assert len(rows) == len(by_path) == len(manifest) + len(EXTRA_MEDIA)  # each file once
    assert set(by_path) == {m["path"] for m in manifest} | set(EXTRA_MEDIA)
    kinds = {"raw": "raw", "video": "video", "live-motion": "video"}
    for path, kind in EXTRA_MEDIA.items():
        assert by_path[path]["error"] is None, (path, by_path[path]["error"])
        # the Fujifilm "RAF header" fixture holds only the RAF's embedded JPEG (it starts FFD8):
        # the content decides, so it is a (truncated) JPEG photo
        want = "photo" if path.endswith("photo_58_header.raf") else kinds.get(kind, "photo")
        assert by_path[path]["kind"] == want, path
    assert any(by_path[p]["sidecars"] for p in EXTRA_MEDIA)
    for m in manifest:
        row = by_path[m["path"]]
        if m["path"] == DECODABLE_BROKEN:
            if row["error"] is None:
                assert (row["width"], row["height"]) == (64, 64)
            else:
                assert row["error"].startswith("decode: truncated HEIC"), row["error"]
            continue
        if m["broken"] == "yes" or m["pillow_opens"] == "no":
            # issue 11: broken pixels keep their facts (hash, metadata, date), no error
            assert row["error"] is None, m["path"]
            assert row["sha256"] == m["sha256"]
            continue
        assert row["error"] is None, (m["path"], row["error"])
        assert row["sha256"] == m["sha256"], m["path"]
        assert (row["width"], row["height"]) == (int(m["width"]), int(m["height"])), m["path"]
        assert row["size"] == int(m["size_bytes"])
        assert row["confidence"] in ("HIGH", "MEDIUM", "LOW", "NONE")
        assert (imported / row["thumbnail"]).is_file(), row["thumbnail"]


@pytest.mark.slow
def test_exact_groups_match_the_manifest(imported: Path) -> None:
    rows = json.loads(cli(imported, "files", "--format", "json").stdout)
    group_of = {relative(r["path"]): r["exact_group"] for r in rows}
    same_sha: dict[str, set[str]] = defaultdict(set)
    for m in manifest_rows():
        same_sha[m["sha256"]].add(m["path"])
    expected = {frozenset(paths) for paths in same_sha.values() if len(paths) > 1}
    found: dict[int, set[str]] = defaultdict(set)
    for path, group in group_of.items():
        if group is not None:
            found[group].add(path)
    assert {frozenset(paths) for paths in found.values()} == expected
    assert len(expected) == 2


@pytest.mark.slow
def test_csv_errors_and_jobs_agree_with_json(imported: Path) -> None:
    as_json = json.loads(cli(imported, "files", "--job", "1", "--format", "json").stdout)
    as_csv = list(csv.DictReader(io.StringIO(cli(imported, "files").stdout)))
    assert [r["path"] for r in as_csv] == [r["path"] for r in as_json]
    assert [r["sha256"] or None for r in as_csv] == [r["sha256"] for r in as_json]
    errors = cli(imported, "errors", "1")
    assert errors.returncode == 0
    assert not [r for r in as_json if r["error"]]  # issue 11: broken pixels are warnings
    assert errors.stdout.strip() == "job 1: no errors"
    jobs = cli(imported, "jobs")
    done = f"{TOTAL}/{TOTAL}"
    assert jobs.stdout.splitlines()[1].split()[:4] == ["1", "COMPLETED", "directory", done]
