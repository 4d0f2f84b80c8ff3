"""How people see numbers, times and untrusted text: durations, sizes, local times, a log's
tail; names and tags as plain text (``plain_text``), CSV cells that cannot be formulas
(``spreadsheet_cell``).

Pure functions over core values (no Streamlit): the pages call these and lay the results out.
Times are shown in a local time zone (the configured one), never as bare UTC.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, tzinfo
from pathlib import Path

__all__ = [
    "format_bytes",
    "format_duration",
    "format_local_time",
    "local_zone",
    "markdown_text",
    "plain_text",
    "spreadsheet_cell",
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


# C0 and C1 controls, and the invisible marks that reorder text (bidi overrides and isolates)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain_text(text: str) -> str:
    """``text`` (a file name, a tag, a path) with every control character shown as an escape
    (``\\x1b``, ``\\u202e``): printed, it can neither drive a terminal nor reorder a line."""
    return _CONTROLS.sub(_escape, text)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a leading
    ``'`` (the OWASP rule), and control characters are escaped; other values pass through."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_STARTS):
        value = "'" + value
    return plain_text(value)


# What Markdown (and Streamlit's ``:color[...]`` / ``:icon:`` directives) acts on: always these
# characters; ``_`` unless inside a word (GFM ignores intraword ``_``); ``:`` before a letter; a
# list or heading marker at the start. So "folder not found: /a/IMG_0001.jpg" reads unchanged.
_MARKDOWN_SPECIALS = re.compile(
    r"([\\`*\[\]<>|~$#&])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|:(?=[A-Za-z])|^[-+=.!]"
)


def markdown_text(text: str) -> str:
    """``text`` escaped for a Markdown element (``st.markdown``, ``st.title``, ``st.error``): a
    name like ``**x**`` or ``:red[x]`` shows as typed, never as formatting, a link or HTML."""
    return _MARKDOWN_SPECIALS.sub(lambda m: "\\" + m.group(0), plain_text(text))
