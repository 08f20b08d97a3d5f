"""Destruction of approved pre-publication outputs after the project completes."""
