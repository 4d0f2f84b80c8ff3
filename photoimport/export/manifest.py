"""``manifest.csv`` in the export destination: one row per exported file.

Columns: ``source_path`` (the original), ``destination_path`` (relative to the destination),
``sha256`` (the original's content), ``copy_sha256`` (the file written: differs from ``sha256``
when the date was written inside it), ``effective_date`` (local wall clock with its offset,
empty when the photo has no date), ``date_source`` (``detected`` by the import, or
``decision`` when a person's date decision set it), ``confidence``, ``duplicate_group`` (the
near-duplicate group, empty when none) and ``how`` (copied, linked, already there).

A second export into the same destination keeps the rows of files it did not export again and
replaces the others, so the manifest always describes what the folder holds; it is written to a
temporary name and renamed. ``read_manifest`` gives the plan what an earlier export left there.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

__all__ = ["MANIFEST_NAME", "ManifestRow", "read_manifest", "write_manifest"]

MANIFEST_NAME = "manifest.csv"


@dataclass(frozen=True)
class ManifestRow:
    source_path: str
    destination_path: str
    sha256: str
    copy_sha256: str
    effective_date: str
    date_source: str
    confidence: str
    duplicate_group: str
    how: str


COLUMNS = tuple(f.name for f in fields(ManifestRow))


def read_manifest(destination: Path) -> dict[str, ManifestRow]:
    """The destination's manifest rows by destination path ({} when it has none)."""
    path = destination / MANIFEST_NAME
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
                return {}
            rows = [ManifestRow(**{c: r.get(c) or "" for c in COLUMNS}) for r in reader]
    except (FileNotFoundError, UnicodeDecodeError, csv.Error):
        return {}
    return {r.destination_path: r for r in rows}


def write_manifest(destination: Path, rows: Iterable[ManifestRow]) -> Path:
    """Merge ``rows`` into the destination's manifest (by destination path) and write it."""
    merged: dict[str, ManifestRow] = dict(read_manifest(destination))
    for row in rows:
        merged[row.destination_path] = row
    path = destination / MANIFEST_NAME
    temp = destination / f".{MANIFEST_NAME}.part"
    try:
        with temp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for key in sorted(merged):
                writer.writerow(asdict(merged[key]))
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def as_existing(rows: Mapping[str, ManifestRow]) -> dict[str, str]:
    """destination path -> the original's SHA-256, for rows an earlier export wrote."""
    return {k: r.sha256 for k, r in rows.items()}
