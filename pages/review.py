"""Review dates: the queue of photos whose date needs a person (grouped by folder, camera and
day, paged, page in the URL) with thumbnails, candidates and reasons; accept, pick, type a date;
and tabs to shift a selection, align cameras, fill missing dates and undo."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from photoimport.db.settings_store import load_import_settings
from photoimport.errors import PhotoimportError
from photoimport.library.charts import CONFIDENCE_ORDER
from photoimport.review import decisions, queue
from widgets.panels import app, show_error
from widgets.review_tools import align_tab, correct_one, fill_tab, history_tab, shift_tab

PAGE_SIZE = 20
settings, engine, zone = app()
configured_zone = load_import_settings(engine, settings.imports).timezone
st.title(":material/event_available: Review dates")
done = st.session_state.pop("review_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

queue_tab, shift, cameras, fill, history = st.tabs(
    ["Queue", "Shift a selection", "Align cameras", "Fill missing dates", "History and undo"]
)


@st.cache_data(max_entries=8, show_spinner=False)
def queue_ids(url: str, version: tuple[int, ...], conf: tuple[Any, ...]) -> list[int]:
    """The queue's order, sorted once per change of the library (``queue_version``)."""
    return queue.queue_ids(engine, conf)


def run(action: Callable[[], Any], message: str) -> None:
    """Run one decision; say what it did, or the one plain-words reason it could not."""
    try:
        result = action()
    except PhotoimportError as exc:
        show_error(exc)
        return
    st.session_state["review_done"] = message.format(result=result)
    st.rerun()


with queue_tab:
    conf = st.multiselect(
        "Only these confidences",
        CONFIDENCE_ORDER,
        format_func=lambda c: c.value.lower(),
        key="q_conf",
        help="Empty: the queue (LOW, NONE, and MEDIUM when its candidates disagree).",
    )
    raw_page = st.query_params.get("page", "1")
    wanted = int(raw_page) if raw_page.isdigit() else 1
    ids = queue_ids(settings.database_url, queue.queue_version(engine, tuple(conf)), tuple(conf))
    total = len(ids)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(wanted, 1), pages)
    items = queue.queue_items(engine, ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    if total == 0:
        st.info("No photo needs a look: every date is sure enough.", icon=":material/task_alt:")
    else:
        st.caption(
            f"{total:,} photos to review · page {page} of {pages} · grouped by folder, "
            "camera and day"
        )
    group = None
    for item in items:
        if (item.folder, item.camera, item.day) != group:
            group = (item.folder, item.camera, item.day)
            st.markdown(f"**{item.folder}** · {item.camera} · {item.day}")
        left, right = st.columns([1, 6])
        thumb = settings.thumbnail_file(item.thumbnail) if item.thumbnail else None
        if thumb is not None and thumb.is_file():
            left.image(str(thumb), width=96)
        right.checkbox(
            f"{item.file_id} · {item.name} · {item.local or 'no date'} · {item.confidence.value}",
            key=f"pick_{item.file_id}",
        )
        cands = "; ".join(
            f"{'✔ ' if c.chosen else ''}{c.source}: {c.local or c.value}"
            + (f" ({c.note})" if c.note else "")
            for c in item.candidates
        )
        right.caption(f"{item.reason}. Candidates: {cands or 'none'}")
    chosen = [i.file_id for i in items if st.session_state.get(f"pick_{i.file_id}")]
    targets = chosen or [i.file_id for i in items if i.local]
    if items and st.button(
        f"Accept the proposed dates of these {len(targets)} photos",
        key="accept_bulk",
        disabled=not targets,
        help="Ticked photos, or every photo of this page with a date.",
    ):
        run(
            lambda: decisions.accept_proposals(engine, targets),
            "Accepted {result.count} dates (action {result.action_id}).",
        )
    prev_col, _, next_col = st.columns([1, 4, 1])
    if prev_col.button("← Previous", disabled=page <= 1, key="q_prev"):
        st.query_params["page"] = str(page - 1)
        st.rerun()
    if next_col.button("Next →", disabled=page >= pages, key="q_next"):
        st.query_params["page"] = str(page + 1)
        st.rerun()

    if items:
        st.divider()
        correct_one(engine, items, configured_zone, run)

with shift:
    shift_tab(engine, run)
with cameras:
    align_tab(engine, run)
with fill:
    fill_tab(engine, run)
with history:
    history_tab(engine, run)
