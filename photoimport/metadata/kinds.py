"""The pipeline's steps for what is not a photo Pillow decodes: RAW, video, broken pixels,
sidecars. Each returns facts (metadata, a reduced upright picture or why there is none) for
``pipeline.process_file`` to hash, date and thumbnail like any photo.

* ``open_raw``: metadata from the RAW's own TIFF/CR3 blocks, the picture from its largest
  embedded JPEG preview (never a demosaic), turned upright with the RAW's orientation.
* ``open_video``: container facts and dates as date tags (QuickTime CreateDate is UTC by the
  specification, except for writers known to store the camera's local clock there: GoPro,
  DJI, Insta360), GPS from ``©xyz``, and a poster frame (the first key frame, decoded alone).
* ``facts_without_pixels``: a photo Pillow cannot open or decode still has its EXIF and XMP,
  read from the bytes; its picture falls back to the largest JPEG embedded in it (the EXIF
  thumbnail), else none, and the reason is kept as a warning.
* ``with_sidecars``: dates and GPS of the file's XMP sidecars and Takeout JSON become tags of
  their own (the capture rules rank them); the sidecars read are listed.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps

from photoimport.media.raw import read_raw, read_raw_bytes
from photoimport.media.video import VideoInfo, avchd_date, parse_iso6709, read_video
from photoimport.metadata.embedded import Blocks, find_blocks, metadata_from_blocks
from photoimport.metadata.sidecars import (
    MAX_SIDECAR_BYTES,
    FolderSidecars,
    is_sidecar_name,
    read_xmp_sidecar,
)
from photoimport.metadata.takeout import parse_takeout_json
from photoimport.metadata.values import DateTag, DateTagName, GpsInfo, ImageMetadata

__all__ = [
    "Decoded",
    "embedded_picture",
    "facts_without_pixels",
    "open_raw",
    "open_video",
    "with_sidecars",
]

# The sniffer's names for videos (``media.formats``) and their MIME types.
_VIDEO_MIME: Final = {
    "MP4 video": "video/mp4",
    "QuickTime video": "video/quicktime",
    "3GP video": "video/3gpp",
    "Matroska/WebM video": "video/x-matroska",
    "AVI video": "video/x-msvideo",
    "MPEG transport stream video": "video/mp2t",
    "AVCHD video": "video/mp2t",
}


@dataclass(frozen=True)
class Decoded:
    """What one file gave: its metadata and, when there is one, its reduced upright picture."""

    kind: str  # "photo", "raw", "video"
    metadata: ImageMetadata
    reduced: Image.Image | None
    preview_error: str | None = None  # why there is no picture (a warning, not an error)
    duration_seconds: float | None = None


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """``image`` turned by an EXIF orientation value (1..8) that is not its own."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.info["exif"] = exif.tobytes()
    turned = ImageOps.exif_transpose(image)
    return turned.convert("RGB") if turned.mode != "RGB" else turned


def _reduce_jpeg(data: bytes, box: int, orientation: int) -> Image.Image:
    with Image.open(io.BytesIO(data), formats=("JPEG",)) as im:
        im.draft("RGB", (box, box))
        im.thumbnail((box, box))
        picture = im.convert("RGB")
    return _upright(picture, orientation)


def open_raw(path: Path, box: int, name: str) -> Decoded:
    """A RAW file's metadata and its largest embedded preview, reduced and upright."""
    contents, preview = read_raw(path, min_side=box)
    meta = metadata_from_blocks(
        Blocks(contents.tiff_blocks),
        fmt=name,
        mime="image/x-raw",
        cr3=contents.container == "CR3",
        width=contents.width,
        height=contents.height,
        warnings=contents.warnings,
    )
    if contents.maker_date:
        tag = DateTag(DateTagName.MAKERNOTE_DATETIME_ORIGINAL, contents.maker_date)
        meta = dataclasses.replace(meta, dates=(*meta.dates, tag))
    best = contents.largest()
    if preview is None or best is None:
        return Decoded("raw", meta, None, "no embedded preview image in this RAW file")
    if not meta.width:
        swap = meta.orientation in (5, 6, 7, 8)
        meta = dataclasses.replace(
            meta,
            width=best.width,
            height=best.height,
            display_width=best.height if swap else best.width,
            display_height=best.width if swap else best.height,
        )
    try:
        if best.encoding == "rgb":
            picture = Image.frombytes("RGB", (best.width, best.height), preview)
            picture.thumbnail((box, box))
            reduced = _upright(picture, meta.orientation)
        else:
            reduced = _reduce_jpeg(preview, box, meta.orientation)
    except (OSError, ValueError, SyntaxError) as exc:
        return Decoded("raw", meta, None, f"the embedded preview cannot be decoded: {exc}")
    return Decoded("raw", meta, reduced)


def video_metadata(info: VideoInfo, name: str = "MP4 video") -> ImageMetadata:
    """A video's container facts as ``ImageMetadata`` (dates as QuickTime date tags)."""
    dates: list[DateTag] = []
    if info.apple_creation_date:
        dates.append(DateTag(DateTagName.QUICKTIME_CREATION_DATE, info.apple_creation_date))
    if info.create_date:
        if info.local_clock:  # the camera's wall clock, whatever the "Z" FFmpeg adds says
            local = info.create_date.rstrip("Z").split(".")[0]
            dates.append(DateTag(DateTagName.QUICKTIME_CREATE_DATE_LOCAL, local))
        else:
            dates.append(DateTag(DateTagName.QUICKTIME_CREATE_DATE, info.create_date))
    position = parse_iso6709(info.location)
    gps = GpsInfo(position[0], position[1], None, None, None) if position else None
    width, height = info.width, info.height
    display_width, display_height = info.display_size
    return ImageMetadata(
        format=name,
        mime=_VIDEO_MIME.get(name, "video/x-unknown"),
        width=width,
        height=height,
        display_width=display_width,
        display_height=display_height,
        orientation=1,
        make=info.make or ("GoPro" if info.writer and "gopro" in info.writer.lower() else None),
        model=info.model,
        dates=tuple(dates),
        gps=gps,
        content_id=info.content_id,
    )


def open_video(path: Path, box: int, name: str = "MP4 video") -> Decoded:
    """A video's facts and its poster frame (the first key frame, decoded alone); ``name`` is
    the sniffer's (``MP4 video``, ``QuickTime video``, ...)."""
    iso_media = name in ("MP4 video", "QuickTime video", "3GP video")
    info, poster, reason = read_video(path, box, iso_media)
    meta = video_metadata(info, name)
    if not meta.dates:
        stamp = avchd_date(path)  # AVCHD camcorders: the date is in the H.264 stream only
        if stamp:
            tag = DateTag(DateTagName.MAKERNOTE_DATETIME_ORIGINAL, stamp[0], None, stamp[1])
            meta = dataclasses.replace(meta, dates=(tag,))
    return Decoded("video", meta, poster, reason, info.duration_seconds)


def embedded_picture(head: bytes, box: int, orientation: int) -> Image.Image | None:
    """The largest complete JPEG embedded in ``head`` (not the file itself), reduced, upright."""
    embedded = read_raw_bytes(head, min_side=0).largest()
    if embedded is None or embedded.encoding != "jpeg":
        return None
    data = head[embedded.offset : embedded.offset + embedded.length]
    try:
        return _reduce_jpeg(data, box, orientation)
    except (OSError, ValueError, SyntaxError):
        return None  # a damaged thumbnail: the file simply has no picture to show


def facts_without_pixels(head: bytes, fmt: str, mime: str, reason: str, box: int) -> Decoded:
    """A photo whose pixels cannot be decoded: metadata from its bytes, the embedded
    thumbnail as its picture when it has one, and ``reason`` kept as the warning."""
    meta = metadata_from_blocks(find_blocks(head), fmt=fmt, mime=mime, warnings=(reason,))
    picture = embedded_picture(head, box, meta.orientation)
    if picture is None:
        return Decoded("photo", meta, None, reason)
    return Decoded("photo", meta, picture, f"{reason} (shown: its embedded thumbnail)")


@lru_cache(maxsize=64)
def _folder_sidecars(folder: str, mtime_ns: int) -> FolderSidecars:
    """The folder's sidecars, indexed (cached per folder and modification time, per process:
    a folder is listed once however many photos it holds)."""
    try:
        names = [p.name for p in Path(folder).iterdir() if is_sidecar_name(p.name)]
    except OSError:
        names = []
    return FolderSidecars(names)


def with_sidecars(meta: ImageMetadata, path: Path) -> tuple[ImageMetadata, tuple[str, ...]]:
    """``meta`` with the dates and GPS of ``path``'s sidecars, and the sidecars read."""
    try:
        mtime_ns = path.parent.stat().st_mtime_ns
    except OSError:
        return meta, ()
    names = _folder_sidecars(str(path.parent), mtime_ns).of(path.name)
    dates = list(meta.dates)
    gps = meta.gps
    notes = list(meta.warnings)
    read: list[str] = []
    for name in names:
        sidecar = path.parent / name
        try:
            with sidecar.open("rb") as fh:
                data = fh.read(MAX_SIDECAR_BYTES + 1)
        except OSError as exc:
            notes.append(f"sidecar {name} unreadable: {exc.strerror or exc}")
            continue
        if name.lower().endswith(".xmp"):
            xmp = read_xmp_sidecar(data)
            dates.extend(xmp.dates)
            notes.extend(xmp.warnings)
            gps = gps if gps is not None and gps.latitude is not None else (xmp.gps or gps)
            read.append(str(sidecar))
            continue
        facts = parse_takeout_json(data)
        if facts is None:
            continue
        read.append(str(sidecar))
        notes.extend(facts.warnings)
        if facts.taken_utc is not None:
            stamp = facts.taken_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            dates.append(DateTag(DateTagName.TAKEOUT_PHOTO_TAKEN, stamp))
        if (gps is None or gps.latitude is None) and facts.latitude is not None:
            gps = GpsInfo(facts.latitude, facts.longitude, None, None, None)
    if not read:
        return meta, ()
    return dataclasses.replace(meta, dates=tuple(dates), gps=gps, warnings=tuple(notes)), tuple(
        read
    )
