"""Data and code ingestion: requests with uploaded files, the automatic check of what the
files are, the SRS team's decision and the transfer into the project space."""
