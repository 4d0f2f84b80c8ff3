"""Export one item: the verified copy (or link), the date inside it, its sidecar, its mtime.

``export_item(task, destination, request, exiftool)`` returns the item's ``TaskOutcome`` and
never raises for a bad file (a missing original, a changed original, a full disk, a file
ExifTool refuses): that is the item's error, with the stage (read, verify, write, metadata).

The date goes inside a copy only when the copy would not already say it: a photo whose own
EXIF DateTimeOriginal, with its stated offset, *is* the effective date (the usual phone photo)
already carries it, byte for byte, and is copied untouched; a date from a decision, a file
name, GPS, the mtime, or an offset that was worked out is written with ExifTool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from photoimport.db.models import ItemState
from photoimport.errors import ExportError
from photoimport.export.copying import CopyFailed, Placement, place
from photoimport.export.embed import EMBED_EXTENSIONS, ExifTool
from photoimport.export.request import ExportRequest
from photoimport.export.sidecar import SidecarFacts, write_sidecar
from photoimport.export.store import ExportTask, TaskOutcome
from photoimport.export.template import normalise_ext, split_ext

__all__ = ["export_item", "needs_embedding"]

OWN_TAG_SOURCE = "exif_dto"  # capture source whose tag export would write anyway
STATED_OFFSET = "stated in the photo"


def needs_embedding(task: ExportTask, request: ExportRequest) -> bool:
    if not request.write_dates or request.link or task.local is None:
        return False
    if normalise_ext(split_ext(task.target)[1]) not in EMBED_EXTENSIONS:
        return False
    if task.decided:
        return True
    return task.capture_source != OWN_TAG_SOURCE or task.offset_source != STATED_OFFSET


def export_item(
    task: ExportTask,
    destination: Path,
    request: ExportRequest,
    exiftool: Callable[[], ExifTool],
) -> TaskOutcome:
    target = destination / task.target
    source = Path(task.source)
    local = datetime.fromisoformat(task.local) if task.local else None
    embed: Callable[[Path], None] | None = None
    if local is not None and needs_embedding(task, request):
        when = local

        def embed(path: Path) -> None:
            try:
                exiftool().write_date(path, when)
            except ExportError as exc:
                raise CopyFailed("metadata", str(exc)) from exc

    try:
        mtime = task.utc_timestamp
        if mtime is None:
            mtime = source.stat().st_mtime  # no date: the copy keeps the original's mtime
        placed = place(
            source,
            target,
            task.sha256,
            tag=str(task.item_id),
            link=request.link,
            mtime=mtime,
            embed=embed,
        )
        facts = SidecarFacts(
            local=local,
            date_source="decision" if task.decided else "detected",
            confidence=task.confidence,
            original_name=task.name,
            original_sha256=task.sha256,
        )
        write_sidecar(target, facts, str(task.item_id), mtime)
    except CopyFailed as exc:
        return TaskOutcome(task.item_id, ItemState.ERROR, None, None, exc.stage, exc.reason)
    except FileNotFoundError:
        reason = f"the original is no longer at {source}"
        return TaskOutcome(task.item_id, ItemState.ERROR, None, None, "read", reason)
    except OSError as exc:
        reason = f"{exc.strerror or exc} ({exc.filename or target})"
        return TaskOutcome(task.item_id, ItemState.ERROR, None, None, "write", reason)
    state = ItemState.SKIPPED if placed.how is Placement.ALREADY_THERE else ItemState.DONE
    return TaskOutcome(task.item_id, state, placed.how.value, placed.sha256)
