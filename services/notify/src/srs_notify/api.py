"""Routes of the notify API: a researcher's own preferences; the delivery log (support)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from srs_common.auth import Principal, require_roles
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.ids import RowId
from srs_common.pagination import Cursor, Limit
from srs_notify import delivery_log, preferences
from srs_notify.schemas import (
    DeliveryLogFilters,
    NotificationPage,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
)

router = APIRouter(prefix="/v1")

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Support = Annotated[Principal, Depends(require_roles("support"))]


@router.get(
    "/notification-preferences",
    response_model=PreferencesRead,
    tags=["preferences"],
    summary="Read my notification preferences",
    description="Every kind of e-mail, whether it can be turned off (reminders) or not "
    "(decisions and answers), and whether the caller receives it.",
    responses=problem_responses(401, 403),
)
async def read_my_preferences(session: SessionDep, principal: Researcher) -> Any:
    return await preferences.read_preferences(session, principal)


@router.patch(
    "/notification-preferences",
    response_model=PreferencesRead,
    tags=["preferences"],
    summary="Turn my optional notices on or off",
    description="Only optional notices (reminders) can be turned off; asking to "
    "turn off a decision is refused with 422 and changes nothing.",
    responses=problem_responses(
        401, 403, {422: "an unknown notice, or a decision that cannot be turned off"}
    ),
)
async def update_my_preferences(
    data: PreferencesUpdate, session: SessionDep, principal: Researcher
) -> Any:
    return await preferences.update_preferences(session, principal, data)


@router.get(
    "/notifications",
    response_model=NotificationPage,
    tags=["delivery log"],
    summary="Search the delivery log (support)",
    description="Who was told what and when, and whether it was delivered, failed, "
    "or not sent (opted out, stale, withdrawn). Newest first.",
    responses=problem_responses(401, 403, 422),
)
async def search_delivery_log(
    filters: Annotated[DeliveryLogFilters, Query()],
    session: SessionDep,
    _: Support,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    items, next_cursor = await delivery_log.delivery_log(
        session, filters, limit=limit, cursor=cursor
    )
    return {"items": items, "next": next_cursor}


@router.get(
    "/notifications/{notification_id}",
    response_model=NotificationRead,
    tags=["delivery log"],
    summary="Read one delivery log entry (support)",
    responses=problem_responses(
        401, 403, {404: "no such notification", 422: "the id is not a number"}
    ),
)
async def read_delivery_log_entry(notification_id: RowId, session: SessionDep, _: Support) -> Any:
    """One notification: its recipient, template, status and every attempt to send it. Support
    only."""
    return await delivery_log.notification(session, notification_id)


@router.post(
    "/notifications/{notification_id}/retry",
    response_model=NotificationRead,
    tags=["delivery log"],
    summary="Send a failed notification again (support)",
    description="For a notification that failed for good (e.g. the address was "
    "refused and has since been corrected): queue it again now.",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such notification",
            409: "only a failed notification can be retried; names its current status",
            422: "the id is not a number",
        },
    ),
)
async def retry_notification(notification_id: RowId, session: SessionDep, _: Support) -> Any:
    return await delivery_log.retry_failed(session, notification_id)
