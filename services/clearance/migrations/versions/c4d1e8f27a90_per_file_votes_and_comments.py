"""per-file votes and comments, comment kinds

Revision ID: c4d1e8f27a90
Revises: 9e9cbfc4a6e3
Create Date: 2026-12-06 06:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4d1e8f27a90"
down_revision: str | Sequence[str] | None = "9e9cbfc4a6e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_votes", sa.JSON(), nullable=True))
    with op.batch_alter_table("output_comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("output_comment", schema=None) as batch_op:
        batch_op.drop_column("kind")
        batch_op.drop_column("file_id")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("file_votes")
