"""What every benchmark section gets: the parsed options and the (cached) synthetic corpus."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.plan import PHONE_SIZE
from bench.report import progress
from bench.synth import MANIFEST_NAME, Corpus, build_corpus, corpus_dir


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
    _corpus: Corpus | None = None

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            root = corpus_dir(self.n, self.size)
            if not (root / MANIFEST_NAME).exists():
                progress(f"rendering the synthetic corpus of {self.n} photos into {root} (once)")
            self._corpus = build_corpus(self.n, self.size)
        return self._corpus
