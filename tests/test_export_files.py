"""Export file operations on real files: verified copies, links, ExifTool, sidecars, ZIP."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from photoimport.export.copying import CopyFailed, Placement, file_sha256, place, temp_path
from photoimport.export.embed import ExifTool
from photoimport.export.manifest import ManifestRow, read_manifest, write_manifest
from photoimport.export.sidecar import SidecarFacts, write_sidecar
from photoimport.export.zipstream import zip_chunks

CORPUS = Path(__file__).resolve().parent / "corpus"
TOKYO = timezone(timedelta(hours=9))
WHEN = datetime(2019, 7, 14, 9, 30, 5, tzinfo=TOKYO)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def original(tmp_path: Path) -> Path:
    src = tmp_path / "src" / "IMG_1.jpg"
    src.parent.mkdir()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(src, quality=90)
    src.chmod(0o444)
    return src


def test_copy_is_verified_renamed_and_dated_and_the_original_untouched(
    tmp_path: Path, original: Path
) -> None:
    before = (original.read_bytes(), original.stat().st_mtime_ns)
    target = tmp_path / "out" / "2019" / "a.jpg"
    placed = place(original, target, sha(before[0]), tag="7", mtime=WHEN.timestamp())
    assert placed.how is Placement.COPIED
    assert target.read_bytes() == before[0]
    assert target.stat().st_mtime == WHEN.timestamp()
    assert (original.read_bytes(), original.stat().st_mtime_ns) == before
    assert not temp_path(target, "7").exists()


def test_a_copy_that_does_not_match_is_refused_and_leaves_nothing(
    tmp_path: Path, original: Path
) -> None:
    target = tmp_path / "out" / "a.jpg"
    with pytest.raises(CopyFailed, match="SHA-256") as info:
        place(original, target, "0" * 64, tag="1")
    assert info.value.stage == "verify"
    assert list((tmp_path / "out").iterdir()) == []


def test_same_content_already_there_is_recognised_and_another_never_overwritten(
    tmp_path: Path, original: Path
) -> None:
    digest = file_sha256(original)
    target = tmp_path / "out" / "a.jpg"
    place(original, target, digest, tag="1")
    again = place(original, target, digest, tag="1")
    assert again.how is Placement.ALREADY_THERE
    other = tmp_path / "out" / "b.jpg"
    other.write_bytes(b"somebody else's photo")
    with pytest.raises(CopyFailed, match="different file is already"):
        place(original, other, digest, tag="2")
    assert other.read_bytes() == b"somebody else's photo"


def test_a_leftover_temporary_from_a_killed_try_is_replaced(tmp_path: Path, original: Path) -> None:
    target = tmp_path / "out" / "a.jpg"
    target.parent.mkdir()
    temp_path(target, "3").write_bytes(b"half a cop")
    place(original, target, file_sha256(original), tag="3")
    assert target.read_bytes() == original.read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.jpg"]


def test_hard_link_shares_the_inode_and_never_touches_its_times(
    tmp_path: Path, original: Path
) -> None:
    mtime = original.stat().st_mtime_ns
    target = tmp_path / "out" / "a.jpg"
    placed = place(original, target, file_sha256(original), tag="1", link=True, mtime=1.0)
    assert placed.how is Placement.LINKED
    assert target.stat().st_ino == original.stat().st_ino
    assert original.stat().st_mtime_ns == mtime


def test_exiftool_writes_the_date_without_touching_pixels(tmp_path: Path, original: Path) -> None:
    target = tmp_path / "out" / "a.jpg"
    with ExifTool() as tool:
        placed = place(
            original,
            target,
            file_sha256(original),
            tag="1",
            mtime=WHEN.timestamp(),
            embed=lambda p: tool.write_date(p, WHEN),
        )
    assert placed.how is Placement.COPIED
    assert placed.sha256 == file_sha256(target)
    assert placed.sha256 != file_sha256(original)
    with Image.open(original) as a, Image.open(target) as b:
        assert a.tobytes() == b.tobytes()
    tags = subprocess.run(
        ["exiftool", "-s3", "-DateTimeOriginal", "-OffsetTimeOriginal", str(target)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert tags[:2] == ["2019:07:14 09:30:05", "+09:00"]
    assert target.stat().st_mtime == WHEN.timestamp()
    with ExifTool() as tool:  # a second export of the same photo recognises its copy
        again = place(
            original,
            target,
            file_sha256(original),
            tag="1",
            embed=lambda p: tool.write_date(p, WHEN),
        )
    assert again.how is Placement.ALREADY_THERE


@pytest.mark.parametrize(
    "name", ["exif-samples/heic/IMG_5195.HEIC", "exifr/png/png_with_exif_and_gps.png"]
)
def test_exiftool_writes_heic_and_png(tmp_path: Path, name: str) -> None:
    copy = tmp_path / Path(name).name
    shutil.copyfile(CORPUS / name, copy)
    with ExifTool() as tool:
        tool.write_date(copy, WHEN)
    out = subprocess.run(
        ["exiftool", "-s3", "-DateTimeOriginal", str(copy)], capture_output=True, text=True
    ).stdout.strip()
    assert out == "2019:07:14 09:30:05"


def test_sidecar_holds_the_effective_date_with_its_offset(tmp_path: Path) -> None:
    target = tmp_path / "a.jpg"
    target.write_bytes(b"x")
    facts = SidecarFacts(WHEN, "decision", "HIGH", "IMG_1.JPG", "ab" * 32)
    path = write_sidecar(target, facts, "1", WHEN.timestamp())
    assert path.name == "a.jpg.xmp"
    out = subprocess.run(
        ["exiftool", "-s3", "-XMP-exif:DateTimeOriginal", "-XMP-photoshop:DateCreated", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[:2] == ["2019:07:14 09:30:05+09:00", "2019:07:14 09:30:05+09:00"]
    undated = write_sidecar(
        tmp_path / "b.jpg", SidecarFacts(None, "detected", "NONE", "b", "c"), "2", None
    )
    assert "DateTimeOriginal" not in undated.read_text()


def test_manifest_merges_with_an_earlier_export(tmp_path: Path) -> None:
    def row(dest: str, sha: str) -> ManifestRow:
        return ManifestRow("/src/" + dest, dest, sha, sha, "", "detected", "NONE", "", "copied")

    write_manifest(tmp_path, [row("a.jpg", "1"), row("b.jpg", "2")])
    write_manifest(tmp_path, [row("b.jpg", "3"), row("c.jpg", "4")])
    got = read_manifest(tmp_path)
    assert {k: v.sha256 for k, v in got.items()} == {"a.jpg": "1", "b.jpg": "3", "c.jpg": "4"}


def test_zip_streams_in_small_chunks_and_unpacks_to_the_same_files(tmp_path: Path) -> None:
    names = []
    for i in range(5):
        p = tmp_path / "d" / f"{i}.jpg"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(os.urandom(3_000_000))
        names.append(f"d/{i}.jpg")
    (tmp_path / "manifest.csv").write_text("a,b\n")
    biggest = 0
    out = io.BytesIO()
    for chunk in zip_chunks(tmp_path, [*names, "missing.jpg", "manifest.csv"]):
        biggest = max(biggest, len(chunk))
        out.write(chunk)
    assert biggest <= 1_100_000  # about one read buffer: never the whole archive
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [*names, "manifest.csv"]
        assert archive.read("d/3.jpg") == (tmp_path / "d/3.jpg").read_bytes()
