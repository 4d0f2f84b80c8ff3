"""Export: choose photos, a destination and a template; preview the plan; run it as a job; get
the result as a ZIP. The export being followed is in the URL (``?job=N``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from photoimport import jobs
from photoimport.db.models import Confidence, JobKind
from photoimport.db.settings_store import load_import_settings
from photoimport.errors import PhotoimportError
from photoimport.export import status as export_status
from photoimport.export.create import create_export_job, preview_export
from photoimport.export.destination import EXPORTS_FOLDER, check_destination
from photoimport.export.request import ExportRequest
from photoimport.export.selection import import_roots
from photoimport.export.template import (
    DEFAULT_TEMPLATE,
    DEFAULT_UNDATED_TEMPLATE,
    TOKEN_HELP,
    parse_template,
)
from photoimport.library.queries import list_cameras
from widgets.export_panel import export_job_panel, preview_panel
from widgets.panels import app, show_error

settings, engine, zone = app()
st.title(":material/drive_file_move: Export")
st.caption(
    "An organised copy of the library: named by capture time, each copy verified by SHA-256, "
    "the date in an XMP sidecar and inside the copy, a manifest.csv. Originals are never written."
)

wanted = st.query_params.get("job")
followed = int(wanted) if wanted and wanted.isdigit() else None
if followed is not None and export_status.is_export(engine, followed):
    export_job_panel(settings, engine, followed, zone)
    if st.button("New export", key="new_export", icon=":material/add:"):
        del st.query_params["job"]
        st.rerun()
    st.stop()

imports = [j for j in jobs.list_jobs(engine, limit=200) if j.kind != JobKind.EXPORT.value]
left, right = st.columns(2)
with left:
    scope = st.radio("Photos", ["The whole library", "One import job"], key="exp_scope")
    job_id = None
    if scope == "One import job" and imports:
        job_id = st.selectbox(
            "Job",
            [j.id for j in imports],
            key="exp_job",
            format_func=lambda i: next(f"{j.id}: {j.source}" for j in imports if j.id == i),
        )
    with st.expander("Narrow it like the gallery's filter"):
        picked = st.multiselect("Date confidence", [c.value for c in Confidence], key="exp_conf")
        camera = st.selectbox("Camera", [None, *list_cameras(engine)], key="exp_camera")
        dupes = st.checkbox("Only duplicates (exact or near)", key="exp_dupes")
    include = st.checkbox("Include discarded duplicates", key="exp_discarded")
    link = st.checkbox("Hard links instead of copies (same disk only)", key="exp_link")
    embed = st.checkbox("Write the date inside the copies (ExifTool)", value=True, key="exp_embed")
with right:
    default_dest = str(settings.home / EXPORTS_FOLDER / "library")
    destination = st.text_input("Destination folder (on the server)", default_dest, key="exp_dest")
    template = st.text_input("Template", DEFAULT_TEMPLATE, key="exp_template")
    undated = st.text_input(
        "Template for photos without a date", DEFAULT_UNDATED_TEMPLATE, key="exp_undated"
    )
    with st.expander("Tokens"):
        tokens = {
            "token": ["{" + t + "}" for t in TOKEN_HELP],
            "meaning": list(TOKEN_HELP.values()),
        }
        st.table(pd.DataFrame(tokens))

request = ExportRequest(
    destination=destination,
    template=template,
    undated_template=undated,
    include_discarded=include,
    link=link,
    write_dates=embed,
    job_id=job_id,
    confidences=tuple(picked),
    camera=camera,
    duplicates_only=dupes,
)
try:  # the quick checks on every change: one clear message before anything else
    parse_template(template)
    parse_template(undated, undated=True)
    check_destination(destination, settings, import_roots(engine))
except PhotoimportError as exc:
    show_error(exc)
    st.stop()
asked = request.with_changes(zip_token="").to_json()  # what the preview was made for
if st.button("Preview", key="exp_preview_go", icon=":material/preview:"):
    st.session_state["exp_previewed"] = asked
if st.session_state.get("exp_previewed") != asked:
    st.caption("Preview the plan (nothing is written) before starting the export.")
    st.stop()
try:
    preview = preview_export(engine, settings, request)
except PhotoimportError as exc:
    show_error(exc)
    st.stop()
preview_panel(preview)

if st.button("Start export", type="primary", key="exp_start", disabled=not preview.plan.files):
    try:
        imports_settings = load_import_settings(engine, settings.imports)
        new_job = create_export_job(engine, settings, request, imports_settings)
        jobs.launch_worker(settings, new_job)
    except PhotoimportError as exc:
        show_error(exc)
    else:
        st.query_params["job"] = str(new_job)
        st.rerun()
