"""Ingestion's states and actions and the one transition table (pure, no I/O)."""

from __future__ import annotations

import re
from enum import StrEnum

from srs_common.errors import IllegalTransition, RuleViolation


class IngestionStatus(StrEnum):
    """submitted -> checked -> approved | refused; approved -> transferred; withdrawn by the
    researcher before a decision."""

    submitted = "submitted"
    checked = "checked"
    approved = "approved"
    refused = "refused"
    transferred = "transferred"
    withdrawn = "withdrawn"


class IngestionAction(StrEnum):
    """What may be done to an ingestion request: the automatic check, the SRS team's
    decision and transfer, the researcher's withdrawal."""

    CHECK = "check"
    APPROVE = "approve"
    REFUSE = "refuse"
    TRANSFER = "transfer"
    WITHDRAW = "withdraw"


class IngestionKind(StrEnum):
    data = "data"
    code = "code"


_NEXT: dict[tuple[IngestionStatus, IngestionAction], IngestionStatus] = {
    (IngestionStatus.submitted, IngestionAction.CHECK): IngestionStatus.checked,
    (IngestionStatus.checked, IngestionAction.APPROVE): IngestionStatus.approved,
    (IngestionStatus.checked, IngestionAction.REFUSE): IngestionStatus.refused,
    (IngestionStatus.approved, IngestionAction.TRANSFER): IngestionStatus.transferred,
    (IngestionStatus.submitted, IngestionAction.WITHDRAW): IngestionStatus.withdrawn,
    (IngestionStatus.checked, IngestionAction.WITHDRAW): IngestionStatus.withdrawn,
}


def next_status(current: str, action: IngestionAction) -> IngestionStatus:
    """The status ``action`` leads to from ``current``; 409 when it may not be taken."""
    try:
        return _NEXT[(IngestionStatus(current), action)]
    except (KeyError, ValueError):
        raise IllegalTransition("ingestion request", current, action) from None


def require_check_passed(check_passed: bool | None) -> None:
    """A request whose files the check refused cannot be approved: only refused."""
    if not check_passed:
        raise RuleViolation(
            "the automatic check refused a file (a package from a public repository): "
            "the request can only be refused",
            rule="check_failed",
        )


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def sanitise_filename(raw: str | None) -> str:
    """A safe base name for an uploaded file: no directories, no control or shell
    characters, no leading dots, at most 120 characters; 422 when nothing is left."""
    base = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", base).strip(" ._")[:120]
    if not name:
        raise RuleViolation(f"the file name {raw!r} cannot be used", rule="file_name")
    return name
