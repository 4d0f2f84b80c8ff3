"""Duplicates: exact groups (one content under several paths), near groups ("copies" when
the pixels say so, "similar" shots of a burst), keep-best rules, resolution decisions and undo."""

__all__ = [
    "changes",
    "copies",
    "grouping",
    "groups",
    "kinds",
    "merge",
    "queries",
    "resolve",
    "rules",
    "values",
]
