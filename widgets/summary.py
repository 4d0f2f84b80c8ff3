"""A finished job's summary: counts, duplicates, errors, speed, and two charts (Home, Jobs)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import JobKind
from photoimport.display import format_duration
from photoimport.jobs.summary import JobSummary
from photoimport.library import charts


@st.cache_data(ttl=600, show_spinner=False)
def _months(_engine: Engine, database: str, job_id: int, status: str) -> list[charts.MonthCount]:
    """A finished job's photos per month: cached per database, job and status (it grows only
    while the job runs; the query reads every file of a large job)."""
    return charts.photos_per_month(_engine, job_id)


def summary_panel(engine: Engine, job_id: int) -> None:
    """Counts, duplicates, errors, speed, and two charts for a finished job."""
    if jobs.job_progress(engine, job_id).kind is JobKind.EXPORT:  # issue 14: no import summary
        st.page_link(
            "pages/export.py",
            label="The export's outcome",
            icon=":material/drive_file_move:",
            query_params={"job": str(job_id)},
        )
        return
    s = jobs.job_summary(engine, job_id)
    cols = st.columns(6)
    cols[0].metric("New photos", f"{s.processed:,}")
    cols[1].metric(
        "Already in library",
        f"{s.already_known:,}",
        help=f"{s.unchanged:,} of them unchanged since the last import: linked without reading",
    )
    cols[2].metric("Errors", f"{s.errors:,}")
    cols[3].metric("Exact duplicate groups", f"{s.exact_duplicate_groups:,}")
    cols[4].metric("Near duplicate groups", f"{s.near_duplicate_groups:,}")
    speed = f"{s.files_per_second:,.1f} files per second" if s.files_per_second else None
    cols[5].metric("Duration", format_duration(s.duration_seconds), help=speed)
    _kinds(s)
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Photos per month**")
        months = (
            [charts.MonthCount(month=m, photos=n) for m, n in s.months.items()]
            if s.months is not None  # kept in the summary since issue 16: no query
            else _months(engine, engine.url.render_as_string(), job_id, s.status.value)
        )
        if months:
            data = pd.DataFrame([{"month": f"{m.month}-01", "photos": m.photos} for m in months])
            timeline = (
                alt.Chart(data)
                .mark_bar(size=8, color="#1565c0")
                .encode(
                    x=alt.X("yearmonth(month):T", title=None),
                    y=alt.Y("photos:Q", title="photos", axis=alt.Axis(tickMinStep=1)),
                    tooltip=[alt.Tooltip("yearmonth(month):T", title="month"), "photos:Q"],
                )
                .properties(height=260)
            )
            st.altair_chart(timeline, width="stretch")
        else:
            st.caption("None of these photos says when it was taken.")
    with right:
        st.markdown("**How sure are the dates?**")
        conf = charts.confidence_counts(s.by_confidence)
        data = pd.DataFrame([{"confidence": c.label, "photos": c.photos} for c in conf])
        chart = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                x=alt.X("photos:Q", title="photos", axis=alt.Axis(tickMinStep=1)),
                y=alt.Y(
                    "confidence:N",
                    sort=[c.label for c in conf],
                    title=None,
                    axis=alt.Axis(labelLimit=220),
                ),
                color=alt.Color(
                    "confidence:N",
                    sort=[c.label for c in conf],
                    scale=alt.Scale(range=["#2e7d32", "#9ccc65", "#ffb300", "#bdbdbd"]),
                    legend=None,
                ),
            )
            .properties(height=260)
        )
        st.altair_chart(chart, width="stretch")


def _kinds(s: JobSummary) -> None:
    """Issue 11: the job's files by kind, those kept without a picture, orphan sidecars."""
    if s.by_kind:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(s.by_kind.items()))
        kept = f"; {s.no_preview:,} kept without a picture (no preview)" if s.no_preview else ""
        st.caption(f"Kinds: {kinds}{kept}")
    if s.unmatched_sidecars:
        with st.expander(f"Sidecars that matched no file ({len(s.unmatched_sidecars):,})"):
            st.text("\n".join(s.unmatched_sidecars[:200]))
