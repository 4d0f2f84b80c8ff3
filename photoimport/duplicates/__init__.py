"""Duplicate groups: exact (same SHA-256) and near (perceptual hash) over the whole library."""

__all__ = ["grouping", "groups"]
