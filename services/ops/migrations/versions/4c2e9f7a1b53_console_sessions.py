"""console sessions

The operations console's server-side sessions (srs_ops.console): the pending OpenID
Connect sign-in, then the operator's tokens, keyed by the SHA-256 of the cookie's id.

Revision ID: 4c2e9f7a1b53
Revises: da68ea082978
Create Date: 2026-12-06 06:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "4c2e9f7a1b53"
down_revision: str | Sequence[str] | None = "da68ea082978"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "console_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_console_session")),
    )
    op.create_index(
        op.f("ix_console_session_expires_at"), "console_session", ["expires_at"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_console_session_expires_at"), table_name="console_session")
    op.drop_table("console_session")
