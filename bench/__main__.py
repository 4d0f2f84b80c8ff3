"""``python -m bench`` (``make bench``): photoimport's speed against the floor, in plain text.

Sections (``--only`` picks some; default: all):

* ``pipeline``  issue 3 s4: process_file vs the floor, A B A B A B, whole corpus and JPEG-only
* ``grouping``  issue 3 s4: near-duplicate grouping of 1,000,000 random 64-bit hashes
* ``job``       issue 4 s6: a real worker importing the corpus into SQLite vs the floor
* ``rss``       issue 4 s6: the worker's peak RSS on a 2,000-file job against a small one
* ``pages``     issue 5: page scripts and queries with 100,000 File rows
* ``watch``     issue 6: a watched folder's close-to-row latency and the watcher's idle CPU
* ``media``     issue 11: a RAW against a JPEG of the same size; a 2 s and a 120 s video
* ``review``    issue 12: date decisions on 50,000 photos, the Review page at 100,000
* ``export``    issue 14: an export job against ``cp`` of the same files; a 100,000-photo dry run
* ``duplicates`` issue 13: the Duplicates page with 1,000,000 photos; resolve-all of 100,000
* ``scale``     issue 16: 100,000 unchanged files, a million-photo library, several workers

The synthetic corpus is made once into ``.bench-cache/`` and reused: rendered photo by photo
(``bench.synth``) up to 1,000 photos, above that assembled from a few rendered pictures with the
real RAW and video samples (``bench.assemble``); ``--corpus`` picks one.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable

from bench.context import BenchContext
from bench.plan import PHONE_SIZE
from bench.report import heading, say

Section = Callable[[BenchContext], object]


SECTION_NAMES = (
    "pipeline",
    "grouping",
    "job",
    "rss",
    "pages",
    "watch",
    "media",
    "review",
    "export",
    "duplicates",
    "scale",
)


def load_section(name: str) -> Section:
    """A section's ``run``, imported only when chosen (each pulls in the parts it measures)."""
    run: Section = importlib.import_module(f"bench.sections.{name}").run
    return run


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH, e.g. 1008x756, not {text!r}") from None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="photos in the synthetic corpus")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTION_NAMES,
        help="run only this section (repeatable); default: every section",
    )
    parser.add_argument(
        "--size",
        type=_size,
        default=PHONE_SIZE,
        help="photo size WxH (default 4032x3024; smaller only to try the benchmark out)",
    )
    parser.add_argument(
        "--corpus",
        choices=("auto", "rendered", "assembled"),
        default="auto",
        help="rendered photo by photo, or assembled (with RAW and video); auto: assembled above"
        " 1,000 photos",
    )
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds per comparison")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes in the pool"
    )
    parser.add_argument("--hashes", type=int, default=1_000_000, help="hashes for grouping")
    parser.add_argument("--rss-n", type=int, default=2000, help="files in the RSS job")
    parser.add_argument("--page-rows", type=int, default=100_000, help="File rows for pages")
    parser.add_argument(
        "--dup-rows",
        type=int,
        default=1_000_000,
        help="photos behind the Duplicates page (0: only the resolve-all part)",
    )
    parser.add_argument(
        "--resolve-rows", type=int, default=100_000, help="photos resolved by the rules"
    )
    parser.add_argument("--scale-files", type=int, default=100_000, help="files (scale)")
    parser.add_argument(
        "--scale-library", type=int, default=1_000_000, help="library photos (scale)"
    )
    parser.add_argument("--scale-pg-files", type=int, default=1000, help="files (scale, PG)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ctx = BenchContext(
        n=args.n,
        rounds=args.rounds,
        workers=args.workers,
        hashes=args.hashes,
        rss_n=args.rss_n,
        page_rows=args.page_rows,
        dup_rows=args.dup_rows,
        resolve_rows=args.resolve_rows,
        scale_files=args.scale_files,
        scale_library=args.scale_library,
        scale_pg_files=args.scale_pg_files,
        size=args.size,
        corpus_kind=args.corpus,
    )
    chosen = args.only or list(SECTION_NAMES)
    say(f"photoimport benchmark: sections {', '.join(chosen)}; {ctx.workers} processes")
    say(f"command: python -m bench {' '.join(sys.argv[1:] if argv is None else argv)}".rstrip())
    started = time.perf_counter()
    for name in chosen:
        load_section(name)(ctx)
    heading(f"done in {time.perf_counter() - started:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
