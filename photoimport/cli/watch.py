"""``photoimport watch``: run the watcher, and ``watch add / remove / list / stop``.

``watch`` with no sub-command runs the watcher in this process (the Watch page starts it
detached through ``photoimport.watch.control``) for every watched folder, or with
``--folder PATH`` for that one folder (registered first when it is not yet). It runs until
SIGTERM or Ctrl-C. ``PhotoimportError`` becomes a one-line message and exit code 1.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from photoimport.db.engine import engine_for
from photoimport.db.settings_store import display_zone
from photoimport.display import plain_text
from photoimport.errors import PhotoimportError, hide_passwords
from photoimport.settings import load_settings
from photoimport.watch.control import stop_watcher
from photoimport.watch.registry import add_folder, folder_statuses, remove_folder
from photoimport.watch.settle import WatchOptions
from photoimport.watch.status import format_status_line
from photoimport.watch.watcher import run_watcher

__all__ = ["watch_group"]


class _WatchGroup(click.Group):
    """Translates photoimport's exceptions when the group runs on its own (``-m``)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PhotoimportError as exc:
            message = plain_text(hide_passwords(" ".join(str(exc).split())))
            raise click.ClickException(message) from exc


@click.group("watch", cls=_WatchGroup, invoke_without_command=True)
@click.option(
    "--folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Watch only this folder (added to the watched folders if it is not yet).",
)
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network shares).")
@click.option(
    "--quiet-seconds",
    type=click.FloatRange(min=0.1),
    default=WatchOptions.quiet_seconds,
    show_default=True,
    help="A file with no close event is ready once its size and mtime are still this long.",
)
@click.option(
    "--rescan-seconds",
    type=click.FloatRange(min=0.5),
    default=WatchOptions.rescan_seconds,
    show_default=True,
    help="How often the folder is compared with the library (also done at every start).",
)
@click.option(
    "--batch-seconds",
    type=click.FloatRange(min=0.0),
    default=WatchOptions.batch_seconds,
    show_default=True,
    help="How long a ready file waits for others before its job starts.",
)
@click.option(
    "--batch-max",
    type=click.IntRange(min=1),
    default=WatchOptions.batch_max,
    show_default=True,
    help="A job starts at once when this many files are ready.",
)
@click.pass_context
def watch_group(
    ctx: click.Context,
    folder: Path | None,
    polling: bool,
    quiet_seconds: float,
    rescan_seconds: float,
    batch_seconds: float,
    batch_max: int,
) -> None:
    """Watch folders and import the photos that land in them, each exactly once."""
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    options = WatchOptions(
        quiet_seconds=quiet_seconds,
        rescan_seconds=rescan_seconds,
        batch_seconds=batch_seconds,
        batch_max=batch_max,
        polling=polling,
        folder=folder,
    )
    run_watcher(load_settings(), options)


@watch_group.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--polling", is_flag=True, help="Poll this folder (a network share).")
def add_command(path: Path, polling: bool) -> None:
    """Watch PATH (it must exist and, when set, lie in PHOTOIMPORT_ALLOWED_ROOTS)."""
    settings = load_settings()
    folder = add_folder(engine_for(settings), settings, path, polling=polling)
    click.echo(f"watching {plain_text(str(folder))}" + (" (polling)" if polling else ""))


@watch_group.command("remove")
@click.argument("path", type=click.Path(path_type=Path))
def remove_command(path: Path) -> None:
    """Stop watching PATH (photos already imported stay in the library)."""
    folder = remove_folder(engine_for(load_settings()), path)
    click.echo(f"no longer watching {plain_text(str(folder))}")


@watch_group.command("list")
def list_command() -> None:
    """The watched folders: state, last event, files imported today, last job."""
    settings = load_settings()
    engine = engine_for(settings)
    statuses = folder_statuses(engine, settings)
    zone = display_zone(engine, settings.imports)
    if not statuses:
        click.echo("no watched folders: add one with `photoimport watch add PATH`")
        return
    for status in statuses:
        click.echo(plain_text(format_status_line(status, zone)))


@watch_group.command("stop")
def stop_command() -> None:
    """Stop the running watcher (SIGTERM to the pid in its heartbeat row)."""
    pids = stop_watcher(engine_for(load_settings()))
    click.echo(f"stopped watcher pid {', '.join(map(str, pids))}" if pids else "no watcher running")


if __name__ == "__main__":
    watch_group()
