"""What every benchmark section gets: the parsed options and the (cached) synthetic corpus.

The corpus is rendered photo by photo (``bench.synth``) up to ``RENDER_LIMIT`` photos, and
assembled from a few rendered pictures above it (``bench.assemble``: phone JPEG and HEIC plus the
real RAW and video samples; 10,000 files in minutes instead of hours); ``--corpus`` picks one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.assemble import assembled_dir, build_assembled
from bench.plan import PHONE_SIZE
from bench.report import progress
from bench.synth import MANIFEST_NAME, Corpus, build_corpus, corpus_dir

RENDER_LIMIT = 1000


@dataclass
class BenchContext:
    n: int
    rounds: int
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    hashes: int = 1_000_000
    rss_n: int = 2000
    page_rows: int = 100_000
    dup_rows: int = 1_000_000  # issue 13: photos behind the Duplicates page
    resolve_rows: int = 100_000  # issue 13: photos resolved by the rules in one decision
    scale_files: int = 100_000  # issue 16: unchanged re-import, RSS, summary
    scale_library: int = 1_000_000  # issue 16: flat cost per file, pages
    scale_pg_files: int = 1000  # issue 16: PostgreSQL with 1, 2, 4 workers
    size: tuple[int, int] = PHONE_SIZE  # smaller only for a quick look at the benchmark itself
    corpus_kind: str = "auto"  # "rendered", "assembled", or "auto" (by RENDER_LIMIT)
    _corpus: Corpus | None = None

    @property
    def assembled(self) -> bool:
        if self.corpus_kind == "auto":
            return self.n > RENDER_LIMIT
        return self.corpus_kind == "assembled"

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            if self.assembled:
                if not (assembled_dir(self.n, self.size) / MANIFEST_NAME).exists():
                    progress(f"assembling the phone-like corpus of {self.n:,} files (once)")
                self._corpus = build_assembled(self.n, self.size)
                return self._corpus
            root = corpus_dir(self.n, self.size)
            if not (root / MANIFEST_NAME).exists():
                progress(f"rendering the synthetic corpus of {self.n} photos into {root} (once)")
            self._corpus = build_corpus(self.n, self.size)
        return self._corpus
