"""Streamlit pieces shared by the home page and the pages (not a page itself).

The engine and settings for this run, the live job panel (a fragment that ticks every second
while its job is active and hands the ending to one full rerun), a job's summary with its
charts, and one way to show a failure. Every figure comes from ``photoimport``.
"""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.pages_manager import PagesManager

from photoimport import jobs
from photoimport.db.engine import engine_for
from photoimport.db.models import JobStatus
from photoimport.db.settings_store import display_zone
from photoimport.display import format_duration, format_local_time, markdown_text
from photoimport.errors import PhotoimportError
from photoimport.settings import Settings, load_settings
from widgets.errors import show_error

__all__ = ["NAVIGATION_RAN", "app", "live_panel", "show_error"]

TICK_SECONDS = 1.0
NAVIGATION_RAN = "navigation_ran"  # set by dashboard.py on every run


def app() -> tuple[Settings, Engine, tzinfo]:
    """Settings from the environment, the engine for its database (cached per URL), the zone.

    The first request after the server starts may be a page's URL (a bookmark, ``?job=3``): as
    the folder is named ``pages/``, Streamlit then runs that file alone in its old multipage
    mode, with a sidebar of every file in ``pages/``, until ``st.navigation`` runs once. Flip
    Streamlit's own flag (private API, set by ``st.navigation``) and rerun through dashboard.py,
    once, in a session that has not been through dashboard.py yet (nothing to lose by a rerun).
    """
    if PagesManager.uses_pages_directory and NAVIGATION_RAN not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    settings = load_settings()
    engine = engine_for(settings)
    zone = display_zone(engine, settings.imports)
    return settings, engine, zone


def live_panel(settings: Settings, engine: Engine, job_id: int, zone: tzinfo) -> jobs.JobProgress:
    """The job's live progress; returns the progress read on this full run."""
    first = jobs.job_progress(engine, job_id)
    running = first.is_active  # decided on the full run: the timer is registered only here

    @st.fragment(run_every=TICK_SECONDS if running else None)
    def _panel() -> None:
        progress = jobs.job_progress(engine, job_id)
        render_progress(progress, zone)
        if progress.worker_lost and st.button(
            "Resume", key=f"resume_lost_{job_id}", type="primary", icon=":material/play_arrow:"
        ):
            try:
                jobs.request_resume(settings, engine, job_id)
            except PhotoimportError as exc:
                show_error(exc)
            else:
                st.rerun()
        if running and not progress.is_active:
            st.rerun()  # the job ended: one full rerun registers the panel again, without a timer

    _panel()
    return first


def render_progress(p: jobs.JobProgress, zone: tzinfo) -> None:
    text = f"{p.status.value} {p.done:,}/{p.total:,} · {p.percent:.0f}%"
    if p.scanning:
        text = f"{p.status.value} · {p.status_text}"
    st.progress(min(max(p.percent / 100, 0.0), 1.0), text=text)
    cols = st.columns(5)
    cols[0].metric("Done", f"{p.done:,} / {p.total:,}")
    cols[1].metric("Errors", f"{p.errors:,}")
    cols[2].metric("Elapsed", format_duration(p.elapsed_seconds))
    cols[3].metric("ETA", format_duration(p.eta_seconds) if p.is_active else "—")
    rate = f"{p.files_per_second:,.1f}" if p.files_per_second else "—"
    cols[4].metric("Files / s", rate)
    if p.worker_lost:
        seen = format_local_time(p.last_heartbeat, zone)
        st.warning(
            f"Worker lost: {p.status_text} (last seen {seen}).", icon=":material/heart_broken:"
        )
    elif p.is_active and p.current_file:
        st.caption(f"Now: {markdown_text(p.current_file)}")
    if p.message:
        box = st.error if p.status in (JobStatus.FAILED, JobStatus.HALTED) else st.info
        box(p.message)
