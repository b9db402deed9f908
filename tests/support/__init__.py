"""Helpers only the tests share: AppTest drivers and PDF text."""
