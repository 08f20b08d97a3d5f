"""ingestion workflow

Ingestion requests carry uploaded files (ingestion_file), the automatic check's findings
and where the approved files were transferred; the old pending/rejected statuses become
checked/refused.

Revision ID: b4e1f7a2c9d3
Revises: 6efd7f787e41
Create Date: 2026-12-06 17:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "b4e1f7a2c9d3"
down_revision: str | Sequence[str] | None = "6efd7f787e41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("ingestion_request") as batch:
        batch.alter_column("source", existing_type=sa.String(500), nullable=True)
        batch.add_column(sa.Column("check_passed", sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column("findings", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("checked_at", srs_common.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("transferred_to", sa.String(300), nullable=True))
        batch.add_column(
            sa.Column("transferred_at", srs_common.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("withdrawn_at", srs_common.db.UTCDateTime(timezone=True), nullable=True)
        )
    # Requests recorded before the check existed were judged on their words alone.
    op.execute("UPDATE ingestion_request SET status = 'checked' WHERE status = 'pending'")
    op.execute("UPDATE ingestion_request SET status = 'refused' WHERE status = 'rejected'")
    op.create_table(
        "ingestion_file",
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["ingestion_request.id"],
            name=op.f("fk_ingestion_file_request_id_ingestion_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "name", name=op.f("pk_ingestion_file")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("ingestion_file")
    op.execute("UPDATE ingestion_request SET status = 'pending' WHERE status = 'checked'")
    op.execute("UPDATE ingestion_request SET status = 'rejected' WHERE status = 'refused'")
    op.execute("UPDATE ingestion_request SET source = '' WHERE source IS NULL")
    with op.batch_alter_table("ingestion_request") as batch:
        for column in (
            "withdrawn_at",
            "transferred_at",
            "transferred_to",
            "checked_at",
            "findings",
            "check_passed",
        ):
            batch.drop_column(column)
        batch.alter_column("source", existing_type=sa.String(500), nullable=False)
