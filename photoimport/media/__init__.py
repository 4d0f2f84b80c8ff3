"""What a file is and its pixels: the one format sniffer, ISO-BMFF checks, hashes, thumbnails."""

__all__ = ["formats", "hashing", "isobmff", "thumbnails"]
