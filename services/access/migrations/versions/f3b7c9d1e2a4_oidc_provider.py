"""oidc provider: account profiles, authorization codes, refresh tokens

Revision ID: f3b7c9d1e2a4
Revises: b8d2f6a1c3e5
Create Date: 2026-12-06 03:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "f3b7c9d1e2a4"
down_revision: str | Sequence[str] | None = "b8d2f6a1c3e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "account_profile",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=False),
        sa.Column("created_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_account_profile")),
        sa.UniqueConstraint("email", name=op.f("uq_account_profile_email")),
    )
    op.create_table(
        "oidc_authorization_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("nonce", sa.String(length=500), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("created_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", srs_common.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_oidc_authorization_code")),
    )
    op.create_table(
        "oidc_refresh_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("created_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", srs_common.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", srs_common.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_oidc_refresh_token")),
    )
    op.create_index(
        op.f("ix_oidc_refresh_token_family"), "oidc_refresh_token", ["family"], unique=False
    )
    op.create_index(
        op.f("ix_oidc_refresh_token_username"), "oidc_refresh_token", ["username"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_oidc_refresh_token_username"), table_name="oidc_refresh_token")
    op.drop_index(op.f("ix_oidc_refresh_token_family"), table_name="oidc_refresh_token")
    op.drop_table("oidc_refresh_token")
    op.drop_table("oidc_authorization_code")
    op.drop_table("account_profile")
