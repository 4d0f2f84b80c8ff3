"""Plain-text output: section headings and aligned tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence

Cell = str | int | float


def _cell(value: Cell) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """Left-aligned first column, right-aligned numbers."""
    cells = [list(headers), *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def heading(text: str) -> None:
    say(f"\n== {text} " + "=" * max(0, 76 - len(text)))


def say(text: str = "") -> None:
    print(text, flush=True)


def progress(text: str) -> None:
    """A line on stderr, so the report on stdout stays clean."""
    print(f"  .. {text}", file=sys.stderr, flush=True)
