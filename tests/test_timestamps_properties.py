"""Property tests (hypothesis): no input string makes a capture-time parser raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from photoimport.capture.capture_time import choose_capture_time, timestamp_candidates
from photoimport.capture.filenames import date_from_filename
from photoimport.capture.parsing import DateRejected, WallClock, parse_date_text, parse_offset
from photoimport.metadata.reader import DateTag, DateTagName, GpsInfo, ImageMetadata

NOW = datetime(2026, 6, 1, tzinfo=UTC)
# Text that looks like dates: digits and the separators dates use, plus anything at all.
DATEISH = st.text(alphabet="0123456789:-+. TZtz/_?GMUC\x00", max_size=40)
ANY_TEXT = st.one_of(st.text(max_size=60), DATEISH)
FAST = settings(max_examples=250, deadline=None, database=None)


@FAST
@given(ANY_TEXT)
def test_date_parser_never_raises(text: str) -> None:
    parsed = parse_date_text(text)
    if isinstance(parsed, WallClock):
        aware = parsed.at(UTC)  # every accepted value is a real date and time
        assert aware.year == parsed.year
        assert parsed.offset is None or abs(parsed.offset) <= timedelta(hours=14)
    else:
        assert isinstance(parsed, DateRejected)
        assert parsed.reason


@FAST
@given(ANY_TEXT)
def test_offset_parser_never_raises(text: str) -> None:
    offset = parse_offset(text)
    assert offset is None or timedelta(hours=-12) <= offset <= timedelta(hours=14)


@FAST
@given(st.one_of(st.text(max_size=80), DATEISH.map(lambda s: f"IMG_{s}.jpg")))
def test_filename_parser_never_raises(name: str) -> None:
    found = date_from_filename(name)
    if found is not None:
        assert found.wall.at(UTC).year >= 1900
        assert found.matched in name


@FAST
@given(
    st.datetimes(
        min_value=datetime(1850, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
        max_value=datetime(2099, 12, 31),  # noqa: DTZ001 - and applies `timezones`
        timezones=st.just(UTC),
    )
)
def test_exif_layout_round_trips(moment: datetime) -> None:
    parsed = parse_date_text(moment.strftime("%Y:%m:%d %H:%M:%S"))
    assert isinstance(parsed, WallClock)
    assert parsed.at(UTC) == moment.replace(microsecond=0)


@FAST
@given(
    st.lists(st.tuples(st.sampled_from(list(DateTagName)), ANY_TEXT, ANY_TEXT), max_size=5),
    st.one_of(st.none(), st.tuples(ANY_TEXT, ANY_TEXT)),
    st.text(max_size=30),
)
def test_whole_capture_time_never_raises(
    tags: list[tuple[DateTagName, str, str]], gps: tuple[str, str] | None, name: str
) -> None:
    meta = ImageMetadata(
        format="JPEG",
        mime="image/jpeg",
        width=1,
        height=1,
        display_width=1,
        display_height=1,
        orientation=1,
        make=None,
        model=None,
        dates=tuple(DateTag(tag, value, offset=offset) for tag, value, offset in tags),
        gps=GpsInfo(48.85, 2.35, None, gps[0], gps[1]) if gps else None,
        makernote_offset=None,
    )
    cands = timestamp_candidates(meta, Path(name or "x.jpg"), NOW, "Europe/Paris", now=NOW)
    ct = choose_capture_time(cands)
    assert ct.confidence.value in {"HIGH", "MEDIUM", "LOW", "NONE"}
    assert ct.local is not None  # the mtime is always there as a last resort
    assert ct.local.tzinfo is not None
