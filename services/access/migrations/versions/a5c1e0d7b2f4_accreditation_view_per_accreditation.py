"""accreditation view: one row per accreditation

A researcher may hold two accreditations at once (an old provisional and a new full):
the read model keeps each under its own id, found by researcher through an index.

Revision ID: a5c1e0d7b2f4
Revises: e7a1c4d2b9f0
Create Date: 2026-12-06 02:40:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a5c1e0d7b2f4"
down_revision: str | Sequence[str] | None = "e7a1c4d2b9f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: every existing row already names its accreditation."""
    with op.batch_alter_table("accreditation_view", schema=None) as batch_op:
        batch_op.drop_constraint("pk_accreditation_view", type_="primary")
        batch_op.create_primary_key("pk_accreditation_view", ["accreditation_id"])
        batch_op.create_index(
            batch_op.f("ix_accreditation_view_researcher_id"), ["researcher_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema: keep each researcher's latest row only."""
    op.execute(
        "DELETE FROM accreditation_view WHERE EXISTS (SELECT 1 FROM accreditation_view "
        "AS later WHERE later.researcher_id = accreditation_view.researcher_id AND "
        "(later.changed_at > accreditation_view.changed_at OR "
        "(later.changed_at = accreditation_view.changed_at AND "
        "later.accreditation_id > accreditation_view.accreditation_id)))"
    )
    with op.batch_alter_table("accreditation_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditation_view_researcher_id"))
        batch_op.drop_constraint("pk_accreditation_view", type_="primary")
        batch_op.create_primary_key("pk_accreditation_view", ["researcher_id"])
