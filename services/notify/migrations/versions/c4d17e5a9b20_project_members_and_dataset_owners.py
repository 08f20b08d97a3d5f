"""project members and dataset owners (read models for the notices people are owed)

Revision ID: c4d17e5a9b20
Revises: ae8695467ec2
Create Date: 2026-12-06 02:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4d17e5a9b20"
down_revision: str | Sequence[str] | None = "ae8695467ec2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "project_member",
        sa.Column("project_id", sa.String(length=100), nullable=False),
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "researcher_id", name=op.f("pk_project_member")),
    )
    op.create_table(
        "dataset",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("dataset")
    op.drop_table("project_member")
