"""researcher names and project titles in the read models

Revision ID: e5a7c3d91b20
Revises: 5b8e1f3c7a2d
Create Date: 2026-12-06 16:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "e5a7c3d91b20"
down_revision: str | Sequence[str] | None = "5b8e1f3c7a2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "researcher_view",
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("as_of", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("researcher_id", name=op.f("pk_researcher_view")),
    )
    with op.batch_alter_table("project_view", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("project_view", schema=None) as batch_op:
        batch_op.drop_column("title")
    op.drop_table("researcher_view")
