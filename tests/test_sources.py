"""Validating a server folder: exists, readable, has images, confined to the allowed roots."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from photoimport.errors import (
    FolderNotFound,
    NoImagesFound,
    PathOutsideAllowedRoots,
)
from photoimport.media.formats import has_image_signature
from photoimport.settings import Settings
from photoimport.sources.folders import is_within_roots, validate_folder
from tests.fixtures.corpus import CORPUS, corpus_files
from tests.fixtures.images import save_jpeg
from tests.unprivileged import obeying_permissions


def settings_for(tmp_path: Path, *roots: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'home' / 'photoimport.db'}",
        allowed_roots=tuple(r.resolve() for r in roots),
    )


def test_a_folder_of_photos_is_returned_resolved(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    make_jpeg("album/sub/photo one.jpg")
    given = tmp_path / "album" / "sub" / ".." / "."
    assert validate_folder(given, settings_for(tmp_path)) == (tmp_path / "album").resolve()


def test_the_real_corpus_validates(tmp_path: Path) -> None:
    assert validate_folder(CORPUS, settings_for(tmp_path)) == CORPUS.resolve()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(FolderNotFound, match=f"folder not found: {missing}$"):
        validate_folder(missing, settings_for(tmp_path))


def test_a_file_is_not_a_folder(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    photo = make_jpeg("photo.jpg")
    with pytest.raises(FolderNotFound, match="not a folder"):
        validate_folder(photo, settings_for(tmp_path))


ROOT = Path(__file__).resolve().parent.parent


def validate_obeying_permissions(folder: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """validate_folder in a process that meets file permissions even when the tests run as root."""
    code = (
        "import sys\n"
        "from photoimport.settings import load_settings\n"
        "from photoimport.sources.folders import validate_folder\n"
        "from photoimport.errors import SourceError\n"
        "try:\n"
        "    validate_folder(sys.argv[1], load_settings())\n"
        "except SourceError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    return subprocess.run(
        obeying_permissions([sys.executable, "-c", code, str(folder)]),
        cwd=ROOT,
        env={"PHOTOIMPORT_HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_unreadable_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    save_jpeg(locked / "photo.jpg")
    locked.chmod(0o000)
    try:
        done = validate_obeying_permissions(locked, tmp_path / "home")
    finally:
        locked.chmod(0o755)
    assert done.stderr == ""
    assert done.stdout == f"FolderNotReadable folder not readable (permission denied): {locked}\n"


def test_a_folder_under_an_unsearchable_parent_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "closed" / "inner"
    save_jpeg(inner / "photo.jpg")
    (tmp_path / "closed").chmod(0o000)
    try:
        done = validate_obeying_permissions(inner, tmp_path / "home")
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert done.stderr == ""
    assert done.stdout == f"FolderNotReadable folder not readable (permission denied): {inner}\n"


def test_a_folder_without_images_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "deeper").mkdir(parents=True)
    (docs / "README.md").write_text("# not a photo\n")
    (docs / "deeper" / "notes.dat").write_bytes(b"plain text with no image signature")
    (docs / ".hidden.jpg").write_bytes(b"\xff\xd8\xff\xe0 a dot-file is never imported")
    with pytest.raises(NoImagesFound, match=f"no image files in folder: {docs}$"):
        validate_folder(docs, settings_for(tmp_path))


def test_a_broken_file_named_like_a_photo_counts(tmp_path: Path) -> None:
    (tmp_path / "cards" / "DCIM").mkdir(parents=True)
    (tmp_path / "cards" / "DCIM" / "IMG_0001.CR3").write_bytes(b"not decodable here")
    assert validate_folder(tmp_path / "cards", settings_for(tmp_path)) == tmp_path / "cards"


def test_an_image_found_by_content_whatever_its_name(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    photo = make_jpeg("odd/deep/er/picture.dat")
    assert photo.suffix == ".dat"
    assert validate_folder(tmp_path / "odd", settings_for(tmp_path)) == (tmp_path / "odd")


def test_inside_the_allowed_root_is_accepted(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    make_jpeg("root/photos/a.jpg")
    settings = settings_for(tmp_path, tmp_path / "root")
    assert validate_folder(tmp_path / "root" / "photos", settings) == tmp_path / "root" / "photos"
    assert validate_folder(tmp_path / "root", settings) == tmp_path / "root"


def test_dot_dot_out_of_the_root_is_refused(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    make_jpeg("root/photos/a.jpg")
    make_jpeg("outside/b.jpg")
    settings = settings_for(tmp_path, tmp_path / "root")
    sneaky = tmp_path / "root" / "photos" / ".." / ".." / "outside"
    with pytest.raises(PathOutsideAllowedRoots, match=r"not found: .* under PHOTO"):
        validate_folder(sneaky, settings)  # the same words as a missing folder (issue 10)


def test_a_symlink_out_of_the_root_is_refused(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    make_jpeg("root/photos/a.jpg")
    make_jpeg("outside/b.jpg")
    link = tmp_path / "root" / "link"
    link.symlink_to(tmp_path / "outside", target_is_directory=True)
    settings = settings_for(tmp_path, tmp_path / "root")
    with pytest.raises(PathOutsideAllowedRoots, match=f"folder not found: {link} "):
        validate_folder(link, settings)


def test_a_root_prefix_is_not_a_root(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    make_jpeg("root2/a.jpg")
    (tmp_path / "root").mkdir()
    with pytest.raises(PathOutsideAllowedRoots):
        validate_folder(tmp_path / "root2", settings_for(tmp_path, tmp_path / "root"))


def test_outside_the_roots_is_refused_before_saying_whether_it_exists(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    with pytest.raises(PathOutsideAllowedRoots):
        validate_folder(tmp_path / "secret-missing", settings_for(tmp_path, tmp_path / "root"))


def test_a_symlinked_file_out_of_the_root_does_not_count_as_an_image(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    outside = make_jpeg("outside/b.jpg")
    (tmp_path / "root" / "photos").mkdir(parents=True)
    (tmp_path / "root" / "photos" / "b.jpg").symlink_to(outside)
    settings = settings_for(tmp_path, tmp_path / "root")
    with pytest.raises(NoImagesFound):
        validate_folder(tmp_path / "root" / "photos", settings)
    assert validate_folder(tmp_path / "root" / "photos", settings_for(tmp_path)) == (
        tmp_path / "root" / "photos"
    )


def test_is_within_roots(tmp_path: Path) -> None:
    (tmp_path / "r" / "a").mkdir(parents=True)
    assert is_within_roots(tmp_path / "r" / "a", (tmp_path / "r",))
    assert is_within_roots(tmp_path / "anything", ())
    assert not is_within_roots(tmp_path / "r" / ".." / "x", (tmp_path / "r",))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe1\x00\x10Exif", True),
        (b"\x89PNG\r\n\x1a\n\x00\x00", True),
        (b"GIF89a\x01\x00", True),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", True),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", True),
        (b"\x00\x00\x00\x1cftypavif\x00\x00", True),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", True),  # an MP4 video: imported (issue 11)
        (b"II*\x00\x08\x00\x00\x00", True),
        (b"%PDF-1.7", False),
        (b"", False),
    ],
)
def test_image_signatures(head: bytes, expected: bool) -> None:
    assert has_image_signature(head) is expected


def test_every_corpus_image_that_opens_has_a_known_signature() -> None:
    for cf in corpus_files():
        if cf.row["pillow_opens"] == "yes" and not cf.broken:
            head = cf.path.read_bytes()[:32]
            assert has_image_signature(head), cf.path
