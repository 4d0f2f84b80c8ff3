"""Home in demo mode (``PHOTOIMPORT_DEMO=1``): what the demo keeps and for how long, the
visitor's latest import (live while it runs) and their photos."""

from __future__ import annotations

import streamlit as st

from photoimport.jobs.visitors import latest_job, visitor_photo_paths
from photoimport.library.queries import FileFilter, count_files
from widgets.demo import banner, organised_copy, visitor_owner, zip_download
from widgets.panels import app, live_panel

settings, engine, zone = app()
owner = visitor_owner()
st.title(":material/photo_library: photoimport demo")
banner()
if owner is None:
    st.stop()
job_id = latest_job(engine, owner)
if job_id is None:
    st.write("Upload a few photos, or try the demo photos, to see what photoimport finds.")
    st.page_link(
        "pages/import_photos.py", label="Start an import", icon=":material/add_photo_alternate:"
    )
    st.stop()
st.subheader(f"Your import {job_id}")
live_panel(settings, engine, job_id, zone)
st.metric("Your photos", f"{count_files(engine, FileFilter(owner=owner)):,}")
st.page_link("pages/gallery.py", label="See them in the gallery", icon=":material/grid_view:")
download = zip_download(settings.home, visitor_photo_paths(engine, owner))
if download is not None:
    st.download_button(
        "Download your photos (ZIP)",
        data=download,
        file_name="photoimport-demo.zip",
        mime="application/zip",
        icon=":material/download:",
        key="demo_zip",
    )
organised_copy(owner)
