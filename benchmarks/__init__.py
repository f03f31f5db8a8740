"""Benchmarks for the build, the validator and the analysis helpers: ``python -m benchmarks`` (or ``make bench``).

Every figure is a ratio of two commands timed side by side in the same run (the machines are shared
and noisy, so absolute times mean little), or a time at a fixed size with its growth exponent. The
run prints the figures, marks a missed target with ``MISSED`` (it still exits 0) and rewrites
``benchmarks/README.md`` with the results. Work files go to ``benchmarks/.work/`` (git-ignored).

Split by what it measures: :mod:`~benchmarks.build` (clean builds and the no-op), :mod:`~benchmarks.validator`,
:mod:`~benchmarks.helpers` (and its child process); :mod:`~benchmarks.common` holds what they share,
:mod:`~benchmarks.readme` writes the README and ``__main__`` runs them in order (``--quick`` for a smoke run).
"""
