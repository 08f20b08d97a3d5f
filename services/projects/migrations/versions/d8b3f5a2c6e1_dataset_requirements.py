"""dataset requirements

The catalogue read model keeps each dataset's requirements; each requirement of a
requested dataset is a task on the application (the LS supplementary form).

Revision ID: d8b3f5a2c6e1
Revises: 2e5233c64a15
Create Date: 2026-12-06 17:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from srs_common.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "d8b3f5a2c6e1"
down_revision: str | Sequence[str] | None = "2e5233c64a15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("catalogued_dataset") as batch:
        batch.add_column(
            sa.Column("requirements", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "dataset_requirement",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("dataset_id", sa.String(length=100), nullable=False),
        sa.Column("dataset_title", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("accepted_by", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_dataset_requirement_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_requirement")),
        sa.UniqueConstraint(
            "project_id",
            "dataset_id",
            "key",
            name=op.f("uq_dataset_requirement_project_id_dataset_id_key"),
        ),
    )
    with op.batch_alter_table("dataset_requirement") as batch:
        batch.create_index(
            batch.f("ix_dataset_requirement_project_id"), ["project_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_dataset_requirement_accepted_by"), ["accepted_by"], unique=False
        )
        batch.create_index(batch.f("ix_dataset_requirement_status"), ["status"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("dataset_requirement") as batch:
        batch.drop_index(batch.f("ix_dataset_requirement_status"))
        batch.drop_index(batch.f("ix_dataset_requirement_accepted_by"))
        batch.drop_index(batch.f("ix_dataset_requirement_project_id"))
    op.drop_table("dataset_requirement")
    with op.batch_alter_table("catalogued_dataset") as batch:
        batch.drop_column("requirements")
