"""known accreditation: one row per accreditation

A researcher may hold two accreditations at once (an old provisional and a new full):
the read model keeps each under its own id, found by researcher through an index.

Revision ID: c3e9b7a2d4f1
Revises: 02904e097f45
Create Date: 2026-12-06 02:40:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c3e9b7a2d4f1"
down_revision: str | Sequence[str] | None = "02904e097f45"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: every existing row already names its accreditation."""
    with op.batch_alter_table("known_accreditation", schema=None) as batch_op:
        batch_op.drop_constraint("pk_known_accreditation", type_="primary")
        batch_op.create_primary_key("pk_known_accreditation", ["accreditation_id"])
        batch_op.create_index(
            batch_op.f("ix_known_accreditation_researcher_id"), ["researcher_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema: keep each researcher's latest row only."""
    op.execute(
        "DELETE FROM known_accreditation WHERE EXISTS (SELECT 1 FROM known_accreditation "
        "AS later WHERE later.researcher_id = known_accreditation.researcher_id AND "
        "(later.changed_at > known_accreditation.changed_at OR "
        "(later.changed_at = known_accreditation.changed_at AND "
        "later.accreditation_id > known_accreditation.accreditation_id)))"
    )
    with op.batch_alter_table("known_accreditation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_accreditation_researcher_id"))
        batch_op.drop_constraint("pk_known_accreditation", type_="primary")
        batch_op.create_primary_key("pk_known_accreditation", ["researcher_id"])
