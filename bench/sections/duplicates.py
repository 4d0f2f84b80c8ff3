"""Issue 13 "Speed and scale": the Duplicates page with 1,000,000 photos and 100,000+ groups
(target < 300 ms; the Gallery page on the same library is the baseline of the same run), and
resolving every group of 100,000 photos by the rules (target < 10 s; baseline: one UPDATE of
every photo's ``discarded`` flag). See ``bench.duplicates``; ``--dup-rows 0`` runs the resolve
part alone."""

from __future__ import annotations

from bench.context import BenchContext
from bench.duplicates import time_duplicates_page, time_resolve_all
from bench.report import Cell, heading, say, table

PAGE_MS, RESOLVE_S = 300.0, 10.0


def _verdict(value: float, target: float, unit: str) -> str:
    return f"< {target:.0f} {unit} " + ("ok" if value < target else "OVER TARGET")


def run(ctx: BenchContext) -> None:
    photos = ctx.dup_rows
    page_part = f"page with {photos:,} photos, " if photos > 0 else ""
    heading(f"duplicates: {page_part}resolve-all of {ctx.resolve_rows:,} (SQLite)")
    if photos > 0:  # --dup-rows 0: the resolve part alone
        _page(photos)
    _resolve(ctx.resolve_rows)


def _page(photos: int) -> None:
    page = time_duplicates_page(photos)
    say(
        f"{page.groups:,} groups; seeded in {page.seed_s:.0f} s, group rows written in "
        f"{page.materialise_s:.1f} s (refresh_groups, as after a job)"
    )
    rows: list[list[Cell]] = [
        ["Duplicates page script (AppTest)", page.page_ms, _verdict(page.page_ms, PAGE_MS, "ms")],
        ["baseline: Gallery page script, same library", page.gallery_ms, ""],
    ]
    rows += [[f"groups query: {name} (count + 10)", ms, ""] for name, ms in page.queries_ms.items()]
    say(table(["page work (best of 3)", "ms", "target"], rows))


def _resolve(rows: int) -> None:
    res = time_resolve_all(rows)
    say(f"\nresolve every group by the rules: {res.photos:,} photos in {res.groups:,} groups")
    say(
        table(
            ["operation", "s", "target"],
            [
                [
                    "resolve all by the rules (one decision)",
                    res.resolve_s,
                    _verdict(res.resolve_s, RESOLVE_S, "s"),
                ],
                ["  the same, CPU time of this process", res.resolve_cpu_s, ""],
                ["undo that decision", res.undo_s, ""],
                ["baseline: one UPDATE of every discarded flag", res.floor_s, ""],
            ],
        )
    )
