"""applications, members, decisions, extensions, accreditation read model, reminders

Revision ID: 085569e4f048
Revises: 424fb2a14efc
Create Date: 2026-11-25 15:46:18.115233

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db

# revision identifiers, used by Alembic.
revision: str = "085569e4f048"
down_revision: str | Sequence[str] | None = "424fb2a14efc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema (server defaults let rows drafted under the first schema migrate)."""
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
    op.create_table(
        "completion_reminder",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("expected_end_date", sa.Date(), nullable=False),
        sa.Column("sent_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_completion_reminder_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_reminder")),
        sa.UniqueConstraint(
            "project_id",
            "expected_end_date",
            name=op.f("uq_completion_reminder_project_id_expected_end_date"),
        ),
    )
    op.create_table(
        "extension_request",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("requested_end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", srs_common.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_extension_request_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_request")),
    )
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_extension_request_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_decision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_decision_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_decision")),
    )
    with op.batch_alter_table("project_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_decision_project_id"), ["project_id"], unique=False
        )

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_benefit", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("expected_start_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("ethics_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "data_source_acknowledged", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(sa.Column("linkage", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("final_publications", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("completed_at", srs_common.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("project_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("supervisor_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("inactive_reason", sa.String(length=40), nullable=True))

    # ### end Alembic commands ###


def downgrade() -> None:
    """Downgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("project_member", schema=None) as batch_op:
        batch_op.drop_column("inactive_reason")
        batch_op.drop_column("supervisor_id")
        batch_op.drop_column("name")

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
        batch_op.drop_column("final_publications")
        batch_op.drop_column("linkage")
        batch_op.drop_column("data_source_acknowledged")
        batch_op.drop_column("ethics_confirmed")
        batch_op.drop_column("expected_start_date")
        batch_op.drop_column("public_benefit")

    with op.batch_alter_table("project_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_decision_project_id"))

    op.drop_table("project_decision")
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_request_project_id"))

    op.drop_table("extension_request")
    op.drop_table("completion_reminder")
    op.drop_table("researcher_accreditation")
    # ### end Alembic commands ###
