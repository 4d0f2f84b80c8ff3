"""The Gallery, photo detail and Settings pages through AppTest, on a real SQLite library
seeded with 130 files (real JPEG thumbnails written for each)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.library_seed import seed_library
from photoimport.capture.capture_time import capture_time
from photoimport.db.models import Confidence
from photoimport.db.settings_store import load_import_settings
from photoimport.library import gallery
from photoimport.library.queries import FileFilter, count_files, list_files
from photoimport.metadata.reader import read_metadata
from tests.fixtures.app import AppEnv, open_app, write_thumbnails
from tests.fixtures.corpus import CORPUS
from worker.outcomes import candidates_json

N_FILES = 130


@pytest.fixture
def library(app_env: AppEnv) -> int:
    job_id = seed_library(app_env.engine, N_FILES)
    assert write_thumbnails(app_env.home, app_env.engine) == N_FILES
    return job_id


def _gallery(**params: str) -> AppTest:
    at = open_app()
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page("pages/gallery.py").run()


def _range_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Photos "))


def _grid(at: AppTest) -> pd.DataFrame:
    frame = at.dataframe[0].value
    assert isinstance(frame, pd.DataFrame)
    return frame


def test_gallery_pages_through_the_library(app_env: AppEnv, library: int) -> None:
    at = _gallery()
    assert not at.exception
    assert _range_caption(at) == "Photos 1–48 of 130: click one to open it"
    grid = _grid(at)
    assert len(grid) == 48
    assert grid["thumb"].str.startswith("data:image/jpeg;base64,").all()
    first = list_files(app_env.engine, FileFilter(), limit=1)[0]
    assert grid["name"].iloc[0] == first.name
    assert grid["taken"].iloc[0] == gallery.date_text(first.effective_local)
    mark = gallery.CONFIDENCE_MARKS[Confidence(first.effective_confidence)]
    assert grid["confidence"].iloc[0] == mark.text  # letter and word, on the mark's colour
    last = _gallery(page="3")
    assert _range_caption(last) == "Photos 97–130 of 130: click one to open it"
    assert len(_grid(last)) == 34


def test_gallery_filters_narrow_the_count(app_env: AppEnv, library: int) -> None:
    at = _gallery()
    at.multiselect(key="conf").set_value(["HIGH"]).run()
    high = count_files(app_env.engine, FileFilter(confidences=(Confidence.HIGH,)))
    assert 0 < high < N_FILES
    assert _range_caption(at).startswith(f"Photos 1–{min(high, 48)} of {high}:")
    at.selectbox(key="camera").set_value("Pixel 7").run()
    both = count_files(app_env.engine, FileFilter(confidences=(Confidence.HIGH,), camera="Pixel 7"))
    assert 0 < both < high
    assert _range_caption(at).startswith(f"Photos 1–{both} of {both}:")
    assert len(_grid(at)) == both
    # the same view from its URL (the filters are bound to query parameters)
    linked = _gallery(conf="high", camera="Pixel 7")
    assert _range_caption(linked).startswith(f"Photos 1–{both} of {both}:")


def test_discarded_photos_are_hidden_unless_asked(app_env: AppEnv, library: int) -> None:
    with app_env.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE file SET discarded = 1 WHERE id <= 10")
    at = _gallery()
    assert _range_caption(at).endswith(f"of {N_FILES - 10}: click one to open it")
    at.toggle(key="discarded").set_value(True).run()
    assert _range_caption(at).endswith(f"of {N_FILES}: click one to open it")


def test_map_area_in_the_url_filters_the_gallery(app_env: AppEnv, library: int) -> None:
    with app_env.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE file SET gps_latitude = 48.85, gps_longitude = 2.35 WHERE id <= 3"
        )
    at = _gallery(area="48.8,2.3,48.9,2.4")
    assert _range_caption(at) == "Photos 1–3 of 3: click one to open it"
    assert not at.exception
    at.button[0].click().run()  # "Show every place again"
    assert _range_caption(at).endswith(f"of {N_FILES}: click one to open it")


def test_a_click_on_a_thumbnail_opens_the_photo_and_arrows_walk(
    app_env: AppEnv, library: int
) -> None:
    order = list_files(app_env.engine, FileFilter(confidences=(Confidence.LOW,)), limit=3)
    at = _gallery(conf="low")
    at.session_state["grid"] = {"selection": {"rows": [], "columns": [], "cells": [[1, "thumb"]]}}
    at.run()
    assert not at.exception
    assert at.title[0].value == f":material/image: {order[1].name}"
    assert at.caption[0].value.startswith("Photo 2 of the gallery's selection")
    assert at.query_params["view"] == "conf=low"
    # AppTest reruns the page it was switched to: open the photo page as the click left it
    at = open_app()
    for key, value in {"photo": str(order[1].id), "at": "1", "view": "conf=low"}.items():
        at.query_params[key] = value
    at.switch_page("pages/photo.py").run()
    at.button(key="next").click().run()
    assert at.title[0].value == f":material/image: {order[2].name}"
    at.button(key="prev").click().run()
    at.button(key="prev").click().run()
    assert at.title[0].value == f":material/image: {order[0].name}"
    assert at.button(key="prev").disabled


def test_photo_detail_lists_every_candidate(app_env: AppEnv, library: int) -> None:
    src = CORPUS / "exifr" / "IMG_20180725_163423-tiny.jpg"
    capture = capture_time(read_metadata(src), src, datetime(2024, 1, 1, tzinfo=UTC), "UTC")
    assert capture.source is not None
    with app_env.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE file SET candidates_json = ?, capture_source = ?, path = ?, name = ?"
            " WHERE id = 1",
            (candidates_json(capture), capture.source.value, str(src), src.name),
        )
    at = open_app()
    at.query_params["photo"] = "1"
    at.switch_page("pages/photo.py").run()
    assert not at.exception
    assert at.title[0].value == f":material/image: {src.name}"
    table = at.dataframe[0].value
    assert table["source"].iloc[0] == capture.source.label == "EXIF DateTimeOriginal"
    assert list(table["chosen"]) == [True] + [False] * (len(capture.candidates) - 1)
    assert sorted(table["source"]) == sorted(c.source.label for c in capture.candidates)
    assert {"file name", "EXIF DateTimeOriginal"} <= set(table["source"])
    assert len(at.image) >= 1  # the preview decoded from the original


def test_settings_are_saved_for_new_jobs(app_env: AppEnv) -> None:
    at = open_app().switch_page("pages/settings.py").run()
    assert not at.exception
    at.selectbox(key="s_timezone").set_value("Asia/Kolkata")
    at.slider(key="s_threshold").set_value(0.25)
    at.number_input(key="s_thumb").set_value(512)
    at.slider(key="s_distance").set_value(4)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert at.success[0].value == "Saved: new jobs will use these settings."
    stored = load_import_settings(app_env.engine)
    assert stored.timezone == "Asia/Kolkata"
    assert stored.error_threshold == 0.25
    assert stored.thumbnail_size == 512
    assert stored.near_duplicate_distance == 4
    again = open_app().switch_page("pages/settings.py").run()
    assert again.selectbox(key="s_timezone").value == "Asia/Kolkata"


def test_every_page_renders_its_title(app_env: AppEnv) -> None:
    at = open_app()
    expected = {
        "pages/import_photos.py": ":material/add_photo_alternate: Import photos",
        "pages/jobs.py": ":material/list_alt: Jobs",
        "pages/gallery.py": ":material/grid_view: Gallery",
        "pages/settings.py": ":material/settings: Settings",
    }
    if Path("pages/watch.py").exists():
        expected["pages/watch.py"] = "Watched folders"
    for page, title in expected.items():
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.title[0].value.endswith(title), page


def test_photo_detail_lists_variants_and_sidecars(app_env: AppEnv, library: int) -> None:
    """Issue 11: a still with its Live Photo motion part and the sidecar read for it."""
    sidecar = "/photos/IMG_1.HEIC.xmp"
    with app_env.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE file SET kind = 'video', variant_of = 1, duration_seconds = 1.9, name = ?"
            " WHERE id = 2",
            ("IMG_1.MOV",),
        )
        conn.exec_driver_sql(
            "UPDATE file SET is_live = 1, variant_count = 1, sidecars_json = ? WHERE id = 1",
            (json.dumps([sidecar]),),
        )
    at = open_app()
    at.query_params["photo"] = "1"
    at.switch_page("pages/photo.py").run()
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    assert "Variants (1)" in subheaders
    assert "Sidecars read (1)" in subheaders
    assert [b.label for b in at.button if b.key == "variant_2"] == ["video: IMG_1.MOV"]
    assert sidecar in [t.value for t in at.text]
    facts = at.table[0].value
    assert "photo (Live Photo)" in list(facts["value"])


def test_timeline_and_map_views_from_the_url(app_env: AppEnv, library: int) -> None:
    with app_env.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE file SET gps_latitude = 48.85, gps_longitude = 2.35")
    timeline = _gallery(show="Timeline")
    assert not timeline.exception
    assert any(c.value == "Click a month to show its photos." for c in timeline.caption)
    assert not timeline.dataframe  # only the view shown runs its queries
    shown = _gallery(show="Map")
    assert not shown.exception
    assert any(c.value.startswith(f"{N_FILES} photos in one place") for c in shown.caption)
