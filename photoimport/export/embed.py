"""Write the effective date inside an export copy with ExifTool (metadata only, pixels untouched).

ExifTool (Debian ``libimage-exiftool-perl``) rewrites a file's metadata blocks and copies the
image data through byte for byte: it never decodes or re-encodes pixels. It is run once per
export thread with ``-stay_open`` (perl starts once, not once per photo), always on the
*temporary copy*, never on an original.

Formats written: those ExifTool writes in place with standard tags (``EMBED_EXTENSIONS``:
JPEG, TIFF, PNG, WebP, HEIC/HEIF/AVIF, DNG). Camera RAW files and videos get the sidecar
only: rewriting proprietary RAW containers is where ExifTool itself advises caution.

Tags: ``DateTimeOriginal``, ``CreateDate`` (EXIF, the local wall clock) with
``OffsetTimeOriginal`` / ``OffsetTimeDigitized`` (its UTC offset), and XMP
``photoshop:DateCreated`` / ``xmp:CreateDate`` (ISO 8601 with the offset).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import datetime
from pathlib import Path
from typing import IO

from photoimport.errors import ExportError

__all__ = ["EMBED_EXTENSIONS", "EmbedFailed", "ExifTool", "date_tag_args", "exiftool_path"]

EMBED_EXTENSIONS = frozenset({".jpg", ".tif", ".png", ".webp", ".heic", ".heif", ".avif", ".dng"})
READY = b"{ready}"


class EmbedFailed(ExportError):
    """ExifTool could not write the date into a copy."""


def exiftool_path() -> str | None:
    return shutil.which("exiftool")


def _offset(local: datetime) -> str:
    delta = local.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def date_tag_args(local: datetime) -> list[str]:
    """ExifTool arguments that set the capture date to ``local`` (aware wall clock)."""
    wall = local.strftime("%Y:%m:%d %H:%M:%S")
    offset = _offset(local)
    iso = local.strftime("%Y-%m-%dT%H:%M:%S") + offset
    return [
        f"-EXIF:DateTimeOriginal={wall}",
        f"-EXIF:CreateDate={wall}",
        f"-EXIF:OffsetTimeOriginal={offset}",
        f"-EXIF:OffsetTimeDigitized={offset}",
        f"-XMP-photoshop:DateCreated={iso}",
        f"-XMP-xmp:CreateDate={iso}",
    ]


class ExifTool:
    """One ``exiftool -stay_open`` process; ``write_date`` is safe to call from one thread."""

    def __init__(self, executable: str | None = None) -> None:
        exe = executable or exiftool_path()
        if exe is None:
            raise ExportError(
                "ExifTool is not installed (Debian: apt-get install libimage-exiftool-perl); "
                "it writes the date inside the copies"
            )
        self._proc = subprocess.Popen(
            [exe, "-stay_open", "True", "-@", "-", "-common_args", "-charset", "filename=utf8"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        self._stderr: list[bytes] = []
        assert self._proc.stderr is not None
        self._drain = threading.Thread(target=self._read_stderr, args=(self._proc.stderr,))
        self._drain.daemon = True
        self._drain.start()

    def _read_stderr(self, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self._stderr.append(line)

    def _run(self, args: list[str]) -> str:
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        payload = "\n".join([*args, "-execute", ""]).encode()
        self._proc.stdin.write(payload)
        self._proc.stdin.flush()
        out = bytearray()
        while not out.rstrip().endswith(READY):
            line = self._proc.stdout.readline()
            if not line:
                raise EmbedFailed("ExifTool stopped unexpectedly")
            out += line
        return out.decode(errors="replace").rstrip().removesuffix(READY.decode()).strip()

    def write_date(self, path: Path, local: datetime) -> None:
        """Set the capture date inside ``path`` (rewritten in place by ExifTool)."""
        with self._lock:
            self._stderr.clear()
            out = self._run(["-overwrite_original", "-m", *date_tag_args(local), str(path)])
            errors = b"".join(self._stderr).decode(errors="replace").strip()
        if "1 image files updated" not in out:
            reason = errors.splitlines()[0] if errors else (out or "no answer")
            raise EmbedFailed(f"ExifTool could not write the date: {reason}")

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(b"-stay_open\nFalse\n")
                self._proc.stdin.close()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> ExifTool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
