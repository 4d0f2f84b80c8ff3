"""Gallery: the library's thumbnails, paged (page in the URL), filtered and sorted; a photo's
detail with every timestamp candidate; a map of the photos with GPS."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from photoimport import jobs
from photoimport.library import photo as browse
from photoimport.library import queries as library
from photoimport.library.charts import CONFIDENCE_ORDER
from photoimport.library.queries import FileFilter, SortOrder
from widgets.panels import app

PAGE_SIZE = 60
settings, engine, zone = app()
st.title(":material/grid_view: Gallery")

with st.sidebar:
    st.subheader("Filters")
    job_ids = [j.id for j in jobs.list_jobs(engine, limit=200) if j.id is not None]
    job = st.selectbox(
        "Job",
        [None, *job_ids],
        format_func=lambda j: "all jobs" if j is None else f"job {j}",
        key="f_job",
    )
    conf = st.multiselect(
        "Date confidence", CONFIDENCE_ORDER, format_func=lambda c: c.value.lower(), key="f_conf"
    )
    # an empty range: Streamlit accepts it though its annotation does not say so
    dates = st.date_input(
        "Taken between",
        value=(),  # type: ignore[arg-type]
        key="f_dates",
        help="Local date at capture.",
    )
    camera = st.selectbox(
        "Camera",
        [None, *library.list_cameras(engine)],
        format_func=lambda c: c or "any camera",
        key="f_camera",
    )
    dups = st.toggle("Duplicates only", key="f_dups")
    show_errors = st.toggle("Show files that failed", key="f_errors")
    sort = st.radio("Sort by", list(SortOrder), format_func=str, horizontal=True, key="f_sort")
    show_map = st.toggle("Map of photos with GPS", key="f_map")

start, end = (*tuple(dates), None, None)[:2] if isinstance(dates, tuple) else (dates, None)
flt = FileFilter(
    job_id=job,
    confidences=tuple(conf),
    date_from=start,
    date_to=end,
    camera=camera,
    duplicates_only=dups,
    sort=sort or SortOrder.CAPTURE_TIME,
)

total = library.count_files(engine, flt)
pages = max(1, math.ceil(total / PAGE_SIZE))
raw_page = st.query_params.get("page", "1")
page = min(max(int(raw_page) if raw_page.isdigit() else 1, 1), pages)
files = library.list_files(engine, flt, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)

if total == 0:
    st.info(
        "No photos match. Import some photos, or loosen the filters.", icon=":material/search_off:"
    )
else:
    first = (page - 1) * PAGE_SIZE + 1
    st.caption(f"Photos {first:,}–{first + len(files) - 1:,} of {total:,} · page {page} of {pages}")
    thumbs = [f for f in files if f.thumbnail and settings.thumbnail_file(f.thumbnail).is_file()]
    if thumbs:
        st.image(
            [str(settings.thumbnail_file(f.thumbnail)) for f in thumbs if f.thumbnail],
            caption=[f.name for f in thumbs],
            width=160,
        )
    prev_col, mid, next_col = st.columns([1, 4, 1])
    if prev_col.button("← Previous", disabled=page <= 1, key="page_prev"):
        st.query_params["page"] = str(page - 1)
        st.rerun()
    if next_col.button("Next →", disabled=page >= pages, key="page_next"):
        st.query_params["page"] = str(page + 1)
        st.rerun()

if show_map:
    points = browse.gps_points(engine, flt)
    if points:
        st.map(pd.DataFrame([p.__dict__ for p in points]), latitude="lat", longitude="lon")
    else:
        st.caption("No photo in this selection has a GPS position.")

if show_errors:
    failed = browse.failed_files(engine, job)
    st.subheader(f"Files that failed ({len(failed):,})")
    st.dataframe(pd.DataFrame([f.__dict__ for f in failed]), hide_index=True, key="failed")

if files:
    st.divider()
    names = {f.id: f.name for f in files}
    chosen = st.selectbox(
        "Open a photo",
        [None, *names],
        key="photo_pick",
        format_func=lambda i: "choose a photo of this page…" if i is None else names[i],
        help="Its larger preview, metadata, every timestamp candidate and its duplicates.",
    )
    if chosen is not None:
        st.switch_page("pages/photo.py", query_params={"photo": str(chosen)})
