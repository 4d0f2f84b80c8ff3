"""The command line: ``photoimport`` / ``python -m photoimport`` over ``photoimport.jobs.control``.

Every command is a thin translation: arguments -> one or two core calls -> text. Exit codes:
0 success, 1 a user error (one line on stderr, never a traceback), 2 bad usage (click's own).
``PhotoimportError`` is translated once, in ``_Main.invoke``; nothing else is caught here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.cli.dates import dates_group
from photoimport.cli.duplicates import duplicates_group
from photoimport.cli.export import export_command
from photoimport.cli.output import (
    print_job_table,
    print_progress,
    print_summary,
    wait_for_job,
)
from photoimport.cli.watch import watch_group
from photoimport.db.engine import engine_for
from photoimport.db.models import JobKind, JobStatus
from photoimport.db.settings_store import display_zone, load_import_settings
from photoimport.display import plain_text
from photoimport.errors import JobError, PhotoimportError, hide_passwords
from photoimport.library.rows import ExportFormat, iter_export_rows, write_rows
from photoimport.settings import Settings, load_settings
from photoimport.sources.folders import validate_folder

__all__ = ["main"]


class _Main(click.Group):
    """The root group: the single place where photoimport's exceptions become exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PhotoimportError as exc:
            message = plain_text(hide_passwords(" ".join(str(exc).split()))) or type(exc).__name__
            raise click.ClickException(message) from exc


@dataclass
class _Context:
    """Settings from the environment, and the database engine made on first use."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = engine_for(self.settings)
        return self._engine


pass_context = click.make_pass_decorator(_Context)

JOB_NUMBER = click.argument("job", type=click.IntRange(min=1), metavar="N")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Import folders of photos into a local library: hashes, capture times, duplicates.

    The library lives in $PHOTOIMPORT_HOME (default ./data) and its database is SQLite there,
    or $PHOTOIMPORT_DATABASE_URL (a postgresql+psycopg:// URL). Imports run in a detached
    worker process: they continue when this command ends, and survive crashes.
    """
    ctx.obj = _Context(settings=load_settings())


@main.command("import")
@click.argument(
    "folder", type=click.Path(path_type=Path, readable=False), metavar="DIR"
)  # checked by validate_folder: exit 1, not 2
@click.option(
    "--wait/--no-wait",
    default=False,
    help="Show a live progress bar with rate and ETA until the job ends, then its summary.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Read and hash every file again, even those unchanged since the last import.",
)
@pass_context
def import_folder(obj: _Context, folder: Path, wait: bool, verify: bool) -> None:
    """Import every photo under DIR (recursively) in a new job.

    DIR is checked first: it must exist, be readable, hold images and, when
    $PHOTOIMPORT_ALLOWED_ROOTS is set, lie inside one of those folders.
    Photos already in the library (same content) are linked, not processed again; files
    unchanged since the last import (same path, size, mtime) are not even read (--verify
    reads them).
    """
    source = validate_folder(folder, obj.settings)
    engine = obj.engine
    settings = load_import_settings(engine, obj.settings.imports)
    if verify:
        settings = settings.with_changes(verify_unchanged=True)
    job_id = jobs.create_job(engine, JobKind.DIRECTORY, str(source), settings)
    jobs.launch_worker(obj.settings, job_id)
    click.echo(f"job {job_id} started: importing {plain_text(str(source))}", err=wait)
    if not wait:
        click.echo(f"follow it with: photoimport status {job_id}")
        return
    final = wait_for_job(engine, job_id)
    if final.status is JobStatus.COMPLETED:
        print_summary(jobs.job_summary(engine, job_id))
        return
    if final.status is JobStatus.PAUSED:
        click.echo(
            f"job {job_id} paused at {final.done}/{final.total}: "
            f"continue with `photoimport resume {job_id}`"
        )
        return
    reason = f": {final.message}" if final.message else ""
    raise JobError(f"job {job_id} ended {final.status_text}{reason}")


@main.command("jobs")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="How many of the newest jobs to list.",
)
@pass_context
def list_jobs(obj: _Context, limit: int) -> None:
    """List the newest jobs: number, status, progress, errors, start and source."""
    print_job_table(
        jobs.list_jobs(obj.engine, limit), display_zone(obj.engine, obj.settings.imports)
    )


@main.command("status")
@JOB_NUMBER
@pass_context
def status(obj: _Context, job: int) -> None:
    """Show job N's progress (and its summary once it has completed)."""
    progress = jobs.job_progress(obj.engine, job)
    print_progress(progress)
    if progress.status is JobStatus.COMPLETED and progress.kind is not JobKind.EXPORT:
        print_summary(jobs.job_summary(obj.engine, job))  # an export's summary is its message


@main.command("pause")
@JOB_NUMBER
@pass_context
def pause(obj: _Context, job: int) -> None:
    """Pause job N at the end of the batch its worker is processing."""
    jobs.request_pause(obj.engine, job)
    click.echo(f"job {job}: pause requested")


@main.command("resume")
@JOB_NUMBER
@pass_context
def resume(obj: _Context, job: int) -> None:
    """Resume a paused, halted, cancelled or lost job N (starts a worker when none is alive)."""
    jobs.request_resume(obj.settings, obj.engine, job)
    click.echo(f"job {job}: resumed")


@main.command("cancel")
@JOB_NUMBER
@pass_context
def cancel(obj: _Context, job: int) -> None:
    """Cancel job N; files already imported stay in the library."""
    jobs.request_cancel(obj.engine, job)
    click.echo(f"job {job}: cancel requested")


@main.command("errors")
@JOB_NUMBER
@pass_context
def errors(obj: _Context, job: int) -> None:
    """List job N's failed files: one line per file with the stage and the reason."""
    rows = jobs.job_errors(obj.engine, job)
    if not rows:
        click.echo(f"job {job}: no errors")
        return
    for row in rows:
        click.echo(plain_text(f"{row.path}") + f"\t{row.stage}\t" + plain_text(row.reason))


@main.command("files")
@click.option(
    "--job",
    "job_id",
    type=click.IntRange(min=1),
    metavar="N",
    help="Only the paths of job N (default: every path of the library, once).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ExportFormat]),
    default=ExportFormat.CSV.value,
    show_default=True,
    help="Output format.",
)
@pass_context
def files(obj: _Context, job_id: int | None, fmt: str) -> None:
    """Print one row per imported path: hashes, size, type, dimensions, capture time,
    its source and confidence, duplicate groups, thumbnail, and the error of a failed file.

    capture_local is the wall-clock time the photo was taken, with its UTC offset;
    capture_utc the same instant in UTC.
    """
    rows = iter_export_rows(obj.engine, job_id)
    write_rows(rows, sys.stdout, ExportFormat(fmt))


main.add_command(watch_group)
main.add_command(dates_group)
main.add_command(export_command)


main.add_command(duplicates_group)  # issue 13
