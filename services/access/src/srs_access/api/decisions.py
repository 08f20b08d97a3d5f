"""Access decisions: the hot path, called by the session gateway at every session start."""

from __future__ import annotations

from fastapi import APIRouter, Request

from srs_access.decisions import DecisionRecorder, decide_access
from srs_access.domain import DENY_MESSAGES
from srs_access.schemas.decisions import AccessDecisionCreate, AccessDecisionRead, DenyReason
from srs_common.auth import CurrentPrincipal
from srs_common.errors import Forbidden, NotFound, problem_responses

router = APIRouter(prefix="/v1", tags=["access decisions"])


@router.post(
    "/access-decisions",
    response_model=AccessDecisionRead,
    status_code=201,
    summary="Decide whether a session may start: allow, or deny with every reason",
    description="Called by the session gateway (role `support`, the service account) for "
    "anyone, or by a researcher for themselves only. Every decision is written "
    "to the audit log and published as `access.granted` / `access.denied`. "
    "The organisation whose connection counts (office: a current Assured "
    "Organisational Connectivity agreement or an existing legacy remote "
    "connection; home: the agreement) is the one on the researcher's record, "
    "never one named in the request. "
    "Deny codes: " + ", ".join(f"`{c}`" for c in DENY_MESSAGES) + ".",
    responses=problem_responses(401, 403, 404, 422),
)
async def create_access_decision(
    body: AccessDecisionCreate, request: Request, principal: CurrentPrincipal
) -> AccessDecisionRead:
    if not principal.has("support"):
        if not principal.has("researcher"):
            raise Forbidden("requires the role support (session gateway) or researcher")
        if principal.researcher_id != body.researcher_id:
            # A researcher may ask about themselves only; others stay invisible.
            raise NotFound(f"no researcher {body.researcher_id}")
    runtime = request.app.state.runtime
    recorder = runtime.state.get("decision_recorder")
    if recorder is None:
        recorder = runtime.state["decision_recorder"] = DecisionRecorder(runtime.db)
    decision = await decide_access(
        recorder,
        actor=principal.sub,
        researcher_id=body.researcher_id,
        project_id=body.project_id,
        setting=body.setting,
        country=body.country.upper(),
        site_id=body.site_id,
    )
    return AccessDecisionRead(
        decision_id=decision.decision_id,
        decision="allow" if decision.allowed else "deny",
        allowed=decision.allowed,
        reasons=[DenyReason(code=c, message=DENY_MESSAGES[c]) for c in decision.reasons],
        researcher_id=body.researcher_id,
        project_id=body.project_id,
        setting=body.setting,
        organisation_id=decision.organisation_id,
        decided_at=decision.decided_at,
        audit_entry_id=decision.audit_entry_id,
    )
