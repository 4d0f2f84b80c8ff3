"""process_file over the real corpus (ground truth: MANIFEST.csv) and over made-up bad files."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import AvifImagePlugin, Image

from photoimport.capture.capture_time import CandidateSource
from photoimport.duplicates.grouping import Fingerprint, near_groups
from photoimport.errors import Stage
from photoimport.media.hashing import hamming_distance, perceptual_hash
from photoimport.media.thumbnails import fitted_size, prepare_reduced_decode, thumbnail_path
from photoimport.metadata.reader import metadata_from_image
from photoimport.pipeline import FileResult, PipelineSettings, configure_for_pool, process_file
from photoimport.settings import ImportSettings
from tests.fixtures.corpus import CORPUS, CorpusFile, corpus_files
from tests.fixtures.images import draw_scene

FILES = corpus_files()
BOX = 320
NEAR_DISTANCE = ImportSettings().near_duplicate_distance
NEAR_GROUPS_EXPECTED = ("flower", "hopper", "landscape", "img_20180725")


@dataclass(frozen=True)
class CorpusRun:
    thumbs: Path
    results: dict[str, FileResult]  # by manifest path
    before: dict[str, tuple[str, int]]  # sha256 and mtime_ns of each original, before
    after: dict[str, tuple[str, int]]


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    thumbs = tmp_path_factory.mktemp("thumbs")
    settings = PipelineSettings(thumbs_dir=thumbs, thumbnail_size=BOX, timezone="Europe/Paris")
    before = {f.row["path"]: fingerprint(f.path) for f in FILES}
    results = {f.row["path"]: process_file(f.path, settings) for f in FILES}
    after = {f.row["path"]: fingerprint(f.path) for f in FILES}
    return CorpusRun(thumbs, results, before, after)


def expected_display_size(row: dict[str, str]) -> tuple[int, int]:
    """``pillow_size`` is what Pillow reports; for orientations 5-8 (not HEIC, whose decoder
    already rotates) the displayed picture has its sides swapped."""
    width, height = (int(v) for v in row["pillow_size"].split("x"))
    if row["kind"] != "heic" and row["orientation"] in ("5", "6", "7", "8"):
        return height, width
    return width, height


@pytest.mark.parametrize("item", FILES, ids=lambda f: f.row["path"])
def test_every_corpus_file(item: CorpusFile, corpus_run: CorpusRun) -> None:
    row = item.row
    result = corpus_run.results[row["path"]]
    assert result.path == item.path
    assert result.sha256 == row["sha256"]
    assert result.size == int(row["size_bytes"])
    assert result.mtime is not None
    assert result.mtime.tzinfo is not None
    if item.broken or row["pillow_opens"] == "no":
        # issue 11: broken pixels keep their facts; the reason is a warning, not an error
        assert result.error is None, str(result.error)
        assert result.preview_error
        assert result.metadata is not None
        assert result.capture is not None
        return
    assert result.error is None, str(result.error)
    meta = result.metadata
    assert meta is not None
    assert (meta.width, meta.height) == (int(row["width"]), int(row["height"]))
    assert meta.orientation == int(row["orientation"] or 1)
    display = expected_display_size(row)
    assert (meta.display_width, meta.display_height) == display
    # an upright thumbnail, content-addressed, that exists
    assert result.thumbnail == thumbnail_path(corpus_run.thumbs, row["sha256"])
    assert result.thumbnail.is_file()
    with Image.open(result.thumbnail) as thumb:
        assert (thumb.format, thumb.mode) == ("JPEG", "RGB")
        want = fitted_size(display, BOX)
        assert abs(thumb.width - want[0]) <= 1
        assert abs(thumb.height - want[1]) <= 1
    assert result.capture is not None
    assert result.timings.read_hash > 0
    assert result.timings.decode > 0


@pytest.mark.parametrize(
    ("name", "stage", "reason"),
    [
        (
            "pillow/truncated_jpeg.jpg",
            Stage.DECODE,
            "truncated JPEG: image file is truncated (8 bytes not processed)",
        ),
        ("pillow/truncated_image.png", Stage.DECODE, "truncated PNG: image file is truncated"),
        ("pillow/broken.png", Stage.DECODE, "cannot decode PNG: cannot identify image file"),
        (
            "pillow-heif/heif_truncated/truncated.heic",
            Stage.DECODE,
            "truncated HEIC: the file ends inside 'mdat' box (3050 of 3051 bytes present)",
        ),
        (
            "pillow-heif/heif_corrupted/corrupted.hif",
            Stage.DECODE,
            "truncated HEIC: the file ends inside 'mdat' box (27364 of 6260487 bytes present)",
        ),
        (
            "pillow-heif/heif_corrupted/corrupted.heic",
            Stage.DECODE,
            "truncated HEIC: the file ends inside a box (4749 of 7627008 bytes present)",
        ),
        (
            "libheif/tests/data/uncompressed_comp_RGB.heif",
            Stage.DECODE,
            "cannot decode HEIC: cannot identify image file",
        ),
    ],
)
def test_broken_pixels_keep_their_facts_and_say_why(
    name: str, stage: Stage, reason: str, corpus_run: CorpusRun
) -> None:
    result = corpus_run.results[name]
    assert result.error is None
    assert stage is Stage.DECODE  # where it would have failed before issue 11
    assert result.preview_error is not None
    assert result.preview_error.startswith(reason)
    assert result.sha256 is not None


def test_no_file_that_opens_is_missing_a_thumbnail(corpus_run: CorpusRun) -> None:
    opened = [r for r in corpus_run.results.values() if r.ok and r.preview_error is None]
    assert len(opened) == 91  # 98 files - 6 broken - 1 that Pillow cannot open
    assert all(r.thumbnail is not None and r.thumbnail.is_file() for r in opened)
    written = sorted(corpus_run.thumbs.rglob("*"))
    assert not [p for p in written if p.name.endswith(".tmp")]
    # content-addressed: byte-identical files share one thumbnail (broken files may have one:
    # their embedded EXIF thumbnail)
    pictured = [r for r in corpus_run.results.values() if r.thumbnail is not None]
    assert len([p for p in written if p.is_file()]) == len({r.sha256 for r in pictured})


def test_the_eight_orientations_give_the_same_upright_thumbnail(corpus_run: CorpusRun) -> None:
    hashes = []
    for n in range(1, 9):
        result = corpus_run.results[f"exif-samples/jpg/orientation/landscape_{n}.jpg"]
        assert result.thumbnail is not None
        with Image.open(result.thumbnail) as thumb:
            assert thumb.width > thumb.height, f"landscape_{n} thumbnail is not landscape"
            value = perceptual_hash(thumb)
        assert value is not None
        hashes.append(value)
    assert max(hamming_distance(a, b) for a in hashes for b in hashes) <= 4


def test_exact_groups_equal_the_manifest_equal_sha256_sets(corpus_run: CorpusRun) -> None:
    paths = [f.row["path"] for f in FILES]
    computed: defaultdict[str, set[str]] = defaultdict(set)
    for p in paths:
        computed[corpus_run.results[p].sha256 or ""].add(p)
    got = {frozenset(s) for s in computed.values() if len(s) > 1}
    by_sha: defaultdict[str, set[str]] = defaultdict(set)
    for f in FILES:
        by_sha[f.row["sha256"]].add(f.row["path"])
    assert got == {frozenset(s) for s in by_sha.values() if len(s) > 1}
    assert frozenset({"pillow/flower.jpg", "exif-samples/jpg/Canon_PowerShot_S40.jpg"}) in got


def test_near_groups_recover_the_same_picture_groups(corpus_run: CorpusRun) -> None:
    paths = [f.row["path"] for f in FILES]
    label = {f.row["path"]: f.row["same_picture_group"] for f in FILES}
    items = [
        Fingerprint(i, r.sha256 or "", r.phash)
        for i, r in enumerate(corpus_run.results[p] for p in paths)
        if r.ok
    ]
    groups = [frozenset(paths[i] for i in g.ids) for g in near_groups(items, NEAR_DISTANCE)]
    expected = {
        name: frozenset(p for p in paths if label[p] == name) for name in NEAR_GROUPS_EXPECTED
    }
    assert set(groups) == set(expected.values())  # recovered, and nothing else joined
    for group in groups:
        assert len({label[p] for p in group}) == 1, f"group mixes pictures: {sorted(group)}"
    # canon_hdr: two exposures of one scene, 16 bits apart. Different photos a user keeps both
    # of, so at the default distance they stay apart.
    hdr = [
        corpus_run.results[f"exif-samples/jpg/hdr/canon_hdr_{s}.jpg"].phash for s in ("NO", "YES")
    ]
    assert hdr[0] is not None
    assert hdr[1] is not None
    assert hamming_distance(hdr[0], hdr[1]) > NEAR_DISTANCE


def test_flat_stubs_have_no_perceptual_hash(corpus_run: CorpusRun) -> None:
    stubs = [
        p
        for p, r in corpus_run.results.items()
        if r.metadata and min(r.metadata.width, r.metadata.height) <= 8 and not r.preview_error
    ]
    assert sorted(stubs) == [
        "exifr/png/png_with_exif_and_gps.png",
        "exiftool/CasioQVCI.jpg",
        "exiftool/Google.jpg",
        "exiftool/MWG.jpg",
        "exiftool/Pentax.jpg",
        "exiftool/Sigma.jpg",
        "phockup/date_20170101_010101.jpg",
        "phockup/exif.jpg",
        "pillow/exif_gps.jpg",
    ]
    assert all(corpus_run.results[p].phash is None for p in stubs)
    assert corpus_run.results["elodie/plain.jpg"].phash is None  # 100x150 but blank


def test_originals_are_unchanged(corpus_run: CorpusRun) -> None:
    assert corpus_run.after == corpus_run.before


def test_a_jpeg_named_png_is_processed_as_jpeg(tmp_path: Path) -> None:
    renamed = tmp_path / "holiday.png"
    shutil.copyfile(CORPUS / "pillow/flower.jpg", renamed)
    result = process_file(renamed, PipelineSettings(thumbs_dir=tmp_path / "thumbs"))
    assert result.error is None
    assert result.file_type == "JPEG"
    assert result.metadata is not None
    assert result.metadata.format == "JPEG"
    assert (
        result.phash == process_file(CORPUS / "pillow/flower.jpg", PipelineSettings(tmp_path)).phash
    )


def test_a_text_file_is_not_an_image(tmp_path: Path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("shopping list: eggs, milk\n", encoding="utf-8")
    result = process_file(text, PipelineSettings(thumbs_dir=tmp_path / "thumbs"))
    assert result.error is not None
    assert (result.error.stage, result.error.reason) == (Stage.DETECT, "not an image: text file")
    assert result.sha256 == hashlib.sha256(text.read_bytes()).hexdigest()
    assert result.size == 26
    assert not (tmp_path / "thumbs").exists()


def test_unsupported_format_names_the_format(tmp_path: Path) -> None:
    jxl = tmp_path / "photo.jxl"
    jxl.write_bytes(b"\xff\x0a" + bytes(200))
    result = process_file(jxl, PipelineSettings(thumbs_dir=tmp_path))
    assert result.error is not None
    assert (result.error.stage, result.error.reason) == (
        Stage.DETECT,
        "unsupported format: JPEG XL",
    )


def test_missing_file_and_folder_fail_at_read(tmp_path: Path) -> None:
    settings = PipelineSettings(thumbs_dir=tmp_path / "thumbs")
    missing = process_file(tmp_path / "gone.jpg", settings)
    assert missing.error is not None
    assert missing.error.stage == Stage.READ
    assert missing.error.reason == "cannot read file: No such file or directory"
    assert (missing.sha256, missing.size) == (None, 0)
    folder = process_file(tmp_path, settings)
    assert folder.error is not None
    assert (folder.error.stage, folder.error.reason) == (
        Stage.READ,
        "cannot read file: it is a folder",
    )


@pytest.fixture(scope="session")
def bomb_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 12000x12000 PNG (144 MP) of one colour: a few hundred KB on disk."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    Image.new("1", (12000, 12000), 1).save(path)
    return path


def test_decompression_bomb_is_refused_with_plain_words(bomb_png: Path, tmp_path: Path) -> None:
    low = PipelineSettings(thumbs_dir=tmp_path, max_image_pixels=10_000_000)
    result = process_file(bomb_png, low)
    assert result.error is not None
    assert result.error.stage == Stage.DECODE
    assert result.error.reason == (
        "image too large: 144 MP exceeds the limit of 10 MP (12000x12000 pixels)"
    )
    # Pillow's own limit (89 MP) would warn or raise in its words; the job's limit decides
    default = process_file(bomb_png, PipelineSettings(thumbs_dir=tmp_path))
    assert default.error is not None
    assert default.error.reason.startswith("image too large: 144 MP exceeds the limit of 89 MP")
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's global is left as it was


def test_an_image_over_pillows_limit_but_within_the_jobs_limit_is_processed(tmp_path: Path) -> None:
    big = tmp_path / "scan.png"
    Image.new("L", (10000, 9000), 128).save(big)  # 90 MP: over Pillow's 89 MP warning limit
    result = process_file(big, PipelineSettings(thumbs_dir=tmp_path, max_image_pixels=100_000_000))
    assert result.error is None  # and no DecompressionBombWarning (warnings are errors here)
    assert result.metadata is not None
    assert (result.metadata.width, result.metadata.height) == (
        10000,
        9000,
    )
    assert result.phash is None  # one grey level: flat


def test_pipeline_threads_leave_pillows_limit_as_it_was(bomb_png: Path, tmp_path: Path) -> None:
    settings = PipelineSettings(thumbs_dir=tmp_path, max_image_pixels=10_000_000)
    paths = [bomb_png, CORPUS / "pillow/flower.jpg", CORPUS / "pillow/hopper.png"] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda p: process_file(p, settings), paths))
    assert [r.ok for r in results] == [False, True, True] * 3
    assert Image.MAX_IMAGE_PIXELS == 89_478_485


def test_metadata_leaves_pixels_undecoded_so_the_draft_applies() -> None:
    """The pipeline reads metadata before its one reduced decode: reading tags must not load."""
    data = io.BytesIO()
    draw_scene((4032, 3024), seed=13).save(data, "JPEG", quality=85)
    with Image.open(data) as im:
        metadata_from_image(im)
        assert prepare_reduced_decode(im, 320) == (504, 378)
    with Image.open(CORPUS / "exif-samples/heic/mobile/iphone_13_pro_max.HEIC") as im:
        metadata_from_image(im)
        assert prepare_reduced_decode(im, 320) == (240, 320)  # its embedded 320 thumbnail


def test_identical_files_share_one_thumbnail_written_once(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jpg", tmp_path / "copy of a.jpg"
    draw_scene((800, 600), seed=11).save(first, quality=90)
    shutil.copyfile(first, second)
    settings = PipelineSettings(thumbs_dir=tmp_path / "thumbs")
    one = process_file(first, settings)
    assert one.thumbnail is not None
    stamp = one.thumbnail.stat().st_mtime_ns
    two = process_file(second, settings)
    assert two.thumbnail == one.thumbnail
    assert one.thumbnail.stat().st_mtime_ns == stamp
    assert one.phash == two.phash is not None


def test_mtime_is_a_candidate_only_when_allowed(tmp_path: Path) -> None:
    photo = tmp_path / "no-date.jpg"
    draw_scene(seed=12).save(photo, quality=90)
    stat_mtime = datetime.fromtimestamp(photo.stat().st_mtime_ns / 1e9, tz=UTC)
    with_mtime = process_file(photo, PipelineSettings(thumbs_dir=tmp_path, use_mtime=True))
    without = process_file(photo, PipelineSettings(thumbs_dir=tmp_path, use_mtime=False))
    assert with_mtime.mtime == without.mtime == stat_mtime
    assert with_mtime.capture is not None
    assert without.capture is not None
    assert CandidateSource.MTIME in {c.source for c in with_mtime.capture.candidates}
    assert CandidateSource.MTIME not in {c.source for c in without.capture.candidates}


def test_settings_for_a_job(tmp_path: Path) -> None:
    imports = ImportSettings(timezone="Asia/Kolkata", thumbnail_size=256, use_mtime=False)
    settings = PipelineSettings.for_job(tmp_path, imports)
    assert settings == PipelineSettings(
        thumbs_dir=tmp_path,
        thumbnail_size=256,
        timezone="Asia/Kolkata",
        use_mtime=False,
        max_image_pixels=imports.max_image_pixels,
    )


def test_configure_for_pool_decodes_with_one_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pillow_heif.options, "DECODE_THREADS", 4)
    monkeypatch.setattr(AvifImagePlugin, "DEFAULT_MAX_THREADS", 0)
    configure_for_pool()
    assert pillow_heif.options.DECODE_THREADS == 1
    assert AvifImagePlugin.DEFAULT_MAX_THREADS == 1
    # and HEIC still decodes
    result = process_file(CORPUS / "exifr/heic-iphone7.heic", PipelineSettings(tmp_path))
    assert result.error is None
    assert result.thumbnail is not None
    with Image.open(result.thumbnail) as thumb:
        assert thumb.size == (320, 240)
        assert np.asarray(thumb).std() > 10


def test_known_content_stops_after_one_read_and_hash(tmp_path: Path) -> None:
    photo = CORPUS / "pillow" / "flower.jpg"
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    asked: list[str] = []

    def is_known(sha256: str) -> bool:
        asked.append(sha256)
        return True

    thumbs = tmp_path / "thumbs"
    result = process_file(photo, PipelineSettings(thumbs_dir=thumbs), is_known=is_known)
    assert asked == [digest]
    assert (result.already_known, result.sha256, result.error) == (True, digest, None)
    assert (result.metadata, result.capture, result.thumbnail) == (None, None, None)
    assert not thumbs.exists()  # nothing decoded, nothing written

    fresh = process_file(photo, PipelineSettings(thumbs_dir=thumbs), is_known=lambda _s: False)
    assert fresh.already_known is False
    assert fresh.thumbnail is not None
    assert fresh.thumbnail.is_file()
