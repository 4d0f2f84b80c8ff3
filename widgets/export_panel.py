"""The Export page's pieces: a followed export job (live progress, outcome, errors, ZIP link) and
the preview of a plan (figures and the first rows of source -> destination)."""

from __future__ import annotations

from datetime import tzinfo

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import JobKind, JobStatus
from photoimport.display import format_bytes
from photoimport.export import status as export_status
from photoimport.export.create import ExportPreview
from photoimport.jobs.display import job_title
from photoimport.settings import Settings
from widgets.panels import live_panel

PREVIEW_ROWS = 500


def export_job_panel(settings: Settings, engine: Engine, job_id: int, zone: tzinfo) -> None:
    first = jobs.job_progress(engine, job_id)
    st.subheader(job_title(job_id, JobKind.EXPORT, first.source, first.total))
    progress = live_panel(settings, engine, job_id, zone)
    counts = export_status.export_counts(engine, job_id)
    st.caption(" · ".join(f"{n:,} {how}" for how, n in sorted(counts.items())))
    failed = export_status.export_errors(engine, job_id)
    if failed:
        st.dataframe(pd.DataFrame([f.__dict__ for f in failed]), hide_index=True, key="exp_errors")
    if progress.status in (JobStatus.COMPLETED, JobStatus.CANCELLED):
        # A link to app.py's ZIP route, not st.download_button: in Streamlit 1.67 a download
        # button's data, even from a callable, becomes one bytes object held in the server's
        # memory (MediaFileManager.execute_deferred), so it cannot stream an export of many GB.
        url = export_status.zip_url(engine, job_id)
        st.link_button("Download as ZIP", url, icon=":material/download:")
        st.caption("The archive is made while it downloads (served by app.py: `make run`).")
    st.page_link(
        "pages/jobs.py",
        label="Pause, resume or cancel it on Jobs",
        icon=":material/list_alt:",
        query_params={"job": str(job_id)},
    )


def preview_panel(preview: ExportPreview) -> None:
    plan = preview.plan
    cols = st.columns(5)
    cols[0].metric("Files", f"{len(plan.files):,}")
    cols[1].metric("Size", format_bytes(plan.total_bytes))
    cols[2].metric("Free there", format_bytes(preview.free_bytes))
    cols[3].metric("Renamed (collisions)", f"{plan.collisions:,}")
    cols[4].metric("Without a date", f"{plan.undated:,}")
    if plan.discarded:
        st.info(
            f"{len(plan.discarded):,} discarded duplicates are left out.", icon=":material/delete:"
        )
    if preview.already_there:
        st.info(
            f"{preview.already_there:,} names already exist there: the same content is "
            "recognised, another file is never overwritten.",
            icon=":material/info:",
        )
    if not preview.fits:
        st.error("The destination does not have enough free space for this export.")
    rows = [
        {
            "source": f.source.path,
            "destination": f.target,
            "renamed": f.renamed,
            "undated": f.source.local is None,
            "variant": f.variant,
        }
        for f in plan.files[:PREVIEW_ROWS]
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="exp_preview")
    if len(plan.files) > PREVIEW_ROWS:
        st.caption(
            f"The first {PREVIEW_ROWS} of {len(plan.files):,} (the CLI's --dry-run lists all)."
        )
