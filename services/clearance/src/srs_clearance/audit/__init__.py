"""Each request's audit trail, kept in the service's shared audit log."""
