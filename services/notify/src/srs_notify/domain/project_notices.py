"""Notices about projects: to the lead, to every member in their role, and to the panel or
support for what awaits their decision."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import case_studies, projects
from srs_notify.domain.contexts import Plan, each, iso, lead_first, one, project_context
from srs_notify.domain.recipients import PANEL, SUPPORT, Known, PlannedNotice


def _plan_project_approved(p: Any, _k: Known) -> list[PlannedNotice]:
    # Each member learns their own role only, never who else is on the project.
    return [
        PlannedNotice(
            "project_approved",
            m.researcher_id,
            p.project_id,
            {
                **project_context(p.project_id, p.title),
                "role": m.role,
                "data_access": m.role in projects.DATA_ROLES,
                "expected_end_date": iso(p.expected_end_date),
                "conditions": p.conditions,
            },
        )
        for m in {m.researcher_id: m for m in p.members}.values()
    ]


def _plan_project_rejected(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "project_rejected",
        p.lead_researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        reason=p.reason,
    )


def _plan_project_information_requested(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "project_information_requested",
        p.lead_researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
    )


def _plan_project_completion_due(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "project_completion_due",
        p.lead_researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        expected_end_date=iso(p.expected_end_date),
        days_before=p.days_before,
    )


def _plan_project_completed(p: Any, k: Known) -> list[PlannedNotice]:
    return each(
        "project_completed",
        [p.lead_researcher_id, *p.member_ids],
        p.project_id,
        **project_context(p.project_id, k.project_title),
    )


def _plan_project_suspended(p: Any, k: Known) -> list[PlannedNotice]:
    # A suspension stops data access, bookings and outputs: it concerns every member.
    return [
        PlannedNotice(
            "project_suspended",
            r,
            p.project_id,
            {
                **project_context(p.project_id, k.project_title),
                "role": role,
                "data_access": role in projects.DATA_ROLES,
                "reason": p.reason,
            },
        )
        for r, role in lead_first(k).items()
    ]


def _plan_project_resumed(p: Any, k: Known) -> list[PlannedNotice]:
    return [
        PlannedNotice(
            "project_resumed",
            r,
            p.project_id,
            {
                **project_context(p.project_id, k.project_title),
                "role": role,
                "data_access": role in projects.DATA_ROLES,
            },
        )
        for r, role in lead_first(k).items()
    ]


def _plan_project_overdue(p: Any, k: Known) -> list[PlannedNotice]:
    # The lead must complete or extend; members who use data lose it at the grace end.
    # An outputs-only reviewer has no data account to lose: not told.
    return [
        PlannedNotice(
            "project_overdue",
            r,
            p.project_id,
            {
                **project_context(p.project_id, k.project_title),
                "role": role,
                "is_lead": role == "lead",
                "expected_end_date": iso(p.expected_end_date),
                "grace_ends_at": iso(p.grace_ends_at),
            },
        )
        for r, role in lead_first(k, p.lead_researcher_id).items()
        if role in projects.DATA_ROLES
    ]


def _plan_project_submitted(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "project_application_to_decide",
        PANEL,
        p.project_id,
        **project_context(p.project_id, p.title),
        resubmission=p.resubmission,
        priority_asked=p.priority,
    )


def _plan_member_requested(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "member_request_to_decide",
        k.member_requests_to,
        p.request_id,
        request_id=p.request_id,
        role=p.role,
        data_access=p.role in projects.DATA_ROLES,
        **project_context(p.project_id, k.project_title),
    )


def _plan_case_study_answered(p: Any, k: Known) -> list[PlannedNotice]:
    # Support nominated it: their mailbox learns the lead's answer.
    return one(
        "case_study_answered",
        SUPPORT,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        consent=p.consent,
    )


def lead_of(payload: projects.ProjectApproved) -> str | None:
    return next((m.researcher_id for m in payload.members if m.role == "lead"), None)


def _plan_case_study_nominated(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "project_case_study_nominated",
        p.lead_researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        reason=p.reason,
    )


PLANS: dict[str, Plan] = {
    case_studies.ProjectCaseStudyNominated.type: _plan_case_study_nominated,
    case_studies.ProjectCaseStudyAnswered.type: _plan_case_study_answered,
    projects.ProjectSubmitted.type: _plan_project_submitted,
    projects.ProjectMemberRequested.type: _plan_member_requested,
    projects.ProjectSuspended.type: _plan_project_suspended,
    projects.ProjectResumed.type: _plan_project_resumed,
    projects.ProjectOverdue.type: _plan_project_overdue,
    projects.ProjectApproved.type: _plan_project_approved,
    projects.ProjectRejected.type: _plan_project_rejected,
    projects.ProjectInformationRequested.type: _plan_project_information_requested,
    projects.ProjectCompletionDue.type: _plan_project_completion_due,
    projects.ProjectCompleted.type: _plan_project_completed,
}
