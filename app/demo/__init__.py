"""Dummy data for demonstrations, development and tests (never real people)."""
