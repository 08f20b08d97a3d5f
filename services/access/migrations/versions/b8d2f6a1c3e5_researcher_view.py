"""researcher view: each researcher's organisation, from their record

Access decisions take the organisation from here, not from the request. Researchers
already known through an accreditation start with that accreditation's organisation;
their next registered/updated event replaces it.

Revision ID: b8d2f6a1c3e5
Revises: a5c1e0d7b2f4
Create Date: 2026-12-06 02:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "b8d2f6a1c3e5"
down_revision: str | Sequence[str] | None = "a5c1e0d7b2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "researcher_view",
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("changed_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("researcher_id", name=op.f("pk_researcher_view")),
    )
    op.execute(
        "INSERT INTO researcher_view (researcher_id, organisation_id, changed_at) "
        "SELECT a.researcher_id, a.organisation_id, a.changed_at "
        "FROM accreditation_view AS a WHERE NOT EXISTS (SELECT 1 FROM "
        "accreditation_view AS later WHERE later.researcher_id = a.researcher_id AND "
        "(later.changed_at > a.changed_at OR (later.changed_at = a.changed_at AND "
        "later.accreditation_id > a.accreditation_id)))"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("researcher_view")
