"""The hash-chained, anchored audit log: one implementation (:mod:`.chain`) and its routes
(:mod:`.api`), used by every service that records decisions."""

from srs_common.audit.chain import ANCHOR_SUBJECT, GENESIS_HASH, AuditLog, ChainReport

__all__ = ["ANCHOR_SUBJECT", "GENESIS_HASH", "AuditLog", "ChainReport"]
