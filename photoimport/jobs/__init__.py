"""Jobs: create, start the detached worker, pause / resume / cancel, progress and summary.

The only way front ends (pages, CLI, watcher) touch jobs.
"""

from photoimport.jobs.control import (
    JobErrorRow,
    JobProgress,
    job_errors,
    job_progress,
    job_summary,
    latest_active_job,
    launch_worker,
    list_jobs,
    request_cancel,
    request_pause,
    request_resume,
)
from photoimport.jobs.create import create_job, create_upload_job
from photoimport.jobs.summary import JobSummary

__all__ = [
    "JobErrorRow",
    "JobProgress",
    "JobSummary",
    "create_job",
    "create_upload_job",
    "job_errors",
    "job_progress",
    "job_summary",
    "latest_active_job",
    "launch_worker",
    "list_jobs",
    "request_cancel",
    "request_pause",
    "request_resume",
]
