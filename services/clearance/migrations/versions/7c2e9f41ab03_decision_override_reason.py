"""decision override reason

Revision ID: 7c2e9f41ab03
Revises: 514957992b9e
Create Date: 2026-12-06 02:55:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7c2e9f41ab03"
down_revision: str | Sequence[str] | None = "514957992b9e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("output_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("output_request", schema=None) as batch_op:
        batch_op.drop_column("override_reason")
