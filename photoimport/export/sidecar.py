"""XMP sidecars (``name.ext.xmp``) carrying the effective date beside every export copy.

A sidecar is written for every exported file, dated or not, so the copy's history travels with
it even for formats whose own metadata cannot be rewritten safely (RAW, video). Standard
properties (``exif:DateTimeOriginal``, ``xmp:CreateDate``, ``photoshop:DateCreated``: ISO 8601
with the offset; the same wall clock the photo was named by) are what Lightroom, darktable and
digiKam read; ``photoimport:`` properties say where the date came from and how sure it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

__all__ = ["SIDECAR_SUFFIX", "SidecarFacts", "sidecar_xml", "write_sidecar"]

SIDECAR_SUFFIX = ".xmp"
NS_PHOTOIMPORT = "https://github.com/photoimport/photoimport/ns/1.0/"


@dataclass(frozen=True)
class SidecarFacts:
    local: datetime | None  # effective local wall clock, aware
    date_source: str  # "detected" or "decision"
    confidence: str
    original_name: str
    original_sha256: str


def _iso(local: datetime) -> str:
    return local.isoformat(timespec="seconds")


def sidecar_xml(facts: SidecarFacts) -> str:
    attrs: list[tuple[str, str]] = []
    if facts.local is not None:
        iso = _iso(facts.local)
        attrs += [
            ("exif:DateTimeOriginal", iso),
            ("xmp:CreateDate", iso),
            ("photoshop:DateCreated", iso),
        ]
    attrs += [
        ("photoimport:DateSource", facts.date_source),
        ("photoimport:DateConfidence", facts.confidence),
        ("photoimport:OriginalFileName", facts.original_name),
        ("photoimport:OriginalSHA256", facts.original_sha256),
    ]
    body = "\n".join(f"    {name}={quoteattr(value)}" for name, value in attrs)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:exif="http://ns.adobe.com/exif/1.0/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"\n'
        f'    xmlns:photoimport="{NS_PHOTOIMPORT}"\n'
        f"{body}/>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    )


def write_sidecar(target: Path, facts: SidecarFacts, tag: str, mtime: float | None) -> Path:
    """Write ``target`` + ``.xmp`` through a temporary name; unchanged content is left alone.

    Plain ``os`` calls on one descriptor (create, one write, its mtime, close, rename): the
    sidecar is a few hundred bytes, so per-file system calls are all it costs.
    """
    path = target.with_name(target.name + SIDECAR_SUFFIX)
    data = sidecar_xml(facts).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return path
    except FileNotFoundError:
        pass
    temp = path.with_name(f".{path.name}.{tag}.part")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mtime is not None:
                os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
