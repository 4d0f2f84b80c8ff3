"""What a file is, from its first bytes (never from its name), and pillow-heif registration.

``detect_format(head, name)`` looks at the magic bytes at the start of a file. The name is
used only as a tiebreak for TIFF-structured camera raws (NEF, ARW, PEF, ...) that share the
plain TIFF header and carry no DNGVersion tag in the bytes given.

| content                                     | kind        | supported |
|---------------------------------------------|-------------|-----------|
| JPEG (MPO too), PNG, GIF, WebP, TIFF        | that format | yes       |
| ISOBMFF ``ftyp`` heic/heix/mif1/... brands  | HEIC        | yes       |
| ISOBMFF ``ftyp`` avif/avis brands           | AVIF        | yes       |
| CR2, CR3, NEF, ARW, ORF, RW2, RAF, DNG, ... | RAW         | no        |
| JPEG XL (codestream FF0A or ``JXL `` box)   | JPEG_XL     | no        |
| BMP, PSD, ICO, JPEG 2000, SVG, ...          | OTHER_IMAGE | no        |
| text, PDF, video, audio, archives, empty    | NOT_IMAGE   | no        |

An unsupported result carries ``reason`` in plain words ("unsupported format: Canon CR3 raw",
"not an image: text file"), ready for ``FileError(path, Stage.DETECT, reason)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

import pillow_heif

__all__ = [
    "HEAD_BYTES",
    "DetectedFormat",
    "FormatKind",
    "detect_format",
    "has_image_signature",
    "register_heif",
]

# How many leading bytes callers should pass: enough for every magic number and for the
# first TIFF directory of most camera raws (where DNGVersion lives).
HEAD_BYTES = 4096


class FormatKind(StrEnum):
    """The family of a file's content. Values match the ``kind`` column of MANIFEST.csv."""

    JPEG = "jpeg"
    HEIC = "heic"
    AVIF = "avif"
    PNG = "png"
    WEBP = "webp"
    TIFF = "tiff"
    GIF = "gif"
    RAW = "raw"
    VIDEO = "video"
    JPEG_XL = "jxl"
    OTHER_IMAGE = "other_image"
    NOT_IMAGE = "not_image"


SUPPORTED_KINDS = frozenset(
    {
        FormatKind.JPEG,
        FormatKind.HEIC,
        FormatKind.AVIF,
        FormatKind.PNG,
        FormatKind.WEBP,
        FormatKind.TIFF,
        FormatKind.GIF,
        FormatKind.RAW,  # issue 11: metadata + the largest embedded preview
        FormatKind.VIDEO,  # issue 11: container facts + a poster frame (PyAV)
    }
)


@dataclass(frozen=True)
class DetectedFormat:
    """What the first bytes say the file is."""

    kind: FormatKind
    name: str  # human name: "JPEG", "HEIF", "Nikon NEF raw", "text file", ...
    supported: bool
    reason: str | None  # None when supported; else plain words for a FileError

    @classmethod
    def image(cls, kind: FormatKind, name: str) -> DetectedFormat:
        if kind in SUPPORTED_KINDS:
            return cls(kind, name, True, None)
        return cls(kind, name, False, f"unsupported format: {name}")

    @classmethod
    def not_image(cls, what: str) -> DetectedFormat:
        return cls(FormatKind.NOT_IMAGE, what, False, f"not an image: {what}")


_heif_registered = False


def register_heif() -> None:
    """Register pillow-heif's HEIF opener with Pillow, once per process (idempotent).

    AVIF is not registered here: Pillow 13 decodes AVIF natively (``features.check("avif")``),
    and this pillow-heif build has no AVIF decoder.
    """
    global _heif_registered
    if not _heif_registered:
        pillow_heif.register_heif_opener()
        _heif_registered = True


_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
    | {b"mif2", b"heif", b"MiHB", b"MiHE", b"MiPr", b"miaf"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis", b"avio"})
_VIDEO_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"mp71", b"avc1", b"M4V "}
    | {b"M4A ", b"M4VH", b"M4VP", b"qt  ", b"dash", b"f4v ", b"MSNV", b"NDAS", b"XAVC"}
)

_RAW_EXTENSIONS = {
    ".dng": "Adobe DNG raw",
    ".cr2": "Canon CR2 raw",
    ".crw": "Canon CRW raw",
    ".nef": "Nikon NEF raw",
    ".nrw": "Nikon NRW raw",
    ".arw": "Sony ARW raw",
    ".srf": "Sony SRF raw",
    ".sr2": "Sony SR2 raw",
    ".pef": "Pentax PEF raw",
    ".srw": "Samsung SRW raw",
    ".orf": "Olympus ORF raw",
    ".rw2": "Panasonic RW2 raw",
    ".raf": "Fujifilm RAF raw",
    ".3fr": "Hasselblad 3FR raw",
    ".erf": "Epson ERF raw",
    ".kdc": "Kodak KDC raw",
    ".dcr": "Kodak DCR raw",
    ".mos": "Leaf MOS raw",
    ".iiq": "Phase One IIQ raw",
    ".rwl": "Leica RWL raw",
    ".mrw": "Minolta MRW raw",
    ".x3f": "Sigma X3F raw",
}

_DNG_VERSION_TAG = 0xC612


def detect_format(head: bytes, name: str) -> DetectedFormat:
    """Classify a file from its first bytes (pass ``HEAD_BYTES``); ``name`` only breaks ties."""
    if not head:
        return DetectedFormat.not_image("empty file")
    ext = PurePath(name).suffix.lower()
    for check in (_simple_magic, _isobmff, _tiff_family, _other_magic):
        found = check(head, ext)
        if found is not None:
            return found
    if _looks_like_text(head):
        return DetectedFormat.not_image("text file")
    return DetectedFormat.not_image(f"unrecognised content (starts with {head[:8].hex(' ')})")


def has_image_signature(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes) starts like an image, supported or not.

    The same detector as ``detect_format`` (one sniffer for the walker, the watcher and the
    pipeline), asked without a name.
    """
    return detect_format(head, "").kind is not FormatKind.NOT_IMAGE


def _simple_magic(head: bytes, ext: str) -> DetectedFormat | None:
    if head.startswith(b"\xff\xd8\xff"):
        return DetectedFormat.image(FormatKind.JPEG, "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DetectedFormat.image(FormatKind.PNG, "PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return DetectedFormat.image(FormatKind.GIF, "GIF")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return DetectedFormat.image(FormatKind.WEBP, "WebP")
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return DetectedFormat.image(FormatKind.JPEG_XL, "JPEG XL")
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return DetectedFormat.image(FormatKind.RAW, "Fujifilm RAF raw")
    if head.startswith(b"\x00MRM"):
        return DetectedFormat.image(FormatKind.RAW, "Minolta MRW raw")
    if head.startswith(b"FOVb"):
        return DetectedFormat.image(FormatKind.RAW, "Sigma X3F raw")
    if head[6:14] == b"HEAPCCDR":
        return DetectedFormat.image(FormatKind.RAW, "Canon CRW raw")
    return None


def _isobmff(head: bytes, ext: str) -> DetectedFormat | None:
    """ISO base media files: HEIF, AVIF, Canon CR3, JPEG XL container, MP4/QuickTime video."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    (box_size,) = struct.unpack(">I", head[:4])
    end = min(max(box_size, 16), len(head))
    major = head[8:12]
    brands = [major] + [head[i : i + 4] for i in range(16, end - 3, 4)]
    if b"crx " in brands:
        return DetectedFormat.image(FormatKind.RAW, "Canon CR3 raw")
    if b"jxl " in brands:
        return DetectedFormat.image(FormatKind.JPEG_XL, "JPEG XL")
    if major in _AVIF_BRANDS:
        return DetectedFormat.image(FormatKind.AVIF, "AVIF")
    if major in _HEIF_BRANDS:
        if any(b in _AVIF_BRANDS for b in brands) and not any(
            b in {b"heic", b"heix", b"hevc", b"hevx"} for b in brands
        ):
            return DetectedFormat.image(FormatKind.AVIF, "AVIF")
        return DetectedFormat.image(FormatKind.HEIC, "HEIF")
    if any(b in _AVIF_BRANDS for b in brands):
        return DetectedFormat.image(FormatKind.AVIF, "AVIF")
    if any(b in _HEIF_BRANDS for b in brands):
        return DetectedFormat.image(FormatKind.HEIC, "HEIF")
    if major.startswith(b"3g"):
        return DetectedFormat.image(FormatKind.VIDEO, "3GP video")
    if major == b"qt  ":
        return DetectedFormat.image(FormatKind.VIDEO, "QuickTime video")
    if major in _VIDEO_BRANDS or any(b in _VIDEO_BRANDS for b in brands):
        return DetectedFormat.image(FormatKind.VIDEO, "MP4 video")
    return DetectedFormat.not_image(f"ISO media file ({major.decode('latin-1').strip()})")


def _tiff_family(head: bytes, ext: str) -> DetectedFormat | None:
    """TIFF and the camera raws built on it."""
    order = head[:2]
    if order not in (b"II", b"MM"):
        return None
    magic = head[2:4]
    if order == b"II" and magic in (b"RO", b"RS"):
        return DetectedFormat.image(FormatKind.RAW, "Olympus ORF raw")
    if order == b"MM" and magic == b"OR":
        return DetectedFormat.image(FormatKind.RAW, "Olympus ORF raw")
    if order == b"II" and magic == b"U\x00":
        return DetectedFormat.image(FormatKind.RAW, "Panasonic RW2 raw")
    is_tiff = (order == b"II" and magic == b"*\x00") or (order == b"MM" and magic == b"\x00*")
    is_bigtiff = (order == b"II" and magic == b"+\x00") or (order == b"MM" and magic == b"\x00+")
    if not (is_tiff or is_bigtiff):
        return None
    if head[8:10] == b"CR" and head[10:11] == b"\x02":
        return DetectedFormat.image(FormatKind.RAW, "Canon CR2 raw")
    if is_tiff and _has_tag_in_ifd0(head, _DNG_VERSION_TAG):
        return DetectedFormat.image(FormatKind.RAW, "Adobe DNG raw")
    raw_name = _RAW_EXTENSIONS.get(ext)
    if raw_name is not None:
        # Same TIFF header as a plain TIFF: only the name tells them apart in the first bytes.
        return DetectedFormat.image(FormatKind.RAW, raw_name)
    return DetectedFormat.image(FormatKind.TIFF, "BigTIFF" if is_bigtiff else "TIFF")


def _has_tag_in_ifd0(head: bytes, tag: int) -> bool:
    """Whether the first TIFF directory (as far as ``head`` holds it) has ``tag``."""
    endian = "<" if head[:2] == b"II" else ">"
    if len(head) < 8:
        return False
    (ifd_offset,) = struct.unpack(endian + "I", head[4:8])
    if ifd_offset + 2 > len(head):
        return False
    (count,) = struct.unpack(endian + "H", head[ifd_offset : ifd_offset + 2])
    for i in range(count):
        pos = ifd_offset + 2 + 12 * i
        if pos + 2 > len(head):
            return False
        (entry_tag,) = struct.unpack(endian + "H", head[pos : pos + 2])
        if entry_tag == tag:
            return True
    return False


def _other_magic(head: bytes, ext: str) -> DetectedFormat | None:
    """Images Pillow might open but photoimport does not handle, and common non-images."""
    images = (
        (b"BM", "BMP"),
        (b"8BPS", "Photoshop PSD"),
        (b"\x00\x00\x01\x00", "Windows icon (ICO)"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
        (b"\xff\x4f\xff\x51", "JPEG 2000 codestream"),
        (b"icns", "macOS icon (ICNS)"),
    )
    for magic, what in images:
        if head.startswith(magic):
            return DetectedFormat.image(FormatKind.OTHER_IMAGE, what)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return DetectedFormat.image(FormatKind.VIDEO, "Matroska/WebM video")
    others = (
        (b"%PDF", "PDF document"),
        (b"PK\x03\x04", "zip archive"),
        (b"PK\x05\x06", "zip archive"),
        (b"Rar!", "RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "7z archive"),
        (b"\x1f\x8b", "gzip archive"),
        (b"OggS", "Ogg media file"),
        (b"ID3", "audio file (MP3)"),
        (b"fLaC", "audio file (FLAC)"),
        (b"\x7fELF", "program (ELF)"),
        (b"MZ", "Windows program"),
        (b"SQLite format 3\x00", "SQLite database"),
    )
    for magic, what in others:
        if head.startswith(magic):
            return DetectedFormat.not_image(what)
    if head[:4] == b"RIFF":
        kind = head[8:12]
        if kind == b"AVI ":
            return DetectedFormat.image(FormatKind.VIDEO, "AVI video")
        if kind == b"WAVE":
            return DetectedFormat.not_image("audio file (WAV)")
        return DetectedFormat.not_image("RIFF file")
    if len(head) >= 189 and head[0] == 0x47 and head[188] == 0x47:
        return DetectedFormat.image(FormatKind.VIDEO, "MPEG transport stream video")
    if len(head) >= 197 and head[4] == 0x47 and head[196] == 0x47:  # M2TS (AVCHD .MTS)
        return DetectedFormat.image(FormatKind.VIDEO, "AVCHD video")
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return DetectedFormat.not_image("video file (MPEG)")
    lowered = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<svg", b"<?xml")) and b"<svg" in lowered:
        return DetectedFormat.image(FormatKind.OTHER_IMAGE, "SVG (vector image)")
    return None


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 (or ASCII) without control bytes other than whitespace."""
    sample = head[:1024]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(sample) - 3:
            return False
        text = sample[: exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n\f\v" for ch in text.lstrip("\ufeff"))
