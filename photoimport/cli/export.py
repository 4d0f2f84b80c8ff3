"""``photoimport export DEST``: preview (``--dry-run``) or run an export job into DEST.

The preview prints every source -> destination line, then what the plan decided: names changed
by a collision, photos without a date, discarded duplicates left out, files already there, the
bytes to write and the free space. Without ``--dry-run`` the same plan becomes an EXPORT job run
by a detached worker (``--wait``: a live progress bar, then the summary).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.engine import engine_for
from photoimport.db.models import Confidence, JobStatus
from photoimport.db.settings_store import load_import_settings
from photoimport.display import format_bytes
from photoimport.errors import JobError
from photoimport.export.create import ExportPreview, create_export_job, preview_export
from photoimport.export.request import ExportRequest
from photoimport.export.template import DEFAULT_TEMPLATE, DEFAULT_UNDATED_TEMPLATE, TOKEN_HELP
from photoimport.settings import load_settings

__all__ = ["export_command", "print_preview"]

TOKENS = ", ".join("{" + t + "}" for t in TOKEN_HELP)


def print_preview(preview: ExportPreview, *, lines: bool = True) -> None:
    plan = preview.plan
    if lines:
        for f in plan.files:
            note = "  (renamed: same name as another photo)" if f.renamed else ""
            note += "  (already there)" if f.exists else ""
            click.echo(f"{f.source.path} -> {f.target}{note}")
    click.echo(
        f"{len(plan.files):,} files to export ({format_bytes(plan.total_bytes)}) into "
        f"{preview.destination}; free there: {format_bytes(preview.free_bytes)}"
    )
    if not preview.fits:
        click.echo("the destination is too small for this export")
    if plan.collisions:
        click.echo(f"{plan.collisions:,} renamed with _1, _2... to avoid a collision")
    if plan.undated:
        click.echo(f"{plan.undated:,} without a date: named by {preview.request.undated_template}")
    if plan.discarded:
        click.echo(
            f"{len(plan.discarded):,} discarded duplicates left out "
            "(--include-discarded exports them too)"
        )
    if preview.already_there:
        click.echo(
            f"{preview.already_there:,} names already taken there: checked, never overwritten"
        )


@click.command("export")
@click.argument("destination", type=click.Path(path_type=Path), metavar="DEST")
@click.option(
    "--template", "-t", default=DEFAULT_TEMPLATE, show_default=True, help=f"Tokens: {TOKENS}."
)
@click.option(
    "--undated-template",
    default=DEFAULT_UNDATED_TEMPLATE,
    show_default=True,
    help="The template for photos without a date (no date tokens).",
)
@click.option(
    "--job", "job_id", type=click.IntRange(min=1), metavar="N", help="Only job N's photos."
)
@click.option(
    "--confidence",
    "confidences",
    multiple=True,
    type=click.Choice([c.value for c in Confidence]),
    help="Only photos whose date has this confidence (repeatable), as the gallery's filter.",
)
@click.option("--camera", help="Only photos of this camera model.")
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Taken on or after this day."
)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Taken on or before.")
@click.option("--include-discarded", is_flag=True, help="Export discarded duplicates too.")
@click.option("--link", is_flag=True, help="Hard links instead of copies (same file system).")
@click.option("--no-embed", is_flag=True, help="Do not write the date inside the copies.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--wait/--no-wait", default=False, help="Show a progress bar until the job ends.")
def export_command(
    destination: Path,
    template: str,
    undated_template: str,
    job_id: int | None,
    confidences: tuple[str, ...],
    camera: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
    include_discarded: bool,
    link: bool,
    no_embed: bool,
    dry_run: bool,
    wait: bool,
) -> None:
    """Export the library (or job N) into DEST, organised by TEMPLATE.

    Every copy is verified by SHA-256, gets an XMP sidecar (name.ext.xmp) with its date, the
    date inside where that is safe, and the capture time as its mtime; DEST gets a
    manifest.csv. Originals are never written. Exporting again is idempotent.
    """
    settings = load_settings()
    engine = engine_for(settings)
    request = ExportRequest(
        destination=str(destination),
        template=template,
        undated_template=undated_template,
        include_discarded=include_discarded,
        link=link,
        write_dates=not no_embed,
        job_id=job_id,
        confidences=confidences,
        camera=camera,
        date_from=date_from.date().isoformat() if date_from else None,
        date_to=date_to.date().isoformat() if date_to else None,
    )
    if dry_run:
        print_preview(preview_export(engine, settings, request))
        click.echo("dry run: nothing was written")
        return
    imports = load_import_settings(engine, settings.imports)
    job = create_export_job(engine, settings, request, imports)
    jobs.launch_worker(settings, job)
    click.echo(f"job {job} started: exporting {request.describe()} to {destination}", err=wait)
    if not wait:
        click.echo(f"follow it with: photoimport status {job}")
        return
    _wait(engine, job)


def _wait(engine: Engine, job: int) -> None:
    from photoimport.cli.output import wait_for_job

    final = wait_for_job(engine, job)
    if final.status is JobStatus.COMPLETED:
        click.echo(final.message or "export completed")
        return
    reason = f": {final.message}" if final.message else ""
    raise JobError(f"export job {job} ended {final.status_text}{reason}")
