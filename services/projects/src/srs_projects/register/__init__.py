"""The public register of accredited projects."""
