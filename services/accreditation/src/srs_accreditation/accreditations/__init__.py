"""Accreditations: who may see them, their status changes, their event payloads."""
