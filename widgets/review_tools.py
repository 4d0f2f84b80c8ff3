"""The Review page's tools besides the queue: shift a selection (with a preview), align cameras
(by a reference photo, or by the library's own evidence), fill missing dates, history and undo.

Each tool calls ``photoimport.review``; ``run(action, message)`` (from the page) runs one
decision and shows its result, or the one plain-words reason it could not be made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from photoimport.errors import PhotoimportError
from photoimport.review import bulk, decisions, evidence, undo
from photoimport.review.queue import QueueItem
from photoimport.review.selection import list_camera_keys
from photoimport.review.timeinput import format_shift
from photoimport.review.values import CameraKey, Selection
from widgets.panels import show_error

Run = Callable[[Callable[[], Any], str], None]


def _camera(cameras: dict[CameraKey, int], key: str) -> CameraKey | None:
    choice: CameraKey | None = st.selectbox(
        "Camera",
        [None, *cameras],
        key=key,
        format_func=lambda k: "choose a camera…" if k is None else f"{k.label} ({cameras[k]:,})",
    )
    return choice


def _span(label: str, key: str) -> tuple[date | None, date | None]:
    picked = st.date_input(label, value=[], key=key)
    days = [d for d in (picked if isinstance(picked, tuple | list) else [picked]) if d]
    first = days[0] if days else None
    return first, days[1] if len(days) > 1 else first


def _selection(cameras: dict[CameraKey, int]) -> Selection:
    by = st.radio("Which photos", ["camera", "job", "folder"], horizontal=True, key="s_by")
    camera = _camera(cameras, "s_camera") if by == "camera" else None
    job = st.number_input("Job number", min_value=1, step=1, key="s_job") if by == "job" else None
    folder = st.text_input("Folder", key="s_folder") if by == "folder" else None
    span = _span("Only photos taken between (optional)", "s_dates")
    return Selection(
        camera=camera,
        job_id=int(job) if job else None,
        folder=folder or None,
        date_from=span[0],
        date_to=span[1],
    )


def _amount() -> tuple[timedelta | None, str | None]:
    mode = st.radio(
        "Change", ["shift by", "move to the right time zone"], horizontal=True, key="s_mode"
    )
    if mode != "shift by":
        zone = st.text_input(
            "The right zone",
            key="s_zone",
            placeholder="+02:00 or Europe/Paris",
            help="The wall clock was right, the zone was wrong: the wall clock is kept.",
        )
        return None, zone or None
    cols = st.columns(5)
    sign = cols[0].radio("Direction", ["+", "−"], key="s_sign")
    names = ("days", "hours", "minutes", "seconds")
    parts = [
        int(c.number_input(n, min_value=0, step=1, key=f"s_{n}"))
        for c, n in zip(cols[1:], names, strict=True)
    ]
    delta = timedelta(days=parts[0], hours=parts[1], minutes=parts[2], seconds=parts[3])
    return (-delta if sign == "−" else delta) or None, None


def shift_tab(engine: Engine, run: Run) -> None:
    sel = _selection(dict(list_camera_keys(engine)))
    by, zone = _amount()
    params = (sel, by, zone)
    if st.button("Preview", key="s_preview_btn"):
        try:
            preview = bulk.preview_shift(engine, sel, by=by, zone_text=zone)
            st.session_state["s_preview"] = (params, preview)
        except PhotoimportError as exc:
            show_error(exc)
    shown = st.session_state.get("s_preview")
    if shown is None or shown[0] != params:
        st.caption("Preview first: the count and a sample, before → after.")
        return
    preview = shown[1]
    st.markdown(f"**{preview.count:,} photos** would change: {preview.description}.")
    if preview.undated:
        st.caption(f"{preview.undated:,} photos of the selection have no date: left as they are.")
    st.dataframe(pd.DataFrame([r.__dict__ for r in preview.sample]), hide_index=True)
    if st.button(f"Apply to {preview.count:,} photos", key="s_apply", type="primary"):
        st.session_state.pop("s_preview", None)
        run(
            lambda: bulk.shift_dates(engine, sel, by=by, zone_text=zone),
            "Done (action {result.action_id}): {result.summary}, {result.count} photos.",
        )


def align_tab(engine: Engine, run: Run) -> None:
    st.subheader("By a reference photo")
    st.caption("A photo of a clock, or one whose true time you know, sets its camera's clock.")
    camera = _camera(dict(list_camera_keys(engine)), "a_camera")
    photo = int(st.number_input("Photo number (id)", min_value=1, step=1, key="a_photo"))
    shows = st.text_input("It shows", key="a_shows", placeholder="YYYY-MM-DD HH:MM:SS")
    span = _span("Only the camera's photos taken between (optional)", "a_dates")
    if st.button("Align this camera", key="a_apply", disabled=camera is None or not shows):
        assert camera is not None
        run(
            lambda: bulk.align_camera(
                engine, camera, photo, shows, date_from=span[0], date_to=span[1]
            ),
            "Aligned (action {result.action_id}): {result.summary}, {result.count} photos.",
        )
    st.subheader("By themselves")
    st.caption("From near duplicates across cameras, GPS times, and phones (network clocks).")
    if st.button("Work out the cameras' clock offsets", key="a_suggest"):
        st.session_state["a_found"] = evidence.suggest_offsets(engine)
    found = st.session_state.get("a_found")
    if found is not None and not found:
        st.info("No evidence: no near duplicates across cameras and no GPS times to compare.")
    for i, s in enumerate(found or []):
        st.markdown(
            f"**{s.camera}**: {format_shift(s.correction)} (spread "
            f"{s.spread.total_seconds():,.0f} s, {s.observations} observations, "
            f"against {s.reference})"
        )
        with st.expander("Evidence"):
            st.text("\n".join(s.evidence))
        if st.button(f"Apply {format_shift(s.correction)} to {s.camera}", key=f"a_use_{i}"):
            st.session_state.pop("a_found", None)
            run(
                partial(evidence.apply_suggestion, engine, s),
                "Applied (action {result.action_id}): {result.count} photos.",
            )


def fill_tab(engine: Engine, run: Run) -> None:
    st.caption(
        "Undated photos between dated ones of the same camera and sequence (file numbers, "
        "bursts) get a suggested date. Nothing changes until you use one."
    )
    if st.button("Look for dates from neighbours", key="f_look"):
        st.session_state["f_found"] = evidence.fill_suggestions(engine)
    found = st.session_state.get("f_found")
    if found is not None and not found:
        st.info("No undated photo has dated neighbours to suggest a date from.")
    for s in found or []:
        st.markdown(f"**{s.file_id} · {s.name}** → {s.local.isoformat()}")
        st.caption(s.reason)
        if st.button("Use this date", key=f"f_use_{s.file_id}"):
            st.session_state.pop("f_found", None)
            run(
                partial(decisions.fill_date, engine, s.file_id, s.local, s.reason),
                "Filled (action {result.action_id}): {result.summary}.",
            )


def history_tab(engine: Engine, run: Run) -> None:
    rows = undo.list_actions(engine, 50)
    if not rows:
        st.info("No date decision yet.")
        return
    table = [
        {
            "action": r.action_id,
            "what": r.summary,
            "photos": r.count,
            "when": r.created_at,
            "undone": r.undone_at,
        }
        for r in rows
    ]
    st.dataframe(pd.DataFrame(table), hide_index=True, key="h_table")
    if st.button("Undo the last action", key="h_last"):
        run(lambda: undo.undo_last(engine), "{result.summary}: {result.count} photos restored.")
    left, right = st.columns(2)
    action = int(left.number_input("Action number", min_value=1, step=1, key="h_action"))
    if left.button("Undo this action", key="h_undo_action"):
        run(lambda: undo.undo_action(engine, action), "{result.summary}: {result.count} photos.")
    decision = int(
        right.number_input("Decision number (one photo)", min_value=1, step=1, key="h_dec")
    )
    if right.button("Undo this decision", key="h_undo_decision"):
        run(lambda: undo.undo_decision(engine, decision), "{result.summary}.")


def correct_one(
    engine: Engine, items: tuple[QueueItem, ...], configured_zone: str, run: Run
) -> None:
    """Pick another candidate of one photo of the page, or type its date and time."""
    st.subheader("Correct one photo")
    names = {i.file_id: i for i in items}
    one = st.selectbox(
        "Photo", list(names), key="one", format_func=lambda i: f"{i} · {names[i].name}"
    )
    item = names[one]
    usable = [c for c in item.candidates if c.usable]
    if usable:
        cand = st.radio(
            "Its candidates", usable, key="one_cand", format_func=lambda c: f"{c.source}: {c.local}"
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
