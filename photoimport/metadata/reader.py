"""Read what an image says about itself: size, orientation, camera, dates, GPS.

The dataclasses (shared with timestamps and pipeline) are defined in
``photoimport.metadata.values`` and re-exported here; import them from this module.

Everything comes from what Pillow (and pillow-heif, registered at import) parse when a file is
opened: no pixel decoding and no exiftool process. Sources, by format:

- EXIF: ``info["exif"]`` (JPEG, MPO, WebP, AVIF, GIF, HEIF); the IFDs of a TIFF; for PNG the
  eXIf chunk wherever it is (Pillow only sees one after IDAT when decoding), else ImageMagick's
  "Raw profile type exif" text chunk.
- orientation: EXIF, else XMP tiff:Orientation (what Pillow's ``exif_transpose`` uses too);
  HEIF: ``info["original_orientation"]``.
- XMP dates: ``info["xmp"]`` (JPEG, PNG iTXt, WebP, HEIF), TIFF tag 700.
- IPTC DateCreated + TimeCreated: JPEG APP13 resource 0x0404, TIFF tag 33723, HEIF IPTC item.
- PNG tIME; Olympus PictureInfo and Casio QVCI APP segments; Canon maker-note TimeZone.

HEIF: pillow-heif applies the container's ``irot``/``imir``/``clap`` on decode and resets EXIF
Orientation to 1, so the displayed size is the decoded size, ``orientation`` is the EXIF value as
stored (``info["original_orientation"]``) and ``width``/``height`` are the primary image's
``ispe`` size, found by undoing those transformations.
"""

from __future__ import annotations

import dataclasses
import struct
import warnings
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageFile, IptcImagePlugin, TiffImagePlugin

from photoimport.media.formats import register_heif
from photoimport.metadata.apple import apple_content_id
from photoimport.metadata.exif import read_exif_fields
from photoimport.metadata.makernotes import canon_timezone_offset, segment_dates
from photoimport.metadata.png import PngChunks, read_png_chunks
from photoimport.metadata.sidecars import xmp_gps
from photoimport.metadata.values import DateTag, DateTagName, GpsInfo, ImageMetadata
from photoimport.metadata.xmp import (
    iptc_dates_from_records,
    iptc_from_photoshop,
    read_iptc_dates,
    read_xmp_dates,
)

__all__ = [
    "DateTag",
    "DateTagName",
    "GpsInfo",
    "ImageMetadata",
    "metadata_from_image",
    "read_metadata",
]

register_heif()

_TIFF_XMP = 700
# Pillow's own name for the format, to the MIME type photoimport records.
_MIME_OVERRIDES = {"MPO": "image/jpeg"}
# Errors Pillow raises for an EXIF block it cannot parse at all.
_EXIF_ERRORS = (SyntaxError, ValueError, KeyError, TypeError, OSError, struct.error)


def read_metadata(path: Path) -> ImageMetadata:
    """Open ``path`` read-only and read its metadata (raises on a file that is not an image).

    Pillow's warnings while opening (the JPEG plugin reads EXIF for the DPI) are kept too.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Image.open(path) as im:
            meta = metadata_from_image(im)
    return _with_pillow_warnings(meta, caught)


def metadata_from_image(im: Image.Image) -> ImageMetadata:
    """Metadata of an already opened image (the pipeline opens each file once).

    Reads only what was parsed at open (plus, for PNG, the chunk headers): never decodes.
    Warnings Pillow raises about damaged metadata ("Corrupt EXIF data", "Truncated File Read")
    become entries of ``ImageMetadata.warnings`` instead of escaping as Python warnings.
    Opening a file with damaged EXIF can warn too: open it under ``warnings.catch_warnings``.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta = _read(im)
    return _with_pillow_warnings(meta, caught)


def _with_pillow_warnings(
    meta: ImageMetadata, caught: list[warnings.WarningMessage]
) -> ImageMetadata:
    if not caught:
        return meta
    notes = tuple(f"Pillow: {str(w.message).strip()}" for w in caught)
    return dataclasses.replace(meta, warnings=meta.warnings + notes)


def _read(im: Image.Image) -> ImageMetadata:
    fmt = im.format or "unknown"
    notes: list[str] = []
    is_heif = fmt == "HEIF"
    fp = _file_of(im)
    png = read_png_chunks(fp) if fmt == "PNG" and fp is not None else None
    exif, tiff_bytes = _exif_block(im, png, notes)
    fields = read_exif_fields(exif)
    notes.extend(fields.warnings)

    if is_heif:
        original = im.info.get("original_orientation")
        orientation = original if isinstance(original, int) and 1 <= original <= 8 else 1
        width, height = _heif_stored_size(im)
        display_width, display_height = im.size
    else:
        orientation = fields.orientation or 1
        width, height = im.size
        swap = orientation in (5, 6, 7, 8)
        display_width, display_height = (height, width) if swap else (width, height)

    dates: list[DateTag] = list(fields.dates)
    dates.extend(_xmp_dates(im, notes))
    gps = fields.gps if fields.gps is not None else _xmp_gps(im)
    dates.extend(_iptc_dates(im, notes))
    if png is not None and png.time is not None:
        dates.append(png.time)
    applist = getattr(im, "applist", None)
    if isinstance(applist, list):
        dates.extend(segment_dates(applist))

    makernote_offset = None
    if fields.maker_note and tiff_bytes and (fields.make or "").lower().startswith("canon"):
        makernote_offset = canon_timezone_offset(tiff_bytes, fields.maker_note)

    return ImageMetadata(
        format=fmt,
        mime=_mime(im, fmt),
        width=width,
        height=height,
        display_width=display_width,
        display_height=display_height,
        orientation=orientation,
        make=fields.make,
        model=fields.model,
        dates=tuple(dates),
        gps=gps,
        makernote_offset=makernote_offset,
        warnings=tuple(notes),
        content_id=apple_content_id(fields.maker_note)
        if fields.maker_note and (fields.make or "").lower() == "apple"
        else None,
        serial=fields.serial,
    )


def _file_of(im: Image.Image) -> IO[bytes] | None:
    """The still-open file an image was read from (None once Pillow has let go of it)."""
    fp = im.fp if isinstance(im, ImageFile.ImageFile) else None
    return fp if fp is not None and not getattr(fp, "closed", False) else None


def _mime(im: Image.Image, fmt: str) -> str:
    if fmt in _MIME_OVERRIDES:
        return _MIME_OVERRIDES[fmt]
    mime = im.get_format_mimetype() if isinstance(im, ImageFile.ImageFile) else None
    return mime or Image.MIME.get(fmt, "application/octet-stream")


def _exif_block(
    im: Image.Image, png: PngChunks | None, notes: list[str]
) -> tuple[Image.Exif, bytes | None]:
    """The parsed EXIF and, when known, the raw TIFF bytes it came from (for maker notes)."""
    raw: bytes | None = None
    if im.format == "PNG":
        # PngImageFile.getexif() decodes the image to look for an eXIf after IDAT: walk instead.
        raw = _bytes(im.info.get("exif"))
        if raw is None and png is not None:
            raw = png.exif
        if raw is None:
            raw = _raw_profile_exif(im.info.get("Raw profile type exif"), notes)
        exif = Image.Exif()
        if raw is not None:
            try:
                exif.load(raw)
            except _EXIF_ERRORS as exc:
                notes.append(f"EXIF block unreadable: {exc}")
                exif = Image.Exif()
    else:
        raw = _bytes(im.info.get("exif"))
        try:
            exif = im.getexif()
        except _EXIF_ERRORS as exc:
            notes.append(f"EXIF block unreadable: {exc}")
            exif = Image.Exif()
        if raw is not None and not exif:
            # Some plugins (JPEG) parse EXIF while opening and swallow the error: find it again.
            try:
                Image.Exif().load(raw)
            except _EXIF_ERRORS as exc:
                notes.append(f"EXIF block unreadable: {exc}")
    if raw is not None and raw.startswith(b"Exif\x00\x00"):
        raw = raw[6:]
    return exif, raw


def _bytes(value: object) -> bytes | None:
    return value if isinstance(value, bytes) and value else None


def _raw_profile_exif(value: object, notes: list[str]) -> bytes | None:
    """ImageMagick's "Raw profile type exif" text chunk: a header of 3 lines, then hex."""
    if not isinstance(value, str):
        return None
    try:
        return bytes.fromhex("".join(value.split("\n")[3:]))
    except ValueError as exc:
        notes.append(f"PNG raw EXIF profile is not hex: {exc}")
        return None


def _heif_stored_size(im: Image.Image) -> tuple[int, int]:
    """The primary image's ``ispe`` size: the decoded size with irot/clap undone.

    pillow-heif keeps the transformations only on its private per-image context object
    (``_c_image.transformations``, e.g. ``(("irot", 270),)``); there is no public accessor.
    """
    width, height = im.size
    heif_file: Any = getattr(im, "_heif_file", None)
    if heif_file is None:
        return width, height
    try:
        transformations = heif_file[heif_file.primary_index]._c_image.transformations
    except (AttributeError, IndexError, TypeError):
        return width, height
    for transform in reversed(tuple(transformations)):
        if transform[0] == "irot" and transform[1] in (90, 270):
            width, height = height, width
        elif transform[0] == "clap" and len(transform) >= 7:
            width, height = int(transform[5]), int(transform[6])
    return width, height


def _xmp_dates(im: Image.Image, notes: list[str]) -> tuple[DateTag, ...]:
    packet = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if not packet and im.format == "TIFF":
        packet = getattr(im, "tag_v2", {}).get(_TIFF_XMP)
    if isinstance(packet, tuple):  # TIFF BYTE arrays may come back as a tuple of ints
        packet = bytes(packet)
    if not isinstance(packet, bytes | str) or not packet:
        return ()
    result = read_xmp_dates(packet)
    notes.extend(result.warnings)
    return result.dates


def _xmp_gps(im: Image.Image) -> GpsInfo | None:
    """GPS of the embedded XMP (``exif:GPSDateTime`` counts like the EXIF GPS time)."""
    packet = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    return xmp_gps(packet) if isinstance(packet, bytes | str) and packet else None


def _iptc_dates(im: Image.Image, notes: list[str]) -> tuple[DateTag, ...]:
    if isinstance(im, TiffImagePlugin.TiffImageFile):
        # Photoshop tags the TIFF IPTC block as LONGs; Pillow's reader knows how to undo that.
        try:
            info = IptcImagePlugin.getiptcinfo(im)
        except _EXIF_ERRORS as exc:
            notes.append(f"IPTC block unreadable: {exc}")
            return ()
        records = {k: (v[0] if isinstance(v, list) else v) for k, v in (info or {}).items()}
        return iptc_dates_from_records(records)
    block = iptc_from_photoshop(im.info.get("photoshop"))
    if block is None and im.format == "HEIF":
        for item in im.info.get("metadata") or ():
            if isinstance(item, dict) and item.get("type") == "iptc":
                data = item.get("data")
                if isinstance(data, bytes):
                    block = data
                    break
    return read_iptc_dates(block) if block else ()
