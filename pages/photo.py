"""A photo (``?photo=ID&at=N&view=<the Gallery's filters>``): previous / next in the Gallery's
order (buttons, and the arrow keys through ``st.button(shortcut=...)``: no custom component),
a larger preview, the effective date with its confidence mark, every timestamp candidate with
its source and verdict, the offset and its source, and its duplicates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from photoimport.display import markdown_text
from photoimport.duplicates.copies import copy_paths
from photoimport.enums import Confidence
from photoimport.errors import PhotoimportError
from photoimport.library import gallery, photo, variants
from photoimport.library.params import filter_from_view, params_from_filter
from photoimport.library.queries import duplicate_siblings, file_paths, get_file
from widgets.demo import visitor_owner
from widgets.panels import app, show_error

settings, engine, zone = app()
view = st.query_params.get("view", "")
flt = replace(filter_from_view(view), owner=visitor_owner())  # demo mode: the visitor's only
back = params_from_filter(flt)
raw, at = st.query_params.get("photo", ""), st.query_params.get("at", "")
st.page_link(
    "pages/gallery.py", label="Back to the gallery", icon=":material/arrow_back:", query_params=back
)
if not raw.isdigit():
    st.info("Choose a photo in the gallery to see its details.", icon=":material/grid_view:")
    st.stop()
try:
    f = get_file(engine, int(raw))
    if flt.owner is not None and not gallery.owns(engine, flt.owner, int(raw)):
        raise PhotoimportError("this photo is not one of yours")
except PhotoimportError as exc:
    show_error(exc)
    st.stop()
assert f.id is not None
near = gallery.neighbours(engine, flt, f.id, int(at)) if at.isdigit() else None


def go(target: tuple[int, int] | None) -> None:
    if target is not None:
        st.query_params.from_dict({"photo": str(target[0]), "at": str(target[1]), "view": view})


st.title(f":material/image: {markdown_text(f.name)}")  # a name is text, never Markdown
bar = st.container(horizontal=True, vertical_alignment="center")  # one row, on a phone too
bar.button(
    "Previous",
    shortcut="Left",  # the button shows the key; Streamlit handles it, no component
    disabled=not (near and near.previous),
    on_click=go,
    args=(near.previous if near else None,),
    key="prev",
)
if near is not None:
    bar.caption(f"Photo {near.position + 1:,} of the gallery's selection")
bar.button(
    "Next",
    shortcut="Right",
    disabled=not (near and near.next),
    on_click=go,
    args=(near.next if near else None,),
    key="next",
)

mark = gallery.CONFIDENCE_MARKS[Confidence(f.effective_confidence or Confidence.NONE)]
left, right = st.columns([3, 2])
with left:
    preview = photo.preview_image(Path(f.path))
    if preview is not None:
        st.image(preview)
    elif f.thumbnail and settings.thumbnail_file(f.thumbnail).is_file():
        st.image(str(settings.thumbnail_file(f.thumbnail)))
    else:
        st.caption("No preview: the original is no longer where it was imported from.")
with right:
    st.markdown(
        f"**Taken** {gallery.date_text(f.effective_local)}", help="Local time where it was taken."
    )
    st.markdown(f"**Date confidence** {mark.badge}")
    if f.date_decision_id is not None:
        st.caption("This date was decided in Review; the detected one is in the candidates below.")
    marks = gallery.tile_marks(engine, f)
    if marks:
        st.markdown(f"**Marks** {marks}")
    facts = photo.photo_facts(f)
    st.table(pd.DataFrame({"": [x.label for x in facts], "value": [x.value for x in facts]}))
    paths = file_paths(engine, f.id)
    st.markdown(f"**Seen at ({len(paths)})**")
    for p in paths:
        st.caption(markdown_text(p))
    copies = copy_paths(engine, f.id)  # issue 13: what duplicate resolution discarded for it
    if copies:
        st.markdown(f"**Copies discarded in its favour ({len(copies)})**")
        for p in copies:
            st.caption(markdown_text(p))
    if f.discarded:
        st.warning("A discarded duplicate: left out of exports, hidden in the gallery.")

st.subheader("Timestamp candidates")
cands = photo.candidate_rows(f)
if cands:
    st.dataframe(
        pd.DataFrame([c.__dict__ for c in cands]),
        hide_index=True,
        key="candidates",
        column_config={"chosen": st.column_config.CheckboxColumn("chosen")},
    )
else:
    st.caption("No date candidate at all: nothing in the photo, its name or its file says when.")

siblings = duplicate_siblings(engine, f.id)
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

others = variants.variants_of(engine, f.id)  # RAW + JPEG, Live Photo still + motion
st.subheader(f"Variants ({len(others)})")
for v in others:
    if st.button(f"{v.kind}: {v.name}", key=f"variant_{v.id}", icon=":material/photo_library:"):
        st.switch_page("pages/photo.py", query_params={"photo": str(v.id)})
if not others:
    st.caption("No other variant (RAW, JPEG, Live Photo motion) of this photo.")
sidecars = variants.sidecars_of(f)
st.subheader(f"Sidecars read ({len(sidecars)})")
for path in sidecars:
    st.text(path)
if not sidecars:
    st.caption("No XMP or Google Takeout sidecar was found beside this file.")
