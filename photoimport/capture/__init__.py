"""A photo's capture time.

Every candidate with its source and reason, one chosen time with an offset and a confidence.
"""

__all__ = ["capture_time", "parsing", "values", "zones"]
