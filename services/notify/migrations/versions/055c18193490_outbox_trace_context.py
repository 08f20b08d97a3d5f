"""outbox trace context

The W3C trace context of the write that added an outbox row, sent by the relay as the
CloudEvents distributed-tracing extension (srs_common.tracing); null while tracing is off.

Revision ID: 055c18193490
Revises: c4d17e5a9b20
Create Date: 2026-12-06 03:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "055c18193490"
down_revision: str | Sequence[str] | None = "c4d17e5a9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox_event") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("tracestate", sa.String(length=512), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("outbox_event") as batch:
        batch.drop_column("tracestate")
        batch.drop_column("traceparent")
