"""The Gallery's three views (grid, timeline, map), as Streamlit pieces.

Streamlit choices (no custom component is needed):
* the grid is ``st.dataframe`` with an ``ImageColumn`` and single-cell/single-row selection: a
  click on a thumbnail is a selection event (``st.image`` has no click), and the table keeps
  the date, the confidence mark and the marks readable on a phone;
* the timeline is an Altair bar chart with a point selection (``on_select`` callback);
* the map is ``st.pydeck_chart`` (``st.map`` has no selection and no clusters) with
  object selection on server-side clusters.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd
import pydeck as pdk  # type: ignore[import-untyped]
import streamlit as st
from sqlalchemy.engine import Engine

from photoimport.library import gallery
from photoimport.library.params import view_of
from photoimport.library.queries import FileFilter

__all__ = ["TABS", "grid", "photo_map", "timeline"]

# The Gallery's views, one at a time (a segmented control in the URL, ``show=``): only the shown
# one runs its queries (the timeline and the map group the whole selection, 0.1-0.7 s at
# 100,000 photos), and a click on a month or a place can switch to the photos (st.tabs cannot
# be switched from a callback reliably: the tab shows, its content does not).
TABS = ("Photos", "Timeline", "Map")


def grid(tiles: list[gallery.Tile], flt: FileFilter) -> None:
    """The page's photos; a click on one opens its page (with the filters, for prev/next)."""
    frame = pd.DataFrame([t.__dict__ for t in tiles])
    # the confidence mark is its letter and word on its colour (pandas Styler: no component)
    styles = {
        m.text: f"background-color: {m.background}; color: {m.colour}"
        for m in gallery.CONFIDENCE_MARKS.values()
    }
    event = st.dataframe(
        frame.style.map(lambda v: styles.get(v, ""), subset=["confidence"]),
        column_order=("thumb", "taken", "confidence", "marks", "name", "camera"),
        column_config={
            "thumb": st.column_config.ImageColumn("photo", width="small"),
            "taken": st.column_config.TextColumn(
                "taken", help="The effective date: detected at import, or decided in Review."
            ),
            "confidence": st.column_config.TextColumn(
                "date confidence", help="H high · M medium · L low · N no date"
            ),
            "marks": st.column_config.TextColumn(
                "marks", help="video · RAW · Live · duplicate · decided · discarded"
            ),
        },
        hide_index=True,
        row_height=72,
        on_select="rerun",
        selection_mode=["single-cell", "single-row"],
        key="grid",
    )
    rows = list(event.selection.rows) or [int(c[0]) for c in event.selection.cells]
    if rows:
        tile = tiles[rows[0]]
        params = {"photo": str(tile.file_id), "at": str(tile.position), "view": view_of(flt)}
        st.switch_page("pages/photo.py", query_params=params)


def _pick_month() -> None:
    """The timeline's click: that month becomes the date range (a bound widget: in the URL)."""
    points = st.session_state["timeline"].selection.get("month", [])
    if points:
        st.session_state["dates"] = gallery.month_bounds(str(points[0]["month"]))
        st.session_state["page"] = 1
        st.session_state["show"] = TABS[0]  # jump to that month's photos


def timeline(engine: Engine, flt: FileFilter) -> None:
    bars = gallery.month_bars(engine, flt)
    if not bars:
        st.caption("No dated photo in this selection.")
        return
    data = pd.DataFrame([b.__dict__ for b in bars])
    pick = alt.selection_point(fields=["month"], name="month")
    chart = (
        alt.Chart(data, title="Photos per month")
        .mark_bar(color="#1f77b4")
        .encode(
            x=alt.X("month:O", title=None),  # the months that have photos, in order
            y=alt.Y("photos:Q", title="photos", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=["month", "photos"],
        )
        .add_params(pick)
    )
    st.altair_chart(chart, on_select=_pick_month, key="timeline", width="stretch")
    st.caption("Click a month to show its photos.")


def _pick_area() -> None:
    """The map's click: that cluster's box becomes the ``area`` filter (in the URL)."""
    picked = st.session_state["map"].selection.get("objects", {}).get("clusters", [])
    if picked:
        c = picked[0]
        st.query_params["area"] = f"{c['south']},{c['west']},{c['north']},{c['east']}"
        st.session_state["page"] = 1
        st.session_state["show"] = TABS[0]  # show that place's photos


def photo_map(engine: Engine, flt: FileFilter) -> None:
    clusters = gallery.cluster_points(gallery.photo_points(engine, flt))
    if not clusters:
        st.caption("No photo in this selection has a GPS position.")
        return
    data = pd.DataFrame([c.__dict__ for c in clusters])
    data["radius"] = [60 * math.sqrt(n) for n in data["photos"]]  # metres, bounded in pixels
    data["count"] = data["photos"].astype(str)
    dots = pdk.Layer(
        "ScatterplotLayer",
        data,
        id="clusters",
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_min_pixels=12,
        radius_max_pixels=40,
        get_fill_color=[31, 119, 180, 210],
        get_line_color=[255, 255, 255],
        line_width_min_pixels=2,
        stroked=True,
        pickable=True,
    )
    counts = pdk.Layer(
        "TextLayer",
        data,
        id="counts",
        get_position=["lon", "lat"],
        get_text="count",
        get_size=13,
        get_color=[255, 255, 255],
    )
    lat, lon, zoom = gallery.map_view(clusters)
    view = pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom)
    deck = pdk.Deck(
        layers=[dots, counts], initial_view_state=view, tooltip={"text": "{label}: {photos} photos"}
    )
    st.pydeck_chart(deck, on_select=_pick_area, selection_mode="single-object", key="map")
    places = f"{len(clusters)} places" if len(clusters) > 1 else "one place"
    st.caption(f"{sum(c.photos for c in clusters):,} photos in {places}: click one to show them.")
