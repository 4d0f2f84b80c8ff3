"""The benchmark's synthetic corpus: the same seed gives the same plan and the same bytes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from PIL import Image

from bench.floor import draft_request, floor_file
from bench.plan import PhotoFormat, PhotoKind, plan_corpus
from bench.synth import build_corpus

SMALL = (96, 72)
PHONE_NAME = re.compile(
    r"(IMG_\d{4}( \(1\))?\.(JPG|HEIC)"
    r"|PXL_\d{8}_\d{9}( \(1\))?\.jpg"
    r"|\d{8}_\d{6}( \(1\))?\.jpg"
    r"|IMG_\d{8}_\d{6}( \(1\))?\.jpg"
    r"|IMG-\d{8}-WA\d{4}\.jpg"
    r"|.+-edited\.jpg)"
)


def test_plan_is_deterministic_and_has_the_issue_mix() -> None:
    plan = plan_corpus(200)
    assert plan == plan_corpus(200)
    assert plan != plan_corpus(200, seed=1)
    kinds = Counter(spec.kind for spec in plan)
    assert kinds[PhotoKind.EXACT_COPY] == 20
    assert kinds[PhotoKind.REENCODED] + kinds[PhotoKind.RESIZED] == 20
    heic = sum(spec.format is PhotoFormat.HEIC for spec in plan)
    assert 30 <= heic <= 50  # about 20 % of 200
    assert len({spec.name for spec in plan}) == 200
    for spec in plan:
        assert PHONE_NAME.fullmatch(spec.name.rsplit("/", 1)[-1]), spec.name
        assert spec.taken.tzinfo is not None
    orientations = {spec.orientation for spec in plan if spec.format is PhotoFormat.JPEG}
    assert orientations == {1, 3, 6, 8}
    assert any(spec.embedded_thumbnail for spec in plan)
    assert any(not spec.embedded_thumbnail for spec in plan if spec.format is PhotoFormat.HEIC)


def test_rendered_corpus_is_byte_identical_and_readable(tmp_path: Path) -> None:
    first = build_corpus(12, size=SMALL, cache=tmp_path / "a", workers=1)
    second = build_corpus(12, size=SMALL, cache=tmp_path / "b", workers=1)
    assert [f.sha256 for f in first.files] == [f.sha256 for f in second.files]
    assert [f.path.relative_to(first.root) for f in first.files] == [
        f.path.relative_to(second.root) for f in second.files
    ]
    plan = plan_corpus(12)
    by_name = {str(f.path.relative_to(first.root)): f for f in first.files}
    for spec in plan:
        entry = by_name[spec.name]
        if spec.kind is PhotoKind.EXACT_COPY:
            assert spec.source_index is not None
            assert entry.sha256 == by_name[plan[spec.source_index].name].sha256
        with Image.open(entry.path) as im:
            assert im.format == ("HEIF" if spec.format is PhotoFormat.HEIC else "JPEG")
            expected = SMALL if spec.scale == 1.0 else (SMALL[0] // 2, SMALL[1] // 2)
            assert im.size == expected
            exif = im.getexif()
            if spec.has_exif:
                assert exif.get_ifd(0x8769)[0x9003] == spec.taken.strftime("%Y:%m:%d %H:%M:%S")
                assert exif[0x0110] == spec.model
            else:
                assert 0x8769 not in exif


def test_cached_corpus_is_reused(tmp_path: Path) -> None:
    built = build_corpus(12, size=SMALL, cache=tmp_path, workers=1)
    target = built.files[0].path
    stamp = target.stat().st_mtime_ns
    again = build_corpus(12, size=SMALL, cache=tmp_path, workers=1)
    assert again == built
    assert target.stat().st_mtime_ns == stamp


def test_floor_reads_a_jpeg_and_a_heic(tmp_path: Path) -> None:
    corpus = build_corpus(12, size=SMALL, cache=tmp_path, workers=1)
    for fmt, pillow_name in ((PhotoFormat.JPEG, "JPEG"), (PhotoFormat.HEIC, "HEIF")):
        entry = next(f for f in corpus.files if f.format is fmt and f.kind is PhotoKind.ORIGINAL)
        timings = floor_file(entry.path)
        assert timings.format == pillow_name
        assert timings.size == entry.size
        assert timings.exif_tags >= 10  # camera, dates, offsets, sub-seconds
        assert timings.total > 0


def test_floor_drafts_a_phone_jpeg_at_one_eighth() -> None:
    # draft() keeps the smallest DCT scale still >= the request: 504 px, not 1008, for 12 MP
    assert draft_request((4032, 3024)) == (504, 378)
    assert draft_request((3024, 4032)) == (378, 504)
    assert draft_request((2016, 1512)) == (504, 378)
    assert draft_request((640, 480)) == (640, 480)
