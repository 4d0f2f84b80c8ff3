"""Jobs: every import with its progress; one job's live panel, controls, settings, errors and
the tail of its worker log. The selected job is in the URL (``?job=N``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from photoimport import jobs
from photoimport.db.models import RESUMABLE_STATUSES, JobControl, JobKind, JobStatus
from photoimport.display import format_local_time, tail_text
from photoimport.errors import PhotoimportError
from photoimport.jobs.display import job_rows, job_settings, job_title
from widgets.panels import app, live_panel, show_error
from widgets.summary import summary_panel

settings, engine, zone = app()
st.title(":material/list_alt: Jobs")

all_jobs = jobs.list_jobs(engine, limit=200)
if not all_jobs:
    st.info("No jobs yet: start one on the Import page.", icon=":material/add_photo_alternate:")
    st.page_link(
        "pages/import_photos.py", label="Import photos", icon=":material/add_photo_alternate:"
    )
    st.stop()

rows = job_rows(all_jobs, zone)
st.dataframe(
    pd.DataFrame([r.__dict__ for r in rows]),
    hide_index=True,
    key="jobs_table",
    column_config={
        "job": st.column_config.NumberColumn("job", format="%d", width="small"),
        "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=1),
        "already_known": st.column_config.NumberColumn("already known"),
        "started": st.column_config.DatetimeColumn("started", format="D MMM YYYY, HH:mm:ss"),
        "source": st.column_config.TextColumn("source", width="medium"),
    },
)

ids: list[int] = [r.job for r in rows]
wanted = st.query_params.get("job")
default = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else ids[0]
picked: int | None = st.selectbox(
    "Job",
    ids,
    index=ids.index(default),
    key="job_pick",
    format_func=lambda i: next(
        job_title(i, JobKind(j.kind), j.source, j.total) for j in all_jobs if j.id == i
    ),
)
job_id: int = default if picked is None else picked
st.query_params["job"] = str(job_id)
job = next(j for j in all_jobs if j.id == job_id)
st.header(job_title(job_id, JobKind(job.kind), job.source, job.total))
st.caption(
    f"Source `{job.source}` · created {format_local_time(job.created_at, zone)}"
    + (f" · finished {format_local_time(job.finished_at, zone)}" if job.finished_at else "")
)
progress = live_panel(settings, engine, job_id, zone)

asked = JobControl(job.control)  # a pause / cancel the worker has not taken yet
live = progress.status in (JobStatus.PENDING, JobStatus.RUNNING) and not progress.worker_lost
can_pause = live and asked is JobControl.NONE
can_resume = (
    progress.status in RESUMABLE_STATUSES or progress.worker_lost or asked is not JobControl.NONE
)
can_cancel = (
    progress.status not in (JobStatus.COMPLETED, JobStatus.CANCELLED)
    and asked is not JobControl.CANCEL
)
b1, b2, b3, _ = st.columns([1, 1, 1, 4])
actions = {
    "pause": b1.button("Pause", key="pause_job", icon=":material/pause:", disabled=not can_pause),
    "resume": b2.button(
        "Resume", key="resume_job", icon=":material/play_arrow:", disabled=not can_resume
    ),
    "cancel": b3.button(
        "Cancel", key="cancel_job", icon=":material/stop:", disabled=not can_cancel
    ),
}
try:
    if actions["pause"]:
        jobs.request_pause(engine, job_id)
        st.toast(f"Pause requested: job {job_id} stops after its current batch.")
    elif actions["resume"]:
        jobs.request_resume(settings, engine, job_id)
        st.toast(f"Job {job_id} resumed.")
    elif actions["cancel"]:
        jobs.request_cancel(engine, job_id)
        st.toast(f"Cancel requested for job {job_id}.")
except PhotoimportError as exc:
    show_error(exc)
else:
    if any(actions.values()):
        st.rerun()

if progress.status == JobStatus.COMPLETED:
    st.subheader("Summary")
    summary_panel(engine, job_id)

errors_tab, settings_tab, log_tab = st.tabs(["Errors", "Settings it ran with", "Worker log"])
with errors_tab:
    errors = jobs.job_errors(engine, job_id)
    if errors:
        st.dataframe(
            pd.DataFrame([e.__dict__ for e in errors]), hide_index=True, key="errors_table"
        )
    else:
        st.caption("No file of this job failed.")
with settings_tab:
    shown = job_settings(job)
    st.table(pd.DataFrame({"setting": list(shown), "value": list(shown.values())}))
with log_tab:
    log = tail_text(settings.logs_dir / f"worker-{job_id}.log")
    if log is None:
        st.caption("No worker log yet.")
    else:
        st.code(log or "(empty)", language="log")
