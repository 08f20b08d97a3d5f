"""The public register of accredited and approved researchers."""
