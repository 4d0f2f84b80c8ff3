"""Turning a processed file into its library row."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoimport.pipeline import PipelineSettings, process_file
from tests.fixtures.corpus import CORPUS
from worker.outcomes import file_row


def _row(tmp_path: Path, relative: str) -> tuple[float | None, float | None]:
    result = process_file(CORPUS / relative, PipelineSettings(thumbs_dir=tmp_path / "thumbs"))
    assert result.ok, result.error
    row = file_row(result, tmp_path, job_id=1)
    return row["gps_latitude"], row["gps_longitude"]


def test_a_real_position_is_kept(tmp_path: Path) -> None:
    lat, lon = _row(tmp_path, "exif-samples/jpg/gps/DSCN0010.jpg")
    assert lat == pytest.approx(43.4674, abs=1e-3)  # Tuscany
    assert lon == pytest.approx(11.8851, abs=1e-3)


def test_null_island_is_no_position(tmp_path: Path) -> None:
    """Phones without a fix write 0, 0: that is not a place to put on the map."""
    assert _row(tmp_path, "metadata-extractor/jpg/Samsung GT-I9000 (Galaxy S).jpg") == (None, None)
