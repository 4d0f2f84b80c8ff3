"""Reading the library: gallery queries, a photo"s page, charts, the rows `files` prints."""

__all__ = ["charts", "gallery", "params", "photo", "queries", "rows"]
