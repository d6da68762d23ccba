"""Benchmarks: plain scripts run by hand and by CI, never collected by pytest (see ADR-0013)."""
