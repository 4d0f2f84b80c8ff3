"""The synthetic corpus as data: which photo is what, named how, dated when (no pixels here).

``plan_corpus(n, seed)`` is a pure function: the same ``n`` and ``seed`` always give the same list
of ``PhotoSpec``. ``bench.synth`` renders each spec to bytes. The mix follows issue 3 section 4:
about 80 % JPEG and 20 % HEIC, about 10 % exact byte copies (a backup folder, "name (1).jpg")
and 10 % near duplicates (re-encoded, or resized the way a messenger app resizes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

PHONE_SIZE = (4032, 3024)


class PhotoKind(StrEnum):
    ORIGINAL = "original"
    EXACT_COPY = "exact copy"  # the same bytes under another name
    REENCODED = "re-encoded"  # same pixels, JPEG at a lower quality, EXIF kept
    RESIZED = "resized"  # half size, EXIF stripped (a messenger app)


class PhotoFormat(StrEnum):
    JPEG = "JPEG"
    HEIC = "HEIC"
    RAW = "RAW"  # real camera RAW samples (``bench.assemble`` only)
    VIDEO = "video"  # real phone and action-camera videos (``bench.assemble`` only)


@dataclass(frozen=True)
class Device:
    make: str
    model: str
    style: str  # how it names files: "apple", "pixel", "samsung", "xiaomi"
    folder: str
    software: str


DEVICES = (
    Device("Apple", "iPhone 14 Pro", "apple", "DCIM/100APPLE", "17.1"),
    Device("Apple", "iPhone 12", "apple", "DCIM/101APPLE", "16.6"),
    Device("Google", "Pixel 7", "pixel", "Pixel/Camera", "HQ1A.231205.002"),
    Device("samsung", "SM-S911B", "samsung", "Samsung/DCIM/Camera", "S911BXXU3BWK5"),
    Device("Xiaomi", "M2101K6G", "xiaomi", "Xiaomi/DCIM/Camera", "V14.0.3.0"),
)
APPLE_DEVICES = DEVICES[:2]

# (UTC offset, latitude, longitude): the offset a phone there would write, and where it was
PLACES = (
    ("+02:00", 52.5163, 13.3777),
    ("+01:00", 48.8584, 2.2945),
    ("-04:00", 40.7484, -73.9857),
    ("+05:30", 19.0760, 72.8777),
    ("+09:00", 35.6586, 139.7454),
    ("-07:00", 37.8199, -122.4783),
    ("+00:00", 51.5007, -0.1246),
)
JPEG_ORIENTATIONS = (1, 1, 1, 1, 1, 6, 6, 6, 3, 8)


@dataclass(frozen=True)
class PhotoSpec:
    """One file of the corpus."""

    index: int
    name: str  # path relative to the corpus root
    kind: PhotoKind
    format: PhotoFormat
    content_seed: int  # pixels: near duplicates share their source's seed
    source_index: int | None  # the original a copy / near duplicate comes from
    taken: datetime  # aware wall clock at capture, with its offset
    make: str | None  # None: no EXIF at all (a messenger copy)
    model: str | None
    software: str | None
    orientation: int
    quality: int
    scale: float  # 1.0 phone size; 0.5 for a resized copy
    embedded_thumbnail: bool  # HEIC only: a 320 px thumbnail item, as a phone writes
    gps: tuple[float, float] | None = None  # latitude, longitude

    @property
    def has_exif(self) -> bool:
        return self.make is not None


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = (int(part) for part in text[1:].split(":"))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _file_name(device: Device, fmt: PhotoFormat, taken: datetime, counter: int) -> str:
    stamp = taken.strftime("%Y%m%d_%H%M%S")
    if device.style == "apple":
        ext = "HEIC" if fmt is PhotoFormat.HEIC else "JPG"
        return f"{device.folder}/IMG_{counter:04d}.{ext}"
    if device.style == "pixel":
        return f"{device.folder}/PXL_{stamp}{taken.microsecond // 1000:03d}.jpg"
    if device.style == "samsung":
        return f"{device.folder}/{stamp}.jpg"
    return f"{device.folder}/IMG_{stamp}.jpg"


def _original(rng: random.Random, index: int, is_heic: bool, counter: int) -> PhotoSpec:
    device = rng.choice(APPLE_DEVICES if is_heic else DEVICES)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    moment = start + timedelta(seconds=rng.randrange(0, 6 * 365 * 86400))
    offset, lat, lon = rng.choice(PLACES)
    taken = moment.astimezone(_offset(offset))
    taken = taken.replace(microsecond=rng.randrange(0, 1000) * 1000)
    fmt = PhotoFormat.HEIC if is_heic else PhotoFormat.JPEG
    return PhotoSpec(
        index=index,
        name=_file_name(device, fmt, taken, counter),
        kind=PhotoKind.ORIGINAL,
        format=fmt,
        content_seed=rng.randrange(2**31),
        source_index=None,
        taken=taken,
        make=device.make,
        model=device.model,
        software=device.software,
        orientation=1 if is_heic else rng.choice(JPEG_ORIENTATIONS),
        quality=90,
        scale=1.0,
        embedded_thumbnail=is_heic and rng.random() < 0.5,
        gps=(lat, lon) if rng.random() < 0.6 else None,
    )


def _exact_copy(rng: random.Random, index: int, source: PhotoSpec) -> PhotoSpec:
    folder, _, base = source.name.rpartition("/")
    stem, _, ext = base.rpartition(".")
    name = f"backup/{folder}/{base}" if rng.random() < 0.5 else f"{folder}/{stem} (1).{ext}"
    return _derived(source, index, PhotoKind.EXACT_COPY, name)


def _near_duplicate(rng: random.Random, index: int, source: PhotoSpec) -> PhotoSpec:
    folder, _, base = source.name.rpartition("/")
    stem = base.rpartition(".")[0]
    if rng.random() < 0.5:
        name = f"{folder}/{stem}-edited.jpg"
        return _derived(source, index, PhotoKind.REENCODED, name, quality=75)
    wa = f"WhatsApp/Media/IMG-{source.taken:%Y%m%d}-WA{index % 10000:04d}.jpg"
    return _derived(source, index, PhotoKind.RESIZED, wa, quality=80, scale=0.5)


def _derived(
    source: PhotoSpec,
    index: int,
    kind: PhotoKind,
    name: str,
    quality: int | None = None,
    scale: float = 1.0,
) -> PhotoSpec:
    near = kind is not PhotoKind.EXACT_COPY
    stripped = kind is PhotoKind.RESIZED
    return PhotoSpec(
        index=index,
        name=name,
        kind=kind,
        format=PhotoFormat.JPEG if near else source.format,
        content_seed=source.content_seed,
        source_index=source.index,
        taken=source.taken,
        make=None if stripped else source.make,
        model=None if stripped else source.model,
        software=None if stripped else source.software,
        orientation=1 if stripped else source.orientation,
        quality=source.quality if quality is None else quality,
        scale=scale,
        embedded_thumbnail=source.embedded_thumbnail and not near,
        gps=None if stripped else source.gps,
    )


def plan_corpus(n: int, seed: int = 20230714) -> list[PhotoSpec]:
    """``n`` specs: originals first, then exact copies and near duplicates of them."""
    if n < 1:
        raise ValueError(f"a corpus needs at least one photo, got n={n}")
    rng = random.Random(seed)
    n_copies = n // 10
    n_near = n // 10
    n_originals = n - n_copies - n_near
    # Near duplicates are JPEG, so HEIC originals are a little over 20 % to keep ~20 % overall.
    heic = set(rng.sample(range(n_originals), round(n_originals * 0.225)))
    specs: list[PhotoSpec] = []
    names: set[str] = set()
    counter = rng.randrange(1000, 8000)
    for i in range(n_originals):
        spec = _original(rng, i, i in heic, counter + i)
        while spec.name in names:  # two photos in the same second from one phone
            spec = _original(rng, i, i in heic, counter + i)
        names.add(spec.name)
        specs.append(spec)
    originals = list(specs)
    for k in range(n_copies + n_near):
        index = n_originals + k
        source = rng.choice(originals)
        if k < n_copies:
            spec = _exact_copy(rng, index, source)
        else:
            spec = _near_duplicate(rng, index, source)
        while spec.name in names:
            source = rng.choice(originals)
            make = _exact_copy if k < n_copies else _near_duplicate
            spec = make(rng, index, source)
        names.add(spec.name)
        specs.append(spec)
    return specs
