"""Linkage: the SRS team's IDBR matching tasks and requests for new linked datasets."""
