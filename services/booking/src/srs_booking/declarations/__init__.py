"""The security declaration researchers sign before booking."""
