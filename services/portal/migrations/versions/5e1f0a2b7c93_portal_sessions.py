"""portal sessions

Revision ID: 5e1f0a2b7c93
Revises:
Create Date: 2026-12-06 03:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "5e1f0a2b7c93"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "portal_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_portal_session")),
    )
    op.create_index(
        op.f("ix_portal_session_expires_at"), "portal_session", ["expires_at"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_portal_session_expires_at"), table_name="portal_session")
    op.drop_table("portal_session")
