"""A photo's detail (``?photo=ID``): a larger preview, its metadata, every timestamp candidate
with its source and verdict, the chosen time with its offset, and its duplicates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from photoimport.errors import PhotoimportError
from photoimport.library import photo as browse
from photoimport.library import queries as library
from widgets.panels import app, show_error

settings, engine, zone = app()
st.page_link("pages/gallery.py", label="Back to the gallery", icon=":material/arrow_back:")
raw = st.query_params.get("photo", "")
if not raw.isdigit():
    st.info("Choose a photo in the gallery to see its details.", icon=":material/grid_view:")
    st.stop()
try:
    f = library.get_file(engine, int(raw))
except PhotoimportError as exc:
    show_error(exc)
    st.stop()
assert f.id is not None

st.title(f":material/image: {f.name}")
left, right = st.columns([3, 2])
with left:
    preview = browse.preview_image(Path(f.path))
    if preview is not None:
        st.image(preview)
    elif f.thumbnail and settings.thumbnail_file(f.thumbnail).is_file():
        st.image(str(settings.thumbnail_file(f.thumbnail)))
    else:
        st.caption("No preview: the original is no longer where it was imported from.")
with right:
    st.markdown(f"**Taken** {browse.capture_text(f)}", help="Local time where it was taken.")
    st.metric("Date confidence", str(f.confidence))
    facts = browse.photo_facts(f)
    st.table(pd.DataFrame({"": [x.label for x in facts], "value": [x.value for x in facts]}))
    paths = library.file_paths(engine, f.id)
    st.markdown(f"**Seen at ({len(paths)})**")
    for p in paths:
        st.caption(f"`{p}`")

st.subheader("Timestamp candidates")
cands = browse.candidate_rows(f)
if cands:
    st.dataframe(
        pd.DataFrame([c.__dict__ for c in cands]),
        hide_index=True,
        key="candidates",
        column_config={"chosen": st.column_config.CheckboxColumn("chosen")},
    )
else:
    st.caption("No date candidate at all: nothing in the photo, its name or its file says when.")

siblings = library.duplicate_siblings(engine, f.id)
st.subheader(f"Duplicates ({len(siblings)})")
shown = [s for s in siblings if s.thumbnail and settings.thumbnail_file(s.thumbnail).is_file()]
if shown:
    st.image(
        [str(settings.thumbnail_file(s.thumbnail)) for s in shown if s.thumbnail],
        caption=[s.name for s in shown],
        width=160,
    )
elif not siblings:
    st.caption("No other copy or near-identical photo in the library.")
