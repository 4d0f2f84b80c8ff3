"""The one reduced decode (draft, orientation, modes) and the atomic content-addressed write."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoimport.media.formats import register_heif
from photoimport.media.hashing import hamming_distance, perceptual_hash
from photoimport.media.thumbnails import (
    fitted_size,
    make_thumbnail,
    prepare_reduced_decode,
    reduce_image,
    remove_temp_files,
    thumbnail_path,
    write_thumbnail,
)
from tests.fixtures.corpus import CORPUS
from tests.fixtures.images import draw_scene

register_heif()
SHA = "ab" + "0" * 62


def reduced(data: bytes, box: int = 320) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        return reduce_image(im, box)


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("size", "box", "expected"),
    [
        ((4032, 3024), 320, (320, 240)),
        ((3024, 4032), 320, (240, 320)),
        ((4000, 1848), 320, (320, 148)),
        ((100, 50), 320, (100, 50)),  # never enlarged
        ((10000, 3), 320, (320, 1)),
    ],
)
def test_fitted_size(size: tuple[int, int], box: int, expected: tuple[int, int]) -> None:
    assert fitted_size(size, box) == expected


def test_jpeg_is_decoded_at_reduced_scale_with_draft() -> None:
    data = encoded(draw_scene((4032, 3024), seed=2), "JPEG", quality=90)
    with Image.open(io.BytesIO(data)) as im:
        assert prepare_reduced_decode(im, 320) == (504, 378)  # DCT at 1/8, not 4032x3024
    with Image.open(io.BytesIO(data)) as im:
        thumb = reduce_image(im, 320)
    assert thumb.size == (320, 240)
    assert thumb.mode == "RGB"


def test_heic_uses_an_embedded_thumbnail_large_enough() -> None:
    scene = draw_scene((1024, 768), seed=4)
    data = encoded(scene, "HEIF", quality=60, thumbnails=[320])
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (1024, 768)
        assert prepare_reduced_decode(im, 320) == (320, 240)  # the embedded 320 thumbnail
    with Image.open(io.BytesIO(data)) as im:
        assert prepare_reduced_decode(im, 400) == (1024, 768)  # none large enough: full decode
    thumb = reduced(data)
    assert thumb.size == (320, 240)
    full = perceptual_hash(scene)
    small = perceptual_hash(thumb)
    assert full is not None
    assert small is not None
    assert hamming_distance(full, small) <= 6


def test_heic_rotation_is_applied_once() -> None:
    """iPhone HEIC stored 4032x3024 with irot: pillow-heif shows it portrait; never rotate again."""
    with Image.open(CORPUS / "exif-samples/heic/mobile/iphone_13_pro_max.HEIC") as im:
        thumb = reduce_image(im, 320)
    assert thumb.size == (240, 320)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_gives_an_upright_thumbnail(orientation: int) -> None:
    upright = draw_scene((640, 480), seed=6)
    # store the pixels so that applying `orientation` shows `upright`
    inverse = {
        1: None,
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_90,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_270,
    }[orientation]
    stored = upright if inverse is None else upright.transpose(inverse)
    exif = Image.Exif()
    exif[0x0112] = orientation
    thumb = reduced(encoded(stored, "JPEG", quality=92, exif=exif))
    assert thumb.size == (320, 240)
    expected, got = perceptual_hash(upright), perceptual_hash(thumb)
    assert expected is not None
    assert got is not None
    assert hamming_distance(expected, got) <= 4


def test_palette_gif_with_transparency_is_flattened_on_white() -> None:
    im = Image.new("P", (200, 100), 0)
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.paste(1, (100, 0, 200, 100))
    thumb = reduced(encoded(im, "GIF", transparency=0))
    assert thumb.mode == "RGB"
    assert thumb.size == (200, 100)
    assert thumb.getpixel((20, 50)) == (255, 255, 255)  # transparent red half -> white
    assert thumb.getpixel((180, 50)) == (0, 0, 255)


def test_animated_gif_and_webp_give_their_first_frame() -> None:
    frames = [Image.new("RGB", (120, 90), colour) for colour in ((250, 0, 0), (0, 0, 250))]
    for fmt in ("GIF", "WEBP"):
        data = encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
        with Image.open(io.BytesIO(data)) as im:
            assert getattr(im, "n_frames", 1) == 2
        red, _, blue = reduced(data).getpixel((60, 45))  # type: ignore[misc]
        assert red > 200, fmt
        assert blue < 50, fmt


def test_mpo_gives_its_first_frame() -> None:
    with Image.open(CORPUS / "pillow/sugarshack.mpo") as im:
        assert im.format == "MPO"
        thumb = reduce_image(im, 320)
    assert thumb.size == (320, 240)
    assert thumb.mode == "RGB"


@pytest.mark.parametrize("mode", ["LA", "RGBA", "L", "CMYK", "1"])
def test_other_modes_become_rgb(mode: str) -> None:
    source = draw_scene((400, 300), seed=8).convert(mode)
    fmt = "JPEG" if mode in ("L", "CMYK") else "PNG"
    thumb = reduced(encoded(source, fmt))
    assert thumb.mode == "RGB"
    assert thumb.size == (320, 240)


def test_sixteen_bit_greyscale_keeps_its_contrast() -> None:
    ramp = np.tile(np.linspace(0, 65535, 512, dtype=np.uint16), (64, 1))
    source = Image.fromarray(ramp)
    assert source.mode == "I;16"
    thumb = reduced(encoded(source, "PNG"))
    assert thumb.mode == "RGB"
    grey = np.asarray(thumb.convert("L"))
    assert grey[:, :10].mean() < 20  # dark end stays dark (not clipped to white)
    assert grey[:, -10:].mean() > 235


def test_sixteen_bit_tiff_from_the_corpus() -> None:
    with Image.open(CORPUS / "pillow/tiff_16bit_RGB.tiff") as im:
        thumb = reduce_image(im, 320)
    assert thumb.mode == "RGB"
    assert thumb.size == (100, 40)
    assert np.asarray(thumb).std() > 10


def test_write_is_content_addressed_and_reuses_an_existing_thumbnail(tmp_path: Path) -> None:
    first = write_thumbnail(draw_scene((320, 240), seed=1), tmp_path, SHA)
    assert first == tmp_path / "ab" / f"{SHA}.jpg" == thumbnail_path(tmp_path, SHA)
    with Image.open(first) as im:
        assert (im.format, im.size) == ("JPEG", (320, 240))
    before = (first.read_bytes(), first.stat().st_mtime_ns)
    second = write_thumbnail(draw_scene((320, 240), seed=2), tmp_path, SHA)
    assert second == first
    assert (first.read_bytes(), first.stat().st_mtime_ns) == before
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == [f"{SHA}.jpg"]  # no temp left


def test_make_thumbnail_from_a_path(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    draw_scene((1600, 1200), seed=3).save(source, quality=90)
    out = make_thumbnail(source, tmp_path / "thumbs", SHA, 160)
    with Image.open(out) as im:
        assert im.size == (160, 120)


def test_temp_files_left_by_a_killed_writer_are_removed(tmp_path: Path) -> None:
    kept = write_thumbnail(draw_scene((64, 48)), tmp_path, SHA)
    stale = tmp_path / "ab" / f".{SHA}.x1y2z3.tmp"
    stale.write_bytes(b"half a jpeg")
    assert remove_temp_files(tmp_path) == [stale]
    assert not stale.exists()
    assert kept.exists()
    assert remove_temp_files(tmp_path / "missing") == []
    fresh = tmp_path / "ab" / f".{SHA}.in-flight.tmp"
    fresh.write_bytes(b"being written")
    assert remove_temp_files(tmp_path, older_than_seconds=60) == []  # another writer's, kept
    assert fresh.exists()
    old = time.time() - 120
    os.utime(fresh, (old, old))
    assert remove_temp_files(tmp_path, older_than_seconds=60) == [fresh]


def test_a_young_temp_of_a_dead_writer_on_this_host_is_removed_at_once(tmp_path: Path) -> None:
    """A worker killed mid-write and resumed within seconds leaves no half-written file."""
    host = socket.gethostname()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    folder = tmp_path / "ab"
    folder.mkdir()
    gone = folder / f".{SHA}.{dead.stdout.strip()}@{host}@k3j4.tmp"
    live = folder / f".{SHA}.{os.getpid()}@{host}@a1b2.tmp"
    elsewhere = folder / f".{SHA}.{dead.stdout.strip()}@another-host@c5d6.tmp"
    for temp in (gone, live, elsewhere):
        temp.write_bytes(b"half a jpeg")
    assert remove_temp_files(tmp_path, older_than_seconds=60) == [gone]
    assert live.exists()  # a live writer's
    assert elsewhere.exists()  # another host's pids are unknown here
