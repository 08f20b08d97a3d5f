"""The checkers' queue."""
