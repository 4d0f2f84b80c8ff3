"""Videos (MP4, MOV, M4V, 3GP, MKV, AVI): container facts and one poster frame, via PyAV.

PyAV's wheels carry FFmpeg, so nothing is needed from the system. A video is never decoded
whole: FFmpeg reads the container's index (``moov``, the Matroska cues, the AVI index), then we
decode the first key frame only (``skip_frame = NONKEY``), so the cost per file does not grow
with the video's length. The file is read by FFmpeg from disk, never loaded into memory.

What is read (FFmpeg's names for the tags):

* ``creation_time`` (QuickTime ``mvhd``/``mdhd`` CreateDate; Matroska ``DateUTC``), UTC by
  the QuickTime specification; some cameras write their local clock there (see ``local_clock``).
* ``com.apple.quicktime.creationdate``: Apple's capture time with its offset (``Keys``).
* ``location`` / ``com.apple.quicktime.location.ISO6709``: GPS as ISO 6709 (``©xyz``).
* ``com.apple.quicktime.content.identifier``: the Live Photo identifier of a motion part.
* make/model (Apple ``Keys``), the handler and encoder names (they name GoPro cameras).
* duration, stored size, and the display rotation of the first video stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Final

import av
from PIL import Image

__all__ = ["VideoInfo", "parse_iso6709", "read_video"]

_APPLE = "com.apple.quicktime."
_ISO6709: Final = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")
# Writers known to put the camera's local wall clock in QuickTime CreateDate (not UTC).
_LOCAL_CLOCK_WRITERS: Final = ("gopro", "dji", "insta360")
_CONTAINERS: Final = {
    "mov,mp4,m4a,3gp,3g2,mj2": "MP4/QuickTime",
    "matroska,webm": "Matroska",
    "avi": "AVI",
    "mpegts": "MPEG transport stream",
}


@dataclass(frozen=True)
class VideoInfo:
    """What a video's container says about it (text values verbatim as FFmpeg reports them)."""

    container: str
    codec: str
    width: int  # stored size of the first video stream
    height: int
    rotation: int  # degrees the player turns the picture (0, 90, 180, 270)
    duration_seconds: float | None
    create_date: str | None  # ``creation_time``: "2021-04-10T10:44:00.000000Z"
    apple_creation_date: str | None  # "2021-04-10T11:43:59+0100"
    location: str | None  # ISO 6709 "+52.2097-000.8955+103.640/"
    make: str | None
    model: str | None
    content_id: str | None  # Apple Live Photo content identifier
    writer: str | None  # handler / encoder names, e.g. "GoPro AVC encoder"

    @property
    def display_size(self) -> tuple[int, int]:
        if self.rotation % 180 == 90:
            return self.height, self.width
        return self.width, self.height

    @property
    def local_clock(self) -> bool:
        """True when the writer is known to store local time in CreateDate (GoPro, DJI)."""
        names = " ".join(x for x in (self.make, self.model, self.writer) if x).lower()
        return any(name in names for name in _LOCAL_CLOCK_WRITERS)


def read_video(
    path: Path, box: int, iso_media: bool = True
) -> tuple[VideoInfo, Image.Image | None, str | None]:
    """The container facts, a poster frame within ``box`` (upright) and why there is none.

    ``iso_media`` (MP4, MOV, 3GP): the codec parameters are in the ``moov`` box, so FFmpeg is
    told not to probe packets (opening then costs ~1 ms instead of ~30 ms).

    Raises ``av.error.FFmpegError`` (or ``ValueError``) when the file cannot be opened at all;
    a poster frame that cannot be decoded is not an error: the reason is returned instead.
    """
    options = {"probesize": "32", "analyzeduration": "0"} if iso_media else {}
    with av.open(str(path), mode="r", options=options) as container:
        if not container.streams.video:
            raise ValueError("no video stream in this file")
        stream = container.streams.video[0]
        tags = {k.lower(): v for k, v in container.metadata.items()}
        stream_tags = {k.lower(): v for k, v in stream.metadata.items()}
        info = VideoInfo(
            container=_CONTAINERS.get(container.format.name, container.format.long_name),
            codec=stream.codec_context.name,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            rotation=0,
            duration_seconds=_duration(container.duration, stream),
            create_date=tags.get("creation_time") or stream_tags.get("creation_time"),
            apple_creation_date=tags.get(_APPLE + "creationdate"),
            location=tags.get(_APPLE + "location.iso6709") or tags.get("location"),
            make=tags.get(_APPLE + "make") or tags.get("make"),
            model=tags.get(_APPLE + "model") or tags.get("model"),
            content_id=tags.get(_APPLE + "content.identifier"),
            writer=" ".join(
                v for v in (stream_tags.get("handler_name"), stream_tags.get("encoder")) if v
            ).strip()
            or None,
        )
        poster, reason = _poster(container, stream, box)
        rotation = _rotation_of(poster)
        frame_image = _small_rgb(poster, box) if poster is not None else None
    info = _with_rotation(info, rotation)
    if frame_image is not None:
        frame_image = _upright(frame_image, info.rotation)
        frame_image.thumbnail((box, box))
    return info, frame_image, reason


def _duration(container_us: int | None, stream: av.VideoStream) -> float | None:
    if container_us is not None and container_us > 0:
        return container_us / 1_000_000
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * Fraction(stream.time_base))
    return None


def _poster(
    container: av.container.InputContainer, stream: av.VideoStream, box: int
) -> tuple[av.VideoFrame | None, str | None]:
    """The first key frame, decoded alone (one thread: the pool has one process per core)."""
    stream.codec_context.skip_frame = "NONKEY"
    stream.thread_type = "SLICE"
    stream.thread_count = 1
    try:
        for frame in container.decode(stream):
            return frame, None
    except av.error.FFmpegError as exc:
        return None, f"the first frame cannot be decoded: {exc}"
    return None, "the video has no frame that can be decoded"


def _small_rgb(frame: av.VideoFrame, box: int) -> Image.Image:
    """The frame scaled by FFmpeg (swscale) to fit ``box`` (twice, for a sharper thumbnail),
    then converted to RGB: converting the full frame first costs tens of milliseconds."""
    scale = min(1.0, 2 * box / max(frame.width, frame.height, 1))
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    pixels = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
    return Image.fromarray(pixels, "RGB")


def _rotation_of(frame: av.VideoFrame | None) -> int:
    if frame is None:
        return 0
    # PyAV reports the display matrix's angle counter-clockwise (-90 = turn right by 90).
    return round(-float(frame.rotation)) % 360


def _with_rotation(info: VideoInfo, rotation: int) -> VideoInfo:
    from dataclasses import replace

    return replace(info, rotation=rotation)


def _upright(image: Image.Image, rotation: int) -> Image.Image:
    if rotation == 90:
        return image.transpose(Image.Transpose.ROTATE_270)
    if rotation == 180:
        return image.transpose(Image.Transpose.ROTATE_180)
    if rotation == 270:
        return image.transpose(Image.Transpose.ROTATE_90)
    return image


def parse_iso6709(text: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of an ISO 6709 string like ``+52.2097-000.8955+103.640/``."""
    if not text:
        return None
    match = _ISO6709.match(text.strip())
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


# AVCHD camcorders (Panasonic, Sony) write the capture time into an H.264 SEI message
# ("MDPM": Modified Digital Video Pack Metadata) that FFmpeg does not report. It sits in the
# first frames, so the first megabytes are searched for its UUID: we read it ourselves
# because no maintained library exposes it, and this costs one bounded read.
_MDPM_UUID: Final = bytes.fromhex("17ee8c60f84d11d98cd60800200c9a66") + b"MDPM"
_MDPM_SEARCH: Final = 2 * 1024 * 1024


def avchd_date(path: Path) -> tuple[str, str] | None:
    """The AVCHD capture time as (``YYYY:MM:DD HH:MM:SS``, ``+HH:MM``), or None.

    The first byte of tag 0x18 is the camera's zone: 0x20 the sign, bits 1-4 the hours, 0x01
    a half hour (0x40 daylight saving, already included; 0x80 unused).
    """
    with path.open("rb") as fh:
        head = fh.read(_MDPM_SEARCH)
    at = head.find(_MDPM_UUID)
    if at < 0:
        return None
    pos = at + len(_MDPM_UUID)
    count = head[pos] if pos < len(head) else 0
    fields: dict[int, bytes] = {}
    for i in range(count):
        entry = head[pos + 1 + 5 * i : pos + 6 + 5 * i]
        if len(entry) == 5:
            fields[entry[0]] = entry[1:]
    first, second = fields.get(0x18), fields.get(0x19)
    if first is None or second is None:
        return None
    digits = (first[1:] + second).hex()  # BCD: YY YY MM DD hh mm ss
    if not digits.isdigit():
        return None
    y, mo, d = digits[:4], digits[4:6], digits[6:8]
    h, mi, sec = digits[8:10], digits[10:12], digits[12:14]
    zone = first[0]
    sign = "-" if zone & 0x20 else "+"
    offset = f"{sign}{(zone >> 1) & 0x0F:02d}:{'30' if zone & 0x01 else '00'}"
    return f"{y}:{mo}:{d} {h}:{mi}:{sec}", offset
