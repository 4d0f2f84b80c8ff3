"""Top-level box walk of HEIC / AVIF files: truncation that the decoder does not report."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from photoimport.media.formats import register_heif
from photoimport.media.isobmff import Truncation, truncation
from tests.fixtures.corpus import CORPUS, corpus_files
from tests.fixtures.images import draw_scene

register_heif()
WHOLE_ISOBMFF = [
    f.row["path"] for f in corpus_files() if f.row["kind"] in ("heic", "avif") and not f.broken
]


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


@pytest.mark.parametrize("name", WHOLE_ISOBMFF)
def test_every_whole_corpus_heic_and_avif_fits(name: str) -> None:
    assert truncation((CORPUS / name).read_bytes()) is None


def test_the_corpus_truncated_heic_is_found() -> None:
    data = (CORPUS / "pillow-heif/heif_truncated/truncated.heic").read_bytes()
    found = truncation(data)
    assert found == Truncation(box="mdat", offset=607, declared=3051, present=3050)
    assert found.describe() == "the file ends inside 'mdat' box (3050 of 3051 bytes present)"


def test_a_heic_cut_short_is_found_and_the_whole_one_is_not() -> None:
    buffer = io.BytesIO()
    draw_scene((256, 192), seed=3).save(buffer, "HEIF", quality=50)
    whole = buffer.getvalue()
    assert truncation(whole) is None
    cut = truncation(whole[:-100])
    assert cut is not None
    assert cut.box == "mdat"
    assert cut.declared - cut.present == 100
    with Image.open(io.BytesIO(whole)) as im:
        assert im.size == (256, 192)


def test_size_zero_box_runs_to_the_end_and_largesize_is_read() -> None:
    ftyp = box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
    to_the_end = struct.pack(">I4s", 0, b"mdat") + b"x" * 50
    assert truncation(ftyp + to_the_end) is None
    large = struct.pack(">I4sQ", 1, b"mdat", 16 + 40) + b"y" * 40
    assert truncation(ftyp + large) is None
    found = truncation(ftyp + large[:-1])
    assert found == Truncation(box="mdat", offset=len(ftyp), declared=56, present=55)


def test_trailing_bytes_after_the_last_box() -> None:
    ftyp = box(b"ftyp", b"avif\x00\x00\x00\x00mif1avif")
    assert truncation(ftyp + b"\x00\x00\x00") is None  # zero padding is harmless
    found = truncation(ftyp + b"\x00\x00\x01")  # a box header cut short
    assert found is not None
    assert found.describe() == "the file ends inside a box (3 of 8 bytes present)"
