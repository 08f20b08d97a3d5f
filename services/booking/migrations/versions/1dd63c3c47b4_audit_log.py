"""audit log

Revision ID: 1dd63c3c47b4
Revises: 3359b0de3870
Create Date: 2026-12-06 06:17:32.483820

"""

from collections.abc import Sequence

from srs_common.audit.migration import create_audit_tables, drop_audit_tables

# revision identifiers, used by Alembic.
revision: str = "1dd63c3c47b4"
down_revision: str | Sequence[str] | None = "3359b0de3870"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    create_audit_tables()


def downgrade() -> None:
    """Downgrade schema."""
    drop_audit_tables()
