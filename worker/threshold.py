"""When a job halts on its error threshold: counted over the job, not over one run.

The share of failed files is taken over every file the job has ended since ``base`` (0, or the
counters at which it last halted and was resumed anyway), after at least ``error_min_sample``
of them, or after all of them when the job is smaller. So a run resumed after a crash sees the
numbers the uninterrupted run would have seen, and cannot halt on a tail of broken files (say 6
of the last 11) that the first run would have passed (issue 10). The pure rule is here; the
runner reads the counters and writes the halt.
"""

from __future__ import annotations

from photoimport.settings import ImportSettings


def over_threshold(
    *,
    done: int,
    errors: int,
    base: tuple[int, int],
    total: int,
    listing_done: bool,
    settings: ImportSettings,
) -> str | None:
    """Why the job must halt (plain words), or None while it is under its threshold."""
    counted, failed = done - base[0], errors - base[1]
    sample = settings.error_min_sample
    if listing_done:
        sample = min(sample, max(1, total - base[0]))
    if counted <= 0 or counted < sample or failed / counted <= settings.error_threshold:
        return None
    return (
        f"{failed} of {counted} files failed ({failed / counted:.0%}), over the "
        f"error threshold of {settings.error_threshold:.0%}"
    )
