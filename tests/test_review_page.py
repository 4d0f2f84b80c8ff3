"""The Review page through AppTest on a real SQLite library: the queue grouped with reasons,
bulk accept, typing a date, shifting a camera with a preview, and undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from photoimport.enums import Confidence
from photoimport.review.values import CameraKey
from tests.fixtures.app import AppEnv, open_app
from tests.fixtures.images import draw_scene
from tests.review_support import add_job, add_photo, effective


@pytest.fixture
def photos(app_env: AppEnv) -> dict[str, int]:
    e = app_env.engine
    job = add_job(e)
    ids = {
        "low": add_photo(
            e,
            job,
            "/p/scan/a.jpg",
            "2020-01-01T12:00:00+01:00",
            make=None,
            model=None,
            confidence=Confidence.LOW,
            source="filename",
        ),
        "none": add_photo(
            e,
            job,
            "/p/scan/b.jpg",
            None,
            make=None,
            model=None,
            confidence=Confidence.NONE,
            source=None,
        ),
        "ok": add_photo(e, job, "/p/trip/IMG_0001.JPG", "2021-05-01T10:00:00+02:00"),
    }
    for name in ("p_scan_a.jpg.jpg", "p_scan_b.jpg.jpg"):
        path = Path(app_env.home) / "thumbs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        draw_scene((64, 48), seed=3).save(path, "JPEG")
    return ids


def _review() -> AppTest:
    return open_app().switch_page("pages/review.py").run()


def _caption(at: AppTest, start: str) -> str:
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_queue_groups_reasons_and_bulk_accept(app_env: AppEnv, photos: dict[str, int]) -> None:
    at = _review()
    assert not at.exception
    assert _caption(at, "2 photos to review").endswith("grouped by folder, camera and day")
    assert any(m.value.startswith("**/p/scan/** · unknown camera") for m in at.markdown)
    assert len(at.image) == 2
    assert any("only a weak source (file name)" in c.value for c in at.caption)
    at.button(key="accept_bulk").click().run()  # every photo of the page with a date: one
    assert at.success[0].value.startswith("Accepted 1 dates")
    assert effective(app_env.engine, photos["low"])[1] == "HIGH"
    assert _caption(at, "1 photos to review")


def test_type_a_date_and_undo_it(app_env: AppEnv, photos: dict[str, int]) -> None:
    at = _review()
    at.selectbox(key="one").set_value(photos["none"]).run()
    at.text_input(key="one_text").input("1930-07-14 16:00").run()
    at.button(key="one_set").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Date set (action 1)")
    assert effective(app_env.engine, photos["none"])[:2] == ("1930-07-14T16:00:00+00:00", "HIGH")
    at.button(key="h_last").click().run()
    assert effective(app_env.engine, photos["none"]) == (None, "NONE", None)
    at.text_input(key="one_text").input("1820-01-01 10:00").run()
    at.button(key="one_set").click().run()
    assert "before 1826" in at.error[0].value
    assert effective(app_env.engine, photos["none"]) == (None, "NONE", None)


def test_shift_a_camera_with_a_preview(app_env: AppEnv, photos: dict[str, int]) -> None:
    at = _review()
    at.selectbox(key="s_camera").set_value(CameraKey("Canon", "Canon EOS 80D")).run()
    at.number_input(key="s_hours").set_value(1).run()
    at.button(key="s_preview_btn").click().run()
    assert any(m.value.startswith("**1 photos** would change") for m in at.markdown)
    assert effective(app_env.engine, photos["ok"])[0] == "2021-05-01T10:00:00+02:00"
    at.button(key="s_apply").click().run()
    assert not at.exception
    assert effective(app_env.engine, photos["ok"])[0] == "2021-05-01T11:00:00+02:00"


def test_camera_and_fill_tools_run(app_env: AppEnv, photos: dict[str, int]) -> None:
    at = _review()
    at.button(key="a_suggest").click().run()
    assert not at.exception
    assert any("No evidence" in i.value for i in at.info)
    at.button(key="f_look").click().run()
    assert not at.exception
    at.selectbox(key="a_camera").set_value(CameraKey("Canon", "Canon EOS 80D")).run()
    at.number_input(key="a_photo").set_value(photos["ok"]).run()
    at.text_input(key="a_shows").input("2021-05-01 10:00:30").run()
    at.button(key="a_apply").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Aligned (action 1)")
    assert effective(app_env.engine, photos["ok"])[0] == "2021-05-01T10:00:30+02:00"
