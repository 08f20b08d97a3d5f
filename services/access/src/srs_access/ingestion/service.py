"""Data and code ingestion: a researcher's own files into their project space, checked by
what the files are, decided by the SRS team, transferred into the space's store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.ingestion.check import check_files, check_passed
from srs_access.ingestion.rules import (
    IngestionAction,
    IngestionKind,
    IngestionStatus,
    next_status,
    require_check_passed,
)
from srs_access.models import IngestionFile, IngestionRequest, ProjectMemberView, audit_log
from srs_access.spaces import get_project_space, is_active_member
from srs_common.auth import Principal
from srs_common.contracts.ingestion import (
    IngestionApproved,
    IngestionChecked,
    IngestionFinding,
    IngestionRefused,
    IngestionRequested,
    IngestionTransferred,
)
from srs_common.errors import Forbidden, NotFound, RuleViolation
from srs_common.events.outbox import publish
from srs_common.files import FileStore
from srs_common.ids import new_id
from srs_common.pagination import Page, desc, keyset_page


def ingestion_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which ingestion requests the caller may see (read one or list): staff every one, a
    researcher those of the projects they are an active member of (the team shares a
    space, so they share what comes into it)."""
    if principal.has("support", "ops"):
        return true()
    if principal.researcher_id is None:
        return false()
    member_of = select(ProjectMemberView.project_id).where(
        ProjectMemberView.researcher_id == principal.researcher_id,
        ProjectMemberView.status == "active",
    )
    return IngestionRequest.project_id.in_(member_of)


async def request_ingestion(
    session: AsyncSession,
    principal: Principal,
    store: FileStore,
    *,
    project_id: str,
    kind: IngestionKind,
    description: str,
    files: list[tuple[str, str, int, bytes]],
    now: dt.datetime,
) -> IngestionRequest:
    """A researcher member asks for their own files (name, sha256, size, bytes) to be
    brought into the project space; the automatic check runs at once on what the files
    are, and its findings are recorded (submitted -> checked)."""
    assert principal.researcher_id is not None
    if not await is_active_member(session, project_id, principal.researcher_id):
        raise NotFound(f"no project {project_id}")
    space = await get_project_space(session, project_id)
    if space.status != "active":
        raise RuleViolation("the project space is archived", rule="space_archived")
    request = IngestionRequest(
        id=new_id("ing"),
        project_id=project_id,
        researcher_id=principal.researcher_id,
        kind=kind,
        description=description,
        source=None,
        status=IngestionStatus.submitted,
        created_at=now,
        findings=[],
    )
    session.add(request)
    await session.flush()  # the files refer to the request
    for name, sha, size, data in files:
        session.add(IngestionFile(request_id=request.id, name=name, sha256=sha, size=size))
        store.put(sha, data)
    await session.flush()
    await publish(
        session,
        IngestionRequested(
            request_id=request.id,
            project_id=project_id,
            researcher_id=request.researcher_id,
            kind=kind,
            files=[name for name, *_ in files],
            occurred_at=now,
        ),
        subject=request.id,
    )
    findings = check_files([(name, data) for name, _, _, data in files])
    request.status = next_status(request.status, IngestionAction.CHECK)
    request.check_passed = check_passed(findings)
    request.findings = [f.as_json() for f in findings]
    request.checked_at = now
    await session.flush()
    await publish(
        session,
        IngestionChecked(
            request_id=request.id,
            project_id=project_id,
            researcher_id=request.researcher_id,
            passed=request.check_passed,
            findings=[IngestionFinding(**f) for f in request.findings],
            occurred_at=now,
        ),
        subject=request.id,
    )
    return request


async def get_ingestion(
    session: AsyncSession, principal: Principal, request_id: str, *, for_update: bool = False
) -> IngestionRequest:
    query = select(IngestionRequest).where(
        IngestionRequest.id == request_id, ingestion_visible_to(principal)
    )
    if for_update:
        query = query.with_for_update()
    request = (await session.execute(query)).scalar_one_or_none()
    if request is None:
        raise NotFound(f"no ingestion request {request_id}")
    return request


async def files_of(session: AsyncSession, request_id: str) -> list[IngestionFile]:
    query = select(IngestionFile).where(IngestionFile.request_id == request_id)
    return list((await session.execute(query.order_by(IngestionFile.name))).scalars())


async def list_ingestions(
    session: AsyncSession,
    principal: Principal,
    *,
    project_id: str | None,
    status: IngestionStatus | None,
    limit: int,
    cursor: str | None,
) -> Page[IngestionRequest]:
    """The requests the caller may see, newest first."""
    query = select(IngestionRequest).where(ingestion_visible_to(principal))
    if project_id is not None:
        query = query.where(IngestionRequest.project_id == project_id)
    if status is not None:
        query = query.where(IngestionRequest.status == status)
    columns = [desc(IngestionRequest.created_at), desc(IngestionRequest.id)]
    return await keyset_page(session, query, columns, cursor=cursor, limit=limit)


async def withdraw(
    session: AsyncSession, principal: Principal, request_id: str, *, now: dt.datetime
) -> IngestionRequest:
    """The researcher who asked withdraws the request before the team decides."""
    request = await get_ingestion(session, principal, request_id, for_update=True)
    if request.researcher_id != principal.researcher_id:
        raise Forbidden("only the researcher who asked may withdraw the request")
    request.status = next_status(request.status, IngestionAction.WITHDRAW)
    request.withdrawn_at = now
    await session.flush()
    return request


async def decide(
    session: AsyncSession,
    principal: Principal,
    request_id: str,
    *,
    approve: bool,
    reason: str | None,
    now: dt.datetime,
) -> IngestionRequest:
    """The SRS team approves a checked request (only one the check passed) or refuses it
    with a reason; the decision goes into the shared audit log and out as an event."""
    request = await get_ingestion(session, principal, request_id, for_update=True)
    action = IngestionAction.APPROVE if approve else IngestionAction.REFUSE
    status = next_status(request.status, action)
    if approve:
        require_check_passed(request.check_passed)
    elif not reason:
        raise RuleViolation("a refusal needs the reason the researcher reads", rule="reason")
    request.status = status
    request.reason, request.decided_by, request.decided_at = reason, principal.sub, now
    await session.flush()
    await audit_log.append(
        session,
        actor=principal.sub,
        action="ingestion_decision",
        outcome="allow" if approve else "deny",
        researcher_id=request.researcher_id,
        project_id=request.project_id,
        occurred_at=now,
        detail={"request_id": request.id, "kind": request.kind, "reason": reason},
    )
    event: IngestionApproved | IngestionRefused
    if approve:
        event = IngestionApproved(
            request_id=request.id,
            project_id=request.project_id,
            researcher_id=request.researcher_id,
            decided_by=principal.sub,
            occurred_at=now,
        )
    else:
        event = IngestionRefused(
            request_id=request.id,
            project_id=request.project_id,
            researcher_id=request.researcher_id,
            decided_by=principal.sub,
            reason=reason or "",
            occurred_at=now,
        )
    await publish(session, event, subject=request.id)
    return request


async def transfer(
    session: AsyncSession,
    principal: Principal,
    store: FileStore,
    spaces_dir: Path,
    request_id: str,
    *,
    now: dt.datetime,
) -> IngestionRequest:
    """The SRS team transfers an approved request's files into the project space's store
    (``<project>/ingested/<request>/<file>``); the request records where."""
    request = await get_ingestion(session, principal, request_id, for_update=True)
    status = next_status(request.status, IngestionAction.TRANSFER)
    space = await get_project_space(session, request.project_id)
    if space.status != "active":
        raise RuleViolation("the project space is archived", rule="space_archived")
    request.status = status
    location = f"{request.project_id}/ingested/{request.id}"
    target = spaces_dir / location
    target.mkdir(parents=True, exist_ok=True)
    files = await files_of(session, request.id)
    for file in files:
        (target / file.name).write_bytes(store.get(file.sha256))
    request.transferred_to, request.transferred_at = location, now
    await session.flush()
    await audit_log.append(
        session,
        actor=principal.sub,
        action="ingestion_transfer",
        outcome="allow",
        researcher_id=request.researcher_id,
        project_id=request.project_id,
        occurred_at=now,
        detail={"request_id": request.id, "location": location},
    )
    await publish(
        session,
        IngestionTransferred(
            request_id=request.id,
            project_id=request.project_id,
            researcher_id=request.researcher_id,
            location=location,
            files=[f.name for f in files],
            occurred_at=now,
        ),
        subject=request.id,
    )
    return request
