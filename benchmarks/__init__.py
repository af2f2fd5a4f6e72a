"""Benchmarks: run from the repository's root as modules (`python -m benchmarks.list_import`, as the
Makefile does), so the apps are always found first and a benchmark named after an app
(`benchmarks.cantonment`) never stands in for it."""
