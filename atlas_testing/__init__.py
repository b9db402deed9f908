"""Code shared by the tests and scripts/ (browser driver, synthetic data, baseline, corpus)."""
