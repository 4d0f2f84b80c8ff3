"""Import: upload photos (or a whole folder) from the browser, a folder on the server, or the
demo photos. Each starts a job and a detached worker, then switches to the job's progress."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from photoimport import jobs
from photoimport.db.models import JobKind
from photoimport.db.settings_store import load_import_settings
from photoimport.errors import PhotoimportError
from photoimport.sources import demo, uploads
from photoimport.sources import folders as sources
from widgets.demo import check_caps, claim, visitor_owner
from widgets.panels import app, show_error

settings, engine, zone = app()
defaults = load_import_settings(engine, settings.imports)
caps = uploads.UploadCaps()
demo_mode = visitor_owner() is not None  # PHOTOIMPORT_DEMO=1: uploads and demo photos only


def start(kind: JobKind, source: str, paths: list[Path] | None) -> None:
    show_job(jobs.create_job(engine, kind, source, defaults, paths))


def show_job(job_id: int) -> None:
    claim(engine, job_id)  # demo mode: the visitor's job, before its worker starts
    jobs.launch_worker(settings, job_id)
    st.session_state["started_job"] = job_id
    if demo_mode:
        st.switch_page("pages/demo_home.py")
    st.switch_page("pages/jobs.py", query_params={"job": str(job_id)})


def release(files: Sequence[uploads.UploadSource]) -> int:
    """Drop saved uploads from the server's memory (Streamlit keeps them for the session
    otherwise); returns the bytes this session still holds."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return 0
    for f in files:
        # the memory manager's own API (not typed in its base class): drop what we saved
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, getattr(f, "file_id", ""))  # type: ignore[attr-defined]
    stats = ctx.uploaded_file_mgr.get_stats().get("cache_memory_bytes", [])
    return sum(s.byte_length for s in stats)  # type: ignore[attr-defined]


st.title(":material/add_photo_alternate: Import photos")
st.caption(
    "Photos are read, never changed. Each import runs as a job in the background: you can "
    "close this page and come back."
)
labels = [":material/upload: Upload from this computer", ":material/dns: Folder on the server"]
tabs = st.tabs([*labels[: 1 if demo_mode else 2], ":material/auto_awesome: Try the demo photos"])
tab_upload, tab_demo, tab_folder = tabs[0], tabs[-1], None if demo_mode else tabs[1]

with tab_upload:
    st.write(
        f"Choose photos, or a whole folder. Up to {caps.max_files:,} files and "
        f"{caps.max_total_bytes / 1e6:,.0f} MB per upload; for bigger sets use a folder on the "
        "server. Browsers do not send the files' modification times, so an uploaded photo's "
        "date comes from the photo itself and its name."
    )
    generation = st.session_state.setdefault("upload_generation", 0)
    mode = st.radio(
        "What to upload", ["Photos", "A whole folder"], horizontal=True, key="upload_mode"
    )
    picked = st.file_uploader(
        "Photos",
        type=list(uploads.UPLOAD_TYPES),
        accept_multiple_files="directory" if mode == "A whole folder" else True,
        key=f"uploader_{generation}",
        label_visibility="collapsed",
    )
    files = list(picked or [])
    if files:
        total = sum(f.size for f in files)
        st.caption(f"{len(files):,} files selected, {total / 1e6:,.1f} MB")
    if st.button("Import uploaded photos", type="primary", disabled=not files, key="start_upload"):
        try:
            check_caps(engine, len(files), sum(f.size for f in files))  # demo mode's caps
            batch = uploads.save_upload_batch(files, settings.uploads_dir, caps)
            st.session_state["upload_bytes_held"] = release(files)
            st.session_state["upload_generation"] = generation + 1
            job_settings = uploads.upload_import_settings(defaults)
            show_job(
                jobs.create_upload_job(engine, settings.uploads_dir, batch.folder, job_settings)
            )
        except PhotoimportError as exc:
            show_error(exc)

if tab_folder is not None:  # never in demo mode: no server folders
    with tab_folder:
        roots = settings.allowed_roots
        if roots:
            st.write("Folders may be imported from: " + ", ".join(f"`{r}`" for r in roots))
        folder = st.text_input(
            "Folder on the server",
            key="folder_path",
            placeholder=str(roots[0]) if roots else "/home/me/Pictures/2024",
            help="Read recursively. Dot-files and partial downloads are skipped.",
        )
        if st.button("Import this folder", type="primary", disabled=not folder, key="start_folder"):
            try:
                resolved = sources.validate_folder(folder.strip(), settings)
                start(JobKind.DIRECTORY, str(resolved), None)
            except PhotoimportError as exc:
                show_error(exc)

with tab_demo:
    photos = demo.demo_photo_paths()
    st.write(
        f"{len(photos)} real photos (JPEG and HEIC, some with GPS positions) shipped with "
        "photoimport under permissive licences. A quick way to see what an import gives you."
    )
    if st.button("Try it with demo photos", type="primary", key="start_demo"):
        try:
            check_caps(engine, len(photos), sum(p.stat().st_size for p in photos))
            staged = demo.stage_demo_photos(settings)
            start(JobKind.DEMO, str(settings.demo_dir), staged)
        except PhotoimportError as exc:
            show_error(exc)
