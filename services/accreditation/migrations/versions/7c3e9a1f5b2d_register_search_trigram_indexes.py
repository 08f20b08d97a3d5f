"""register search trigram indexes

The public register's search matches a substring of the name or the organisation in any
case: with 100,000 researchers a scan of every one, unless trigram indexes answer it
(PostgreSQL only; SQLite keeps scanning).

Revision ID: 7c3e9a1f5b2d
Revises: 1e8a7d4ca220
Create Date: 2026-12-07 02:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7c3e9a1f5b2d"
down_revision: str | Sequence[str] | None = "1e8a7d4ca220"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("name", "organisation_id")


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.create_index(
            f"ix_researcher_{column}_trgm",
            "researcher",
            [sa.text(f"lower({column}) gin_trgm_ops")],
            postgresql_using="gin",
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.drop_index(f"ix_researcher_{column}_trgm", table_name="researcher")
