"""Benchmark of the whole pipeline (`make bench`); see bench/run.py and docs/performance.md."""
