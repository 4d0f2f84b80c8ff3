"""The benchmark's assembled corpus (``bench.assemble``): real, distinct, decodable files."""

from __future__ import annotations

import io
import struct
from collections import Counter
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

from bench.assemble import build_assembled, plan_assembled
from bench.floor import floor_file
from bench.plan import PhotoFormat, PhotoKind
from bench.splice import HeifTemplate, primary_bitstream, split_jpeg
from bench.synth import Corpus, render_pixels
from photoimport.pipeline import PipelineSettings, process_file

SIZE = (640, 480)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_assembled(60, size=SIZE, cache=tmp_path_factory.mktemp("cache"), workers=1)


def _restart_jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    render_pixels(seed, SIZE).save(
        out, "JPEG", quality=90, subsampling=2, restart_marker_rows=1, exif=b""
    )
    return out.getvalue()


def test_a_jpeg_split_and_joined_from_itself_is_its_own_bytes() -> None:
    data = _restart_jpeg(1)
    split = split_jpeg(data)
    assert len(split.rows) == SIZE[1] // 16
    joined = split.join([split], [0] * len(split.rows))
    app0 = struct.unpack_from(">H", data, 4)[0]  # Pillow writes JFIF APP0 first; join leaves it
    assert joined == data[:2] + data[4 + app0 :]


def test_rows_from_two_pictures_make_a_third_that_decodes() -> None:
    a, b = split_jpeg(_restart_jpeg(1)), split_jpeg(_restart_jpeg(2))
    assert a.header == b.header
    pick = [row % 2 for row in range(len(a.rows))]
    with Image.open(io.BytesIO(a.join([a, b], pick))) as im:
        im.load()
        top = im.crop((0, 0, SIZE[0], 8)).tobytes()  # chroma upsampling blends rows 15 and 16
    with Image.open(io.BytesIO(_restart_jpeg(1))) as first:
        assert first.crop((0, 0, SIZE[0], 8)).tobytes() == top


def test_a_heic_gets_its_own_thumbnail_and_exif() -> None:
    out = io.BytesIO()
    render_pixels(3, SIZE).save(out, "HEIF", exif=Image.Exif().tobytes(), thumbnails=[320])
    template = HeifTemplate.parse(out.getvalue())
    small = io.BytesIO()
    render_pixels(4, (320, 240)).save(small, "HEIF")
    exif = Image.Exif()
    exif[0x0110] = "BENCH MODEL"
    data = template.with_items(exif.tobytes(), primary_bitstream(small.getvalue()))
    heif = pillow_heif.open_heif(io.BytesIO(data))
    assert heif.size == SIZE
    assert heif.info["thumbnails"] == [320]
    with Image.open(io.BytesIO(data)) as im:
        assert im.getexif()[0x0110] == "BENCH MODEL"


def test_the_plan_adds_raw_and_video_to_the_photo_plan() -> None:
    specs, extras = plan_assembled(10_000)
    formats = Counter(e.format for e in extras)
    assert formats[PhotoFormat.RAW] == 150
    assert formats[PhotoFormat.VIDEO] == 125
    assert all(s.embedded_thumbnail for s in specs if s.format is PhotoFormat.HEIC)
    names = [s.name for s in specs] + [e.name for e in extras]
    assert len(set(names)) == len(names) == 10_000


def test_every_file_is_distinct_and_processes(corpus: Corpus, tmp_path: Path) -> None:
    assert len(corpus.files) == 60
    copies = [f for f in corpus.files if f.kind is PhotoKind.EXACT_COPY]
    assert len({f.sha256 for f in corpus.files}) == 60 - len(copies)
    assert {f.format for f in corpus.files} == set(PhotoFormat)
    settings = PipelineSettings(thumbs_dir=tmp_path)
    hashes: dict[str, str | None] = {}
    for f in corpus.files:
        result = process_file(f.path, settings)
        assert result.ok, (f.path, result.error)
        assert result.preview_error is None, f.path
        assert result.sha256 == f.sha256
        hashes[f.path.name] = result.phash
        assert floor_file(f.path).total > 0
    photos = [f for f in corpus.files if f.format in (PhotoFormat.JPEG, PhotoFormat.HEIC)]
    originals = [hashes[f.path.name] for f in photos if f.kind is PhotoKind.ORIGINAL]
    assert len(set(originals)) == len(originals)  # distinct pictures, not copies of a few


def test_a_reencoded_copy_looks_like_its_source(corpus: Corpus, tmp_path: Path) -> None:
    by_name = {str(f.path.relative_to(corpus.root)): f for f in corpus.files}
    specs, _ = plan_assembled(60)
    settings = PipelineSettings(thumbs_dir=tmp_path)
    found = 0
    for spec in specs:
        if spec.kind is PhotoKind.REENCODED and spec.source_index is not None:
            source = by_name[specs[spec.source_index].name].path
            a = process_file(by_name[spec.name].path, settings).phash
            b = process_file(source, settings).phash
            assert a is not None
            assert b is not None
            assert (int(a, 16) ^ int(b, 16)).bit_count() <= 6
            found += 1
    assert found
