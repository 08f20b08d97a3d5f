"""dataset requirements

The extra steps a catalogue entry requires of a project (the LS supplementary form).

Revision ID: a9c4e2d7f1b3
Revises: 5e8a9d0c1b2f
Create Date: 2026-12-06 16:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a9c4e2d7f1b3"
down_revision: str | Sequence[str] | None = "5e8a9d0c1b2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("dataset") as batch:
        batch.add_column(
            sa.Column("requirements", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("dataset") as batch:
        batch.drop_column("requirements")
