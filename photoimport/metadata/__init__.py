"""What a file says about itself: EXIF, XMP, IPTC, PNG chunks, maker notes (no pixel decode)."""

__all__ = ["reader", "values"]
