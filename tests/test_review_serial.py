"""A camera body's serial number (EXIF BodySerialNumber) is read and kept on the library row."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from photoimport.metadata.reader import read_metadata
from photoimport.review.values import CameraKey


def _jpeg(path: Path, serial: str | None) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 80D"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2021:05:01 10:00:00"
    if serial is not None:
        sub[0xA431] = serial
    Image.new("RGB", (32, 24), (120, 80, 40)).save(path, "JPEG", exif=exif)
    return path


def test_body_serial_number_is_read(tmp_path: Path) -> None:
    meta = read_metadata(_jpeg(tmp_path / "a.jpg", "083024001234"))
    assert meta.serial == "083024001234"
    assert read_metadata(_jpeg(tmp_path / "b.jpg", None)).serial is None
    assert CameraKey(meta.make, meta.model, meta.serial).label == "Canon EOS 80D #083024001234"
