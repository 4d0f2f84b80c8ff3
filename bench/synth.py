"""Render the planned corpus to real JPEG / HEIC files, cached under ``.bench-cache/``.

Pixels look like a photo to the codec: a smooth colour field, soft shapes, and sensor-like
noise, so a 4032x3024 JPEG at quality 90 is 2-4 MB as a phone's is. Everything comes from
seeded generators, so the same plan gives byte-identical files (libjpeg-turbo and x265 are
deterministic; the corpus test checks it).

HEIC is encoded with x265's ``veryfast`` preset: the default preset takes about 10 s per
12 MP image on this machine, ``veryfast`` 4.5 s, and its files still decode at phone-file
cost (0.43 s against 0.29 s for ``ultrafast``). The corpus is made once and cached.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from fractions import Fraction
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageDraw, ImageFilter

from bench.plan import PHONE_SIZE, PhotoFormat, PhotoKind, PhotoSpec, plan_corpus

CORPUS_VERSION = 1
MANIFEST_NAME = ".manifest.csv"  # a dot-file: a folder import skips it
CACHE_DIR = Path(__file__).resolve().parent.parent / ".bench-cache"
HEIC_ENCODER = {"preset": "veryfast"}

# EXIF tag numbers
MAKE, MODEL, ORIENTATION, SOFTWARE, DATETIME = 0x010F, 0x0110, 0x0112, 0x0131, 0x0132
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, CREATE_DATE = 0x9003, 0x9004
OFFSET_TIME, OFFSET_TIME_ORIGINAL, OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
SUBSEC_ORIGINAL, SUBSEC_DIGITIZED = 0x9291, 0x9292

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    format: PhotoFormat
    kind: PhotoKind
    size: int
    sha256: str


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: tuple[CorpusFile, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def only(self, fmt: PhotoFormat) -> tuple[CorpusFile, ...]:
        return tuple(f for f in self.files if f.format is fmt)


def render_pixels(seed: int, size: tuple[int, int]) -> Image.Image:
    """A photo-like RGB picture: colour field + shapes, blurred like optics, plus sensor noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    small = (max(w // 4, 8), max(h // 4, 6))
    coarse = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    detail = Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    im = Image.blend(
        coarse.resize(small, Image.Resampling.BICUBIC),
        detail.resize(small, Image.Resampling.BICUBIC),
        0.3,
    )
    draw = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = int(rng.integers(0, small[0])), int(rng.integers(0, small[1]))
        r = int(rng.integers(small[0] // 40 + 1, small[0] // 5 + 2))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + r, y + int(r * rng.uniform(0.5, 1.5))), fill=colour)
        else:
            draw.rectangle((x, y, x + r, y + int(r * rng.uniform(0.3, 1.0))), fill=colour)
    im = im.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BICUBIC)
    pixels = np.asarray(im).astype(np.int16)
    pixels += rng.integers(-10, 11, size=pixels.shape, dtype=np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(100)


def exif_for(spec: PhotoSpec) -> Image.Exif:
    """The EXIF a phone writes: camera, orientation, dates with sub-seconds and offset, GPS."""
    exif = Image.Exif()
    if not spec.has_exif:
        return exif
    stamp = spec.taken.strftime("%Y:%m:%d %H:%M:%S")
    offset = spec.taken.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    exif[MAKE] = spec.make
    exif[MODEL] = spec.model
    exif[SOFTWARE] = spec.software
    exif[ORIENTATION] = spec.orientation
    exif[DATETIME] = stamp
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[DATETIME_ORIGINAL] = stamp
    ifd[CREATE_DATE] = stamp
    ifd[OFFSET_TIME] = offset
    ifd[OFFSET_TIME_ORIGINAL] = offset
    ifd[OFFSET_TIME_DIGITIZED] = offset
    subsec = f"{spec.taken.microsecond // 1000:03d}"
    ifd[SUBSEC_ORIGINAL] = subsec
    ifd[SUBSEC_DIGITIZED] = subsec
    if spec.gps is not None:
        lat, lon = spec.gps
        utc = spec.taken.astimezone(UTC)
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(lon)
        gps[7] = (Fraction(utc.hour), Fraction(utc.minute), Fraction(utc.second))
        gps[29] = utc.strftime("%Y:%m:%d")
    return exif


def encode(spec: PhotoSpec, size: tuple[int, int]) -> bytes:
    """The file's bytes (not for exact copies: those are copied from their source)."""
    im = render_pixels(spec.content_seed, size)
    if spec.scale != 1.0:
        scaled = (round(size[0] * spec.scale), round(size[1] * spec.scale))
        im = im.resize(scaled, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    exif = exif_for(spec).tobytes() if spec.has_exif else b""
    if spec.format is PhotoFormat.HEIC:
        thumbs = [320] if spec.embedded_thumbnail else []
        im.save(out, "HEIF", exif=exif, thumbnails=thumbs, enc_params=HEIC_ENCODER)
    else:
        im.save(out, "JPEG", quality=spec.quality, exif=exif)
    return out.getvalue()


def _write_one(job: tuple[PhotoSpec, tuple[int, int], Path]) -> None:
    spec, size, root = job
    target = root / spec.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(encode(spec, size))


def corpus_dir(n: int, size: tuple[int, int] = PHONE_SIZE, cache: Path = CACHE_DIR) -> Path:
    suffix = "" if size == PHONE_SIZE else f"-{size[0]}x{size[1]}"
    return cache / f"corpus-{n}{suffix}-v{CORPUS_VERSION}"


def build_corpus(
    n: int,
    size: tuple[int, int] = PHONE_SIZE,
    cache: Path = CACHE_DIR,
    workers: int | None = None,
) -> Corpus:
    """The corpus of ``n`` photos: from the cache, or rendered now (in a process pool)."""
    root = corpus_dir(n, size, cache)
    if not (root / MANIFEST_NAME).exists():
        _render(plan_corpus(n), size, root, workers or os.cpu_count() or 1)
    return load_corpus(root)


def _render(specs: list[PhotoSpec], size: tuple[int, int], root: Path, workers: int) -> None:
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    rendered = [s for s in specs if s.kind is not PhotoKind.EXACT_COPY]
    # HEIC first: the slowest encodes start early, so the pool's tail is short.
    rendered.sort(key=lambda s: s.format is not PhotoFormat.HEIC)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_write_one, [(s, size, partial) for s in rendered]))
    for spec in specs:
        if spec.kind is PhotoKind.EXACT_COPY:
            assert spec.source_index is not None
            target = partial / spec.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(partial / specs[spec.source_index].name, target)
    with (partial / MANIFEST_NAME).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "format", "kind", "source", "bytes", "sha256"])
        for spec in specs:
            data = (partial / spec.name).read_bytes()
            source = "" if spec.source_index is None else specs[spec.source_index].name
            digest = hashlib.sha256(data).hexdigest()
            out.writerow([spec.name, spec.format, spec.kind, source, len(data), digest])
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)


def load_corpus(root: Path) -> Corpus:
    with (root / MANIFEST_NAME).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    files = tuple(
        CorpusFile(
            path=root / r["name"],
            format=PhotoFormat(r["format"]),
            kind=PhotoKind(r["kind"]),
            size=int(r["bytes"]),
            sha256=r["sha256"],
        )
        for r in rows
    )
    return Corpus(root=root, files=files)
