"""Use cases of the application: drafting, editing, submission and activation."""
