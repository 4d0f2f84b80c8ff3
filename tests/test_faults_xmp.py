"""XMP is found and parsed in linear time with a size cap: a 1 KB PNG whose compressed XMP
expands to a megabyte of opening tags (minutes with the old regex) is processed in well under a
second, and the finder agrees with the regex it replaced wherever the regex was fast."""

from __future__ import annotations

import re
import time
from pathlib import Path

from PIL import Image, PngImagePlugin

from photoimport.metadata.makernotes import segment_dates
from photoimport.metadata.xmp import MAX_XMP_BYTES, find_element, read_xmp_dates
from photoimport.pipeline import PipelineSettings, process_file

OLD_XMPMETA = re.compile(rb"<x:xmpmeta[\s>].*?</x:xmpmeta>", re.DOTALL)


def hostile_png(path: Path, opener: str = "<x:xmpmeta ") -> Path:
    text = opener * (950_000 // len(opener))  # under Pillow's 1 MB limit for a text chunk
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", text, zip=True)
    Image.new("RGB", (1, 1)).save(path, pnginfo=info)
    return path


def test_a_1_kb_png_of_hostile_xmp_is_processed_in_well_under_a_second(tmp_path: Path) -> None:
    path = hostile_png(tmp_path / "hostile.png")
    size = path.stat().st_size
    assert size < 2048
    started = time.perf_counter()
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "thumbs"))
    elapsed = time.perf_counter() - started
    print(f"hostile-XMP PNG of {size} bytes processed in {elapsed * 1000:.0f} ms")
    assert result.error is None
    assert elapsed < 1.0


def test_find_element_agrees_with_the_regex_it_replaced() -> None:
    cases = [
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><a/></x:xmpmeta>',
        b"junk<x:xmpmetaX><x:xmpmeta>y</x:xmpmeta>z</x:xmpmeta>",
        b"<x:xmpmeta>",
        b"<x:xmpmeta\n a='1'>q</x:xmpmeta>tail",
        b"<x:xmpmeta",
        b"</x:xmpmeta><x:xmpmeta>",
        b"",
    ]
    for data in cases:
        match = OLD_XMPMETA.search(data)
        assert find_element(data, b"x:xmpmeta") == (match.group(0) if match else None), data


def test_oversized_packets_are_ignored_with_a_warning() -> None:
    packet = b"<x:xmpmeta>" + b" " * MAX_XMP_BYTES + b"</x:xmpmeta>"
    result = read_xmp_dates(packet)
    assert result.dates == ()
    assert result.warnings == ("XMP packet ignored: 2.0 MB is over the 2 MB cap",)


def test_hostile_olympus_picture_info_is_linear_too() -> None:
    data = b"[picture info]" * 5_000 + b"TimeDate=1234567890"
    started = time.perf_counter()
    segment_dates([("APP12", b"[picture info]" * 60_000)])
    assert time.perf_counter() - started < 0.5
    assert segment_dates([("APP12", data)]) != ()
