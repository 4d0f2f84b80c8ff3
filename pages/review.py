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
from widgets.review_tools import align_tab, fill_tab, history_tab, shift_tab

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
    page_data = queue.review_queue(
        engine, offset=(max(wanted, 1) - 1) * PAGE_SIZE, limit=PAGE_SIZE, confidences=tuple(conf)
    )
    total = page_data.total
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(wanted, 1), pages)
    if total == 0:
        st.info("No photo needs a look: every date is sure enough.", icon=":material/task_alt:")
    else:
        st.caption(
            f"{total:,} photos to review · page {page} of {pages} · grouped by folder, "
            "camera and day"
        )
    items = page_data.items
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
        st.subheader("Correct one photo")
        names = {i.file_id: i for i in items}
        one = st.selectbox(
            "Photo", list(names), key="one", format_func=lambda i: f"{i} · {names[i].name}"
        )
        item = names[one]
        usable = [c for c in item.candidates if c.usable]
        if usable:
            cand = st.radio(
                "Its candidates",
                usable,
                key="one_cand",
                format_func=lambda c: f"{c.source}: {c.local}",
            )
            if st.button("Use this candidate", key="one_pick"):
                run(
                    lambda: decisions.pick_candidate(engine, one, cand.index),
                    "Photo date set from a candidate (action {result.action_id}).",
                )
        typed = st.text_input(
            "Or type its date and time",
            key="one_text",
            placeholder="YYYY-MM-DD HH:MM:SS, optionally +02:00",
        )
        st.caption(
            "Without an offset the photo's own zone is assumed, or else the configured "
            f"zone ({configured_zone})."
        )
        if st.button("Set this date", key="one_set", disabled=not typed):
            run(
                lambda: decisions.set_date(engine, one, typed, configured_zone)[0],
                "Date set (action {result.action_id}): {result.summary}.",
            )

with shift:
    shift_tab(engine, run)
with cameras:
    align_tab(engine, run)
with fill:
    fill_tab(engine, run)
with history:
    history_tab(engine, run)
