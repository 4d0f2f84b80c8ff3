"""The dashboard's home page and Jobs page through AppTest, on a real SQLite library."""

from __future__ import annotations

from datetime import timedelta

from photoimport.db.models import Confidence, JobControl, JobStatus, utcnow
from photoimport.jobs.control import JobSummary
from photoimport.jobs.summary import summary_to_json
from tests.fixtures.app import (
    AppEnv,
    add_job,
    first_metrics,
    get_job,
    open_app,
    progress_text,
    progress_value,
    set_job,
)


def test_home_without_jobs_invites_an_import(app_env: AppEnv) -> None:
    at = open_app()
    assert not at.exception
    assert at.title[0].value == ":material/photo_library: photoimport"
    assert at.info[0].value.startswith("No imports yet")


def test_home_shows_a_running_job_then_its_completion(app_env: AppEnv) -> None:
    job_id = add_job(app_env.engine, JobStatus.RUNNING, total=10, done=3, errors=1)
    at = open_app()
    assert not at.exception
    assert progress_text(at).startswith("RUNNING 3/10")
    assert progress_value(at) == 30
    metrics = first_metrics(at)
    assert metrics["Done"] == "3 / 10"
    assert metrics["Errors"] == "1"
    assert metrics["ETA"] != "—"  # 3 files in 30 s of this run: 70 s to go
    assert any("IMG_0004.JPG" in c.value for c in at.caption)

    summary = JobSummary(
        job_id=job_id,
        status=JobStatus.COMPLETED,
        total=10,
        processed=8,
        already_known=1,
        errors=1,
        by_confidence={Confidence.HIGH: 5, Confidence.MEDIUM: 2, Confidence.NONE: 1},
        exact_duplicate_groups=2,
        near_duplicate_groups=1,
        duration_seconds=42.0,
        files_per_second=0.24,
    )
    set_job(
        app_env.engine,
        job_id,
        status=JobStatus.COMPLETED.value,
        done=10,
        finished_at=utcnow(),
        summary_json=summary_to_json(summary),
    )
    at.run()  # AppTest has no timer: the fragment's tick is a rerun by hand
    assert not at.exception
    assert progress_text(at).startswith("COMPLETED 10/10")
    assert progress_value(at) == 100
    metrics = first_metrics(at)
    assert metrics["New photos"] == "8"
    assert metrics["Already in library"] == "1"
    assert metrics["Exact duplicate groups"] == "2"
    assert metrics["Near duplicate groups"] == "1"
    assert metrics["Duration"] == "42 s"


def test_home_says_when_the_worker_is_lost(app_env: AppEnv) -> None:
    add_job(app_env.engine, JobStatus.RUNNING, heartbeat_at=utcnow() - timedelta(minutes=10))
    at = open_app()
    assert not at.exception
    assert "Worker lost" in at.warning[0].value
    assert any(b.label == "Resume" for b in at.button)


def _jobs_page(job_id: int) -> object:
    at = open_app()
    at.query_params["job"] = str(job_id)
    return at.switch_page("pages/jobs.py").run()


def test_jobs_page_lists_jobs_and_shows_the_chosen_one(app_env: AppEnv) -> None:
    done_id = add_job(app_env.engine, JobStatus.COMPLETED, done=10, total=10)
    running_id = add_job(app_env.engine, JobStatus.RUNNING, total=200, done=50)
    at = _jobs_page(running_id)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["job"]) == [running_id, done_id]
    assert list(table["done"]) == [50, 10]
    assert at.selectbox(key="job_pick").value == running_id
    assert progress_text(at).startswith("RUNNING 50/200")
    settings_table = at.table[0].value
    shown = dict(zip(settings_table["setting"], settings_table["value"], strict=True))
    assert shown["timezone"] == "Europe/Madrid"


def test_pause_resume_cancel_change_the_job_row(app_env: AppEnv) -> None:
    job_id = add_job(app_env.engine, JobStatus.RUNNING)
    at = _jobs_page(job_id)
    assert at.button(key="resume_job").disabled
    assert not at.button(key="pause_job").disabled
    at.button(key="pause_job").click().run()
    assert not at.exception
    assert get_job(app_env.engine, job_id).control == JobControl.PAUSE

    at.button(key="resume_job").click().run()  # a pause not yet taken is withdrawn
    assert get_job(app_env.engine, job_id).control == JobControl.NONE

    at.button(key="cancel_job").click().run()
    assert get_job(app_env.engine, job_id).control == JobControl.CANCEL


def test_cancel_a_paused_job_and_resume_is_offered(app_env: AppEnv) -> None:
    job_id = add_job(app_env.engine, JobStatus.PAUSED, worker_pid=None, heartbeat_at=None)
    at = _jobs_page(job_id)
    assert at.button(key="pause_job").disabled
    assert not at.button(key="resume_job").disabled
    at.button(key="cancel_job").click().run()
    assert not at.exception
    assert get_job(app_env.engine, job_id).status == JobStatus.CANCELLED
    assert progress_text(at).startswith("CANCELLED")
    assert at.button(key="cancel_job").disabled


def test_jobs_page_shows_errors_and_the_worker_log(app_env: AppEnv) -> None:
    from sqlmodel import Session

    from photoimport.db.models import ItemState, JobItem

    job_id = add_job(app_env.engine, JobStatus.HALTED, message="too many errors: 20 of 20")
    with Session(app_env.engine) as session:
        session.add(
            JobItem(
                job_id=job_id,
                path="/photos/2024/broken.jpg",
                state=ItemState.ERROR,
                error_stage="decode",
                error_reason="truncated JPEG: image file is truncated",
            )
        )
        session.commit()
    log = app_env.home / "logs" / f"worker-{job_id}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(f"batch {i} committed\n" for i in range(100)), encoding="utf-8")
    at = _jobs_page(job_id)
    assert not at.exception
    errors = at.dataframe[1].value  # [0] is the jobs table
    assert list(errors["path"]) == ["/photos/2024/broken.jpg"]
    assert list(errors["stage"]) == ["decode"]
    assert at.error[0].value == "too many errors: 20 of 20"
    assert at.code[0].value.splitlines()[-1] == "batch 99 committed"
    assert len(at.code[0].value.splitlines()) == 40
