"""``photoimport dates``: review and correct capture dates (the functions the Review page calls).

``list`` the review queue, ``set`` one photo's date, ``shift`` a selection (or move it to a new
zone), ``align`` a camera by a reference photo, ``suggest`` cameras' clock corrections from the
library's evidence (``--apply`` one), ``fill`` missing dates from neighbours (``--apply`` one),
``undo`` (the last action, a decision, or ``--action N``), ``history``. Errors are
``PhotoimportError``s, translated once by the root group (exit 1, one line).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy.engine import Engine

from photoimport.db.engine import engine_for
from photoimport.db.settings_store import load_import_settings
from photoimport.enums import Confidence
from photoimport.errors import BadDateInput, DecisionNotFound
from photoimport.review import bulk, decisions, evidence, queue, undo
from photoimport.review.selection import find_camera, require_job
from photoimport.review.timeinput import format_shift, parse_shift
from photoimport.review.values import ActionResult, Selection
from photoimport.settings import load_settings

__all__ = ["dates_group"]

LIST_COLUMNS = ("id", "path", "camera", "day", "local", "confidence", "reason")
DAY = click.DateTime(formats=["%Y-%m-%d"])


def _engine() -> Engine:
    return engine_for(load_settings())


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _photos(n: int) -> str:
    return f"{n:,} photo" + ("" if n == 1 else "s")


def _done(result: ActionResult) -> None:
    click.echo(f"action {result.action_id}: {result.summary} ({_photos(result.count)})")
    click.echo(f"undo it with: photoimport dates undo --action {result.action_id}")


@click.group("dates")
def dates_group() -> None:
    """Review and correct capture dates: every change is a decision that can be undone."""


def _confidences(text: str | None) -> tuple[Confidence, ...]:
    if not text:
        return ()
    found: list[Confidence] = []
    for part in text.split(","):
        try:
            found.append(Confidence(part.strip().upper()))
        except ValueError:
            names = ", ".join(c.value.lower() for c in Confidence)
            raise BadDateInput(f"unknown confidence {part.strip()!r} (one of {names})") from None
    return tuple(found)


def _queue_rows(engine: Engine, confidences: tuple[Confidence, ...]) -> Iterator[dict[str, object]]:
    ids = queue.queue_ids(engine, confidences)  # sorted once; rows read 500 at a time
    for start in range(0, len(ids), 500):
        for i in queue.queue_items(engine, ids[start : start + 500]):
            yield {
                "id": i.file_id,
                "path": i.folder + i.name,
                "camera": i.camera,
                "day": i.day,
                "local": i.local,
                "confidence": i.confidence.value,
                "reason": i.reason,
            }


@dates_group.command("list")
@click.option(
    "--confidence",
    help="Only these effective confidences, e.g. low,none "
    "(default: the review queue: LOW, NONE and disputed MEDIUM).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def list_dates(confidence: str | None, fmt: str) -> None:
    """List the photos whose date needs a look, grouped by folder, camera and day."""
    rows = _queue_rows(_engine(), _confidences(confidence))
    if fmt == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=1))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


@dates_group.command("set")
@click.argument("photo_id", type=click.IntRange(min=1), metavar="PHOTO_ID")
@click.argument("when", metavar='"YYYY-MM-DD HH:MM:SS[±HH:MM]"')
def set_date(photo_id: int, when: str) -> None:
    """Set a photo's date; without an offset the photo's own zone is assumed (said)."""
    engine = _engine()
    zone = load_import_settings(engine, load_settings().imports).timezone
    result, typed = decisions.set_date(engine, photo_id, when, zone)
    if typed.assumed:
        click.echo(f"no offset given: assumed {typed.assumed}")
    _done(result)


def _selection(
    engine: Engine,
    camera: str | None,
    job: int | None,
    folder: Path | None,
    start: datetime | None,
    end: datetime | None,
) -> Selection:
    if camera is None and job is None and folder is None:
        raise BadDateInput("choose the photos: --camera, --job or --folder")
    if job is not None:
        require_job(engine, job)
    return Selection(
        camera=find_camera(engine, camera) if camera else None,
        job_id=job,
        folder=str(folder.expanduser().resolve()) if folder else None,
        date_from=_day(start),
        date_to=_day(end),
    )


@dates_group.command("shift")
@click.option(
    "--camera", help='"MAKE MODEL" as `dates list` shows it (add "#SERIAL" for one body).'
)
@click.option("--job", type=click.IntRange(min=1), metavar="N")
@click.option("--folder", type=click.Path(path_type=Path), metavar="DIR")
@click.option("--from", "start", type=DAY, help="Only photos taken on or after this day.")
@click.option("--to", "end", type=DAY, help="Only photos taken on or before this day.")
@click.option("--by", help='"[-]HH:MM:SS": how far to move the times.')
@click.option("--days", type=click.IntRange(min=0), default=0, help="Whole days added to --by.")
@click.option(
    "--zone", help="Instead of --by: the right zone (+02:00, Europe/Paris); wall clock kept."
)
@click.option("--dry-run", is_flag=True, help="Show the count and a sample before -> after only.")
def shift(
    camera: str | None,
    job: int | None,
    folder: Path | None,
    start: datetime | None,
    end: datetime | None,
    by: str | None,
    days: int,
    zone: str | None,
    dry_run: bool,
) -> None:
    """Shift the photos of a camera, job or folder (and date range) by a fixed amount."""
    engine = _engine()
    sel = _selection(engine, camera, job, folder, start, end)
    delta = parse_shift(by, days) if by is not None else None
    if dry_run:
        preview = bulk.preview_shift(engine, sel, by=delta, zone_text=zone)
        click.echo(
            f"{preview.description}: {_photos(preview.count)} would change"
            + (
                f" ({_photos(preview.undated)} without a date stay as they are)"
                if preview.undated
                else ""
            )
        )
        for row in preview.sample:
            click.echo(f"  {row.file_id}\t{row.name}\t{row.before} -> {row.after}")
        return
    _done(bulk.shift_dates(engine, sel, by=delta, zone_text=zone))


@dates_group.command("align")
@click.option("--camera", required=True, help='"MAKE MODEL" of the camera to align.')
@click.option("--photo", "photo_id", type=click.IntRange(min=1), required=True, metavar="PHOTO_ID")
@click.option(
    "--shows", required=True, help='The true time the photo shows, "YYYY-MM-DD HH:MM:SS".'
)
@click.option("--from", "start", type=DAY, help="Only the camera's photos from this day.")
@click.option("--to", "end", type=DAY, help="Only the camera's photos up to this day.")
def align(
    camera: str, photo_id: int, shows: str, start: datetime | None, end: datetime | None
) -> None:
    """Set a camera's clock by a photo whose true time you know (a photo of a clock)."""
    engine = _engine()
    key = find_camera(engine, camera)
    _done(bulk.align_camera(engine, key, photo_id, shows, date_from=_day(start), date_to=_day(end)))


@dates_group.command("suggest")
@click.option("--apply", "apply_to", metavar="CAMERA", help="Apply this camera's suggestion.")
def suggest(apply_to: str | None) -> None:
    """Cameras' clock corrections worked out from near duplicates, GPS times and phones."""
    engine = _engine()
    found = evidence.suggest_offsets(engine)
    if apply_to is not None:
        match = [s for s in found if s.camera.lower() == apply_to.strip().lower()]
        if not match:
            raise DecisionNotFound(f"no suggestion for a camera named {apply_to!r}")
        _done(evidence.apply_suggestion(engine, match[0]))
        return
    if not found:
        click.echo("no suggestion: no near duplicates across cameras and no GPS times to compare")
    for s in found:
        click.echo(
            f"{s.camera}: {format_shift(s.correction)} (spread {s.spread.total_seconds():,.0f} s, "
            f"{s.observations} observations, against {s.reference})"
        )
        for line in s.evidence:
            click.echo(f"  {line}")


@dates_group.command("fill")
@click.option(
    "--apply",
    "apply_id",
    type=click.IntRange(min=1),
    metavar="PHOTO_ID",
    help="Give this photo its suggested date.",
)
def fill(apply_id: int | None) -> None:
    """Suggested dates for undated photos, from dated neighbours of the same sequence."""
    engine = _engine()
    found = evidence.fill_suggestions(engine)
    if apply_id is not None:
        match = [s for s in found if s.file_id == apply_id]
        if not match:
            raise DecisionNotFound(f"no suggested date for photo {apply_id}")
        _done(decisions.fill_date(engine, apply_id, match[0].local, match[0].reason))
        return
    for s in found:
        click.echo(f"{s.file_id}\t{s.name}\t{s.local.isoformat()}\t{s.reason}")


@dates_group.command("undo")
@click.argument("decision_id", type=click.IntRange(min=1), required=False, metavar="[DECISION_ID]")
@click.option(
    "--action",
    "action_id",
    type=click.IntRange(min=1),
    metavar="N",
    help="Undo every decision of action N.",
)
def undo_cmd(decision_id: int | None, action_id: int | None) -> None:
    """Undo one decision, every decision of one action, or (by default) the last action."""
    engine = _engine()
    if decision_id is not None and action_id is not None:
        raise BadDateInput("give a DECISION_ID or --action N, not both")
    if decision_id is not None:
        result = undo.undo_decision(engine, decision_id)
    elif action_id is not None:
        result = undo.undo_action(engine, action_id)
    else:
        result = undo.undo_last(engine)
    click.echo(f"{result.summary} ({_photos(result.count)} back to their earlier date)")


@dates_group.command("history")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def history(limit: int, fmt: str) -> None:
    """The newest date actions (undone ones say when)."""
    rows = undo.list_actions(_engine(), limit)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], default=str, indent=1))
        return
    for r in rows:
        state = f" (undone {r.undone_at:%Y-%m-%d %H:%M})" if r.undone_at else ""
        click.echo(
            f"{r.action_id}\t{r.created_at:%Y-%m-%d %H:%M}\t{r.count:,} photos\t{r.summary}{state}"
        )
