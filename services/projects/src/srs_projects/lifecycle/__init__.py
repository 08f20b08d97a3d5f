"""The running project: suspension and resumption, handover to a new lead, extensions
and completion (overdue projects: ``jobs.py``)."""
