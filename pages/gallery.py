"""Gallery: the library's photos, paged and filtered (every filter is in the URL, so a view is
a link to share), as a grid of thumbnails (click one to open it), a timeline of photos per
month (click a month to show it) and a map of the photos with GPS (click a place to show its
photos). Discarded photos are hidden unless asked for. The views live in widgets/gallery_views.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from photoimport.enums import Confidence
from photoimport.jobs.control import list_jobs
from photoimport.jobs.visitors import visitor_job_ids
from photoimport.library import gallery
from photoimport.library.params import parse_area
from photoimport.library.photo import failed_files
from photoimport.library.queries import FileFilter, SortOrder, count_files, list_cameras
from widgets.demo import visitor_owner
from widgets.gallery_views import TABS, grid, photo_map, timeline
from widgets.panels import app

PAGE_SIZE = 48
settings, engine, zone = app()
owner = visitor_owner()  # demo mode: this visitor's photos only
st.title(":material/grid_view: Gallery")
url: Any = {"bind": "query-params"}  # the widget's value lives in the URL, under its key

with st.sidebar:
    st.subheader("Filters")
    mine = visitor_job_ids(engine, owner) if owner else None
    job_ids = mine if mine is not None else [j.id for j in list_jobs(engine, 200) if j.id]
    job = st.selectbox("Job", job_ids, index=None, placeholder="all jobs", key="job", **url)
    conf = st.multiselect(
        "Date confidence", [c.value for c in Confidence], format_func=str.lower, key="conf", **url
    )
    # value=() even when the timeline set the range (Streamlit logs a warning): without a
    # default the range is not written to the URL
    no_range: Any = ()  # a range widget, empty
    dates = st.date_input("Taken between", no_range, key="dates", help="Local date.", **url)
    cameras = list_cameras(engine)
    camera = st.selectbox(
        "Camera", cameras, index=None, placeholder="any camera", key="camera", **url
    )
    dups = st.toggle("Duplicates only", key="dups", **url)
    discarded = st.toggle("Show discarded photos", key="discarded", **url)
    sort = st.radio("Sort by", [str(s) for s in SortOrder], key="sort", **url)
    errors = owner is None and st.toggle("Show files that failed", key="errors", **url)

start, end = (*tuple(dates), None, None)[:2] if isinstance(dates, tuple) else (dates, None)
flt = FileFilter(
    job_id=job,
    confidences=tuple(Confidence(c) for c in conf),
    date_from=start,
    date_to=end,
    camera=camera,
    duplicates_only=dups,
    include_discarded=discarded,
    area=parse_area(st.query_params.get("area", "")),
    sort=SortOrder(sort),
    owner=owner,
)
if flt.area is not None and st.button("Show every place again", icon=":material/close:"):
    del st.query_params["area"]
    st.rerun()

total = count_files(engine, flt)
pages = max(1, math.ceil(total / PAGE_SIZE))
# the view is in the URL too (show=Timeline); a month or a place click switches to Photos
shown = st.segmented_control(
    "View", TABS, default=TABS[0], key="show", label_visibility="collapsed", **url
)
if shown in (None, "Photos"):
    page = st.pagination(pages, key="page", **url) if pages > 1 else 1
    tiles = gallery.tiles(engine, settings, flt, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    if tiles:
        first = (page - 1) * PAGE_SIZE + 1
        st.caption(
            f"Photos {first:,}–{first + len(tiles) - 1:,} of {total:,}: click one to open it"
        )
        grid(tiles, flt)
    else:
        st.info(
            "No photos match. Import some photos, or loosen the filters.",
            icon=":material/search_off:",
        )
elif shown == "Timeline":
    timeline(engine, flt)
else:
    photo_map(engine, flt)
if errors:  # not in demo mode: the list is every visitor's
    failed = failed_files(engine, job)
    st.subheader(f"Files that failed ({len(failed):,})")
    st.dataframe(pd.DataFrame([f.__dict__ for f in failed]), hide_index=True, key="failed")
