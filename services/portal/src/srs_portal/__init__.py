"""The portal: the people's web front end over the platform's REST APIs."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
