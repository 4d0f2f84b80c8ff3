"""The error threshold counts over the job (since it started, or since it last halted and was
resumed anyway), so a run resumed after a crash cannot halt on a tail the first run would pass."""

from __future__ import annotations

from photoimport.settings import ImportSettings
from worker.threshold import over_threshold

SETTINGS = ImportSettings(timezone="UTC", error_threshold=0.5, error_min_sample=20)


def check(done: int, errors: int, base: tuple[int, int] = (0, 0), total: int = 30) -> str | None:
    return over_threshold(
        done=done, errors=errors, base=base, total=total, listing_done=True, settings=SETTINGS
    )


def test_a_resumed_tail_of_broken_files_does_not_halt_a_job_the_first_run_would_pass() -> None:
    # 30 files, the last 11 of which hold 6 broken ones; the worker was killed after 19 files.
    # Counted per run, the resumed run saw "6 of 11 files failed (55%)" and halted.
    for done in range(1, 31):
        errors = max(0, min(6, done - 24))
        assert check(done, errors) is None


def test_a_job_over_its_threshold_halts_with_the_reason() -> None:
    assert check(20, 11) == "11 of 20 files failed (55%), over the error threshold of 50%"
    assert check(19, 19) is None  # the minimum sample is not reached yet
    assert check(4, 3, total=4) == "3 of 4 files failed (75%), over the error threshold of 50%"


def test_after_a_halt_and_a_resume_the_threshold_counts_from_the_halt() -> None:
    base = (20, 11)  # it halted there; the user resumed it anyway
    assert check(25, 11, base=base) is None
    assert check(30, 17, base=base) == "6 of 10 files failed (60%), over the error threshold of 50%"
