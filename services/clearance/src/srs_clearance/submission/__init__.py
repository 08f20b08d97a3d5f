"""Submitting a request (completeness, the automatic checks, the clock) and withdrawing it."""
