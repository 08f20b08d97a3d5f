"""email verification: a sign-up's address is confirmed by a link e-mailed to it

Revision ID: 5e8a9d0c1b2f
Revises: 1a2b3c4d5e6f
Create Date: 2026-12-06 06:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "5e8a9d0c1b2f"
down_revision: str | Sequence[str] | None = "1a2b3c4d5e6f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema. Accounts made before this revision count as confirmed: they were
    made when the provider did not ask, and their people have signed in since."""
    with op.batch_alter_table("account_profile") as batch:
        batch.add_column(
            sa.Column("email_verified_at", srs_common.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE account_profile SET email_verified_at = created_at")
    op.create_table(
        "email_verification",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", srs_common.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_email_verification")),
    )
    op.create_index(
        op.f("ix_email_verification_username"), "email_verification", ["username"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_email_verification_username"), table_name="email_verification")
    op.drop_table("email_verification")
    with op.batch_alter_table("account_profile") as batch:
        batch.drop_column("email_verified_at")
