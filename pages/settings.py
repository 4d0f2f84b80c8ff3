"""Settings: the import settings new jobs start with (stored in the database). A job keeps the
settings it was created with; the Jobs page shows them."""

from __future__ import annotations

import zoneinfo

import streamlit as st

from pages.panels import app, show_error
from photoimport.errors import PhotoimportError
from photoimport.settings import SETTINGS_HELP
from photoimport.settings_store import load_import_settings, save_import_settings

settings, engine, zone = app()
current = load_import_settings(engine, settings.imports)
help_ = SETTINGS_HELP
zones = sorted(zoneinfo.available_timezones())

st.title(":material/settings: Settings")
st.caption("New jobs use these settings. A job that already exists keeps the ones it started with.")

with st.form("import_settings"):
    st.subheader("Dates")
    timezone = st.selectbox(
        "Default time zone",
        zones,
        index=zones.index(current.timezone) if current.timezone in zones else zones.index("UTC"),
        help=help_["timezone"],
        key="s_timezone",
    )
    use_mtime = st.toggle(
        "Use file modification time as a last resort", current.use_mtime, help=help_["use_mtime"]
    )
    st.subheader("Errors")
    c1, c2 = st.columns(2)
    threshold = c1.slider(
        "Error threshold",
        0.0,
        1.0,
        float(current.error_threshold),
        0.05,
        format="%.2f",
        help=help_["error_threshold"],
        key="s_threshold",
    )
    min_sample = c2.number_input(
        "Files before the threshold applies",
        1,
        100_000,
        int(current.error_min_sample),
        help=help_["error_min_sample"],
        key="s_min_sample",
    )
    st.subheader("Thumbnails and duplicates")
    c3, c4 = st.columns(2)
    thumb = c3.number_input(
        "Thumbnail size (px)",
        64,
        2048,
        int(current.thumbnail_size),
        32,
        help=help_["thumbnail_size"],
        key="s_thumb",
    )
    distance = c4.slider(
        "Near-duplicate distance (bits)",
        0,
        32,
        int(current.near_duplicate_distance),
        help=help_["near_duplicate_distance"],
        key="s_distance",
    )
    st.subheader("Worker")
    c5, c6 = st.columns(2)
    workers = c5.number_input(
        "Worker processes", 1, 64, int(current.workers), help=help_["workers"], key="s_workers"
    )
    max_pixels = c6.number_input(
        "Largest image (megapixels)",
        1,
        2000,
        max(1, current.max_image_pixels // 1_000_000),
        help=help_["max_image_pixels"],
        key="s_max_mp",
    )
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
