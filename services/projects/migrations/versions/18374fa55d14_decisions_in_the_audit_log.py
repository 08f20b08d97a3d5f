"""decisions in the audit log

Revision ID: 18374fa55d14
Revises: b7e4c2d9a1f0
Create Date: 2026-12-06 06:37:27.872529

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import srs_common.db
from srs_common.audit.migration import create_audit_tables, drop_audit_tables

# revision identifiers, used by Alembic.
revision: str = "18374fa55d14"
down_revision: str | Sequence[str] | None = "b7e4c2d9a1f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    create_audit_tables()

    _copy_decisions_into_the_audit_log()
    with op.batch_alter_table("project_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_decision_project_id"))

    op.drop_table("project_decision")


def downgrade() -> None:
    """Downgrade schema. The decisions stay only in the audit log's history: the old
    table comes back empty, and the audit tables go."""
    op.create_table(
        "project_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.VARCHAR(length=40), nullable=False),
        sa.Column("action", sa.VARCHAR(length=40), nullable=False),
        sa.Column("decided_by", sa.VARCHAR(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", srs_common.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_decision_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_decision")),
    )
    with op.batch_alter_table("project_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_decision_project_id"), ["project_id"], unique=False
        )

    drop_audit_tables()


def _copy_decisions_into_the_audit_log() -> None:
    """Every decision recorded so far joins the audit log in the order it was taken (the
    sealer then chains them)."""
    old = sa.table(
        "project_decision",
        sa.column("id", sa.Integer()),
        sa.column("project_id", sa.String()),
        sa.column("action", sa.String()),
        sa.column("decided_by", sa.String()),
        sa.column("reason", sa.Text()),
        sa.column("decided_at", srs_common.db.UTCDateTime()),
    )
    decisions = op.get_bind().execute(sa.select(old).order_by(old.c.id)).all()
    if not decisions:
        return
    entries = sa.table(
        "audit_entry",
        sa.column("occurred_at", srs_common.db.UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("outcome", sa.String()),
        sa.column("subject_type", sa.String()),
        sa.column("subject_id", sa.String()),
        sa.column("project_id", sa.String()),
        sa.column("detail", sa.JSON()),
    )
    op.bulk_insert(
        entries,
        [
            {
                "occurred_at": row.decided_at,
                "actor": row.decided_by,
                "action": f"project.{row.action}",
                "outcome": row.action,
                "subject_type": "project",
                "subject_id": row.project_id,
                "project_id": row.project_id,
                "detail": {"reason": row.reason},
            }
            for row in decisions
        ],
    )
