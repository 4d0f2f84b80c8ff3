"""How people see numbers and times: durations, sizes, local times, a log's tail.

Pure functions over core values (no Streamlit): the pages call these and lay the results out.
Times are shown in a local time zone (the configured one), never as bare UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, tzinfo
from pathlib import Path

__all__ = [
    "format_bytes",
    "format_duration",
    "format_local_time",
    "local_zone",
    "tail_text",
]


def local_zone(name: str) -> tzinfo:
    """The zone called ``name``; the server's own zone when the name is unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.now(UTC).astimezone().tzinfo
        assert zone is not None
        return zone


def format_duration(seconds: float | None) -> str:
    """``45 s``, ``3 min 05 s``, ``2 h 04 min``; an em dash when unknown."""
    if seconds is None or seconds < 0:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def format_bytes(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} GB"  # pragma: no cover - the loop always returns


def format_local_time(when: datetime | None, zone: tzinfo, now: datetime | None = None) -> str:
    """``today 14:02:11``, ``yesterday 09:15``, ``2024-03-01 09:15`` in ``zone``."""
    if when is None:
        return "—"
    local = when.astimezone(zone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    days = (today - local.date()).days
    if days == 0:
        return f"today {local:%H:%M:%S}"
    if days == 1:
        return f"yesterday {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def tail_text(path: Path, max_lines: int = 40, max_bytes: int = 64_000) -> str | None:
    """The last ``max_lines`` lines of a log file (at most ``max_bytes`` read); None if absent."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except FileNotFoundError:
        return None
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > max_bytes and lines:
        lines = lines[1:]  # the first line was cut in the middle
    return "\n".join(lines[-max_lines:])
