"""SHA-256 (streamed and in memory) and the perceptual hash, on real files and real images."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from photoimport.media.hashing import (
    CHUNK_BYTES,
    hamming_distance,
    is_nearly_flat,
    perceptual_hash,
    sha256_bytes,
    sha256_file,
)
from photoimport.media.thumbnails import reduce_image
from tests.fixtures.corpus import CORPUS, CorpusFile, corpus_files
from tests.fixtures.images import draw_scene

CORPUS_FILES = corpus_files()


@pytest.mark.parametrize("item", CORPUS_FILES, ids=lambda f: f.row["path"])
def test_sha256_of_every_corpus_file_equals_the_manifest(item: CorpusFile) -> None:
    expected = item.row["sha256"]
    assert sha256_file(item.path) == expected
    assert sha256_bytes(item.path.read_bytes()) == expected


def test_sha256_streams_files_larger_than_one_chunk(tmp_path: Path) -> None:
    data = os.urandom(3 * CHUNK_BYTES + 12345)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert sha256_bytes(memoryview(data)) == hashlib.sha256(data).hexdigest()


def test_sha256_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert sha256_file(path) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_perceptual_hash_is_16_hex_digits_for_a_picture() -> None:
    value = perceptual_hash(draw_scene(seed=3))
    assert value is not None
    assert len(value) == 16
    int(value, 16)  # parses as hex
    assert value == perceptual_hash(draw_scene(seed=3))


def test_perceptual_hash_survives_resizing_and_recompression(tmp_path: Path) -> None:
    scene = draw_scene((1200, 900), seed=5)
    path = tmp_path / "small.jpg"
    scene.resize((400, 300)).save(path, quality=60)
    with Image.open(path) as small:
        small_hash = perceptual_hash(small.convert("RGB"))
    full_hash = perceptual_hash(scene)
    assert small_hash is not None
    assert full_hash is not None
    assert hamming_distance(small_hash, full_hash) <= 4


def test_different_pictures_hash_far_apart() -> None:
    a, b = perceptual_hash(draw_scene(seed=1)), perceptual_hash(draw_scene(seed=9))
    assert a is not None
    assert b is not None
    assert hamming_distance(a, b) > 10


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1, 1), (200, 10, 10)),
        Image.new("RGB", (8, 8), (10, 200, 10)),
        Image.new("RGB", (640, 480), (255, 255, 255)),
        Image.new("L", (640, 480), 0),
        Image.effect_noise((640, 480), 0.5).convert("RGB"),  # a blank frame with sensor noise
    ],
    ids=["1x1", "8x8", "white", "black", "faint-noise"],
)
def test_nearly_flat_pictures_get_no_hash(image: Image.Image) -> None:
    assert is_nearly_flat(image)
    assert perceptual_hash(image) is None


@pytest.mark.parametrize(
    "name",
    [
        "exiftool/CasioQVCI.jpg",
        "exiftool/Google.jpg",
        "exiftool/MWG.jpg",
        "exiftool/Pentax.jpg",
        "exiftool/Sigma.jpg",
        "phockup/exif.jpg",
        "phockup/date_20170101_010101.jpg",
        "exifr/png/png_with_exif_and_gps.png",
        "elodie/plain.jpg",
    ],
)
def test_corpus_stubs_get_no_hash(name: str) -> None:
    with Image.open(CORPUS / name) as im:
        assert perceptual_hash(reduce_image(im, 320)) is None


def test_hash_of_the_upright_picture_ignores_how_it_was_stored(tmp_path: Path) -> None:
    scene = draw_scene((640, 480), seed=7)
    rotated_pixels = tmp_path / "pixels.jpg"
    scene.save(rotated_pixels, quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    tagged = tmp_path / "tagged.jpg"
    scene.transpose(Image.Transpose.ROTATE_90).save(tagged, quality=90, exif=exif)
    with Image.open(rotated_pixels) as a, Image.open(tagged) as b:
        hash_a, hash_b = (
            perceptual_hash(reduce_image(a, 320)),
            perceptual_hash(reduce_image(b, 320)),
        )
    assert hash_a is not None
    assert hash_b is not None
    assert hamming_distance(hash_a, hash_b) <= 4
    # without orientation the stored pixels are a different picture
    with Image.open(tagged) as b:
        sideways = perceptual_hash(ImageOps.contain(b.convert("RGB"), (320, 320)))
    assert sideways is not None
    assert hamming_distance(hash_a, sideways) > 10


def test_hamming_distance_counts_differing_bits() -> None:
    assert hamming_distance("0000000000000000", "0000000000000000") == 0
    assert hamming_distance("0000000000000000", "ffffffffffffffff") == 64
    assert hamming_distance("8000000000000001", "0000000000000000") == 2
