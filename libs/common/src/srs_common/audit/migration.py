"""The audit log's two tables for a service's Alembic revision: every service that adopts
:class:`srs_common.audit.AuditLog` creates them with ``create_audit_tables()`` and drops
them with ``drop_audit_tables()``. This is the tables' first shape; a later change to them
gets its own revision in each service, never an edit here."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from srs_common.db import UTCDateTime


def create_audit_tables() -> None:
    """Create ``audit_anchor`` and ``audit_entry`` with their indexes."""
    op.create_table(
        "audit_anchor",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("anchored_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_anchor")),
    )
    op.create_table(
        "audit_entry",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.String(length=100), nullable=True),
        sa.Column("researcher_id", sa.String(length=100), nullable=True),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_entry_seq")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entry_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_researcher_id"), ["researcher_id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_entry_subject", ["subject_type", "subject_id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_entry_unsealed",
            ["id"],
            unique=False,
            postgresql_where=sa.text("seq IS NULL"),
            sqlite_where=sa.text("seq IS NULL"),
        )


def drop_audit_tables() -> None:
    """Drop what :func:`create_audit_tables` created."""
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_audit_entry_unsealed",
            postgresql_where=sa.text("seq IS NULL"),
            sqlite_where=sa.text("seq IS NULL"),
        )
        batch_op.drop_index("ix_audit_entry_subject")
        batch_op.drop_index(batch_op.f("ix_audit_entry_researcher_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_project_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_occurred_at"))

    op.drop_table("audit_entry")
    op.drop_table("audit_anchor")
