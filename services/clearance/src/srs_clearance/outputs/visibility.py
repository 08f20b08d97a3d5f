"""Who may see an output request, and who may act on it as its requester or as a checker:
one condition per question, used by reading one request and by listing them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.domain import OutputStatus
from srs_clearance.models import (
    OutputRequest,
    ProjectMemberView,
)
from srs_common.auth import Principal
from srs_common.errors import Forbidden, NotFound


def is_requester(principal: Principal, output: OutputRequest) -> bool:
    return output.requester_id in {principal.sub, principal.researcher_id}


def not_found(output_id: str) -> NotFound:
    return NotFound(f"output request {output_id} not found")


def output_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which requests the caller may see the contents of (read one, and the rule under
    :func:`output_status_visible_to` for listing).

    Checkers and support see every submitted request (support drafts too); active project
    members see their project's requests (drafts only their own); outputs-only peer
    reviewers see cleared ones only; requesters always see their own (to answer for them,
    and attest destruction). Partners never see contents."""
    seen: list[ColumnElement[bool]] = []
    if principal.has("support"):
        return true()
    if principal.has("checker"):
        seen.append(OutputRequest.status != OutputStatus.DRAFT)
    if principal.has("researcher"):
        requesters = {principal.sub, principal.researcher_id} - {None}
        member = exists().where(
            ProjectMemberView.project_id == OutputRequest.project_id,
            ProjectMemberView.researcher_id == principal.actor_id,
            ProjectMemberView.active.is_(True),
            or_(
                ProjectMemberView.role.not_in(domain.VIEW_CLEARED_ONLY_ROLES),
                OutputRequest.status == OutputStatus.APPROVED,
            ),
        )
        seen.append(OutputRequest.requester_id.in_(requesters))
        seen.append(and_(OutputRequest.status != OutputStatus.DRAFT, member))
    return or_(false(), *seen)


def output_status_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which requests the caller may see the status (and list entry) of: the contents'
    viewers, and partner clients their organisation's submitted requests."""
    if principal.has("partner") and not principal.has("researcher", "checker", "support"):
        if not principal.org:
            return false()
        return and_(
            OutputRequest.organisation_id == principal.org,
            OutputRequest.status != OutputStatus.DRAFT,
        )
    return output_visible_to(principal)


async def visible_output(
    session: AsyncSession, principal: Principal, output_id: str, *, for_update: bool = False
) -> OutputRequest:
    """The request if the caller may see its contents (:func:`output_visible_to`); 404
    otherwise (existence never leaks)."""
    stmt = select(OutputRequest).where(OutputRequest.id == output_id, output_visible_to(principal))
    if for_update:
        stmt = stmt.with_for_update()
    output = (await session.execute(stmt)).scalar_one_or_none()
    if output is None:
        raise not_found(output_id)
    return output


async def visible_status(
    session: AsyncSession, principal: Principal, output_id: str
) -> OutputRequest:
    """The request's status: its viewers, and partners of the requesting organisation."""
    stmt = select(OutputRequest).where(
        OutputRequest.id == output_id, output_status_visible_to(principal)
    )
    output = (await session.execute(stmt)).scalar_one_or_none()
    if output is None:
        raise not_found(output_id)
    return output


async def own_output(
    session: AsyncSession, principal: Principal, output_id: str, *, for_update: bool = True
) -> OutputRequest:
    output = await visible_output(session, principal, output_id, for_update=for_update)
    if not is_requester(principal, output):
        raise Forbidden("only the requester may change or answer for this request")
    return output


async def reviewable(session: AsyncSession, principal: Principal, output_id: str) -> OutputRequest:
    output = await visible_output(session, principal, output_id, for_update=True)
    if is_requester(principal, output):
        raise Forbidden("nobody may review their own request")
    return output


def sees_private_review(principal: Principal, output: OutputRequest) -> bool:
    """Checkers and support may see the review record; the requester never, whatever roles
    they hold (votes and override reasons are private to the checkers)."""
    return principal.has("checker", "support") and not is_requester(principal, output)
