"""member view: one index on (researcher, project)

The index on researcher_id alone becomes one on (researcher_id, project_id): a
researcher's memberships are still found by its first column, and PostgreSQL's generic
plan for a (project, researcher) lookup no longer reads every membership of a busy
researcher through it.

Revision ID: 9d4f2b7e1c6a
Revises: c7d1e5a3f9b2
Create Date: 2026-12-07 22:55:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d4f2b7e1c6a"
down_revision: str | Sequence[str] | None = "c7d1e5a3f9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        "ix_project_member_view_researcher_project",
        "project_member_view",
        ["researcher_id", "project_id"],
    )
    op.drop_index("ix_project_member_view_researcher_id", table_name="project_member_view")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index(
        "ix_project_member_view_researcher_id", "project_member_view", ["researcher_id"]
    )
    op.drop_index("ix_project_member_view_researcher_project", table_name="project_member_view")
