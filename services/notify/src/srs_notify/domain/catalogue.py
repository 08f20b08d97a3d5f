"""The notice catalogue: every kind of e-mail, and who may turn it off."""

from __future__ import annotations

from dataclasses import dataclass

from srs_common.contracts import (
    access,
    accounts,
    accreditation,
    booking,
    case_studies,
    clearance,
    helpdesk,
    ingestion,
    linkage,
    projects,
    requirements,
)

BOOKING_REMINDER = "booking_reminder"


@dataclass(frozen=True)
class NoticeKind:
    """One kind of e-mail. ``optional`` notices (reminders) can be turned off; decisions
    and answers cannot."""

    key: str
    event_type: str | None  # None: made by a job, not by one event
    description: str
    optional: bool = False
    # Sent to a staff or data-owner mailbox, not to researchers: not among a researcher's
    # preferences.
    to_staff: bool = False


NOTICES: dict[str, NoticeKind] = {
    n.key: n
    for n in (
        NoticeKind(
            "accreditation_granted",
            accreditation.AccreditationGranted.type,
            "Your accreditation was granted",
        ),
        NoticeKind(
            "accreditation_rejected",
            accreditation.ApplicationRejected.type,
            "Your accreditation application was rejected",
        ),
        NoticeKind(
            "accreditation_expiring",
            accreditation.AccreditationExpiring.type,
            "Reminder: your accreditation expires in 90 and in 30 days",
            optional=True,
        ),
        NoticeKind(
            "accreditation_expired",
            accreditation.AccreditationExpired.type,
            "Your accreditation has expired",
        ),
        NoticeKind(
            "accreditation_suspended",
            accreditation.AccreditationSuspended.type,
            "Your accreditation was suspended",
        ),
        NoticeKind(
            "accreditation_revoked",
            accreditation.AccreditationRevoked.type,
            "Your accreditation was revoked, with the reason",
        ),
        NoticeKind(
            "accreditation_reinstated",
            accreditation.AccreditationReinstated.type,
            "Your suspended accreditation is current again",
        ),
        NoticeKind(
            "project_approved",
            projects.ProjectApproved.type,
            "A project you are a member of was approved",
        ),
        NoticeKind(
            "project_rejected", projects.ProjectRejected.type, "A project you lead was rejected"
        ),
        NoticeKind(
            "project_information_requested",
            projects.ProjectInformationRequested.type,
            "The panel asks for more information on a project you lead",
        ),
        NoticeKind(
            "project_completion_due",
            projects.ProjectCompletionDue.type,
            "Reminder: a project you lead reaches its expected completion date",
            optional=True,
        ),
        NoticeKind(
            "project_completed",
            projects.ProjectCompleted.type,
            "A project you are a member of is complete",
        ),
        NoticeKind(
            "project_case_study_nominated",
            case_studies.ProjectCaseStudyNominated.type,
            "Staff ask to make a completed project you lead a case study: your consent",
        ),
        NoticeKind(
            "linkage_task_completed",
            linkage.LinkageTaskCompleted.type,
            "The IDBR matching for a project you lead is done: its result is in the project space",
        ),
        NoticeKind(
            "linkage_task_failed",
            linkage.LinkageTaskFailed.type,
            "The IDBR matching for a project you lead could not be done, with the reason",
        ),
        NoticeKind(
            "linked_dataset_decided",
            linkage.LinkedDatasetDecided.type,
            "Your request for a new linked dataset was agreed or declined, with the reasons",
        ),
        NoticeKind(
            "project_suspended",
            projects.ProjectSuspended.type,
            "A project you are a member of was suspended, with the reason",
        ),
        NoticeKind(
            "project_overdue",
            projects.ProjectOverdue.type,
            "A project you work on is past its expected completion date",
        ),
        NoticeKind(
            "project_resumed",
            projects.ProjectResumed.type,
            "A suspended project you are a member of is active again",
        ),
        NoticeKind(
            "account_enabled",
            access.AccountEnabled.type,
            "Your account on a project is enabled, and how to reach the service",
        ),
        NoticeKind("booking_confirmed", booking.BookingConfirmed.type, "Your booking is confirmed"),
        NoticeKind(
            "booking_cancelled",
            booking.BookingCancelled.type,
            "Your booking was cancelled, with the reason",
        ),
        NoticeKind(BOOKING_REMINDER, None, "Reminder the day before a booking", optional=True),
        NoticeKind(
            "output_checked",
            clearance.OutputChecked.type,
            "Automatic checks ran on your output request",
        ),
        NoticeKind(
            "output_clarification_requested",
            clearance.OutputClarificationRequested.type,
            "A checker asks you about your output request",
        ),
        NoticeKind(
            "output_approved", clearance.OutputApproved.type, "Your output request was approved"
        ),
        NoticeKind(
            "output_rejected", clearance.OutputRejected.type, "Your output request was rejected"
        ),
        NoticeKind(
            "output_destruction_required",
            clearance.OutputDestructionRequired.type,
            "A cleared pre-publication output must be destroyed",
        ),
        NoticeKind(
            "output_overdue",
            clearance.OutputOverdue.type,
            "Your output request passed its service level",
        ),
        NoticeKind(
            "home_working_approved",
            access.HomeWorkingApproved.type,
            "Home working was approved for you",
        ),
        NoticeKind(
            "home_working_refused",
            access.HomeWorkingRefused.type,
            "Your home-working request was refused",
        ),
        NoticeKind(
            "ingestion_refused",
            ingestion.IngestionRefused.type,
            "Your request to bring data or code in was refused, with the reason",
        ),
        NoticeKind(
            "ingestion_transferred",
            ingestion.IngestionTransferred.type,
            "Your data or code was transferred into the project space",
        ),
        # Staff and data owners: what awaits their decision (sent to mailboxes, never opted out).
        NoticeKind(
            "accreditation_application_to_decide",
            accreditation.ApplicationSubmitted.type,
            "Panel: a new accreditation application awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "project_application_to_decide",
            projects.ProjectSubmitted.type,
            "Panel: a new project application awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "dataset_requirement_to_decide",
            requirements.DatasetRequirementSubmitted.type,
            "Data owner: a dataset's supplementary form awaits your team's decision",
            to_staff=True,
        ),
        NoticeKind(
            "dataset_requirement_accepted",
            requirements.DatasetRequirementAccepted.type,
            "A dataset's supplementary form you completed was accepted",
        ),
        NoticeKind(
            "dataset_requirement_returned",
            requirements.DatasetRequirementReturned.type,
            "A dataset's supplementary form you completed was returned, with the reason",
        ),
        NoticeKind(
            "case_study_answered",
            case_studies.ProjectCaseStudyAnswered.type,
            "Support: the lead of a project nominated as a case study consented or declined",
            to_staff=True,
        ),
        NoticeKind(
            "member_request_to_decide",
            projects.ProjectMemberRequested.type,
            "Support (or panel): a request to add a project member awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "output_request_to_check",
            clearance.OutputSubmitted.type,
            "Checkers: a new output request awaits checking",
            to_staff=True,
        ),
        NoticeKind(
            "home_working_request_to_decide",
            access.HomeWorkingRequested.type,
            "Support and data owners: a home-working request awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "helpdesk_staff_replied",
            helpdesk.HelpdeskStaffReplied.type,
            "The Research Support Helpdesk replied to your request",
        ),
        NoticeKind(
            "helpdesk_request_resolved",
            helpdesk.HelpdeskRequestResolved.type,
            "The Research Support Helpdesk resolved your request",
        ),
        NoticeKind(
            "helpdesk_request_to_answer",
            helpdesk.HelpdeskRequestOpened.type,
            "Support (or the Statistical Support Team): a new helpdesk request awaits an answer",
            to_staff=True,
        ),
        NoticeKind(
            "helpdesk_researcher_replied",
            helpdesk.HelpdeskResearcherReplied.type,
            "Support (or the Statistical Support Team): a researcher replied to a helpdesk request",
            to_staff=True,
        ),
        NoticeKind(
            "email_verification",
            accounts.EmailVerificationRequested.type,
            "The link that confirms your e-mail address, after you create an account",
        ),
    )
}
OPTIONAL_NOTICES = tuple(k for k, n in NOTICES.items() if n.optional)
RESEARCHER_NOTICES = {k: n for k, n in NOTICES.items() if not n.to_staff}
NOTICE_BY_EVENT_TYPE = {n.event_type: n for n in NOTICES.values() if n.event_type}
