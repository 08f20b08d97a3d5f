"""dataset operational identifier columns

Revision ID: 3f1d8a6b52c7
Revises: 7c2e9f41ab03
Create Date: 2026-12-06 02:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3f1d8a6b52c7"
down_revision: str | Sequence[str] | None = "7c2e9f41ab03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("dataset_view", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "operational_id_columns", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("dataset_view", schema=None) as batch_op:
        batch_op.drop_column("operational_id_columns")
