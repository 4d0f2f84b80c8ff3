"""Settings: the import settings new jobs start with (stored in the database). A job keeps the
settings it was created with; the Jobs page shows them."""

from __future__ import annotations

import zoneinfo

import streamlit as st

from photoimport.db.settings_store import load_import_settings, save_import_settings
from photoimport.errors import PhotoimportError
from photoimport.settings import SETTINGS_BY_NAME
from widgets.panels import app, show_error

settings, engine, zone = app()
current = load_import_settings(engine, settings.imports)
spec = SETTINGS_BY_NAME  # THE settings table: labels, help and ranges
zones = sorted(zoneinfo.available_timezones())

st.title(":material/settings: Settings")
st.caption("New jobs use these settings. A job that already exists keeps the ones it started with.")

with st.form("import_settings"):
    st.subheader("Dates")
    timezone = st.selectbox(
        spec["timezone"].label,
        zones,
        index=zones.index(current.timezone) if current.timezone in zones else zones.index("UTC"),
        help=spec["timezone"].help,
        key="s_timezone",
    )
    use_mtime = st.toggle(spec["use_mtime"].label, current.use_mtime, help=spec["use_mtime"].help)
    st.subheader("Errors")
    c1, c2 = st.columns(2)
    threshold = c1.slider(
        spec["error_threshold"].label,
        spec["error_threshold"].low,
        spec["error_threshold"].high,
        float(current.error_threshold),
        0.05,
        format="%.2f",
        help=spec["error_threshold"].help,
        key="s_threshold",
    )
    min_sample = c2.number_input(
        spec["error_min_sample"].label,
        int(spec["error_min_sample"].low or 1),
        int(spec["error_min_sample"].high or 1),
        int(current.error_min_sample),
        help=spec["error_min_sample"].help,
        key="s_min_sample",
    )
    st.subheader("Thumbnails and duplicates")
    c3, c4 = st.columns(2)
    thumb = c3.number_input(
        spec["thumbnail_size"].label,
        int(spec["thumbnail_size"].low or 1),
        int(spec["thumbnail_size"].high or 1),
        int(current.thumbnail_size),
        32,
        help=spec["thumbnail_size"].help,
        key="s_thumb",
    )
    distance = c4.slider(
        spec["near_duplicate_distance"].label,
        int(spec["near_duplicate_distance"].low or 0),
        int(spec["near_duplicate_distance"].high or 0),
        int(current.near_duplicate_distance),
        help=spec["near_duplicate_distance"].help,
        key="s_distance",
    )
    st.subheader("Worker")
    c5, c6 = st.columns(2)
    workers = c5.number_input(
        spec["workers"].label,
        int(spec["workers"].low or 1),
        int(spec["workers"].high or 1),
        int(current.workers),
        help=spec["workers"].help,
        key="s_workers",
    )
    max_pixels = c6.number_input(
        "Largest image (megapixels)",
        int((spec["max_image_pixels"].low or 0) // 1_000_000),
        int((spec["max_image_pixels"].high or 0) // 1_000_000),
        max(1, current.max_image_pixels // 1_000_000),
        help=spec["max_image_pixels"].help,
        key="s_max_mp",
    )
    c7, c8 = st.columns(2)  # issue 10: what one file may cost before it is that file's error
    limits = {
        name: column.number_input(
            spec[name].label,
            int(spec[name].low or 1),
            int(spec[name].high or 1),
            int(getattr(current, name)),
            help=spec[name].help,
            key=f"s_{name}",
        )
        for name, column in (("file_timeout_seconds", c7), ("file_memory_mb", c8))
    }
    saved = st.form_submit_button("Save settings", type="primary")

if saved:
    new = current.with_changes(
        timezone=timezone,
        use_mtime=use_mtime,
        error_threshold=float(threshold),
        error_min_sample=int(min_sample),
        thumbnail_size=int(thumb),
        near_duplicate_distance=int(distance),
        workers=int(workers),
        max_image_pixels=current.max_image_pixels
        if int(max_pixels) == current.max_image_pixels // 1_000_000
        else int(max_pixels) * 1_000_000,
        **{name: int(value) for name, value in limits.items()},
    )
    try:
        save_import_settings(engine, new)
    except PhotoimportError as exc:
        show_error(exc)
    else:
        st.success("Saved: new jobs will use these settings.", icon=":material/check_circle:")

st.subheader("Folders the server may import")
if settings.allowed_roots:
    for root in settings.allowed_roots:
        st.markdown(f"- `{root}`")
else:
    st.markdown("Any folder this server can read.")
st.caption(
    "Set with the PHOTOIMPORT_ALLOWED_ROOTS environment variable (folders separated by `:`) "
    "when the server starts. It cannot be changed from the browser, so that a shared or demo "
    "deployment stays confined to those folders."
)
st.caption(f"Library: `{settings.home}` · database: `{settings.database_url.split('://')[0]}`")
