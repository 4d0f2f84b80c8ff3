"""What the command line prints: the live progress bar, a job's progress and summary, job tables.

Progress and tables go through rich (a live bar on a terminal, plain lines otherwise); the
summary is plain text on stdout so scripts can read it. Times are shown in the configured zone.
"""

from __future__ import annotations

import time
from datetime import tzinfo

import click
from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import Confidence, Job, JobKind, JobStatus
from photoimport.display import format_duration, format_local_time, plain_text
from photoimport.jobs.control import JobProgress, JobSummary

__all__ = ["print_job_table", "print_progress", "print_summary", "wait_for_job"]

POLL_SECONDS = 0.5


def _rate(progress: JobProgress) -> str:
    rate = progress.files_per_second
    return "— files/s" if rate is None else f"{rate:,.1f} files/s"


def _eta(progress: JobProgress) -> str:
    return f"ETA {format_duration(progress.eta_seconds)}"


def wait_for_job(engine: Engine, job_id: int, *, poll: float = POLL_SECONDS) -> JobProgress:
    """Show a live bar (rate and ETA from the job's current run) until the job stops running."""
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}  {task.fields[eta]}"),
    )
    click.echo("(Ctrl-C stops waiting; the job continues in the background)", err=True)
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"job {job_id}", total=None, rate="", eta="")
        while True:
            progress = jobs.job_progress(engine, job_id)
            description = escape(plain_text(f"job {job_id} {progress.status_text}"))
            bar.update(
                task,
                description=description,
                completed=progress.done,
                total=progress.total if progress.total and not progress.scanning else None,
                rate=_rate(progress),
                eta=_eta(progress),
            )
            if not progress.is_active:
                return progress
            time.sleep(poll)


def print_progress(progress: JobProgress) -> None:
    lines = [
        f"job {progress.job_id} ({progress.kind.value}): {progress.status_text}",
        f"  source:   {plain_text(progress.source)}",
        f"  progress: {progress.done:,}/{progress.total:,} ({progress.percent:.1f} %)",
        f"  errors:   {progress.errors:,}   already in the library: {progress.skipped:,}",
        f"  elapsed:  {format_duration(progress.elapsed_seconds)}   "
        f"{_eta(progress)}   {_rate(progress)}",
    ]
    if progress.current_file and progress.is_active:
        lines.append(f"  current:  {plain_text(progress.current_file)}")
    if progress.message:
        lines.append(f"  message:  {plain_text(progress.message)}")
    click.echo("\n".join(lines))


def print_summary(summary: JobSummary) -> None:
    rate = summary.files_per_second
    by_conf = ", ".join(f"{c.value} {summary.by_confidence.get(c, 0):,}" for c in Confidence)
    click.echo(
        "\n".join(
            [
                f"job {summary.job_id} {summary.status.value}: {summary.total:,} files in "
                f"{format_duration(summary.duration_seconds)}"
                + (f" ({rate:,.1f} files/s)" if rate else ""),
                f"  processed {summary.processed:,}, already in the library "
                f"{summary.already_known:,} ({summary.unchanged:,} unchanged, not read), "
                f"errors {summary.errors:,}",
                f"  capture-time confidence: {by_conf}",
                f"  duplicate groups: {summary.exact_duplicate_groups:,} exact, "
                f"{summary.near_duplicate_groups:,} near",
                *kinds_lines(summary),
            ]
        )
    )


def print_job_table(rows: list[Job], zone: tzinfo) -> None:
    if not rows:
        click.echo("no jobs yet: start one with `photoimport import DIR`")
        return
    table = Table(box=None, pad_edge=False)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("job", "right"),
        ("status", "left"),
        ("kind", "left"),
        ("done", "right"),
        ("errors", "right"),
        ("created", "left"),
        ("source", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=name != "source")
    for job in rows:
        table.add_row(
            str(job.id),
            JobStatus(job.status).value,
            JobKind(job.kind).value,
            f"{job.done:,}/{job.total:,}",
            f"{job.errors:,}",
            format_local_time(job.created_at, zone),
            escape(plain_text(job.source)),  # a name is text, never Rich markup
        )
    console = Console()
    if not console.is_terminal:  # piped: whole paths on one line each, for grep and friends
        console = Console(width=100_000)
    console.print(table)


def kinds_lines(summary: JobSummary) -> list[str]:
    """Issue 11: the job's files by kind, those without a picture, sidecars that matched none."""
    lines = []
    if summary.by_kind:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(summary.by_kind.items()))
        lines.append(f"  kinds: {kinds}")
    if summary.no_preview:
        lines.append(f"  kept without a picture (no preview): {summary.no_preview:,}")
    if summary.unmatched_sidecars:
        lines.append(f"  sidecars that matched no file: {len(summary.unmatched_sidecars):,}")
        lines.extend(f"    {path}" for path in summary.unmatched_sidecars[:20])
    return lines
