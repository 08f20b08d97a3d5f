"""Routes of the webhook API: partner clients (scope ``webhooks:manage``) manage their
own organisation's subscriptions; support reads every delivery log and may redeliver."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from srs_common.auth import Principal, require_roles, require_scope
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.ids import RowId
from srs_common.pagination import Cursor, Limit, Page
from srs_ops.webhooks import service
from srs_ops.webhooks.schemas import (
    DeliveryDetail,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

_partner_or_support = require_roles("partner", "support")
_scope = require_scope("webhooks:manage")


async def _reader(
    principal: Annotated[Principal, Depends(_partner_or_support)],
    _: Annotated[Principal, Depends(_scope)],
) -> Principal:
    return principal


async def _partner(
    principal: Annotated[Principal, Depends(require_roles("partner"))],
    _: Annotated[Principal, Depends(_scope)],
) -> Principal:
    return principal


Reader = Annotated[Principal, Depends(_reader)]
Partner = Annotated[Principal, Depends(_partner)]


NOT_A_PARTNER = (
    "not a partner with scope webhooks:manage (or support), or the token names no organisation"
)
NOT_FOUND = "no such subscription or delivery in your organisation"
INVALID = "invalid URL (scheme, credentials), unknown event types, or invalid fields"


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionWithSecret,
    summary="Subscribe an endpoint to event types (partner)",
    description="Only events about your organisation's people and projects are "
    "delivered. The signing secret is in this response only.",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            422: INVALID,
        },
    ),
)
async def create_subscription(
    body: SubscriptionCreate, session: SessionDep, principal: Partner
) -> SubscriptionWithSecret:
    return await service.create_subscription(session, principal, body)


@router.get(
    "/subscriptions",
    response_model=Page[SubscriptionRead],
    summary="List webhook subscriptions (your organisation's; support: all)",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            422: INVALID,
        },
    ),
)
async def list_subscriptions(
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
    organisation_id: Annotated[str | None, Query(max_length=200, examples=["org-ntu"])] = None,
) -> Page[SubscriptionRead]:
    """A partner sees its organisation's subscriptions, support every one; keyset pagination."""
    page = await service.list_subscriptions(
        session, principal, limit=limit, cursor=cursor, organisation_id=organisation_id
    )
    return page.map(SubscriptionRead.model_validate)


@router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionRead,
    summary="Read a webhook subscription",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
        },
    ),
)
async def read_subscription(
    subscription_id: str, session: SessionDep, principal: Reader
) -> SubscriptionRead:
    """One subscription (never its secret)."""
    return SubscriptionRead.model_validate(
        await service.get_subscription(session, principal, subscription_id)
    )


@router.patch(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionRead,
    summary="Change URL, event types or description; enable or disable (partner)",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
            422: INVALID,
        },
    ),
)
async def update_subscription(
    subscription_id: str, body: SubscriptionUpdate, session: SessionDep, principal: Partner
) -> SubscriptionRead:
    """The partner changes the URL, the event types or the description, or enables or disables the
    subscription; the URL is validated like at creation."""
    return SubscriptionRead.model_validate(
        await service.update_subscription(session, principal, subscription_id, body)
    )


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Delete a subscription and its delivery log (partner)",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
        },
    ),
)
async def delete_subscription(
    subscription_id: str, session: SessionDep, principal: Partner
) -> Response:
    """The partner deletes the subscription and its delivery log; nothing more is sent."""
    await service.delete_subscription(session, principal, subscription_id)
    return Response(status_code=204)


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response_model=SubscriptionWithSecret,
    summary="Rotate the signing secret (partner; shown once)",
    description="Deliveries are signed with both the new and the previous secret "
    "for the overlap period (24 h by default).",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
        },
    ),
)
async def rotate_secret(
    subscription_id: str, session: SessionDep, principal: Partner
) -> SubscriptionWithSecret:
    return await service.rotate_secret(session, principal, subscription_id)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response_model=Page[DeliveryRead],
    summary="A subscription's delivery log, newest first",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
            422: INVALID,
        },
    ),
)
async def list_deliveries(
    subscription_id: str,
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
    event_type: Annotated[
        str | None, Query(max_length=200, examples=["srs.project.approved.v1"])
    ] = None,
) -> Page[DeliveryRead]:
    """The subscription's deliveries, newest first, with their status (pending, delivered, failed)
    and attempts."""
    page = await service.list_deliveries(
        session,
        principal,
        subscription_id,
        limit=limit,
        cursor=cursor,
        status=status,
        event_type=event_type,
    )
    return page.map(DeliveryRead.model_validate)


@router.get(
    "/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="A delivery: the body sent and every attempt (status, latency, error)",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
        },
    ),
)
async def read_delivery(
    delivery_id: RowId, session: SessionDep, principal: Reader
) -> DeliveryDetail:
    """One delivery: the signed body sent and every attempt with its status code, latency and
    error."""
    return await service.get_delivery(session, principal, delivery_id)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryRead,
    summary="Send a delivered or failed delivery again (partner or support)",
    description="Queued at once with a fresh retry window and the same "
    "`webhook-id`, so receivers can de-duplicate.",
    responses=problem_responses(
        401,
        {
            403: NOT_A_PARTNER,
            404: NOT_FOUND,
            409: "the delivery is still pending, or its subscription is disabled (names the state)",
        },
    ),
)
async def redeliver(delivery_id: RowId, session: SessionDep, principal: Reader) -> DeliveryRead:
    return DeliveryRead.model_validate(await service.redeliver(session, principal, delivery_id))
