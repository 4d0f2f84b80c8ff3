"""A ZIP of an export, produced as a stream of chunks: never whole in memory or on disk.

``zip_chunks(root, members)`` yields the bytes of a ZIP archive holding ``members`` (paths
relative to ``root``) as it reads them: ``zipfile`` writes to an unseekable sink, so each entry
gets a data descriptor after its data and ZIP64 records where sizes need them; memory stays at
one read buffer plus whatever the consumer has not taken yet. Photos are already compressed,
so entries are stored (no deflate: the CPU would gain nothing on JPEG/HEIC); text members
(``manifest.csv``, sidecars) are deflated.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, cast

__all__ = ["zip_chunks"]

READ_CHUNK = 1 << 20
_TEXT = (".csv", ".xmp", ".txt", ".json")


class _Sink:
    """A write-only, unseekable file whose written bytes the generator hands out."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def zip_chunks(root: Path, members: Iterable[str]) -> Iterator[bytes]:
    """The ZIP archive's bytes, chunk by chunk; a member missing on disk is left out."""
    sink = _Sink()
    with zipfile.ZipFile(cast(IO[bytes], sink), "w", allowZip64=True) as archive:
        for name in members:
            path = root / name
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            info = zipfile.ZipInfo(name, time.localtime(max(stat.st_mtime, 315532800))[:6])
            info.compress_type = (
                zipfile.ZIP_DEFLATED if name.lower().endswith(_TEXT) else zipfile.ZIP_STORED
            )
            info.file_size = stat.st_size
            with path.open("rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(READ_CHUNK):
                    dst.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
