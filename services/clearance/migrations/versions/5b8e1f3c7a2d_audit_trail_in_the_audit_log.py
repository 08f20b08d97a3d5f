"""audit trail in the shared audit log

Revision ID: 5b8e1f3c7a2d
Revises: c4d1e8f27a90
Create Date: 2026-12-06 07:30:00.000000

"""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import srs_common.db
from srs_common.audit.migration import create_audit_tables, drop_audit_tables

# revision identifiers, used by Alembic.
revision: str = "5b8e1f3c7a2d"
down_revision: str | Sequence[str] | None = "c4d1e8f27a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = "output_audit_legacy"
_PREFIX = "output."


def upgrade() -> None:
    """Upgrade schema: the per-request chain makes way for the shared log's tables, its
    entries join the log in the order they were written (the sealer then chains them),
    and the old table goes."""
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_output_id"))
    op.rename_table("audit_entry", LEGACY)
    _rename_postgresql_names("audit_entry", LEGACY)
    create_audit_tables()
    _copy_legacy_into_the_audit_log()
    op.drop_table(LEGACY)


def downgrade() -> None:
    """Downgrade schema: the output requests' entries go back into a per-request chain
    (hashed as it was), and the audit log's tables go."""
    op.create_table(
        LEGACY,
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("output_id", sa.String(length=60), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=60), nullable=True),
        sa.Column("at", srs_common.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("entry_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{LEGACY}"),
    )
    _copy_audit_log_into_legacy()
    drop_audit_tables()
    op.rename_table(LEGACY, "audit_entry")
    _rename_postgresql_names(LEGACY, "audit_entry")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_output_id"), ["output_id"], unique=False)


def _rename_postgresql_names(old: str, new: str) -> None:
    """PostgreSQL keeps a renamed table's primary key and id sequence under the old
    table's names, which the audit log's own table needs."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
    op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")


def _legacy_table() -> sa.TableClause:
    return sa.table(
        LEGACY,
        sa.column("id", sa.Integer()),
        sa.column("output_id", sa.String()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("detail", sa.Text()),
        sa.column("file_id", sa.String()),
        sa.column("at", srs_common.db.UTCDateTime()),
        sa.column("prev_hash", sa.String()),
        sa.column("entry_hash", sa.String()),
    )


def _log_table() -> sa.TableClause:
    return sa.table(
        "audit_entry",
        sa.column("id", sa.Integer()),
        sa.column("occurred_at", srs_common.db.UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("outcome", sa.String()),
        sa.column("subject_type", sa.String()),
        sa.column("subject_id", sa.String()),
        sa.column("researcher_id", sa.String()),
        sa.column("project_id", sa.String()),
        sa.column("detail", sa.JSON()),
    )


def _copy_legacy_into_the_audit_log() -> None:
    old = _legacy_table()
    output = sa.table(
        "output_request",
        sa.column("id", sa.String()),
        sa.column("project_id", sa.String()),
        sa.column("requester_id", sa.String()),
    )
    rows = (
        op.get_bind()
        .execute(
            sa.select(old, output.c.project_id, output.c.requester_id)
            .outerjoin(output, output.c.id == old.c.output_id)
            .order_by(old.c.id)
        )
        .all()
    )
    if not rows:
        return
    op.bulk_insert(
        _log_table(),
        [
            {
                "occurred_at": row.at,
                "actor": row.actor,
                "action": _PREFIX + row.action,
                "outcome": row.action,
                "subject_type": "output",
                "subject_id": row.output_id,
                "researcher_id": row.requester_id,
                "project_id": row.project_id,
                "detail": {"text": row.detail, "file_id": row.file_id},
            }
            for row in rows
        ],
    )


def _copy_audit_log_into_legacy() -> None:
    log = _log_table()
    rows = (
        op.get_bind()
        .execute(sa.select(log).where(log.c.subject_type == "output").order_by(log.c.id))
        .all()
    )
    heads: dict[str, str | None] = {}
    entries: list[dict[str, Any]] = []
    for row in rows:
        detail = row.detail or {}
        entry = {
            "output_id": row.subject_id,
            "actor": row.actor,
            "action": row.action.removeprefix(_PREFIX),
            "detail": detail.get("text"),
            "file_id": detail.get("file_id"),
            "at": row.occurred_at,
            "prev_hash": heads.get(row.subject_id),
        }
        entry["entry_hash"] = _legacy_hash(entry)
        heads[row.subject_id] = entry["entry_hash"]
        entries.append(entry)
    if entries:
        op.bulk_insert(_legacy_table(), entries)


def _legacy_hash(entry: dict[str, Any]) -> str:
    """The per-request chain's hash, as the service computed it before the audit log."""
    body = json.dumps(
        [
            entry["prev_hash"],
            entry["output_id"],
            entry["actor"],
            entry["action"],
            entry["detail"],
            entry["file_id"],
            entry["at"].astimezone(dt.UTC).isoformat(),
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()
