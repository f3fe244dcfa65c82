"""Benchmarks: scripts that measure, run by `make bench`; not part of the test suite."""
