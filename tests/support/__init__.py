"""Helpers shared by the tests and scripts/bench.py: browser driver, synthetic data, baseline."""
