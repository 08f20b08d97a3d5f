"""Project rules and the review state machine (no I/O)."""

from __future__ import annotations

from enum import StrEnum

from srs_common.errors import IllegalTransition


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    ACTIVE = "active"
    REJECTED = "rejected"


TRANSITIONS: dict[str, dict[ProjectStatus, ProjectStatus]] = {
    "submit": {ProjectStatus.DRAFT: ProjectStatus.SUBMITTED},
    "approve": {ProjectStatus.SUBMITTED: ProjectStatus.APPROVED},
    "reject": {ProjectStatus.SUBMITTED: ProjectStatus.REJECTED},
    "activate": {ProjectStatus.APPROVED: ProjectStatus.ACTIVE},
}


def transition(current: str, action: str) -> ProjectStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = TRANSITIONS[action].get(ProjectStatus(current))
    if target is None:
        raise IllegalTransition("project", current, action)
    return target
