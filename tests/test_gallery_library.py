"""The Gallery's data (photoimport.library.gallery, .params) on a real SQLite library: tiles
with the effective date and marks, neighbours in the filtered order, months, clusters, the
URL round trip, and the demo owner filter."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from photoimport.db.models import Confidence, File, Job, JobItem
from photoimport.enums import ItemState, JobKind, JobStatus
from photoimport.library import gallery
from photoimport.library.params import filter_from_params, params_from_filter, parse_area
from photoimport.library.queries import FileFilter, SortOrder, count_files, list_files
from photoimport.settings import load_settings
from tests.fixtures.app import AppEnv


def add_job(engine: Engine, owner: str | None = None, **fields: Any) -> int:
    with Session(engine) as s:
        job = Job(
            kind=JobKind.UPLOAD, source="up", status=JobStatus.COMPLETED, owner=owner, **fields
        )
        s.add(job)
        s.commit()
        assert job.id is not None
        return job.id


def add_file(engine: Engine, job_id: int, name: str, local: str | None, **fields: Any) -> int:
    """A File seen by ``job_id`` (one item), with its effective date ``local`` (ISO)."""
    utc = datetime.fromisoformat(local).astimezone(UTC) if local else None
    values: dict[str, Any] = {
        "sha256": hashlib.sha256(name.encode()).hexdigest(),
        "path": f"/photos/{name}",
        "name": name,
        "size": 1000,
        "mime": "image/jpeg",
        "format": "JPEG",
        "width": 4,
        "height": 3,
        "display_width": 4,
        "display_height": 3,
        "capture_local": local,
        "capture_utc": utc,
        "effective_local": local,
        "effective_utc": utc,
        "confidence": Confidence.MEDIUM if local else Confidence.NONE,
        "effective_confidence": Confidence.MEDIUM if local else Confidence.NONE,
    }
    values.update(fields)
    with Session(engine) as s:
        f = File(**values)
        s.add(f)
        s.commit()
        assert f.id is not None
        s.add(JobItem(job_id=job_id, path=values["path"], state=ItemState.DONE, file_id=f.id))
        s.commit()
        return f.id


def test_tiles_show_the_effective_date_confidence_and_marks(app_env: AppEnv) -> None:
    e = app_env.engine
    job = add_job(e)
    decided = add_file(
        e, job, "decided.jpg", "2019-03-12T14:03:00+01:00", date_decision_id=7,
        effective_confidence=Confidence.HIGH, capture_local="2001-01-01T00:00:00+00:00",
    )  # fmt: skip
    live = add_file(e, job, "live.heic", "2019-03-11T10:00:00+01:00")
    add_file(e, job, "live.mov", "2019-03-11T10:00:00+01:00", kind="video", variant_of=live)
    add_file(e, job, "raw.cr2", "2019-03-11T10:00:00+01:00", kind="raw", variant_of=decided)
    add_file(e, job, "clip.mp4", None, kind="video", near_group=3)
    add_file(e, job, "gone.jpg", "2018-01-01T00:00:00+00:00", discarded=True)
    tiles = gallery.tiles(e, load_settings(), FileFilter(), 0, 60)
    by_name = {t.name: t for t in tiles}
    assert list(by_name) == ["decided.jpg", "live.heic", "clip.mp4"]  # variants, discarded hidden
    assert by_name["decided.jpg"].taken == "12 Mar 2019, 14:03"  # the decision, not the fact
    assert by_name["decided.jpg"].confidence == "H · high"
    assert by_name["decided.jpg"].marks == "RAW · decided"
    assert by_name["live.heic"].marks == "Live"
    assert by_name["live.heic"].confidence.startswith("M ")
    assert by_name["clip.mp4"].marks == "video · duplicate"
    assert by_name["clip.mp4"].taken == "no date"
    assert [t.position for t in tiles] == [0, 1, 2]
    shown = gallery.tiles(e, load_settings(), FileFilter(include_discarded=True), 0, 60)
    assert "discarded" in {t.name: t for t in shown}["gone.jpg"].marks


def test_neighbours_follow_the_filtered_order(app_env: AppEnv) -> None:
    e = app_env.engine
    job = add_job(e)
    ids = [add_file(e, job, f"p{i}.jpg", f"2020-01-{i + 1:02d}T12:00:00+00:00") for i in range(5)]
    flt = FileFilter()  # newest first
    order = [f.id for f in list_files(e, flt)]
    assert order == ids[::-1]
    middle = gallery.neighbours(e, flt, order[2], 2)
    assert middle is not None
    assert middle.previous == (order[1], 1)
    assert middle.next == (order[3], 3)
    first = gallery.neighbours(e, flt, order[0], 0)
    assert first is not None
    assert first.previous is None
    assert first.next == (order[1], 1)
    last = gallery.neighbours(e, flt, order[4], 4)
    assert last is not None
    assert last.next is None
    assert gallery.neighbours(e, flt, order[0], 3) is None  # the list changed under the link


def test_month_bars_ignore_the_date_range_and_month_bounds(app_env: AppEnv) -> None:
    e = app_env.engine
    job = add_job(e)
    for i, day in enumerate(["2020-01-05", "2020-01-20", "2020-03-01", "2021-12-31"]):
        add_file(e, job, f"m{i}.jpg", f"{day}T23:30:00-05:00")
    add_file(e, job, "undated.jpg", None)
    flt = FileFilter(date_from=date(2020, 3, 1), date_to=date(2020, 3, 31))
    bars = gallery.month_bars(e, flt)
    assert [(b.month, b.photos) for b in bars] == [("2020-01", 2), ("2020-03", 1), ("2021-12", 1)]
    assert gallery.month_bounds("2021-12") == (date(2021, 12, 1), date(2021, 12, 31))
    assert gallery.month_bounds("2020-02") == (date(2020, 2, 1), date(2020, 2, 29))
    assert count_files(e, flt) == 1


def test_clusters_group_nearby_photos_and_the_area_filters(app_env: AppEnv) -> None:
    e = app_env.engine
    job = add_job(e)
    for i in range(3):  # Paris, within 100 m
        add_file(
            e, job, f"paris{i}.jpg", None, gps_latitude=48.8566 + i * 1e-4, gps_longitude=2.3522
        )
    add_file(e, job, "nyc.jpg", None, gps_latitude=40.7128, gps_longitude=-74.0060)
    add_file(e, job, "nowhere.jpg", None, gps_latitude=0.0, gps_longitude=0.0)
    clusters = gallery.cluster_points(gallery.photo_points(e, FileFilter()))
    assert [(c.photos, c.label) for c in clusters] == [(3, "3"), (1, "nyc.jpg")]
    paris = clusters[0]
    area = (paris.south, paris.west, paris.north, paris.east)
    assert count_files(e, FileFilter(area=area)) == 3
    lat, lon, zoom = gallery.map_view(clusters)
    assert zoom == pytest.approx(math.log2(360 / (2.3522 + 74.0060)) - 0.5, abs=0.01)
    assert (lat, lon) == pytest.approx((44.7847, -35.8269), abs=1e-3)
    assert gallery.map_view(clusters[:1])[2] == 12.0  # one place: no zero extent to fit
    # the map keeps showing every place while an area is chosen
    assert len(gallery.cluster_points(gallery.photo_points(e, FileFilter(area=area)))) == 2


def test_filters_round_trip_through_the_url() -> None:
    flt = FileFilter(
        job_id=3,
        confidences=(Confidence.HIGH, Confidence.NONE),
        date_from=date(2020, 1, 1),
        date_to=date(2020, 1, 31),
        camera="Pixel 7",
        duplicates_only=True,
        include_discarded=True,
        area=(48.0, 2.0, 49.0, 3.0),
        sort=SortOrder.NAME,
    )
    params = params_from_filter(flt)
    assert params["conf"] == ["high", "none"]
    assert params["dups"] == "true"

    def get_all(key: str) -> list[str]:
        value = params.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    assert filter_from_params(get_all) == flt
    assert filter_from_params(lambda _k: []) == FileFilter()
    assert (
        filter_from_params(lambda k: {"job": ["x"], "dates": ["nope"]}.get(k, [])) == FileFilter()
    )
    assert parse_area("1,2,3") is None
    assert parse_area("10,0,5,1") is None


def test_owner_sees_only_their_jobs_files(app_env: AppEnv) -> None:
    e = app_env.engine
    mine, theirs = add_job(e, owner="alice"), add_job(e, owner="bob")
    a = add_file(e, mine, "a.jpg", None)
    b = add_file(e, theirs, "b.jpg", None)
    assert [f.id for f in list_files(e, FileFilter(owner="alice"))] == [a]
    assert [f.id for f in list_files(e, FileFilter(owner="bob"))] == [b]
    assert gallery.owns(e, "alice", a)
    assert not gallery.owns(e, "alice", b)
    assert count_files(e, FileFilter()) == 2
    _ = timedelta
