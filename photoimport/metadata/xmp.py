"""Dates in XMP packets and in IPTC-IIM records.

XMP is parsed with ``xml.etree.ElementTree`` after refusing any DOCTYPE or ENTITY declaration
(the only way an XML packet can expand entities or reach outside itself), so defusedxml is not
needed. The packet is found with plain forward searches (``find_element``), linear in its size,
and a packet over ``MAX_XMP_BYTES`` is ignored with a warning: a hostile file cannot make the
search or the parse take more than milliseconds. IPTC-IIM is a flat list of records that we
read directly (Pillow's ``IptcImagePlugin.getiptcinfo`` only reads it from JPEG and TIFF, not
from HEIF).
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from photoimport.metadata.values import DateTag, DateTagName

_NS_XMP = "http://ns.adobe.com/xap/1.0/"
_NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
_NS_EXIF = "http://ns.adobe.com/exif/1.0/"
_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_XMP_DATE_TAGS = {
    f"{{{_NS_EXIF}}}DateTimeOriginal": DateTagName.XMP_EXIF_DATETIME_ORIGINAL,
    f"{{{_NS_PHOTOSHOP}}}DateCreated": DateTagName.XMP_PHOTOSHOP_DATE_CREATED,
    f"{{{_NS_XMP}}}CreateDate": DateTagName.XMP_CREATE_DATE,
    f"{{{_NS_XMP}}}ModifyDate": DateTagName.XMP_MODIFY_DATE,
}
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_XMP_BYTES = 2 * 1024 * 1024  # real packets are kilobytes; Lightroom's largest, hundreds
_AFTER_NAME = frozenset(b" \t\r\n>")


@dataclass(frozen=True)
class XmpDates:
    dates: tuple[DateTag, ...]
    warnings: tuple[str, ...]


def read_xmp_dates(packet: bytes | str) -> XmpDates:
    """The date tags of one XMP packet, attribute and element forms, in document order."""
    data = packet.encode("utf-8") if isinstance(packet, str) else packet
    if len(data) > MAX_XMP_BYTES:
        size, cap = f"{len(data) / 1_048_576:.1f} MB", f"{MAX_XMP_BYTES >> 20} MB"
        return XmpDates((), (f"XMP packet ignored: {size} is over the {cap} cap",))
    if _DECLARATION.search(data):
        return XmpDates((), ("XMP packet ignored: it declares a DOCTYPE or entities",))
    found_xml = find_element(data, b"x:xmpmeta") or find_element(data, b"rdf:RDF")
    if found_xml is None:
        return XmpDates((), ())
    try:
        root = ET.fromstring(found_xml.rstrip(b"\x00"))
    except ET.ParseError as exc:
        return XmpDates((), (f"XMP packet is not well-formed XML: {exc}",))
    found: dict[DateTagName, str] = {}
    for element in root.iter():
        for attr, value in element.attrib.items():
            name = _XMP_DATE_TAGS.get(attr)
            if name is not None:
                found.setdefault(name, value.strip())
        name = _XMP_DATE_TAGS.get(element.tag)
        if name is not None:
            text = _element_text(element)
            if text is not None:
                found.setdefault(name, text)
    order = list(_XMP_DATE_TAGS.values())
    dates = tuple(DateTag(n, found[n]) for n in order if n in found)
    return XmpDates(dates, ())


def find_element(data: bytes, name: bytes) -> bytes | None:
    """``<name ...>...</name>``: the first opening tag, up to the first closing tag after it.

    Linear: every ``find`` moves forward. (The regex ``<name[\\s>].*?</name>`` it replaces
    tried each opening tag against the rest of the data: quadratic, minutes for a packet of
    opening tags that a 1 KB PNG can hold compressed.) Same result as that regex: when the
    first opening tag has no closing tag after it, no later one has either.
    """
    opening, closing = b"<" + name, b"</" + name + b">"
    start = data.find(opening)
    while start != -1:
        after = start + len(opening)
        if after < len(data) and data[after] in _AFTER_NAME:
            end = data.find(closing, after)
            return None if end == -1 else data[start : end + len(closing)]
        start = data.find(opening, after)
    return None


def _element_text(element: ET.Element) -> str | None:
    """``<xmp:CreateDate>v</...>``, or ``rdf:value`` / a single ``rdf:li`` inside it."""
    text = (element.text or "").strip()
    if text:
        return text
    value = element.attrib.get(f"{{{_NS_RDF}}}value")
    if value:
        return value.strip()
    for child in element.iter():
        if child is not element and child.tag in (f"{{{_NS_RDF}}}li", f"{{{_NS_RDF}}}value"):
            child_text = (child.text or "").strip()
            if child_text:
                return child_text
    return None


# IPTC-IIM: record 2 (application), datasets 55 DateCreated and 60 TimeCreated.
_IPTC_MARKER = 0x1C
_IPTC_DATE_CREATED = (2, 55)
_IPTC_TIME_CREATED = (2, 60)
_PHOTOSHOP_IPTC_RESOURCE = 0x0404


def iptc_from_photoshop(resources: object) -> bytes | None:
    """The IPTC-IIM block from Pillow's ``info["photoshop"]`` (JPEG APP13 image resources)."""
    if isinstance(resources, dict):
        block = resources.get(_PHOTOSHOP_IPTC_RESOURCE)
        if isinstance(block, bytes):
            return block
    return None


def read_iptc_records(data: bytes) -> dict[tuple[int, int], bytes]:
    """The datasets of an IPTC-IIM block (first value of each), stopping at any damage."""
    records: dict[tuple[int, int], bytes] = {}
    pos = 0
    while pos + 5 <= len(data):
        if data[pos] != _IPTC_MARKER:
            break
        record, dataset = data[pos + 1], data[pos + 2]
        (length,) = struct.unpack(">H", data[pos + 3 : pos + 5])
        pos += 5
        if length & 0x8000:  # extended length: the next (length & 0x7FFF) bytes hold the size
            size_len = length & 0x7FFF
            if size_len > 4 or pos + size_len > len(data):
                break
            length = int.from_bytes(data[pos : pos + size_len], "big")
            pos += size_len
        if pos + length > len(data):
            break
        records.setdefault((record, dataset), data[pos : pos + length])
        pos += length
    return records


def read_iptc_dates(data: bytes) -> tuple[DateTag, ...]:
    """IPTC DateCreated (+ TimeCreated) of an IIM block as one date tag (layout: ``DateTag``)."""
    return iptc_dates_from_records(read_iptc_records(data))


def iptc_dates_from_records(records: Mapping[tuple[int, int], bytes]) -> tuple[DateTag, ...]:
    """IPTC DateCreated (+ TimeCreated) from already split records (first value of each)."""
    raw_date = records.get(_IPTC_DATE_CREATED)
    if raw_date is None:
        return ()
    date = raw_date.decode("latin-1").split("\x00", 1)[0].strip()
    raw_time = records.get(_IPTC_TIME_CREATED)
    time = raw_time.decode("latin-1").split("\x00", 1)[0].strip() if raw_time else ""
    value = _iptc_date(date)
    offset: str | None = None
    if time:
        clock, offset = _iptc_time(time)
        value = f"{value} {clock}"
    return (DateTag(DateTagName.IPTC_DATE_CREATED, value, None, offset),)


def _iptc_date(date: str) -> str:
    if len(date) == 8 and date.isdigit():
        return f"{date[:4]}:{date[4:6]}:{date[6:]}"
    return date


def _iptc_time(time: str) -> tuple[str, str | None]:
    match = re.fullmatch(r"(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})(\d{2}))?", time)
    if match is None:
        return time, None
    hh, mm, ss, sign, oh, om = match.groups()
    offset = f"{sign}{oh}:{om}" if sign else None
    return f"{hh}:{mm}:{ss}", offset
