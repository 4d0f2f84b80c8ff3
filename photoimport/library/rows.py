"""Write library rows (``library.FileRow``) as CSV or JSON to a text stream, row by row.

The columns are fixed and named for people (``type`` is the MIME type, ``capture_local`` the
wall-clock time the photo was taken with its UTC offset, ``capture_utc`` the same instant in
UTC). ``capture_local``, ``capture_utc`` and ``confidence`` are the *effective* values: a date
decision may have set them (``decision`` says which; ``detected_local`` keeps the detected time).
``id`` is the photo's id, as ``photoimport dates`` takes it. JSON is one array of objects,
written as the rows come so a 100,000-row export never sits in memory; empty values are ``null``
in JSON and empty cells in CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import TextIO

from photoimport.display import spreadsheet_cell
from photoimport.library.queries import FileRow

__all__ = ["EXPORT_COLUMNS", "ExportFormat", "export_record", "write_rows"]

Value = str | int | None

EXPORT_COLUMNS: tuple[str, ...] = (
    "path",
    "sha256",
    "size",
    "type",
    "width",
    "height",
    "capture_local",
    "capture_utc",
    "capture_source",
    "confidence",
    "exact_group",
    "near_group",
    "thumbnail",
    "error",
    "make",
    "model",
    "kind",
    "variant_of",
    "variants",
    "sidecars",
    "id",
    "detected_local",
    "decision",
    "discarded",
    "group",
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def export_record(row: FileRow) -> dict[str, Value]:
    """``row`` as an ordered column -> value mapping (the order of ``EXPORT_COLUMNS``)."""
    return {
        "path": row.path,
        "sha256": row.sha256,
        "size": row.size,
        "type": row.mime,
        "width": row.width,
        "height": row.height,
        "capture_local": row.capture_local,
        "capture_utc": row.capture_utc,
        "capture_source": row.capture_source,
        "confidence": row.confidence.value if row.confidence else None,
        "exact_group": row.exact_group,
        "near_group": row.near_group,
        "thumbnail": row.thumbnail,
        "error": row.error,
        "make": row.make,
        "model": row.model,
        "kind": row.kind,
        "variant_of": row.variant_of,
        "variants": row.variants,
        "sidecars": row.sidecars,
        "id": row.file_id,
        "detected_local": row.detected_local,
        "decision": row.decision,
        "discarded": row.discarded,
        "group": row.group,
    }


def write_rows(rows: Iterable[FileRow], out: TextIO, fmt: ExportFormat) -> int:
    """Write ``rows`` to ``out`` in ``fmt``; returns how many rows were written."""
    if fmt is ExportFormat.CSV:
        return _write_csv(rows, out)
    return _write_json(rows, out)


def _write_csv(rows: Iterable[FileRow], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        # a spreadsheet must not run a name or a tag as a formula: cells are text
        writer.writerow({k: spreadsheet_cell(v) for k, v in export_record(row).items()})
        count += 1
    return count


def _write_json(rows: Iterable[FileRow], out: TextIO) -> int:
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(export_record(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
