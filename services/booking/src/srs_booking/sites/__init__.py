"""Sites, their closures and changed hours, and the availability read."""
