"""Videos: capture time rules, duration, dimensions, GPS, a poster frame; cost per file."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from photoimport.capture.capture_time import CandidateSource, OffsetSource
from photoimport.media.video import parse_iso6709, read_video
from photoimport.pipeline import PipelineSettings, process_file
from tests.fixtures.extra import EXTRA


def write_mp4(
    path: Path,
    *,
    seconds: float = 1.0,
    size: tuple[int, int] = (160, 120),
    metadata: dict[str, str] | None = None,
    handler: str | None = None,
    container: str = "mp4",
) -> Path:
    """A real H.264 video written by PyAV (FFmpeg), with the container tags given."""
    with av.open(str(path), mode="w", format=container) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if handler:
            stream.metadata["handler_name"] = handler
        for i in range(max(1, int(seconds * 10))):
            pixels = np.full((size[1], size[0], 3), (i * 20) % 255, dtype=np.uint8)
            pixels[: size[1] // 2, : size[0] // 3] = 250
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, 10)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_iphone_mov_uses_apples_local_creation_date_not_the_export_time(tmp_path: Path) -> None:
    result = process_file(EXTRA / "nom-exif/meta.mov", PipelineSettings(thumbs_dir=tmp_path))
    assert result.error is None
    assert result.kind == "video"
    capture = result.capture
    assert capture is not None
    assert capture.local is not None
    assert capture.source is CandidateSource.QUICKTIME_CREATION_DATE
    assert capture.local.isoformat() == "2019-02-12T15:27:12+08:00"
    assert result.metadata is not None
    assert (result.metadata.make, result.metadata.model) == ("Apple", "iPhone X")
    assert result.metadata.gps is not None
    assert result.metadata.gps.latitude == pytest.approx(27.1281)
    assert result.duration_seconds == pytest.approx(0.5, abs=0.01)
    assert result.thumbnail is not None
    assert result.phash is not None


def test_pixel_mp4_create_date_is_utc_shown_in_the_zone_of_its_gps_position(tmp_path: Path) -> None:
    path = EXTRA / "immich-go/PXL_20220724_210650210.NIGHT.mp4"
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path, timezone="UTC"))
    capture = result.capture
    assert capture is not None
    assert capture.utc is not None
    assert capture.local is not None
    assert capture.utc.isoformat() == "2022-07-24T21:10:56+00:00"
    assert capture.local.isoformat() == "2022-07-24T23:10:56+02:00"  # Brittany, summer
    assert capture.offset_source is OffsetSource.GPS_POSITION
    assert result.metadata is not None
    assert result.metadata.display_width == 1920


def test_gopro_create_date_is_the_cameras_local_clock(tmp_path: Path) -> None:
    path = EXTRA / "gpmf-parser/max-heromode.mp4"
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path, timezone="UTC"))
    capture = result.capture
    assert capture is not None
    assert capture.local is not None
    # GPMF GPS says 23:45 UTC: the header's 15:45:32 is Pacific time, not UTC
    assert capture.local.isoformat() == "2019-11-18T15:45:32-08:00"
    assert result.duration_seconds == pytest.approx(10.54, abs=0.01)


def test_a_video_without_any_date_gets_none_and_invents_nothing(tmp_path: Path) -> None:
    path = write_mp4(tmp_path / "clip.mp4")
    settings = PipelineSettings(thumbs_dir=tmp_path / "t", use_mtime=False)
    result = process_file(path, settings)
    assert result.error is None
    assert result.kind == "video"
    assert result.capture is not None
    # FFmpeg writes no creation_time unless asked: nothing says when
    assert result.capture.local is None


def test_written_create_date_and_location_are_read(tmp_path: Path) -> None:
    path = write_mp4(
        tmp_path / "tagged.mp4",
        metadata={"creation_time": "2021-06-01T10:00:00.000000Z", "location": "+48.8584+002.2945/"},
    )
    info, poster, reason = read_video(path, 320)
    assert info.create_date is not None
    assert info.create_date.startswith("2021-06-01T10:00:00")
    assert parse_iso6709(info.location) == pytest.approx((48.8584, 2.2945))
    assert poster is not None
    assert reason is None
    assert poster.size == (160, 120)
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t", timezone="UTC"))
    assert result.capture is not None
    assert result.capture.local is not None
    assert result.capture.local.isoformat() == "2021-06-01T12:00:00+02:00"  # Paris in June


def test_cost_does_not_grow_with_length(tmp_path: Path) -> None:
    short = write_mp4(tmp_path / "short.mp4", seconds=1, size=(320, 240))
    long = write_mp4(tmp_path / "long.mp4", seconds=60, size=(320, 240))
    for path in (short, long):  # warm up
        read_video(path, 320)

    def best(path: Path) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            read_video(path, 320)
            times.append(time.perf_counter() - started)
        return min(times)

    assert best(long) < best(short) * 3 + 0.05


def test_a_truncated_video_is_an_error_in_plain_words(tmp_path: Path) -> None:
    source = (EXTRA / "nom-exif/meta.mov").read_bytes()
    path = tmp_path / "cut.mov"
    path.write_bytes(source[:2000])
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t"))
    assert result.error is not None
    assert result.error.reason.startswith("cannot decode video")


@pytest.mark.parametrize(
    ("name", "container", "label"),
    [
        ("clip.mkv", "matroska", "Matroska/WebM video"),
        ("clip.avi", "avi", "AVI video"),
        ("clip.3gp", "3gp", "3GP video"),
        ("clip.m4v", "ipod", "MP4 video"),
    ],
)
def test_other_containers(name: str, container: str, label: str, tmp_path: Path) -> None:
    path = write_mp4(tmp_path / name, seconds=2, container=container)
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t"))
    assert result.error is None, result.error
    assert (result.kind, result.file_type) == ("video", label)
    assert result.duration_seconds == pytest.approx(2.0, abs=0.3)
    assert result.metadata is not None
    assert (result.metadata.width, result.metadata.height) == (160, 120)
    assert result.thumbnail is not None
