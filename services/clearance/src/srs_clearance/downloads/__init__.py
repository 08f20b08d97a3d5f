"""Downloading a request's files (authorised, audited)."""
