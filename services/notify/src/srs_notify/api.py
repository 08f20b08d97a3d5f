"""Routes of the notify API: a researcher's own preferences; the delivery log (support)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from srs_common.auth import Principal, require_roles
from srs_common.db import SessionDep
from srs_common.ids import RowId
from srs_common.pagination import Cursor, Limit
from srs_notify import service
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


def _problem(
    status: int, title: str, detail: str, description: str, **extra: Any
) -> dict[int | str, dict[str, Any]]:
    example = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return {
        status: {
            "description": description,
            "content": {"application/problem+json": {"example": example}},
        }
    }


_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    **_problem(
        401, "Unauthorized", "a bearer token is required", "missing or invalid bearer token"
    ),
    **_problem(
        403,
        "Forbidden",
        "requires one of the roles: support",
        "the caller does not hold the required role",
    ),
}
_INVALID = _problem(
    422,
    "Invalid input",
    "invalid fields: query.status",
    "invalid input, with the fields at fault",
    errors=[
        {
            "field": "query.status",
            "message": "Input should be 'pending', 'sent', ...",
            "type": "literal_error",
        }
    ],
)
_INVALID_ID = _problem(
    422,
    "Invalid input",
    "invalid fields: path.notification_id",
    "the id is not a number",
    errors=[
        {
            "field": "path.notification_id",
            "type": "int_parsing",
            "message": "Input should be a valid integer",
        }
    ],
)
_NOT_FOUND = _problem(404, "Not found", "no notification 42", "no such notification")


@router.get(
    "/notification-preferences",
    response_model=PreferencesRead,
    tags=["preferences"],
    summary="Read my notification preferences",
    description="Every kind of e-mail, whether it can be turned off (reminders) or not "
    "(decisions and answers), and whether the caller receives it.",
    responses={**_AUTH_ERRORS},
)
async def read_my_preferences(session: SessionDep, principal: Researcher) -> Any:
    return await service.read_preferences(session, principal)


@router.patch(
    "/notification-preferences",
    response_model=PreferencesRead,
    tags=["preferences"],
    summary="Turn my optional notices on or off",
    description="Only optional notices (reminders) can be turned off; asking to "
    "turn off a decision is refused with 422 and changes nothing.",
    responses={
        **_AUTH_ERRORS,
        **_problem(
            422,
            "Rule not met",
            "decisions and answers are always sent and cannot be turned off: "
            "booking_cancelled; only these can: accreditation_expiring, "
            "project_completion_due, booking_reminder",
            "an unknown notice, or a decision that cannot be turned off",
            rule="decisions-always-sent",
            notices=["booking_cancelled"],
        ),
    },
)
async def update_my_preferences(
    data: PreferencesUpdate, session: SessionDep, principal: Researcher
) -> Any:
    return await service.update_preferences(session, principal, data)


@router.get(
    "/notifications",
    response_model=NotificationPage,
    tags=["delivery log"],
    summary="Search the delivery log (support)",
    description="Who was told what and when, and whether it was delivered, failed, "
    "or not sent (opted out, stale, withdrawn). Newest first.",
    responses={**_AUTH_ERRORS, **_INVALID},
)
async def search_delivery_log(
    filters: Annotated[DeliveryLogFilters, Query()],
    session: SessionDep,
    _: Support,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    items, next_cursor = await service.delivery_log(session, filters, limit=limit, cursor=cursor)
    return {"items": items, "next": next_cursor}


@router.get(
    "/notifications/{notification_id}",
    response_model=NotificationRead,
    tags=["delivery log"],
    summary="Read one delivery log entry (support)",
    responses={**_AUTH_ERRORS, **_NOT_FOUND, **_INVALID_ID},
)
async def read_delivery_log_entry(notification_id: RowId, session: SessionDep, _: Support) -> Any:
    return await service.notification(session, notification_id)


@router.post(
    "/notifications/{notification_id}/retry",
    response_model=NotificationRead,
    tags=["delivery log"],
    summary="Send a failed notification again (support)",
    description="For a notification that failed for good (e.g. the address was "
    "refused and has since been corrected): queue it again now.",
    responses={
        **_AUTH_ERRORS,
        **_NOT_FOUND,
        **_INVALID_ID,
        **_problem(
            409,
            "Illegal state transition",
            "cannot retry a notification that is sent",
            "only a failed notification can be retried; names its current status",
            current_state="sent",
            action="retry",
        ),
    },
)
async def retry_notification(notification_id: RowId, session: SessionDep, _: Support) -> Any:
    return await service.retry_failed(session, notification_id)
