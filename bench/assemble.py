"""A phone-like corpus of any size, assembled in minutes from a few rendered pictures; cached.

``bench.synth`` renders and encodes every photo: fine for 200, hours for 10,000 (a 12 MP HEIC
takes 10-20 s of x265 here). This corpus has the same plan (``plan_corpus``: names, devices,
dates, EXIF, 10 % exact copies, 10 % near duplicates) plus the RAW and video files of the
real-dumps issue, and every file is a real, distinct one that costs what a phone's costs to
decode, but it is made from bytes, not by encoding each file:

* **JPEG** (``bench.splice``): ``PICTURES`` rendered 12 MP pictures are encoded once at each
  quality the plan uses (90 originals, 75 re-encoded copies, 80 for the half-size messenger
  copies), with a restart marker after every MCU row. A file is the shared header, its own
  EXIF (APP1), and its MCU rows taken band by band (``BANDS`` bands) from the pictures that its
  ``content_seed`` picks: 16^12 distinct pictures, so distinct SHA-256 and perceptual hashes,
  decoded at the cost of any baseline 12 MP JPEG. A near duplicate takes the same bands from
  the lower-quality or half-size encodings of the same pictures, so it looks like its source.
* **HEIC** as an iPhone writes it: a 12 MP HEVC primary image (one of ``HEIC_PICTURES``
  encodings), an EXIF item and a 320x240 HEVC thumbnail item. Each file gets its own EXIF item
  and its own thumbnail (the downscaled band mix of its seed, encoded by pillow_heif: ~50 ms),
  appended in a second ``mdat`` box. The pipeline reads the thumbnail (distinct hashes), the
  floor decodes the primary image in full (as it does for every HEIC).
* **RAW and video**: the real samples of ``tests/corpus/extra`` (NEF, ARW, CR2, CR3, DNG;
  GoPro and Pixel MP4, iPhone MOV, a Live Photo's MOV), each copy made distinct by a trailer the
  format ignores (bytes after the TIFF data; a ``free`` box after the last ISO-BMFF box).
  At most ~32 copies of each sample at 10,000 files (``RAW_SHARE``, ``VIDEO_SHARE``).

The rendered pictures are cached in ``.bench-cache/assembled-pictures-<size>-v<N>/`` and the
corpus in ``.bench-cache/assembled-<n>-v<N>/`` with the same manifest as ``bench.synth`` (so
``load_corpus`` reads it). 10,000 files: about 25 GB, built in a few minutes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import random
import shutil
import struct
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pillow_heif
from PIL import Image

from bench.plan import PHONE_SIZE, PhotoFormat, PhotoKind, PhotoSpec, plan_corpus
from bench.report import progress
from bench.splice import HeifTemplate, SplitJpeg, app1, primary_bitstream, split_jpeg
from bench.synth import (
    CACHE_DIR,
    HEIC_ENCODER,
    MANIFEST_NAME,
    Corpus,
    exif_for,
    load_corpus,
    render_pixels,
)

VERSION = 1
PICTURES = 16
HEIC_PICTURES = 4
BANDS = 12
THUMB_BOX = 320
QUALITIES = (90, 75)  # full-size encodings: originals, re-encoded copies
HALF_QUALITY = 80  # the half-size messenger copies
RAW_SHARE, VIDEO_SHARE = 0.015, 0.0125
EXTRA = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "extra"
# (sample under tests/corpus/extra, the name a copy gets: a camera's folder and numbering)
RAWS = (
    ("imageio-test-images/Nikon_uncompressed.nef", "DCIM/100NIKON/DSC_{:04d}.NEF"),
    ("imagemeta-bep/sample.arw", "DCIM/100MSDCF/DSC{:05d}.ARW"),
    ("imagemeta-bep/sample.cr2", "DCIM/100CANON/IMG_{:04d}.CR2"),
    ("nom-exif/canon-r6.cr3", "DCIM/101CANON/IMG_{:04d}.CR3"),
    ("pigallery2/test.dng", "DCIM/102APPLE/IMG_{:04d}.DNG"),
)
VIDEOS = (
    ("gpmf-parser/max-heromode.mp4", "GoPro/GX01{:04d}.MP4"),
    ("immich-go/PXL_20220724_210650210.NIGHT.mp4", "Pixel/Camera/PXL_VID_{:05d}.mp4"),
    ("nom-exif/meta.mov", "DCIM/103APPLE/IMG_{:04d}.MOV"),
    ("pigallery2/live_photo/IMG_7943_HEVC.MOV", "DCIM/104APPLE/IMG_{:04d}.MOV"),
)
ISO_BMFF = (".cr3", ".mp4", ".mov")

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class Extra:
    """A RAW or video file: a real sample with a trailer of its own."""

    name: str
    format: PhotoFormat
    sample: Path
    index: int


def assembled_dir(n: int, size: tuple[int, int] = PHONE_SIZE, cache: Path = CACHE_DIR) -> Path:
    suffix = "" if size == PHONE_SIZE else f"-{size[0]}x{size[1]}"
    return cache / f"assembled-{n}{suffix}-v{VERSION}"


def build_assembled(
    n: int,
    size: tuple[int, int] = PHONE_SIZE,
    cache: Path = CACHE_DIR,
    workers: int | None = None,
) -> Corpus:
    """The assembled corpus of ``n`` files: from the cache, or made now."""
    root = assembled_dir(n, size, cache)
    if not (root / MANIFEST_NAME).exists():
        pictures = _pictures(size, cache, workers or os.cpu_count() or 1)
        specs, extras = plan_assembled(n)
        _assemble(specs, extras, pictures, root, workers or os.cpu_count() or 1)
    return load_corpus(root)


def plan_assembled(n: int) -> tuple[list[PhotoSpec], list[Extra]]:
    """The photos (``plan_corpus``; every HEIC with its thumbnail) and the RAW / video copies."""
    n_raw = max(1, round(n * RAW_SHARE))
    n_video = max(1, round(n * VIDEO_SHARE))
    specs = [
        replace(s, embedded_thumbnail=True) if s.format is PhotoFormat.HEIC else s
        for s in plan_corpus(n - n_raw - n_video)
    ]
    extras: list[Extra] = []
    for count, samples, fmt in (
        (n_raw, RAWS, PhotoFormat.RAW),
        (n_video, VIDEOS, PhotoFormat.VIDEO),
    ):
        for k in range(count):
            sample, pattern = samples[k % len(samples)]
            number = 1000 + k // len(samples)
            extras.append(Extra(pattern.format(number), fmt, EXTRA / sample, len(extras)))
    return specs, extras


def band_rows(height: int) -> int:
    """MCU rows (16 px) per band, even so that a half-size copy's bands are whole rows too."""
    rows = math.ceil(height / 16)
    per_band = math.ceil(rows / BANDS)
    return per_band + per_band % 2


def thumb_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = THUMB_BOX / max(width, height)
    return round(width * scale), round(height * scale)


# ---- the rendered pictures (once per size) ----------------------------------------------------


def _pictures(size: tuple[int, int], cache: Path, workers: int) -> Path:
    folder = cache / f"assembled-pictures-{size[0]}x{size[1]}-v{VERSION}"
    if (folder / ".done").exists():
        return folder
    progress(f"rendering {PICTURES} JPEG and {HEIC_PICTURES} HEIC pictures into {folder} (once)")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    jobs = [("heic", i, size, folder) for i in range(HEIC_PICTURES)]
    jobs += [("jpeg", i, size, folder) for i in range(PICTURES)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_render_picture, jobs))
    (folder / ".done").write_text(f"{PICTURES} {HEIC_PICTURES}\n")
    return folder


def _render_picture(job: tuple[str, int, tuple[int, int], Path]) -> None:
    kind, index, size, folder = job
    if kind == "heic":
        im = render_pixels(5000 + index, size)
        out = io.BytesIO()
        exif = Image.Exif().tobytes()  # an EXIF item (each file gets its own)
        im.save(out, "HEIF", exif=exif, thumbnails=[THUMB_BOX], enc_params=HEIC_ENCODER)
        (folder / f"heic-{index:02d}.heic").write_bytes(out.getvalue())
        return
    im = render_pixels(4000 + index, size)
    half = im.resize((size[0] // 2, size[1] // 2), Image.Resampling.LANCZOS)
    for quality in QUALITIES:
        _save_jpeg(im, folder / f"jpeg-{index:02d}-q{quality}.jpg", quality)
    _save_jpeg(half, folder / f"jpeg-{index:02d}-half.jpg", HALF_QUALITY)
    im.resize(thumb_size(size), Image.Resampling.LANCZOS).save(folder / f"thumb-{index:02d}.png")


def _save_jpeg(im: Image.Image, path: Path, quality: int) -> None:
    # 4:2:0 and the standard Huffman tables (no optimize) in every encoding: equal headers
    im.save(path, "JPEG", quality=quality, subsampling=2, restart_marker_rows=1)


# ---- one file -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pictures:
    size: tuple[int, int]
    full: dict[int, list[SplitJpeg]]  # quality -> one split encoding per picture
    half: list[SplitJpeg]
    thumbs: list[Image.Image]
    heic: list[HeifTemplate]


_LOADED: _Pictures | None = None


def _load(folder: Path, size: tuple[int, int]) -> None:
    global _LOADED
    full = {
        q: [split_jpeg((folder / f"jpeg-{i:02d}-q{q}.jpg").read_bytes()) for i in range(PICTURES)]
        for q in QUALITIES
    }
    half = [split_jpeg((folder / f"jpeg-{i:02d}-half.jpg").read_bytes()) for i in range(PICTURES)]
    for encodings in (*full.values(), half):
        if len({e.header for e in encodings}) != 1:
            raise ValueError("the pictures' JPEG headers differ: rows cannot be mixed")
    thumbs = []
    for i in range(PICTURES):
        with Image.open(folder / f"thumb-{i:02d}.png") as im:
            thumbs.append(im.convert("RGB"))
    heic = [
        HeifTemplate.parse((folder / f"heic-{i:02d}.heic").read_bytes())
        for i in range(HEIC_PICTURES)
    ]
    _LOADED = _Pictures(size, full, half, thumbs, heic)


def _bands(spec: PhotoSpec) -> list[int]:
    rng = random.Random(spec.content_seed)
    return [rng.randrange(PICTURES) for _ in range(BANDS)]


def _jpeg(pics: _Pictures, spec: PhotoSpec) -> bytes:
    bands = _bands(spec)
    per_band = band_rows(pics.size[1])
    if spec.scale == 1.0:
        sources = pics.full[spec.quality]
    else:
        sources, per_band = pics.half, per_band // 2
    pick = [bands[row // per_band] for row in range(len(sources[0].rows))]
    app = app1(exif_for(spec).tobytes()) if spec.has_exif else b""
    return sources[0].join(sources, pick, app)


def _thumbnail(pics: _Pictures, spec: PhotoSpec) -> bytes:
    """The HEVC bitstream of the file's 320 px thumbnail: its bands, downscaled."""
    width, height = thumb_size(pics.size)
    band_px = band_rows(pics.size[1]) * 16
    canvas = Image.new("RGB", (width, height))
    for band, picture in enumerate(_bands(spec)):
        top = min(height, round(band * band_px * height / pics.size[1]))
        bottom = min(height, round((band + 1) * band_px * height / pics.size[1]))
        if bottom > top:
            canvas.paste(pics.thumbs[picture].crop((0, top, width, bottom)), (0, top))
    out = io.BytesIO()
    canvas.save(out, "HEIF", enc_params=HEIC_ENCODER)
    return primary_bitstream(out.getvalue())


def _heic(pics: _Pictures, spec: PhotoSpec) -> bytes:
    template = pics.heic[_bands(spec)[0] % HEIC_PICTURES]
    return template.with_items(exif_for(spec).tobytes(), _thumbnail(pics, spec))


def _write_one(job: tuple[PhotoSpec, Path]) -> tuple[str, int, str]:
    spec, root = job
    assert _LOADED is not None
    data = _heic(_LOADED, spec) if spec.format is PhotoFormat.HEIC else _jpeg(_LOADED, spec)
    target = root / spec.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return spec.name, len(data), hashlib.sha256(data).hexdigest()


def _extra_bytes(extra: Extra) -> bytes:
    data = extra.sample.read_bytes()
    mark = f"photoimport bench {extra.index:08d}".encode()
    if extra.sample.suffix.lower() in ISO_BMFF:  # a box readers skip, after the last box
        return data + struct.pack(">I4s", 8 + len(mark), b"free") + mark
    return data + mark  # TIFF-based RAW: bytes no IFD points at


# ---- the whole corpus ---------------------------------------------------------------------------


def _assemble(
    specs: list[PhotoSpec], extras: list[Extra], pictures: Path, root: Path, workers: int
) -> None:
    progress(f"assembling {len(specs) + len(extras):,} files into {root} (once)")
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    size = _picture_size(pictures)
    made = [s for s in specs if s.kind is not PhotoKind.EXACT_COPY]
    facts: dict[str, tuple[int, str]] = {}
    with ProcessPoolExecutor(workers, initializer=_load, initargs=(pictures, size)) as pool:
        jobs = [(s, partial) for s in made]
        for name, length, digest in pool.map(_write_one, jobs, chunksize=16):
            facts[name] = (length, digest)
    for spec in specs:
        if spec.kind is PhotoKind.EXACT_COPY:
            assert spec.source_index is not None
            source = specs[spec.source_index].name
            target = partial / spec.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(partial / source, target)
            facts[spec.name] = facts[source]
    for extra in extras:
        data = _extra_bytes(extra)
        target = partial / extra.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        facts[extra.name] = (len(data), hashlib.sha256(data).hexdigest())
    with (partial / MANIFEST_NAME).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "format", "kind", "source", "bytes", "sha256"])
        for spec in specs:
            source = "" if spec.source_index is None else specs[spec.source_index].name
            out.writerow([spec.name, spec.format, spec.kind, source, *facts[spec.name]])
        for extra in extras:
            out.writerow([extra.name, extra.format, PhotoKind.ORIGINAL, "", *facts[extra.name]])
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)


def _picture_size(folder: Path) -> tuple[int, int]:
    with Image.open(folder / "jpeg-00-q90.jpg") as im:
        return im.size
