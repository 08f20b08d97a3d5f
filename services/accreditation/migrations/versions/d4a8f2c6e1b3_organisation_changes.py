"""organisation changes

A researcher's organisation comes from their verified identity; support alone moves
them, and each move is recorded here.

Revision ID: d4a8f2c6e1b3
Revises: bc732d979e8e
Create Date: 2026-12-06 02:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "d4a8f2c6e1b3"
down_revision: str | Sequence[str] | None = "bc732d979e8e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "organisation_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("from_organisation_id", sa.String(length=100), nullable=False),
        sa.Column("to_organisation_id", sa.String(length=100), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["researcher_id"],
            ["researcher.id"],
            name=op.f("fk_organisation_change_researcher_id_researcher"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_change")),
    )
    with op.batch_alter_table("organisation_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_change_researcher_id"), ["researcher_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("organisation_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_change_researcher_id"))
    op.drop_table("organisation_change")
