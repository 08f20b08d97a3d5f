"""audit log

Revision ID: e1ed37c2b299
Revises: ae4f2afa4707
Create Date: 2026-12-06 06:33:27.297682

"""

from collections.abc import Sequence

from srs_common.audit.migration import create_audit_tables, drop_audit_tables

# revision identifiers, used by Alembic.
revision: str = "e1ed37c2b299"
down_revision: str | Sequence[str] | None = "ae4f2afa4707"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    create_audit_tables()


def downgrade() -> None:
    """Downgrade schema."""
    drop_audit_tables()
