"""The Research Accreditation Panel's review of an application."""
