"""audit entries name their subject (the shared srs_common audit log)

Revision ID: 1a2b3c4d5e6f
Revises: 663ea4aba69c
Create Date: 2026-12-06 06:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1a2b3c4d5e6f"
down_revision: str | Sequence[str] | None = "663ea4aba69c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.String(length=100), nullable=True))
        batch_op.alter_column(
            "outcome", existing_type=sa.String(length=20), type_=sa.String(length=40)
        )
        batch_op.create_index("ix_audit_entry_subject", ["subject_type", "subject_id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_subject")
        batch_op.alter_column(
            "outcome", existing_type=sa.String(length=40), type_=sa.String(length=20)
        )
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_type")
