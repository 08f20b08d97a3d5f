"""Notices about accreditation: decisions to the researcher, new applications to the panel."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import accreditation
from srs_notify.domain.contexts import Plan, accreditation_context, iso, one
from srs_notify.domain.recipients import PANEL, Known, PlannedNotice


def _plan_accreditation_granted(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_granted",
        p.researcher_id,
        p.accreditation_id,
        **accreditation_context(p),
        valid_from=iso(p.valid_from),
        conditions=p.conditions,
    )


def _plan_application_rejected(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_rejected",
        p.researcher_id,
        p.application_id,
        application_id=p.application_id,
        kind=p.kind,
        reason=p.reason,
    )


def _plan_accreditation_expiring(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_expiring",
        p.researcher_id,
        p.accreditation_id,
        **accreditation_context(p),
        days_before=p.days_before,
    )


def _plan_accreditation_expired(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_expired", p.researcher_id, p.accreditation_id, **accreditation_context(p)
    )


def _plan_accreditation_suspended(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_suspended",
        p.researcher_id,
        p.accreditation_id,
        **accreditation_context(p),
        reason=p.reason,
    )


def _plan_accreditation_revoked(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_revoked",
        p.researcher_id,
        p.accreditation_id,
        **accreditation_context(p),
        reason=p.reason,
    )


def _plan_accreditation_reinstated(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_reinstated", p.researcher_id, p.accreditation_id, **accreditation_context(p)
    )


def _plan_application_submitted(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "accreditation_application_to_decide",
        PANEL,
        p.application_id,
        application_id=p.application_id,
        kind=p.kind,
        resubmission=p.resubmission,
    )


PLANS: dict[str, Plan] = {
    accreditation.AccreditationGranted.type: _plan_accreditation_granted,
    accreditation.ApplicationRejected.type: _plan_application_rejected,
    accreditation.AccreditationExpiring.type: _plan_accreditation_expiring,
    accreditation.AccreditationExpired.type: _plan_accreditation_expired,
    accreditation.AccreditationSuspended.type: _plan_accreditation_suspended,
    accreditation.AccreditationRevoked.type: _plan_accreditation_revoked,
    accreditation.AccreditationReinstated.type: _plan_accreditation_reinstated,
    accreditation.ApplicationSubmitted.type: _plan_application_submitted,
}
