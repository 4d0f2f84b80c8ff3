"""What an export was asked to do (kept on its job, ``Job.export_json``: a resume does the same)."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any

from photoimport.db.models import Confidence
from photoimport.export.template import DEFAULT_TEMPLATE, DEFAULT_UNDATED_TEMPLATE
from photoimport.library.queries import FileFilter

__all__ = ["ExportRequest"]


@dataclass(frozen=True)
class ExportRequest:
    """An export: where, how named, which photos, copies or links.

    The selection is the gallery's filter (``job_id``, confidences, dates, camera, duplicates
    only); all empty means the whole library.
    """

    destination: str
    template: str = DEFAULT_TEMPLATE
    undated_template: str = DEFAULT_UNDATED_TEMPLATE
    include_discarded: bool = False
    link: bool = False  # hard links instead of copies (same file system; else copies)
    write_dates: bool = True  # ExifTool writes the date inside copies of writable formats
    job_id: int | None = None
    confidences: tuple[str, ...] = ()
    date_from: str | None = None  # ISO date
    date_to: str | None = None
    camera: str | None = None
    duplicates_only: bool = False
    owner: str | None = None  # demo mode: only the photos this visitor's imports brought
    zip_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def file_filter(self) -> FileFilter:
        return FileFilter(
            job_id=self.job_id,
            confidences=tuple(Confidence(c) for c in self.confidences),
            date_from=date.fromisoformat(self.date_from) if self.date_from else None,
            date_to=date.fromisoformat(self.date_to) if self.date_to else None,
            camera=self.camera,
            duplicates_only=self.duplicates_only,
            owner=self.owner,
        )

    @classmethod
    def from_filter(cls, destination: str, flt: FileFilter, **options: Any) -> ExportRequest:
        return cls(
            destination=destination,
            job_id=flt.job_id,
            confidences=tuple(c.value for c in flt.confidences),
            date_from=flt.date_from.isoformat() if flt.date_from else None,
            date_to=flt.date_to.isoformat() if flt.date_to else None,
            camera=flt.camera,
            duplicates_only=flt.duplicates_only,
            **options,
        )

    def describe(self) -> str:
        """The selection in words: "the whole library", "job 3", "job 3, HIGH, from 2021-01-01"."""
        parts: list[str] = []
        if self.job_id is not None:
            parts.append(f"job {self.job_id}")
        if self.confidences:
            parts.append("/".join(self.confidences))
        if self.date_from:
            parts.append(f"from {self.date_from}")
        if self.date_to:
            parts.append(f"to {self.date_to}")
        if self.camera:
            parts.append(self.camera)
        if self.duplicates_only:
            parts.append("duplicates only")
        if self.owner is not None:
            parts.append("your photos")
        return ", ".join(parts) or "the whole library"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ExportRequest:
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "confidences" in values:
            values["confidences"] = tuple(values["confidences"])
        return cls(**values)

    def with_changes(self, **changes: Any) -> ExportRequest:
        return replace(self, **changes)
