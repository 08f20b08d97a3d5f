"""audit chain anchors

Revision ID: e7a1c4d2b9f0
Revises: d35ad1c34982
Create Date: 2026-12-01 03:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "e7a1c4d2b9f0"
down_revision: str | Sequence[str] | None = "d35ad1c34982"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_anchor",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("anchored_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_anchor")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("audit_anchor")
