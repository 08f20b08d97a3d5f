"""granted priority, member requests, every held accreditation, organisations, overdue

Revision ID: 7d3f2a9c41e5
Revises: 0ce30b60d9bd
Create Date: 2026-12-06 02:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "7d3f2a9c41e5"
down_revision: str | Sequence[str] | None = "0ce30b60d9bd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema. What applicants declared becomes their request; priority the panel
    has not yet decided on is no longer granted."""
    with op.batch_alter_table("project") as batch:
        batch.add_column(
            sa.Column("priority_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("suspension_reason", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column(
                "overdue_grace_ends_at", srs_common.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch.add_column(
            sa.Column(
                "overdue_reminded_at", srs_common.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.execute("UPDATE project SET priority_requested = priority")
    op.execute(
        "UPDATE project SET priority = false WHERE status IN "
        "('draft', 'submitted', 'under_review', 'information_requested', 'resubmitted')"
    )
    op.execute("UPDATE project SET suspension_reason = 'staff' WHERE status = 'suspended'")

    op.create_table(
        "member_request",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("supervisor_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", srs_common.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_member_request_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_request")),
    )
    op.create_index(
        op.f("ix_member_request_project_id"), "member_request", ["project_id"], unique=False
    )
    op.create_index(op.f("ix_member_request_status"), "member_request", ["status"], unique=False)

    op.create_table(
        "held_accreditation",
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("accreditation_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("as_of", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "researcher_id", "accreditation_id", name=op.f("pk_held_accreditation")
        ),
    )
    op.execute(
        "INSERT INTO held_accreditation (researcher_id, accreditation_id, kind, status, "
        "valid_until, as_of) SELECT researcher_id, accreditation_id, kind, status, "
        "valid_until, as_of FROM researcher_accreditation"
    )
    op.drop_table("researcher_accreditation")

    op.create_table(
        "researcher_organisation",
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("from_researcher_record", sa.Boolean(), nullable=False),
        sa.Column("as_of", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("researcher_id", name=op.f("pk_researcher_organisation")),
    )


def downgrade() -> None:
    """Downgrade schema (keeps, per researcher, the accreditation seen last)."""
    op.drop_table("researcher_organisation")
    op.create_table(
        "researcher_accreditation",
        sa.Column("researcher_id", sa.String(length=100), nullable=False),
        sa.Column("accreditation_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("as_of", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("researcher_id", name=op.f("pk_researcher_accreditation")),
    )
    op.execute(
        "INSERT INTO researcher_accreditation SELECT h.researcher_id, h.accreditation_id, "
        "h.kind, h.status, h.valid_until, h.as_of FROM held_accreditation h "
        "WHERE h.as_of = (SELECT max(o.as_of) FROM held_accreditation o "
        "WHERE o.researcher_id = h.researcher_id)"
    )
    op.drop_table("held_accreditation")
    op.drop_index(op.f("ix_member_request_status"), table_name="member_request")
    op.drop_index(op.f("ix_member_request_project_id"), table_name="member_request")
    op.drop_table("member_request")
    with op.batch_alter_table("project") as batch:
        batch.drop_column("overdue_reminded_at")
        batch.drop_column("overdue_grace_ends_at")
        batch.drop_column("suspension_reason")
        batch.drop_column("priority_requested")
