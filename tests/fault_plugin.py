"""A TEST-ONLY Pillow plugin: a decoder that fails the way real ones do, for the fault suite.

It is loaded only inside pool processes, and only when ``PHOTOIMPORT_TEST_PLUGIN`` names this
file (``worker.pool.load_test_plugin``); nothing imports it in normal use.

A file that starts with the PNG signature (so the sniffer calls it a PNG and the pipeline lets
Pillow's PNG opener claim it) followed by the made-up chunk ``fAUL`` makes the opener do what
the chunk says: ``abort`` (``os.abort()``: SIGABRT), ``segv`` (a read of address 0: SIGSEGV),
``hang`` (never returns) or ``alloc`` (allocates without end). Any other PNG opens as usual.
"""

from __future__ import annotations

import ctypes
import os
import struct
import time
import zlib

from PIL import Image, PngImagePlugin

FAULT_CHUNK = b"fAUL"
ACTIONS = ("abort", "segv", "hang", "alloc")


def fault_png(action: str, salt: str = "") -> bytes:
    """The bytes of a file whose decoder will ``action``; ``salt`` makes contents differ."""
    data = f"{action}:{salt}".encode()
    crc = zlib.crc32(FAULT_CHUNK + data) & 0xFFFFFFFF
    chunk = struct.pack(">I", len(data)) + FAULT_CHUNK + data + struct.pack(">I", crc)
    return b"\x89PNG\r\n\x1a\n" + chunk


def _misbehave(action: str) -> None:
    if action == "abort":
        os.abort()
    if action == "segv":
        ctypes.string_at(0)
    if action == "hang":
        while True:
            time.sleep(1)
    if action == "alloc":
        hog: list[bytearray] = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))  # zero-filled: really resident


class FaultPngImageFile(PngImagePlugin.PngImageFile):
    def _open(self) -> None:
        assert self.fp is not None
        start = self.fp.tell()
        head = self.fp.read(16)
        if head[12:16] == FAULT_CHUNK:
            (length,) = struct.unpack(">I", head[8:12])
            action = self.fp.read(length).decode().split(":", 1)[0]
            _misbehave(action)
        self.fp.seek(start)
        super()._open()


def register() -> None:
    Image.register_open(FaultPngImageFile.format, FaultPngImageFile, PngImagePlugin._accept)


if __name__ == "photoimport_test_plugin":  # run by worker.pool.load_test_plugin, and only then
    register()
