"""Benchmark sections: each a ``run(ctx)`` that prints its own tables (see bench.__main__)."""
