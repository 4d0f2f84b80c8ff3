"""photoimport.sources.folders.iter_image_files on a real folder tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from photoimport.sources.folders import iter_image_files
from tests.fixtures.corpus import manifest_rows
from tests.fixtures.extra import extra_rows


def test_lists_images_recursively_and_skips_what_is_not_ready(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    root = tmp_path / "photos"
    make_jpeg("photos/a.jpg")
    make_jpeg("photos/sub dir/Ünïcödé café.JPG")
    make_jpeg("photos/sub dir/deeper/b.heic")  # a JPEG named .heic: found by its extension
    make_jpeg("photos/sub dir/no-extension")  # found by its first bytes
    make_jpeg("photos/.hidden.jpg")
    make_jpeg("photos/.thumbnails/c.jpg")
    make_jpeg("photos/copying.jpg.part")
    make_jpeg("photos/x.jpg.tmp")
    make_jpeg("photos/y.crdownload")
    (root / "notes.txt").write_text("shopping list")
    (root / "broken.jpg").write_bytes(b"not really a jpeg")  # listed: the pipeline says why
    found = [p.relative_to(root).as_posix() for p in iter_image_files(root)]
    assert found == [
        "a.jpg",
        "broken.jpg",
        "sub dir/no-extension",
        "sub dir/Ünïcödé café.JPG",
        "sub dir/deeper/b.heic",
    ]


def test_symlink_loops_are_followed_once(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    root = tmp_path / "photos"
    make_jpeg("photos/inner/a.jpg")
    (root / "inner" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(".", target_is_directory=True)
    found = [p.relative_to(root).as_posix() for p in iter_image_files(root)]
    assert found == ["inner/a.jpg"]


def test_the_corpus_lists_exactly_the_manifest(corpus_dir: Path) -> None:
    found = sorted(p.relative_to(corpus_dir).as_posix() for p in iter_image_files(corpus_dir))
    # issue 11: tests/corpus/extra adds RAW, video and Live Photo files; its sidecars (XMP,
    # Takeout JSON) and its README/MANIFEST are not listed
    extra = [
        f"extra/{r['path']}"
        for r in extra_rows()
        if r["kind"] not in ("xmp-sidecar", "takeout-json")
    ]
    assert found == sorted([*(r["path"] for r in manifest_rows()), *extra])


def test_an_unreadable_subfolder_does_not_stop_the_listing(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    root = tmp_path / "photos"
    make_jpeg("photos/a.jpg")
    missing = root / "gone"
    missing.symlink_to(tmp_path / "does-not-exist", target_is_directory=True)
    assert [p.name for p in iter_image_files(root)] == ["a.jpg"]
