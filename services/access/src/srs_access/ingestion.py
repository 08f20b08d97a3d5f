"""Data and code ingestion requests: a researcher's own data or code into their space."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.audit import append_audit
from srs_access.domain import check_ingestion_transition, public_package_repository
from srs_access.models import IngestionRequest
from srs_access.spaces import get_project_space, is_active_member
from srs_common.auth import Principal
from srs_common.db import utcnow
from srs_common.errors import NotFound, RuleViolation
from srs_common.ids import new_id


async def request_ingestion(
    session: AsyncSession,
    principal: Principal,
    *,
    project_id: str,
    kind: str,
    description: str,
    source: str,
) -> IngestionRequest:
    """Ask for data the researcher holds, or code they wrote, to be added to the project
    space. Packages from public repositories (CRAN, PyPI, GitHub...) are refused."""
    assert principal.researcher_id is not None
    if not await is_active_member(session, project_id, principal.researcher_id):
        raise NotFound(f"no project {project_id}")
    space = await get_project_space(session, project_id)
    if space.status != "active":
        raise RuleViolation("the project space is archived", rule="space_archived")
    repository = public_package_repository(source)
    if repository is not None:
        raise RuleViolation(
            f"the service cannot ingest packages from open source code repositories such as "
            f"{repository}: send code you wrote yourself",
            rule="public_package_repository",
            repository=repository,
        )
    request = IngestionRequest(
        id=new_id("ing"),
        project_id=project_id,
        researcher_id=principal.researcher_id,
        kind=kind,
        description=description,
        source=source,
        status="pending",
        created_at=utcnow(),
    )
    session.add(request)
    await session.flush()
    return request


def _may_see(principal: Principal, request: IngestionRequest) -> bool:
    return principal.has("support", "ops") or (
        principal.researcher_id is not None and principal.researcher_id == request.researcher_id
    )


async def get_ingestion(
    session: AsyncSession, principal: Principal, request_id: str
) -> IngestionRequest:
    request = await session.get(IngestionRequest, request_id)
    if request is None or not _may_see(principal, request):
        raise NotFound(f"no ingestion request {request_id}")
    return request


async def list_ingestions(
    session: AsyncSession, principal: Principal, *, project_id: str | None, status: str | None
) -> list[IngestionRequest]:
    query = select(IngestionRequest).order_by(IngestionRequest.created_at)
    if not principal.has("support", "ops"):
        query = query.where(IngestionRequest.researcher_id == principal.researcher_id)
    if project_id is not None:
        query = query.where(IngestionRequest.project_id == project_id)
    if status is not None:
        query = query.where(IngestionRequest.status == status)
    return list((await session.execute(query)).scalars())


async def decide_ingestion(
    session: AsyncSession,
    principal: Principal,
    request_id: str,
    *,
    approve: bool,
    reason: str | None,
) -> IngestionRequest:
    """Service staff approve or reject a pending request (audited)."""
    request = await get_ingestion(session, principal, request_id)
    check_ingestion_transition(request.status, "approve" if approve else "reject")
    request.status = "approved" if approve else "rejected"
    request.reason, request.decided_by, request.decided_at = reason, principal.sub, utcnow()
    await session.flush()
    await append_audit(
        session,
        actor=principal.sub,
        action="ingestion_decision",
        outcome="allow" if approve else "deny",
        researcher_id=request.researcher_id,
        project_id=request.project_id,
        occurred_at=request.decided_at,
        detail={"request_id": request.id, "kind": request.kind, "reason": reason},
    )
    return request
