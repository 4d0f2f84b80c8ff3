"""read_metadata / metadata_from_image against the real corpus and real files made with Pillow."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, TiffImagePlugin, UnidentifiedImageError

from photoimport.metadata.reader import (
    DateTag,
    DateTagName,
    GpsInfo,
    ImageMetadata,
    metadata_from_image,
    read_metadata,
)
from photoimport.metadata.xmp import read_iptc_records, read_xmp_dates
from tests.fixtures.corpus import CORPUS, CorpusFile, corpus_files, expected_date_rows
from tests.fixtures.images import EXIF_IFD, draw_scene, save_jpeg

OPENS = [cf for cf in corpus_files() if cf.row["pillow_size"]]
DOES_NOT_OPEN = [cf for cf in corpus_files() if not cf.row["pillow_size"]]


def _ids(cf: CorpusFile) -> str:
    return cf.row["path"]


def _size(text: str) -> tuple[int, int]:
    w, h = text.split("x")
    return int(w), int(h)


# ---------------------------------------------------------------- the corpus, row by row


@pytest.mark.parametrize("cf", OPENS, ids=_ids)
def test_sizes_and_orientation_match_manifest(cf: CorpusFile) -> None:
    row = cf.row
    with Image.open(cf.path) as im:
        meta = metadata_from_image(im)
        pillow_size = im.size
    assert (meta.width, meta.height) == (int(row["width"]), int(row["height"]))
    assert meta.orientation == int(row["orientation"] or 1)
    assert pillow_size == _size(row["pillow_size"])
    if meta.format == "HEIF":
        # pillow-heif applies irot/imir itself: what it decodes is what is shown.
        assert (meta.display_width, meta.display_height) == pillow_size
    elif meta.orientation in (5, 6, 7, 8):
        assert (meta.display_width, meta.display_height) == (meta.height, meta.width)
    else:
        assert (meta.display_width, meta.display_height) == (meta.width, meta.height)
    assert meta.mime == row["mime"]


_EXIF_COLUMNS = {
    "datetime_original": DateTagName.EXIF_DATETIME_ORIGINAL,
    "create_date": DateTagName.EXIF_CREATE_DATE,
    "modify_date": DateTagName.EXIF_MODIFY_DATE,
}


@pytest.mark.parametrize("cf", OPENS, ids=_ids)
def test_exif_dates_camera_and_gps_match_manifest(cf: CorpusFile) -> None:
    row = cf.row
    meta = read_metadata(cf.path)
    for column, name in _EXIF_COLUMNS.items():
        tag = meta.date(name)
        if row[column]:
            assert tag is not None, f"{name} missing"
            # verbatim, only trailing spaces stripped (a blank '    :  :     :  :  ' stays blank)
            assert tag.value == row[column].rstrip()
        else:
            assert tag is None
    dto = meta.date(DateTagName.EXIF_DATETIME_ORIGINAL)
    modify = meta.date(DateTagName.EXIF_MODIFY_DATE)
    assert (dto.offset if dto else None) == (row["offset_time_original"] or None)
    assert (dto.subsec if dto else None) == (row["subsec_time_original"] or None)
    assert (modify.offset if modify else None) == (row["offset_time"] or None)
    assert meta.make == (row["make"] or None)
    assert meta.model == (row["model"] or None)
    assert (meta.gps is not None) == (row["gps"] == "yes")


def _manifest_other_dates(row: dict[str, str]) -> set[tuple[str, str, str | None]]:
    """The XMP / IPTC / PNG tIME dates exiftool reported, in our tag names, exiftool layout."""
    found = dict(item.split("=", 1) for item in row["other_dates"].split(";") if item)
    names = {
        "XMP-xmp:CreateDate": DateTagName.XMP_CREATE_DATE,
        "XMP-xmp:ModifyDate": DateTagName.XMP_MODIFY_DATE,
        "XMP-photoshop:DateCreated": DateTagName.XMP_PHOTOSHOP_DATE_CREATED,
        "XMP-exif:DateTimeOriginal": DateTagName.XMP_EXIF_DATETIME_ORIGINAL,
        "PNG:ModifyDate": DateTagName.PNG_TIME,
    }
    result: set[tuple[str, str, str | None]] = set()
    for key, name in names.items():
        if key in found:
            offset = "+00:00" if name == DateTagName.PNG_TIME else None
            result.add((name.value, found[key], offset))
    if "IPTC:DateCreated" in found:
        time = found.get("IPTC:TimeCreated", "")
        value = f"{found['IPTC:DateCreated']} {time[:8]}".strip()
        result.add((DateTagName.IPTC_DATE_CREATED.value, value, time[8:] or None))
    return result


def _exiftool_layout(tag: DateTag) -> tuple[str, str, str | None]:
    value = tag.value
    if tag.name.startswith("XMP"):  # ISO 8601 as stored -> exiftool's "YYYY:MM:DD HH:MM:SS"
        value = value[:10].replace("-", ":") + value[10:].replace("T", " ", 1)
    return (tag.name.value, value, tag.offset)


@pytest.mark.parametrize("cf", OPENS, ids=_ids)
def test_xmp_iptc_and_png_dates_match_manifest(cf: CorpusFile) -> None:
    meta = read_metadata(cf.path)
    ours = {
        _exiftool_layout(t)
        for t in meta.dates
        if t.name.startswith(("XMP", "IPTC")) or t.name == DateTagName.PNG_TIME
    }
    assert ours == _manifest_other_dates(cf.row)


@pytest.mark.parametrize("cf", OPENS, ids=_ids)
def test_opening_from_memory_reads_the_same_without_decoding(cf: CorpusFile) -> None:
    data = cf.path.read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        tiles_before = len(im.tile)
        meta = metadata_from_image(im)
        assert len(im.tile) == tiles_before  # nothing was decoded
    assert meta == read_metadata(cf.path)


@pytest.mark.parametrize("cf", DOES_NOT_OPEN, ids=_ids)
def test_files_pillow_cannot_identify_raise_naming_the_file(cf: CorpusFile) -> None:
    with pytest.raises(UnidentifiedImageError, match="cannot identify image file") as info:
        read_metadata(cf.path)
    assert cf.path.name in str(info.value)


# ---------------------------------------------------------------- particular corpus files


@pytest.mark.parametrize(
    "row",
    [r for r in expected_date_rows() if r["rule"] == "makernote_dto"],
    ids=lambda r: r["path"],
)
def test_maker_note_capture_dates(row: dict[str, str]) -> None:
    meta = read_metadata(CORPUS / row["path"])
    tag = meta.date(DateTagName.MAKERNOTE_DATETIME_ORIGINAL)
    assert tag is not None
    assert tag.value.replace(":", "-", 2) == row["expected_local"]
    assert meta.date(DateTagName.EXIF_DATETIME_ORIGINAL) is None


@pytest.mark.parametrize(
    ("path", "offset"),
    [
        ("exif-samples/jpg/hdr/canon_hdr_NO.jpg", "+01:00"),
        ("exif-samples/jpg/hdr/canon_hdr_YES.jpg", "+01:00"),
        ("exif-samples/jpg/Canon_PowerShot_S40.jpg", None),  # Canon maker note, no TimeInfo
        ("exiftool/Google.jpg", None),
    ],
)
def test_canon_maker_note_time_zone(path: str, offset: str | None) -> None:
    assert read_metadata(CORPUS / path).makernote_offset == offset


def test_unreadable_exif_ifd_is_a_warning_and_xmp_still_read() -> None:
    meta = read_metadata(CORPUS / "exif-samples/jpg/tests/30-type_error.jpg")
    assert meta.warnings == ("EXIF Exif IFD pointer has the wrong type (str)",)
    assert meta.date(DateTagName.EXIF_DATETIME_ORIGINAL) is None
    assert meta.date(DateTagName.EXIF_MODIFY_DATE) == DateTag(
        DateTagName.EXIF_MODIFY_DATE, "2013:07:07 17:20:59"
    )
    xmp_dto = meta.date(DateTagName.XMP_EXIF_DATETIME_ORIGINAL)
    assert xmp_dto == DateTag(DateTagName.XMP_EXIF_DATETIME_ORIGINAL, "2013-07-05T03:18:27Z")


def test_iso_8601_modify_date_is_kept_verbatim() -> None:
    meta = read_metadata(CORPUS / "pillow/invalid-exif-without-x-resolution.jpg")
    modify = meta.date(DateTagName.EXIF_MODIFY_DATE)
    assert modify is not None
    assert modify.value == "2019-10-17T16:55:20-07:00"
    dto = meta.date(DateTagName.EXIF_DATETIME_ORIGINAL)
    assert dto is not None
    assert dto.value == "2016:12:03 11:17:43"  # the stored trailing NUL is gone


def test_gps_position_time_and_date() -> None:
    gps = read_metadata(CORPUS / "metadata-extractor/webp/HTC Desire.webp").gps
    assert gps == GpsInfo(
        latitude=pytest.approx(45.5006667),
        longitude=pytest.approx(9.1103333),
        altitude=217.0,
        date="2011:05:06",
        time="07:59:48",
    )
    heic = read_metadata(CORPUS / "exif-samples/heic/IMG_5195.HEIC").gps
    assert heic is not None
    assert heic.latitude == pytest.approx(39.0513444)
    assert heic.longitude == pytest.approx(-94.2887722)
    assert heic.altitude == pytest.approx(260.5606383)


def test_gps_with_impossible_values_is_present_but_empty() -> None:
    null = read_metadata(CORPUS / "elodie/with-null-coordinates.jpg").gps
    assert null == GpsInfo(None, None, None, None, None)
    garbage = read_metadata(CORPUS / "pillow/exif_gps.jpg").gps
    assert garbage == GpsInfo(None, None, None, "1999:99:99 99:99:99", None)


def test_gps_ifd_with_only_a_version_is_no_gps() -> None:
    assert read_metadata(CORPUS / "exif-samples/jpg/Canon_40D.jpg").gps is None


def test_png_exif_after_idat_and_time_chunk_without_decoding() -> None:
    with Image.open(CORPUS / "pillow/exif_imagemagick_orientation.png") as im:
        meta = metadata_from_image(im)
        assert im.tile  # still not decoded
    assert (meta.orientation, meta.display_width, meta.display_height) == (3, 512, 512)
    assert meta.dates == (DateTag(DateTagName.PNG_TIME, "2019:01:07 10:13:34", None, "+00:00"),)


def test_heif_iptc_item_is_read() -> None:
    with Image.open(CORPUS / "pillow-heif/heif_other/L_exif_xmp_iptc.heic") as im:
        items = [m for m in im.info["metadata"] if m["type"] == "iptc"]
        records = read_iptc_records(items[0]["data"])
    assert records[(2, 90)] == b"Budapest"
    assert records[(2, 101)] == b"Hungary"


# ---------------------------------------------------------------- files made with Pillow


def test_jpeg_with_every_exif_field(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Acme"
    exif[0x0110] = "Snapper 3000   "
    exif[0x0112] = 8
    exif[0x0132] = "2024:01:15 10:00:00"
    sub = exif.get_ifd(EXIF_IFD)
    sub.update(
        {
            0x9003: "2024:01:15 09:05:33\x00",
            0x9004: "2024:01:15 09:05:34",
            0x9010: "+01:00",
            0x9011: "+05:30",
            0x9012: "Z",
            0x9290: "1",
            0x9291: "250",
            0x9292: "260",
        }
    )
    gps = exif.get_ifd(0x8825)
    gps.update(
        {
            1: "S",
            2: (33.0, 51.0, 54.0),
            3: "E",
            4: (151.0, 12.0, 36.0),
            5: b"\x01",
            6: 12.5,
            7: (3.0, 35.0, 33.9),
            29: "2024:01:15",
        }
    )
    path = tmp_path / "IMG_1.jpg"
    draw_scene((320, 200)).save(path, "JPEG", exif=exif)
    meta = read_metadata(path)
    assert meta == ImageMetadata(
        format="JPEG",
        mime="image/jpeg",
        width=320,
        height=200,
        display_width=200,
        display_height=320,
        orientation=8,
        make="Acme",
        model="Snapper 3000",
        dates=(
            DateTag(DateTagName.EXIF_DATETIME_ORIGINAL, "2024:01:15 09:05:33", "250", "+05:30"),
            DateTag(DateTagName.EXIF_CREATE_DATE, "2024:01:15 09:05:34", "260", "Z"),
            DateTag(DateTagName.EXIF_MODIFY_DATE, "2024:01:15 10:00:00", "1", "+01:00"),
        ),
        gps=GpsInfo(
            latitude=pytest.approx(-33.865),
            longitude=pytest.approx(151.21),
            altitude=-12.5,
            date="2024:01:15",
            time="03:35:33",
        ),
    )


def test_jpeg_with_garbage_exif_does_not_raise(tmp_path: Path) -> None:
    path = tmp_path / "bad.jpg"
    draw_scene((64, 48)).save(path, "JPEG", exif=b"Exif\x00\x00this is not TIFF at all")
    meta = read_metadata(path)
    assert (meta.width, meta.height, meta.orientation, meta.dates) == (64, 48, 1, ())
    assert len(meta.warnings) == 1
    assert meta.warnings[0].startswith("EXIF block unreadable: ")


_XMP_ELEMENTS = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
      xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
      xmlns:exif="http://ns.adobe.com/exif/1.0/"
      xmp:ModifyDate="2020-02-02T10:00:00+01:00">
   <xmp:CreateDate>2019-05-21T10:45:52+02:00</xmp:CreateDate>
   <photoshop:DateCreated>2019-05-21</photoshop:DateCreated>
   <exif:DateTimeOriginal><rdf:Alt><rdf:li xml:lang="x-default">2019-05-21T10:45:52.5
   </rdf:li></rdf:Alt></exif:DateTimeOriginal>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


def test_xmp_element_and_attribute_forms(tmp_path: Path) -> None:
    path = tmp_path / "xmp.jpg"
    draw_scene((64, 48)).save(path, "JPEG", xmp=_XMP_ELEMENTS.encode())
    assert read_metadata(path).dates == (
        DateTag(DateTagName.XMP_EXIF_DATETIME_ORIGINAL, "2019-05-21T10:45:52.5"),
        DateTag(DateTagName.XMP_PHOTOSHOP_DATE_CREATED, "2019-05-21"),
        DateTag(DateTagName.XMP_CREATE_DATE, "2019-05-21T10:45:52+02:00"),
        DateTag(DateTagName.XMP_MODIFY_DATE, "2020-02-02T10:00:00+01:00"),
    )


def test_xmp_with_entities_is_refused(tmp_path: Path) -> None:
    packet = (
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "2019-05-21T10:45:52">]>'
        + _XMP_ELEMENTS.replace("2019-05-21T10:45:52+02:00", "&a;")
    )
    path = tmp_path / "evil.jpg"
    draw_scene((64, 48)).save(path, "JPEG", xmp=packet.encode())
    meta = read_metadata(path)
    assert meta.dates == ()
    assert meta.warnings == ("XMP packet ignored: it declares a DOCTYPE or entities",)


def test_broken_xmp_is_a_warning() -> None:
    result = read_xmp_dates(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF></x:xmpmeta>')
    assert result.dates == ()
    assert result.warnings[0].startswith("XMP packet is not well-formed XML: ")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_time_chunk(tmp_path: Path) -> None:
    buf = io.BytesIO()
    draw_scene((40, 30)).save(buf, "PNG")
    data = buf.getvalue()
    ihdr_end = 8 + 8 + 13 + 4
    time_chunk = _png_chunk(b"tIME", struct.pack(">HBBBBB", 2021, 7, 4, 23, 59, 1))
    path = tmp_path / "t.png"
    path.write_bytes(data[:ihdr_end] + time_chunk + data[ihdr_end:])
    meta = read_metadata(path)
    assert meta.dates == (DateTag(DateTagName.PNG_TIME, "2021:07:04 23:59:01", None, "+00:00"),)
    assert (meta.format, meta.mime, meta.width, meta.height) == ("PNG", "image/png", 40, 30)


def _iim(record: int, dataset: int, value: bytes) -> bytes:
    return bytes([0x1C, record, dataset]) + struct.pack(">H", len(value)) + value


def test_tiff_xmp_and_iptc_tags(tmp_path: Path) -> None:
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[700] = _XMP_ELEMENTS.encode()
    ifd.tagtype[700] = 1
    ifd[33723] = _iim(2, 0, b"\x00\x04") + _iim(2, 55, b"19190704") + _iim(2, 60, b"141500-0500")
    ifd.tagtype[33723] = 7
    path = tmp_path / "scan.tiff"
    draw_scene((50, 40)).save(path, "TIFF", tiffinfo=ifd)
    meta = read_metadata(path)
    assert meta.date(DateTagName.IPTC_DATE_CREATED) == DateTag(
        DateTagName.IPTC_DATE_CREATED, "1919:07:04 14:15:00", None, "-05:00"
    )
    assert meta.date(DateTagName.XMP_CREATE_DATE) == DateTag(
        DateTagName.XMP_CREATE_DATE, "2019-05-21T10:45:52+02:00"
    )


def test_iptc_date_without_time_and_malformed_time() -> None:
    from photoimport.metadata.xmp import read_iptc_dates

    assert read_iptc_dates(_iim(2, 55, b"20150204")) == (
        DateTag(DateTagName.IPTC_DATE_CREATED, "2015:02:04"),
    )
    assert read_iptc_dates(_iim(2, 55, b"2015020") + _iim(2, 60, b"25:61")) == (
        DateTag(DateTagName.IPTC_DATE_CREATED, "2015020 25:61"),
    )


def test_make_jpeg_fixture_values_read_back(tmp_path: Path) -> None:
    path = save_jpeg(
        tmp_path / "f.jpg",
        ifd0={0x0112: 6, 0x010F: "Canon"},
        exif_ifd={0x9003: "2021:04:11 15:47:53", 0x9011: "-05:00"},
    )
    meta = read_metadata(path)
    assert (meta.orientation, meta.display_width, meta.display_height) == (6, 480, 640)
    assert meta.make == "Canon"
    assert meta.makernote_offset is None  # no maker note to read
    assert meta.dates == (
        DateTag(DateTagName.EXIF_DATETIME_ORIGINAL, "2021:04:11 15:47:53", None, "-05:00"),
    )


def _retype_tiff_tag(data: bytes, tag: int, new_type: int, unit: int) -> bytes:
    """Change the type (and count) of ``tag`` in IFD0 of a little-endian TIFF, in place."""
    out = bytearray(data)
    (ifd,) = struct.unpack_from("<I", out, 4)
    (count,) = struct.unpack_from("<H", out, ifd)
    for i in range(count):
        pos = ifd + 2 + 12 * i
        entry_tag, _type, n = struct.unpack_from("<HHI", out, pos)
        if entry_tag == tag:
            struct.pack_into("<HI", out, pos + 2, new_type, n // unit)
            return bytes(out)
    raise AssertionError(f"tag {tag} not written")


def test_tiff_iptc_stored_as_longs_like_photoshop(tmp_path: Path) -> None:
    block = _iim(2, 0, b"\x00\x04") + _iim(2, 55, b"20030831") + _iim(2, 60, b"120000+0200")
    block += b"\x00" * (-len(block) % 4)
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[33723] = block
    ifd.tagtype[33723] = 7  # UNDEFINED, then retyped to LONG as Photoshop writes it
    buf = io.BytesIO()
    draw_scene((50, 40)).save(buf, "TIFF", tiffinfo=ifd)
    path = tmp_path / "photoshop.tif"
    path.write_bytes(_retype_tiff_tag(buf.getvalue(), 33723, 4, 4))
    with Image.open(path) as im:
        assert im.tag_v2.tagtype[33723] == 4
    assert read_metadata(path).dates == (
        DateTag(DateTagName.IPTC_DATE_CREATED, "2003:08:31 12:00:00", None, "+02:00"),
    )


@pytest.mark.parametrize("cut", [20, 60, 200])
def test_truncated_exif_gives_warnings_not_exceptions(tmp_path: Path, cut: int) -> None:
    with Image.open(CORPUS / "exif-samples/jpg/gps/DSCN0010.jpg") as src:
        exif = src.info["exif"]
    path = tmp_path / "cut.jpg"
    draw_scene((32, 32)).save(path, "JPEG", exif=exif[:cut])
    meta = read_metadata(path)  # filterwarnings=error: a leaked Pillow warning would fail here
    assert (meta.width, meta.height, meta.dates) == (32, 32, ())
    assert meta.warnings
    assert all(w.startswith(("Pillow: ", "EXIF ")) for w in meta.warnings)
