"""Conformance suites for store backends: mixins of pytest tests that every backend in BACKENDS passes."""
