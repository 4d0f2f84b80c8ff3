"""Issue 11: a RAW costs at most twice a JPEG of the same size; a video at most 150 ms, whatever
its length. Both measured against baselines made in the same run.

* RAW: a synthetic 24 MP TIFF-structured RAW (``.nef``: IFD0 a full-size 6000x4000 JPEG
  preview as a one-strip JPEG, a SubIFD with 16 MB of sensor data) against a JPEG of the same
  size (6000x4000, what the camera writes beside it).
* Video: H.264 MP4s of 2 s and 120 s (1280x720, written by PyAV once and cached), processed by
  ``process_file``. The SHA-256 of the bytes grows with any file by definition, so the video
  figure is the pipeline *without* its read+hash stage (``FileResult.timings``), and the whole
  time is printed beside it. Baseline: a 12 MP JPEG through the same pipeline.

Best of ``REPEAT`` single-threaded runs each (the page cache is warm: every file is read first).
"""

from __future__ import annotations

import io
import struct
import tempfile
import time
from dataclasses import fields
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from bench.context import BenchContext
from bench.report import Cell, heading, progress, say, table
from bench.synth import render_pixels
from photoimport.pipeline import FileResult, PipelineSettings, configure_for_pool, process_file

CACHE = Path(".bench-cache") / "media"
REPEAT = 5
RAW_SIZE = (6000, 4000)
VIDEO_SIZE = (1280, 720)
VIDEO_TARGET_MS = 150.0
RAW_TARGET_RATIO = 2.0


def _tiff_raw(preview: bytes, sensor_bytes: int) -> bytes:
    """A little-endian TIFF RAW: IFD0 = the JPEG preview (one strip), SubIFD = sensor data."""
    width, height = RAW_SIZE
    header = 8
    ifd0_entries = 7
    ifd0_size = 2 + 12 * ifd0_entries + 4
    sub_entries = 6
    sub_at = header + ifd0_size
    sub_size = 2 + 12 * sub_entries + 4
    model_at = sub_at + sub_size
    model = b"BENCH RAW\x00"
    preview_at = model_at + len(model)
    sensor_at = preview_at + len(preview)

    def entry(tag: int, typ: int, count: int, value: int) -> bytes:
        return struct.pack("<HHII", tag, typ, count, value)

    ifd0 = (
        struct.pack("<H", ifd0_entries)
        + b"".join(
            [
                entry(0x00FE, 4, 1, 1),  # reduced-resolution image
                entry(0x0103, 3, 1, 6),  # JPEG
                entry(0x0110, 2, len(model), model_at),
                entry(0x0111, 4, 1, preview_at),
                entry(0x0117, 4, 1, len(preview)),
                entry(0x014A, 4, 1, sub_at),
                entry(0x0112, 3, 1, 1),
            ]
        )
        + struct.pack("<I", 0)
    )
    sub = (
        struct.pack("<H", sub_entries)
        + b"".join(
            [
                entry(0x00FE, 4, 1, 0),
                entry(0x0100, 4, 1, width),
                entry(0x0101, 4, 1, height),
                entry(0x0103, 3, 1, 1),
                entry(0x0111, 4, 1, sensor_at),
                entry(0x0117, 4, 1, sensor_bytes),
            ]
        )
        + struct.pack("<I", 0)
    )
    sensor = np.random.default_rng(7).integers(0, 4096, sensor_bytes // 2, dtype=np.uint16)
    return b"II*\x00" + struct.pack("<I", 8) + ifd0 + sub + model + preview + sensor.tobytes()


def _jpeg(size: tuple[int, int], seed: int) -> bytes:
    buffer = io.BytesIO()
    render_pixels(seed, size).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def _video(path: Path, seconds: int) -> Path:
    if path.exists():
        return path
    progress(f"writing a {seconds} s {VIDEO_SIZE[0]}x{VIDEO_SIZE[1]} H.264 video (once)")
    tmp = path.with_suffix(".part")
    with av.open(str(tmp), mode="w", format="mp4") as out:
        out.metadata["creation_time"] = "2024-05-01T10:00:00.000000Z"
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height = VIDEO_SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "g": "50"}
        base = np.asarray(render_pixels(3, VIDEO_SIZE).convert("RGB"))
        for i in range(seconds * 25):
            frame = av.VideoFrame.from_ndarray(np.roll(base, i * 4, axis=1), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 25)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.rename(path)
    return path


def _files() -> dict[str, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    files = {
        "JPEG 6000x4000": CACHE / "same-pixels.jpg",
        "RAW 6000x4000 (.nef)": CACHE / "bench.nef",
        "JPEG 4032x3024": CACHE / "phone.jpg",
    }
    if not files["RAW 6000x4000 (.nef)"].exists():
        progress("writing the RAW and JPEG baselines (once)")
        preview = _jpeg(RAW_SIZE, 11)
        files["JPEG 6000x4000"].write_bytes(_jpeg(RAW_SIZE, 12))
        raw = _tiff_raw(preview, RAW_SIZE[0] * RAW_SIZE[1] * 2 // 3)  # 16 MB of sensor data
        files["RAW 6000x4000 (.nef)"].write_bytes(raw)
        files["JPEG 4032x3024"].write_bytes(_jpeg((4032, 3024), 14))
    files["video 2 s"] = _video(CACHE / "short.mp4", 2)
    files["video 120 s"] = _video(CACHE / "long.mp4", 120)
    return files


def _best(path: Path, settings: PipelineSettings) -> tuple[float, float, FileResult]:
    """(best total ms, best ms without read+hash, last result) over REPEAT runs."""
    totals, without = [], []
    result: FileResult | None = None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = process_file(path, settings)
        totals.append((time.perf_counter() - started) * 1000)
        stages = sum(getattr(result.timings, f.name) for f in fields(result.timings))
        without.append(stages - result.timings.read_hash)
    assert result is not None
    return min(totals), min(without), result


def run(ctx: BenchContext) -> dict[str, float]:
    heading("issue 11: RAW and video cost against JPEG baselines (single process, best of 5)")
    configure_for_pool()
    files = _files()
    figures: dict[str, float] = {}
    rows: list[list[Cell]] = []
    with tempfile.TemporaryDirectory() as thumbs:
        settings = PipelineSettings(thumbs_dir=Path(thumbs))
        for name, path in files.items():
            path.read_bytes()  # warm the page cache: every side is measured from memory
            total, without, result = _best(path, settings)
            figures[name], figures[name + " w/o hash"] = total, without
            error = result.error.reason if result.error else (result.preview_error or "")
            rows.append([name, path.stat().st_size / 1e6, total, without, result.kind, error])
    say(table(["file", "MB", "ms", "ms w/o read+hash", "kind", "error / warning"], rows))
    ratio = figures["RAW 6000x4000 (.nef)"] / figures["JPEG 6000x4000"]
    verdict = "ok" if ratio <= RAW_TARGET_RATIO else "MISSED"
    say(f"RAW / JPEG of the same size: {ratio:.2f}x (target <= {RAW_TARGET_RATIO:.0f}x: {verdict})")
    short, long = figures["video 2 s w/o hash"], figures["video 120 s w/o hash"]
    verdict = "ok" if max(short, long) <= VIDEO_TARGET_MS else "MISSED"
    say(
        f"video without read+hash: {short:.0f} ms (2 s) and {long:.0f} ms (120 s); target <= "
        f"{VIDEO_TARGET_MS:.0f} ms whatever the length: {verdict}; a 12 MP JPEG in the same run: "
        f"{figures['JPEG 4032x3024']:.0f} ms"
    )
    return figures
