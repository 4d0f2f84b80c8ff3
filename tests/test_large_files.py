"""Large files: real 200 MP photos are decoded reduced, bombs refused, big files streamed."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from photoimport.errors import Stage
from photoimport.media.limits import bomb_reason, too_large_reason
from photoimport.pipeline import IN_MEMORY_BYTES, PipelineSettings, process_file
from tests.fixtures.images import draw_scene


def test_bomb_rule_tells_real_photos_from_bombs() -> None:
    limit = 89_478_485
    # a Samsung 200 MP JPEG: 16320x12240 in ~40 MB: not a bomb
    assert bomb_reason((16320, 12240), 40_000_000, limit) is None
    # the same pixels in 20 KB, or 3 gigapixels: bombs
    assert bomb_reason((16320, 12240), 20_000, limit) == (
        "image too large: 200 MP exceeds the limit of 89 MP (16320x12240 pixels)"
    )
    assert bomb_reason((60000, 50000), 900_000_000, limit) is not None
    assert bomb_reason((4000, 3000), 10, limit) is None  # under the limit: never a bomb
    # over the limit without a reduced decode: kept, with no preview
    assert too_large_reason((16320, 12240), (2040, 1530), limit) is None
    reason = too_large_reason((16320, 12240), (16320, 12240), limit)
    assert reason is not None
    assert reason.startswith("no preview: 200 MP is over the limit")


def test_a_jpeg_over_the_limit_is_decoded_reduced(tmp_path: Path) -> None:
    """What a 200 MP phone photo does with the 89 MP limit, at a scale a test can afford:
    a 12 MP JPEG against a 10 MP limit is decoded at 1/8 (DCT scaling), not refused."""
    path = tmp_path / "big.jpg"
    draw_scene((4000, 3000), seed=5).save(path, "JPEG", quality=90)
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t", max_image_pixels=10**7))
    assert result.error is None
    assert result.preview_error is None
    assert result.thumbnail is not None
    assert result.phash is not None
    assert result.metadata is not None
    assert (result.metadata.width, result.metadata.height) == (4000, 3000)


def test_a_png_over_the_limit_keeps_its_facts_without_preview(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    pixels = np.random.default_rng(1).integers(0, 255, (3000, 4000), dtype=np.uint8)
    Image.fromarray(pixels).save(path)  # noise: ~12 MB for 12 MP, not a bomb
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t", max_image_pixels=10**7))
    assert result.error is None
    assert result.preview_error is not None
    assert result.preview_error.startswith("no preview: 12 MP is over the limit of 10 MP")
    assert result.thumbnail is None
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_bomb_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (12000, 12000), 1).save(path)
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t"))
    assert result.error is not None
    assert result.error.stage is Stage.DECODE
    assert result.error.reason.startswith("image too large: 144 MP exceeds the limit of 89 MP")


def test_a_large_file_is_hashed_while_streaming_and_decoded_from_disk(tmp_path: Path) -> None:
    """A JPEG followed by a sparse hole past ``IN_MEMORY_BYTES``: hashed in chunks, decoded
    from the file (the decoder stops at its end-of-image marker)."""
    path = tmp_path / "huge.jpg"
    buffer = io.BytesIO()
    draw_scene((800, 600), seed=3).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    os.truncate(path, IN_MEMORY_BYTES + 10 * 1024 * 1024)  # sparse: costs no disk
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t"))
    assert result.error is None
    assert result.thumbnail is not None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    assert result.sha256 == digest.hexdigest()


_RSS_SCRIPT = """
import resource, sys
from pathlib import Path
from photoimport.pipeline import PipelineSettings, process_file
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = process_file(Path(sys.argv[1]), PipelineSettings(thumbs_dir=Path(sys.argv[2])))
assert result.error is None, result.error
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_a_16_bit_png_is_reduced_before_it_is_converted(tmp_path: Path) -> None:
    """A 64 MP 16-bit greyscale PNG of a few hundred KB: converting it to float64 at full size
    took gigabytes; now the peak grows by about its 16-bit decode (128 MB), not 8x that."""
    path = tmp_path / "scan16.png"
    pixels = np.zeros((8000, 8000), dtype=np.uint16)
    pixels[::7, ::5] = 60000
    Image.fromarray(pixels).save(path)
    del pixels
    grown_kb = int(
        subprocess.run(
            [sys.executable, "-c", _RSS_SCRIPT, str(path), str(tmp_path / "t")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    assert grown_kb < 400 * 1024, f"peak RSS grew by {grown_kb // 1024} MB"


def test_a_heic_over_the_limit_is_decoded_from_its_thumbnail(tmp_path: Path) -> None:
    """Samsung and Xiaomi 200 MP HEICs carry a thumbnail: it is decoded instead of the image.
    Without one, the file keeps its facts with "no preview" instead of being refused."""
    picture = draw_scene((1600, 1200), seed=6)
    with_thumb, bare = tmp_path / "thumb.heic", tmp_path / "bare.heic"
    picture.save(with_thumb, quality=50, thumbnails=[400])
    picture.save(bare, quality=50, thumbnails=[])
    settings = PipelineSettings(thumbs_dir=tmp_path / "t", max_image_pixels=1_000_000)
    result = process_file(with_thumb, settings)
    assert result.error is None
    assert result.preview_error is None
    assert result.thumbnail is not None
    assert result.metadata is not None
    assert (result.metadata.width, result.metadata.height) == (1600, 1200)
    kept = process_file(bare, settings)
    assert kept.error is None
    assert kept.preview_error is not None
    assert kept.preview_error.startswith("no preview: 1.9 MP is over the limit of 1.0 MP")
