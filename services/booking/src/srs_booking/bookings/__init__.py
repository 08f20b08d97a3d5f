"""Bookings: eligibility, booking a place, visibility, cancellation and visits."""
