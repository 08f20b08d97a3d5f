"""Drafting an output request: the request, its groups of files, the uploads."""
