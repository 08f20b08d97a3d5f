"""names in read models

The researcher read model keeps the name on the record and the project read model the
title from the approval, so that a home-working request names its researchers and
projects for staff and data owners.

Revision ID: c7d1e5a3f9b2
Revises: b4e1f7a2c9d3
Create Date: 2026-12-06 19:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c7d1e5a3f9b2"
down_revision: str | Sequence[str] | None = "b4e1f7a2c9d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("researcher_view") as batch:
        batch.add_column(sa.Column("name", sa.String(200), nullable=True))
    with op.batch_alter_table("project_view") as batch:
        batch.add_column(sa.Column("title", sa.String(300), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("project_view") as batch:
        batch.drop_column("title")
    with op.batch_alter_table("researcher_view") as batch:
        batch.drop_column("name")
