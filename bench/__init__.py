"""Benchmarks (issue 8): run with ``make bench`` or ``.venv/bin/python -m bench.run --scale small``."""
