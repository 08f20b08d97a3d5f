"""researcher name

The name on each researcher record (from researcher.registered / updated), shown for a
project's members.

Revision ID: b7e4c2d9a1f0
Revises: e013b66a64fb
Create Date: 2026-12-06 06:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b7e4c2d9a1f0"
down_revision: str | Sequence[str] | None = "e013b66a64fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("researcher_organisation") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("researcher_organisation") as batch:
        batch.drop_column("name")
