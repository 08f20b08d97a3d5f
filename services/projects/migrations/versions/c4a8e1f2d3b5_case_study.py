"""case study

A completed project nominated by staff as a case study, with the lead's answer.

Revision ID: c4a8e1f2d3b5
Revises: 18374fa55d14
Create Date: 2026-12-06 07:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from srs_common.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "c4a8e1f2d3b5"
down_revision: str | Sequence[str] | None = "18374fa55d14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("case_study", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("case_study_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("case_study_nominated_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("case_study_nominated_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("case_study_answered_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("project") as batch:
        for column in (
            "case_study_answered_at",
            "case_study_nominated_at",
            "case_study_nominated_by",
            "case_study_reason",
            "case_study",
        ):
            batch.drop_column(column)
