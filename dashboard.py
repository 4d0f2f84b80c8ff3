"""photoimport's dashboard: navigation (one mechanism: st.navigation) and the home page.

Home shows the running job live (see ``widgets/panels.py``), the summary of the last finished
job with its charts, recent jobs and the library's totals. Every figure comes from
``photoimport`` functions that the CLI and the tests call too.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from photoimport import jobs
from photoimport.db.models import JobStatus
from photoimport.jobs.display import job_rows, job_title
from photoimport.library import queries as library
from photoimport.sources.visitors import demo_config
from widgets.demo import expire_due
from widgets.errors import guarded
from widgets.panels import NAVIGATION_RAN, app, live_panel
from widgets.summary import summary_panel


def home() -> None:
    settings, engine, zone = app()
    st.title(":material/photo_library: photoimport")
    st.caption("Hash, date, de-duplicate and browse piles of photos, on your own machine.")

    job_id = jobs.latest_active_job(engine)
    if job_id is None:
        recent = jobs.list_jobs(engine, limit=1)
        job_id = recent[0].id if recent else None
    if job_id is None:
        st.info(
            "No imports yet. Upload some photos, point at a folder on this machine, or try the "
            "demo photos to see what photoimport does.",
            icon=":material/waving_hand:",
        )
        st.page_link(
            "pages/import_photos.py", label="Start an import", icon=":material/add_photo_alternate:"
        )
        return

    progress = jobs.job_progress(engine, job_id)
    st.subheader(job_title(job_id, progress.kind, progress.source, progress.total))
    progress = live_panel(settings, engine, job_id, zone)
    if progress.status == JobStatus.COMPLETED:
        summary_panel(engine, job_id)
    st.page_link(
        "pages/jobs.py",
        label="Job details",
        icon=":material/list_alt:",
        query_params={"job": str(job_id)},
    )

    st.divider()
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Recent jobs")
        rows = job_rows(jobs.list_jobs(engine, limit=5), zone)
        frame = pd.DataFrame([r.__dict__ for r in rows])
        st.dataframe(
            frame,
            hide_index=True,
            column_order=("job", "status", "kind", "progress", "done", "errors", "started"),
            column_config={
                "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=1),
                "started": st.column_config.DatetimeColumn("started", format="D MMM, HH:mm"),
            },
        )
    with right:
        st.subheader("Library")
        totals = library.library_totals(engine)
        a, b = st.columns(2)
        a.metric("Photos", f"{totals.files:,}")
        b.metric("Paths", f"{totals.paths:,}", help="A photo seen in two places has two paths.")
        a.metric("Exact duplicate groups", f"{totals.exact_duplicate_groups:,}")
        b.metric("Near duplicate groups", f"{totals.near_duplicate_groups:,}")
        a.metric("Files that failed", f"{totals.errors:,}")
        b.metric("Jobs", f"{totals.jobs:,}")


def navigation() -> list[st.Page]:
    importing = st.Page(
        "pages/import_photos.py", title="Import", icon=":material/add_photo_alternate:"
    )
    gallery = st.Page("pages/gallery.py", title="Gallery", icon=":material/grid_view:")
    photo = st.Page("pages/photo.py", title="Photo", icon=":material/image:", visibility="hidden")
    if demo_config().enabled:  # a shared demo: uploads, demo photos, the visitor's own gallery
        mine = st.Page("pages/demo_home.py", title="Home", icon=":material/home:", default=True)
        return [mine, importing, gallery, photo]
    return [
        st.Page(home, title="Home", icon=":material/home:", default=True),
        importing,
        st.Page("pages/jobs.py", title="Jobs", icon=":material/list_alt:"),
        gallery,
        photo,
        st.Page("pages/review.py", title="Review", icon=":material/event_available:"),
        st.Page("pages/duplicates.py", title="Duplicates", icon=":material/content_copy:"),
        st.Page("pages/export.py", title="Export", icon=":material/drive_file_move:"),
        st.Page("pages/watch.py", title="Watch", icon=":material/visibility:"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    ]


st.set_page_config(page_title="photoimport", page_icon="📷", layout="wide")
st.session_state[NAVIGATION_RAN] = True
expire_due()  # demo mode: remove what visitors brought longer ago than the time to live
guarded(st.navigation(navigation()).run)  # an unexpected error: a short message, never a trace
