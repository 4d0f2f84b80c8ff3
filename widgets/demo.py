"""Demo mode's Streamlit pieces: the visitor's key (one per browser session), the caps check
and the job's owner for the Import page, expiry on each dashboard run, and the banner.

The key lives in ``st.session_state`` only: a visitor who reloads the page is a new visitor
(their earlier photos expire on schedule). It is never put in the URL, so a shared link never
shares someone's photos.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import JobStatus
from photoimport.errors import PhotoimportError
from photoimport.export.status import zip_url as export_zip_url
from photoimport.export.zipstream import zip_chunks
from photoimport.jobs.visitors import (
    expire_visitors,
    latest_export,
    set_owner,
    start_visitor_export,
)
from photoimport.sources.visitors import (
    DemoConfig,
    check_visitor_caps,
    demo_config,
    new_visitor_key,
)
from widgets.errors import show_error
from widgets.panels import app, live_panel

__all__ = [
    "banner",
    "check_caps",
    "claim",
    "config",
    "expire_due",
    "organised_copy",
    "visitor_owner",
    "zip_download",
]

_KEY = "demo_visitor"


def config() -> DemoConfig:
    return demo_config()


def visitor_owner() -> str | None:
    """The visitor's key in demo mode (created on first use), else None (the whole library)."""
    if not config().enabled:
        return None
    if _KEY not in st.session_state:
        st.session_state[_KEY] = new_visitor_key()
    return str(st.session_state[_KEY])


def check_caps(engine: Engine, files: int, size: int) -> None:
    """Demo mode: refuse (``UploadRejected``) an import over a cap, before anything is stored."""
    owner = visitor_owner()
    if owner is not None:
        check_visitor_caps(engine, config(), owner, files, size)


def claim(engine: Engine, job_id: int) -> None:
    """Demo mode: the new job is this visitor's (called before its worker starts)."""
    owner = visitor_owner()
    if owner is not None:
        set_owner(engine, job_id, owner)


def expire_due() -> None:
    """Demo mode: remove what visitors brought longer ago than the time to live (one indexed
    query when nothing is due; called by dashboard.py on every run)."""
    cfg = config()
    if cfg.enabled:
        settings, engine, _zone = app()
        expire_visitors(engine, settings, cfg.ttl)


def banner() -> None:
    cfg = config()
    minutes = cfg.ttl.total_seconds() / 60
    st.info(
        f"**Demo.** Your photos are visible to you only, and are removed {minutes:,.0f} minutes "
        f"after you import them. Up to {cfg.visitor_files} files, "
        f"{cfg.visitor_bytes / 1e6:,.0f} MB and {cfg.visitor_jobs} imports per visitor.",
        icon=":material/science:",
    )


def zip_download(home: Path, paths: list[str]) -> Callable[[], bytes] | None:
    """The visitor's photos as a ZIP, built when the download button is clicked, with the
    export's ZIP writer (``photoimport.export.zipstream.zip_chunks``). Memory is bounded by the
    visitor's byte cap (a demo visitor's whole upload), so the button's bytes are fine here."""
    members = [str(Path(p).relative_to(home)) for p in paths if Path(p).is_relative_to(home)]
    return lambda: b"".join(zip_chunks(home, members))


def organised_copy(owner: str) -> None:
    """The visitor's photos as an organised library (issue 14): an export of their photos
    (renamed by date, a sidecar each, a manifest), run by the worker, then a link to its ZIP,
    which ``app.py``'s route makes while it is sent (``make demo`` serves ``app.py``)."""
    settings, engine, zone = app()
    st.subheader("Your photos, organised")
    st.caption(
        "Renamed by capture date into year and day folders, each with an XMP sidecar that "
        "carries the date, and a manifest.csv: what an export does to a whole library."
    )
    job_id = latest_export(engine, owner)
    progress = jobs.job_progress(engine, job_id) if job_id is not None else None
    if progress is not None and progress.is_active:
        live_panel(settings, engine, progress.job_id, zone)
        return
    if progress is not None and progress.status is JobStatus.COMPLETED:
        # The export's ZIP route (app.py), streamed; as on the Export page (export_panel.py).
        url = export_zip_url(engine, progress.job_id)
        st.link_button("Download the organised copy (ZIP)", url, icon=":material/folder_zip:")
    label = "Organise my photos again" if progress is not None else "Organise my photos"
    if st.button(label, icon=":material/drive_file_move:", key="demo_export"):
        try:
            new_job = start_visitor_export(engine, settings, owner)
        except PhotoimportError as exc:
            show_error(exc)
            return
        jobs.launch_worker(settings, new_job)
        st.rerun()
