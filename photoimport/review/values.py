"""The values of date review that cross module borders (pages, CLI, bench).

A *decision* is one photo's change (``DateDecision`` row); an *action* is what the person did,
once, for one or many photos ("shift camera X by +01:00:00"); undo works on either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from photoimport.enums import Confidence

__all__ = [
    "ActionKind",
    "ActionResult",
    "ActionRow",
    "CameraKey",
    "FillSuggestion",
    "OffsetSuggestion",
    "Preview",
    "PreviewRow",
    "Selection",
    "UserTime",
]


class ActionKind(StrEnum):
    """What a person did (``DateAction.kind``)."""

    SET = "set"  # typed a date and time
    PICK = "pick"  # chose another candidate of the photo
    ACCEPT = "accept"  # accepted the proposed (detected) date
    SHIFT = "shift"  # moved a selection by +/- d h m s
    ZONE = "zone"  # the wall clock was right, the zone was wrong
    ALIGN = "align"  # a camera set by a reference photo ("this photo shows 14:03:10")
    SUGGESTED = "suggested offset"  # a cross-camera offset suggested from the library's evidence
    FILL = "fill"  # a missing date filled from its neighbours

    @property
    def confirms(self) -> bool:
        """A person said this very photo's date: it becomes HIGH and leaves the queue."""
        return self in (ActionKind.SET, ActionKind.PICK, ActionKind.ACCEPT, ActionKind.FILL)


@dataclass(frozen=True)
class CameraKey:
    """A camera: Make + Model, plus the body serial number when the photos carry one."""

    make: str | None
    model: str | None
    serial: str | None = None

    @property
    def label(self) -> str:
        make = (self.make or "").strip()
        model = (self.model or "").strip()
        brand = make.split()[0].lower() if make else ""
        name = model if brand and model.lower().startswith(brand) else f"{make} {model}"
        name = name.strip() or "unknown camera"
        return f"{name} #{self.serial}" if self.serial else name


@dataclass(frozen=True)
class Selection:
    """Which photos an action applies to; every given part must hold (AND)."""

    camera: CameraKey | None = None
    job_id: int | None = None
    folder: str | None = None  # a folder and everything under it
    date_from: date | None = None  # effective local date, inclusive
    date_to: date | None = None
    file_ids: tuple[int, ...] = ()

    def describe(self) -> str:
        parts: list[str] = []
        if self.camera is not None:
            parts.append(f"camera {self.camera.label}")
        if self.job_id is not None:
            parts.append(f"job {self.job_id}")
        if self.folder:
            parts.append(f"folder {self.folder}")
        if self.date_from or self.date_to:
            parts.append(f"taken {self.date_from or '…'} to {self.date_to or '…'}")
        if self.file_ids:
            parts.append(f"{len(self.file_ids)} chosen photos")
        return ", ".join(parts) or "every photo"

    @property
    def empty(self) -> bool:
        return self == Selection()


@dataclass(frozen=True)
class UserTime:
    """A date and time a person typed, as an aware wall clock, and the zone that was assumed."""

    local: datetime
    assumed: str | None  # None: the offset was typed; else e.g. "+02:00 (the photo's zone)"


@dataclass(frozen=True)
class PreviewRow:
    file_id: int
    name: str
    before: str  # effective local time now
    after: str  # what it would become


@dataclass(frozen=True)
class Preview:
    """What an action would do: how many photos, a sample before -> after, and who is left out."""

    count: int
    sample: tuple[PreviewRow, ...]
    undated: int = 0  # photos of the selection without any date: left as they are
    description: str = ""


@dataclass(frozen=True)
class ActionResult:
    action_id: int
    kind: ActionKind
    summary: str
    count: int  # photos changed


@dataclass(frozen=True)
class ActionRow:
    """One past action, for the history list and the CLI."""

    action_id: int
    kind: ActionKind
    summary: str
    count: int
    created_at: datetime
    undone_at: datetime | None


@dataclass(frozen=True)
class OffsetSuggestion:
    """A camera's clock correction worked out from the library's evidence."""

    camera: str  # CameraKey.label
    correction: timedelta  # add this to the camera's times
    spread: timedelta  # how much the evidence disagrees (robust: 1.4826 x MAD)
    observations: int
    reference: str  # what the correction is relative to ("true time", or another camera)
    evidence: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class FillSuggestion:
    """A date for an undated photo from dated neighbours of the same camera and sequence."""

    file_id: int
    name: str
    local: datetime  # aware
    reason: str
    confidence: Confidence = Confidence.LOW
