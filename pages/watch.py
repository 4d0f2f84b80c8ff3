"""Watch: the watched folders and their state, the watcher process (start / stop), adding and
removing folders. Every figure and action is a ``photoimport.watch_*`` call."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from photoimport.display import format_local_time, markdown_text
from photoimport.errors import PhotoimportError
from photoimport.watch.control import start_watcher, stop_watcher
from photoimport.watch.registry import add_folder, folder_statuses, live_watchers, remove_folder
from photoimport.watch.status import watch_rows
from widgets.panels import app, show_error

REFRESH_SECONDS = 2.0

settings, engine, zone = app()
st.title("👀 Watched folders")
st.caption(
    "Photos dropped into a watched folder import themselves, each exactly once: a file is taken "
    "when it is complete, and the folder is rescanned for anything that arrived while the "
    "watcher was stopped."
)

watchers = live_watchers(engine)
left, right = st.columns([3, 1])
with left:
    if watchers:
        w = watchers[0]
        scope = w.folder or "every watched folder"
        st.success(
            f"Watcher running (pid {w.pid} on {w.host}) for {scope}; "
            f"last heartbeat {format_local_time(w.heartbeat_at, zone)}.",
            icon="🟢",
        )
    else:
        st.warning("The watcher is not running: new photos are not imported.", icon="💤")
with right:
    if watchers:
        if st.button("Stop watcher", key="watch_stop", icon="⏹️", width="stretch"):
            stop_watcher(engine)
            st.rerun()
    elif st.button("Start watcher", key="watch_start", type="primary", icon="▶️", width="stretch"):
        try:
            start_watcher(settings, engine)
        except PhotoimportError as exc:
            show_error(exc)
        else:
            st.toast("Watcher starting…")


table_slot = st.container()  # filled last, so a folder added or removed below shows at once


@st.fragment(run_every=REFRESH_SECONDS if watchers else None)
def folder_table() -> None:
    statuses = folder_statuses(engine, settings)
    if not statuses:
        st.info("No watched folders yet: add one below.", icon="📂")
        return
    frame = pd.DataFrame([r.__dict__ for r in watch_rows(statuses, zone)])
    st.dataframe(
        frame,
        hide_index=True,
        key="watch_table",
        column_config={
            "folder": st.column_config.TextColumn("folder", width="large"),
            "state": st.column_config.TextColumn("state"),
            "last_event": st.column_config.TextColumn("last event"),
            "imported_today": st.column_config.NumberColumn("imported today", format="%d"),
            "last_job": st.column_config.TextColumn("last import job"),
            "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=1),
        },
    )


st.subheader("Add a folder")
with st.form("watch_add_form", clear_on_submit=False):
    path = st.text_input(
        "Folder on this machine",
        key="watch_add_path",
        placeholder="/home/me/Phone sync",
        help="It must exist and, when PHOTOIMPORT_ALLOWED_ROOTS is set, lie inside those roots.",
    )
    polling = st.checkbox(
        "Poll instead of file events (network shares: NFS, SMB)", key="watch_add_polling"
    )
    submitted = st.form_submit_button("Add folder", icon="➕", key="watch_add")
if submitted:
    if not path.strip():
        st.error("Type the path of a folder to watch.", icon="⚠️")
    else:
        try:
            folder = add_folder(engine, settings, path.strip(), polling=polling)
        except PhotoimportError as exc:
            show_error(exc)
        else:
            st.success(f"Watching {markdown_text(str(folder))}.", icon="✅")

folders = [s.path for s in folder_statuses(engine, settings)]
if folders:
    st.subheader("Remove a folder")
    pick = st.selectbox("Watched folder", folders, key="watch_remove_pick")
    if st.button("Remove folder", key="watch_remove", icon="🗑️"):
        try:
            remove_folder(engine, pick)
        except PhotoimportError as exc:
            show_error(exc)
        else:
            shown = markdown_text(str(pick))
            st.success(f"No longer watching {shown}; its photos stay in the library.", icon="✅")

with table_slot:
    folder_table()
