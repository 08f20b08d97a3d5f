"""Notices about access: accounts enabled, home working, and e-mail verification."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import access, accounts, projects
from srs_notify.domain.contexts import Plan, each, iso, one, project_context
from srs_notify.domain.recipients import SUPPORT, Known, PlannedNotice, data_owner_mailbox


def _plan_account_enabled(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "account_enabled",
        p.researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        role=p.role,
        data_access=p.role in projects.DATA_ROLES,
    )


def _plan_home_working_approved(p: Any, _k: Known) -> list[PlannedNotice]:
    return each(
        "home_working_approved",
        p.researcher_ids,
        p.request_id,
        request_id=p.request_id,
        project_count=len(p.project_ids),
    )


def _plan_home_working_refused(p: Any, _k: Known) -> list[PlannedNotice]:
    return each(
        "home_working_refused",
        p.researcher_ids,
        p.request_id,
        request_id=p.request_id,
        reason=p.reason,
    )


def _plan_home_working_requested(p: Any, k: Known) -> list[PlannedNotice]:
    context = {
        "request_id": p.request_id,
        "organisation_id": p.organisation_id,
        "researcher_count": len(p.researcher_ids),
        "project_count": len(p.project_ids),
        "dataset_ids": list(p.dataset_ids),
    }
    owners = dict.fromkeys(k.dataset_owners[d] for d in p.dataset_ids if d in k.dataset_owners)
    planned = [
        PlannedNotice(
            "home_working_request_to_decide",
            SUPPORT,
            p.request_id,
            {
                **context,
                "as_data_owner": False,
                "unknown_datasets": [d for d in p.dataset_ids if d not in k.dataset_owners],
            },
        )
    ]
    for owner in owners:
        # Each owner sees only its own datasets of the request.
        mine = [d for d in p.dataset_ids if k.dataset_owners.get(d) == owner]
        planned.append(
            PlannedNotice(
                "home_working_request_to_decide",
                data_owner_mailbox(owner),
                p.request_id,
                {**context, "as_data_owner": True, "dataset_ids": mine, "unknown_datasets": []},
            )
        )
    return planned


def _plan_email_verification(p: Any, _k: Known) -> list[PlannedNotice]:
    # To the address being confirmed (the read model takes it from the same event).
    return one(
        "email_verification",
        p.researcher_id,
        p.email,
        email=p.email,
        verify_url=p.verify_url,
        expires_at=iso(p.expires_at),
    )


PLANS: dict[str, Plan] = {
    access.AccountEnabled.type: _plan_account_enabled,
    access.HomeWorkingRequested.type: _plan_home_working_requested,
    access.HomeWorkingApproved.type: _plan_home_working_approved,
    access.HomeWorkingRefused.type: _plan_home_working_refused,
    accounts.EmailVerificationRequested.type: _plan_email_verification,
}
