"""Content and picture fingerprints: SHA-256 of the bytes, a 64-bit perceptual hash of the picture.

* ``sha256_file(path)`` streams the file in 1 MiB chunks; ``sha256_bytes(data)`` hashes bytes the
  pipeline already holds in memory (it reads each file once).
* ``perceptual_hash(image)`` is imagehash's DCT hash (``phash``, 8x8 = 64 bits) of an image
  that is already reduced and turned upright (``thumbnails.reduce_image``), as 16 hex digits.
  A stored-rotated photo and the same photo with rotated pixels therefore hash alike.
* Nearly flat pictures (blank frames, the 1x1 and 8x8 stubs test suites ship) get ``None``: their
  DCT is all noise, so any two of them land a few bits apart and would merge into one huge false
  near-duplicate group. The test is "too few pixels to carry a picture" (a side under
  ``MIN_SIDE_PIXELS``) or "too little contrast" (the standard deviation of the 32x32 grey image that
  the hash looks at under ``FLAT_STD``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

import imagehash
import numpy as np
from PIL import Image

CHUNK_BYTES: Final = 1024 * 1024
HASH_SIDE: Final = 8  # 8x8 bits = 64-bit hash
DCT_SIDE: Final = HASH_SIDE * 4  # phash looks at a 32x32 grey image
MIN_SIDE_PIXELS: Final = 16  # fewer pixels than this on a side: a stub, not a picture
FLAT_STD: Final = 3.0  # grey levels (0..255): below this the picture is blank


def sha256_bytes(data: bytes | bytearray | memoryview) -> str:
    """Hex SHA-256 of bytes already in memory."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks (constant memory for any size)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def grey_signature(image: Image.Image) -> Image.Image:
    """The 32x32 grey image the perceptual hash is computed from."""
    return image.convert("L").resize((DCT_SIDE, DCT_SIDE), Image.Resampling.LANCZOS)


def is_nearly_flat(image: Image.Image) -> bool:
    """True for pictures that carry too little information for a perceptual hash to mean much."""
    if min(image.size) < MIN_SIDE_PIXELS:
        return True
    grey = np.asarray(grey_signature(image), dtype=np.float32)
    return float(grey.std()) < FLAT_STD


def perceptual_hash(image: Image.Image) -> str | None:
    """64-bit DCT perceptual hash as 16 hex digits, or None for a nearly flat picture.

    ``image`` should already be upright (EXIF orientation applied) and may be small: the hash only
    looks at a 32x32 grey version of it.
    """
    if min(image.size) < MIN_SIDE_PIXELS:
        return None
    grey = grey_signature(image)
    if float(np.asarray(grey, dtype=np.float32).std()) < FLAT_STD:
        return None
    return str(imagehash.phash(grey, hash_size=HASH_SIDE))


def hamming_distance(a: str, b: str) -> int:
    """Number of differing bits between two hex perceptual hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
