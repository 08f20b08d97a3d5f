"""Comments on a request: private to the checkers, or shared with the requester."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance.comments.schemas import CommentCreate
from srs_clearance.domain import OutputStatus
from srs_clearance.models import Comment, OutputRequest
from srs_clearance.outputs.visibility import visible_output
from srs_clearance.review.votes import check_file_ids
from srs_common.auth import Principal
from srs_common.errors import Forbidden, IllegalTransition
from srs_common.ids import new_id


async def add_comment(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    data: CommentCreate,
    now: dt.datetime,
) -> Comment:
    output = await visible_output(session, principal, output_id)
    if data.visibility == "private" and not principal.has("checker"):
        raise Forbidden("only checkers write private comments")
    if output.status == OutputStatus.DRAFT:
        raise IllegalTransition("output request", output.status, "comment on")
    if data.file_id is not None:
        await check_file_ids(session, output.id, [data.file_id])
    comment = new_comment(
        session,
        output,
        principal,
        data.body,
        kind="comment",
        visibility=data.visibility,
        file_id=data.file_id,
        now=now,
    )
    await session.flush()
    return comment


def new_comment(
    session: AsyncSession,
    output: OutputRequest,
    principal: Principal,
    body: str,
    *,
    kind: str,
    visibility: str = "shared",
    file_id: str | None = None,
    now: dt.datetime,
) -> Comment:
    """A comment by the caller (a clarification's question and answer are comments too,
    shared with the requester), added to the session."""
    comment = Comment(
        id=new_id("cmt"),
        output_id=output.id,
        author_id=principal.actor_id,
        visibility=visibility,
        body=body,
        file_id=file_id,
        kind=kind,
        created_at=now,
    )
    session.add(comment)
    return comment


async def list_comments(
    session: AsyncSession, principal: Principal, output_id: str
) -> list[Comment]:
    output = await visible_output(session, principal, output_id)
    stmt = select(Comment).where(Comment.output_id == output.id)
    if not principal.has("checker", "support"):
        stmt = stmt.where(Comment.visibility == "shared")
    return list((await session.execute(stmt.order_by(Comment.created_at, Comment.id))).scalars())
