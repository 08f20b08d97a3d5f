"""Partner webhooks against a real local HTTP receiver: signatures, retries with backoff,
organisation isolation, disabling after sustained failure (with its event), the delivery
log, redelivery, secret rotation, and who may see or change what."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.contracts.clearance import OutputApproved
from srs_common.contracts.ops import WebhookSubscriptionDisabled
from srs_common.contracts.projects import ProjectApproved
from srs_common.events.consumer import ConsumerRunner
from srs_common.testing import event_from
from srs_ops.webhooks.delivery import HANDLERS, WebhookSender, http_client

from .webhook_receiver import Receiver, running_receiver

GRANTED = AccreditationGranted.type
PROVISIONED = ProjectSpaceProvisioned.type
OUTPUT_APPROVED = OutputApproved.type
DISABLED = WebhookSubscriptionDisabled.type
# The test-only allow-list that lets deliveries reach the local receivers.
LOCAL_RECEIVERS = ["127.0.0.1/32"]


class Clock:
    """The delivery job's clock: real time moved forward by hand (deliveries are queued
    at the real now)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)

    def jump_to(self, when: dt.datetime) -> None:
        self.offset += when - self()


def partner(tokens, org: str, scope: str = "webhooks:manage") -> dict[str, str]:
    return tokens.headers("partner", sub=f"client-{org}", org=org, scope=scope)


def granted(researcher: str, org: str) -> AccreditationGranted:
    return AccreditationGranted.model_validate(
        {**AccreditationGranted.example, "researcher_id": researcher, "organisation_id": org}
    )


def approved(project: str, org: str) -> ProjectApproved:
    return ProjectApproved.model_validate(
        {**ProjectApproved.example, "project_id": project, "organisation_id": org}
    )


def provisioned(project: str) -> ProjectSpaceProvisioned:
    return ProjectSpaceProvisioned.model_validate(
        {**ProjectSpaceProvisioned.example, "project_id": project}
    )


@pytest.fixture
async def ops(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "ops",
        webhook_allow_http=True,
        webhook_backoff_base_seconds=10,
        webhook_backoff_max_seconds=3600,
        webhook_test_allowed_networks=LOCAL_RECEIVERS,
    ) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def sender(ops, clock) -> AsyncIterator[WebhookSender]:
    runtime = ops.runtime  # type: ignore[attr-defined]
    async with http_client(runtime.settings) as client:
        # jitter 0.5: the delay is exactly the exponential step.
        yield WebhookSender(runtime.db, runtime.settings, client, clock=clock, jitter=lambda: 0.5)


async def feed(ops, payload: Any, *, subject: str, source: str = "/srs/test") -> None:
    """Hand an event to the ops-webhooks consumer's handlers (its inbox transaction)."""
    runtime = ops.runtime
    runner = ConsumerRunner(
        runtime.db, runtime.settings, HANDLERS, [], consumer=runtime.settings.webhook_consumer
    )
    assert await runner.apply(event_from(payload, subject=subject, source=source))


async def subscribe(
    ops, tokens, receiver: Receiver, org: str, types: list[str] | None = None
) -> dict[str, Any]:
    response = await ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, org),
        json={"url": receiver.url, "event_types": types or [GRANTED]},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    receiver.secrets.append(body["secret"])
    return body


async def deliveries(ops, tokens, org: str, subscription_id: str) -> list[dict[str, Any]]:
    response = await ops.get(
        f"/v1/webhooks/subscriptions/{subscription_id}/deliveries", headers=partner(tokens, org)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_delivery_is_the_signed_cloudevent(ops, tokens, sender):
    async with running_receiver() as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1", source="/srs/accreditation")
        assert await sender.run_once() == 1

    [request] = receiver.requests
    assert request.valid_signature
    event = request.event
    assert event["specversion"] == "1.0" and event["type"] == GRANTED
    assert event["source"] == "/srs/accreditation" and event["subject"] == "acc_1"
    assert event["datacontenttype"] == "application/json"
    assert event["data"]["researcher_id"] == "res-alice" and event["time"].endswith("Z")
    assert request.headers["webhook-id"] == event["id"]
    assert request.headers["content-type"] == "application/json"
    # The reference library accepts it too (timestamp within its tolerance).
    assert Webhook(sub["secret"]).verify(request.body, request.headers)["id"] == event["id"]

    [delivery] = await deliveries(ops, tokens, "org-a", sub["id"])
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    detail = (
        await ops.get(f"/v1/webhooks/deliveries/{delivery['id']}", headers=partner(tokens, "org-a"))
    ).json()
    [attempt] = detail["attempt_log"]
    assert attempt["status_code"] == 204 and attempt["latency_ms"] >= 0
    assert json.loads(detail["body"]) == event


async def test_only_the_partners_own_organisation_events_are_delivered(ops, tokens, sender):
    async with running_receiver() as a, running_receiver() as b:
        await subscribe(ops, tokens, a, "org-a", [GRANTED, PROVISIONED, OUTPUT_APPROVED])
        await subscribe(ops, tokens, b, "org-b", [GRANTED, PROVISIONED, OUTPUT_APPROVED])
        # Organisation named in the payload.
        await feed(ops, granted("res-bob", "org-b"), subject="acc_2")
        # Organisation resolved from the read model: project -> organisation.
        await feed(ops, approved("prj_b", "org-b"), subject="prj_b")
        await feed(ops, provisioned("prj_b"), subject="prj_b")
        # An output event whose organisation is null: the project decides.
        await feed(
            ops,
            OutputApproved.model_validate(
                {**OutputApproved.example, "project_id": "prj_b", "organisation_id": None}
            ),
            subject="out_1",
        )
        # A project nobody has seen approved: delivered to nobody.
        await feed(ops, provisioned("prj_unknown"), subject="prj_unknown")
        assert await sender.run_once() == 3

    assert a.requests == []
    assert sorted(r.event["type"] for r in b.requests) == sorted(
        [GRANTED, PROVISIONED, OUTPUT_APPROVED]
    )
    assert all(r.valid_signature for r in b.requests)


async def retry_delay(ops, tokens, delivery_id: int) -> dt.timedelta:
    """Time from the last attempt to the next one."""
    detail = (
        await ops.get(f"/v1/webhooks/deliveries/{delivery_id}", headers=partner(tokens, "org-a"))
    ).json()
    last = dt.datetime.fromisoformat(detail["attempt_log"][-1]["attempted_at"])
    return dt.datetime.fromisoformat(detail["next_attempt_at"]) - last


async def test_failures_are_retried_with_exponential_backoff(ops, tokens, sender, clock):
    async with running_receiver(fail_first=2) as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        assert await sender.run_once() == 1
        [delivery] = await deliveries(ops, tokens, "org-a", sub["id"])
        assert delivery["status"] == "pending" and delivery["last_status_code"] == 503
        assert await retry_delay(ops, tokens, delivery["id"]) == dt.timedelta(seconds=10)

        assert await sender.run_once() == 0  # not due yet
        clock.jump_to(dt.datetime.fromisoformat(delivery["next_attempt_at"]))
        assert await sender.run_once() == 1
        assert await retry_delay(ops, tokens, delivery["id"]) == dt.timedelta(seconds=20)
        clock.advance(seconds=20)
        assert await sender.run_once() == 1

    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert all(r.valid_signature for r in receiver.requests)
    [delivery] = await deliveries(ops, tokens, "org-a", sub["id"])
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3
    detail = (
        await ops.get(f"/v1/webhooks/deliveries/{delivery['id']}", headers=partner(tokens, "org-a"))
    ).json()
    assert [(a["attempt_number"], a["status_code"]) for a in detail["attempt_log"]] == [
        (1, 503),
        (2, 503),
        (3, 204),
    ]
    subscription = (
        await ops.get(f"/v1/webhooks/subscriptions/{sub['id']}", headers=partner(tokens, "org-a"))
    ).json()
    assert subscription["consecutive_failures"] == 0 and subscription["enabled"]


async def test_sustained_failure_disables_the_subscription_and_says_so(ops, tokens, sender, clock):
    async with running_receiver(fail_always=True) as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        rounds = 0
        while rounds < 50 and await sender.run_once():
            rounds += 1
            clock.advance(hours=3)
        sent = len(receiver.requests)
        # Nothing more is sent to a disabled subscription, even new events.
        await feed(ops, granted("res-alice", "org-a"), subject="acc_9")
        clock.advance(hours=48)
        assert await sender.run_once() == 0
        assert len(receiver.requests) == sent

    subscription = (
        await ops.get(f"/v1/webhooks/subscriptions/{sub['id']}", headers=partner(tokens, "org-a"))
    ).json()
    assert not subscription["enabled"]
    assert "24 hours" in subscription["disabled_reason"]
    outbox = ops.runtime.db.messaging.outbox  # type: ignore[attr-defined]
    async with ops.runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(select(outbox).where(outbox.c.type == DISABLED))).all()
    [row] = rows
    assert row.topic == "srs.ops" and row.subject == sub["id"]
    payload = WebhookSubscriptionDisabled.model_validate_json(row.payload)
    assert payload.organisation_id == "org-a" and payload.url == receiver.url
    assert payload.disabled_at - payload.failing_since >= dt.timedelta(hours=24)


async def test_a_delivery_gives_up_after_the_retry_window(ops, tokens, sender, clock):
    async with running_receiver(fail_always=True) as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        # The next retry (10 s on) would fall after the delivery's 24 h window: it gives up.
        clock.advance(hours=23, minutes=59, seconds=55)
        await sender.run_once()
        [delivery] = await deliveries(ops, tokens, "org-a", sub["id"])
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None


async def test_consecutive_failures_setting_disables_sooner(service_client, tokens, clock):
    async with (
        service_client(
            "ops",
            webhook_allow_http=True,
            webhook_test_allowed_networks=LOCAL_RECEIVERS,
            webhook_disable_after_failures=2,
        ) as ops,
        running_receiver(fail_always=True) as receiver,
        http_client(ops.runtime.settings) as client,
    ):
        sender = WebhookSender(ops.runtime.db, ops.runtime.settings, client, clock=clock)
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_2")
        assert await sender.run_once() == 2
        subscription = (
            await ops.get(
                f"/v1/webhooks/subscriptions/{sub['id']}", headers=partner(tokens, "org-a")
            )
        ).json()
        assert not subscription["enabled"]
        assert subscription["disabled_reason"] == "2 consecutive deliveries failed"
        # Re-enabling gives a fresh start; the pending deliveries go out again.
        receiver.fail_always = False
        response = await ops.patch(
            f"/v1/webhooks/subscriptions/{sub['id']}",
            headers=partner(tokens, "org-a"),
            json={"enabled": True},
        )
        assert response.json()["enabled"] and response.json()["consecutive_failures"] == 0
        clock.advance(minutes=5)
        assert await sender.run_once() == 2
        assert len(receiver.requests) == 4


async def test_redelivery_sends_the_same_event_again(ops, tokens, sender):
    async with running_receiver() as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        await sender.run_once()
        [delivery] = await deliveries(ops, tokens, "org-a", sub["id"])
        url = f"/v1/webhooks/deliveries/{delivery['id']}/redeliver"

        assert (await ops.post(url, headers=partner(tokens, "org-b"))).status_code == 404
        response = await ops.post(url, headers=partner(tokens, "org-a"))
        assert response.status_code == 202 and response.json()["status"] == "pending"
        again = await ops.post(url, headers=partner(tokens, "org-a"))
        assert again.status_code == 409 and again.json()["current_state"] == "pending"
        assert await sender.run_once() == 1
        # Support may redeliver too.
        assert (await ops.post(url, headers=tokens.headers("support"))).status_code == 202
        assert await sender.run_once() == 1

    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    detail = (
        await ops.get(
            f"/v1/webhooks/deliveries/{delivery['id']}", headers=tokens.headers("support")
        )
    ).json()
    assert detail["status"] == "delivered" and len(detail["attempt_log"]) == 3


async def test_rotated_secret_signs_alongside_the_old_one(ops, tokens, sender):
    async with running_receiver() as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        old = sub["secret"]
        rotated = (
            await ops.post(
                f"/v1/webhooks/subscriptions/{sub['id']}/rotate-secret",
                headers=partner(tokens, "org-a"),
            )
        ).json()
        assert rotated["secret"] != old and rotated["secret"].startswith("whsec_")
        assert (
            "secret"
            not in (
                await ops.get(
                    f"/v1/webhooks/subscriptions/{sub['id']}", headers=partner(tokens, "org-a")
                )
            ).json()
        )
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        await sender.run_once()

    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split()) == 2
    for secret in (old, rotated["secret"]):
        assert Webhook(secret).verify(request.body, request.headers)


@pytest.mark.parametrize(
    "url, problem",
    [
        ("ftp://hooks.example/x", "scheme"),
        ("https://user:pw@hooks.example/x", "credentials"),
        ("https:///nohost", "host"),
    ],
)
async def test_bad_endpoint_urls_are_refused(ops, tokens, url, problem):
    response = await ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, "org-a"),
        json={"url": url, "event_types": [GRANTED]},
    )
    assert response.status_code == 422
    assert problem in response.json()["detail"]


async def test_plain_http_is_refused_in_production(service_client, tokens):
    async with service_client("ops") as ops:
        response = await ops.post(
            "/v1/webhooks/subscriptions",
            headers=partner(tokens, "org-a"),
            json={"url": "http://hooks.example/x", "event_types": [GRANTED]},
        )
        assert response.status_code == 422 and "https" in response.json()["detail"]
        response = await ops.post(
            "/v1/webhooks/subscriptions",
            headers=partner(tokens, "org-a"),
            json={"url": "https://hooks.example/x", "event_types": [GRANTED]},
        )
        assert response.status_code == 201


async def test_unknown_event_types_and_fields_are_refused(ops, tokens):
    response = await ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, "org-a"),
        json={"url": "https://h.example/", "event_types": ["srs.nope.v1"]},
    )
    assert response.status_code == 422 and response.json()["unknown"] == ["srs.nope.v1"]
    response = await ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, "org-a"),
        json={"url": "https://h.example/", "event_types": [GRANTED], "secret": "mine"},
    )
    assert response.status_code == 422


@contextlib.asynccontextmanager
async def two_organisations(ops, tokens) -> AsyncIterator[tuple[dict[str, Any], int]]:
    async with running_receiver() as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        [delivery] = await deliveries(ops, tokens, "org-a", sub["id"])
        yield sub, delivery["id"]


async def test_another_organisation_sees_and_changes_nothing(ops, tokens):
    async with two_organisations(ops, tokens) as (sub, delivery_id):
        b = partner(tokens, "org-b")
        base = f"/v1/webhooks/subscriptions/{sub['id']}"
        for method, url, body in [
            ("GET", base, None),
            ("PATCH", base, {"enabled": False}),
            ("DELETE", base, None),
            ("POST", f"{base}/rotate-secret", None),
            ("GET", f"{base}/deliveries", None),
            ("GET", f"/v1/webhooks/deliveries/{delivery_id}", None),
            ("POST", f"/v1/webhooks/deliveries/{delivery_id}/redeliver", None),
        ]:
            response = await ops.request(method, url, headers=b, json=body)
            assert response.status_code == 404, (method, url)
        listed = (await ops.get("/v1/webhooks/subscriptions", headers=b)).json()
        assert listed["items"] == []
        # Organisation A's subscription is untouched.
        mine = (await ops.get(base, headers=partner(tokens, "org-a"))).json()
        assert mine["enabled"] and mine["url"] == sub["url"]


async def test_scope_and_roles_are_enforced_on_every_route(ops, tokens):
    async with two_organisations(ops, tokens) as (sub, delivery_id):
        base = f"/v1/webhooks/subscriptions/{sub['id']}"
        routes = [
            (
                "POST",
                "/v1/webhooks/subscriptions",
                {"url": "https://h.example/", "event_types": [GRANTED]},
            ),
            ("GET", "/v1/webhooks/subscriptions", None),
            ("GET", base, None),
            ("PATCH", base, {"enabled": False}),
            ("DELETE", base, None),
            ("POST", f"{base}/rotate-secret", None),
            ("GET", f"{base}/deliveries", None),
            ("GET", f"/v1/webhooks/deliveries/{delivery_id}", None),
            ("POST", f"/v1/webhooks/deliveries/{delivery_id}/redeliver", None),
        ]
        for method, url, body in routes:
            no_scope = partner(tokens, "org-a", scope="researchers:read")
            for headers, status in [
                ({}, 401),
                (no_scope, 403),
                (tokens.headers("researcher"), 403),
                (tokens.headers("ops"), 403),
            ]:
                response = await ops.request(method, url, headers=headers, json=body)
                assert response.status_code == status, (method, url, status, response.text)
        # Support reads every organisation's log but does not manage partners' endpoints.
        support = tokens.headers("support")
        assert (await ops.get(base, headers=support)).status_code == 200
        assert (
            len((await ops.get("/v1/webhooks/subscriptions", headers=support)).json()["items"]) == 1
        )
        assert (await ops.get(f"{base}/deliveries", headers=support)).status_code == 200
        for method, url, body in routes[0:1] + routes[3:6]:
            response = await ops.request(method, url, headers=support, json=body)
            assert response.status_code == 403, (method, url)
        # A partner token without an organisation cannot subscribe.
        orgless = tokens.headers("partner", sub="client-x", scope="webhooks:manage")
        response = await ops.post(
            "/v1/webhooks/subscriptions",
            headers=orgless,
            json={"url": "https://h.example/", "event_types": [GRANTED]},
        )
        assert response.status_code == 403


async def test_update_and_delete(ops, tokens):
    async with two_organisations(ops, tokens) as (sub, delivery_id):
        a = partner(tokens, "org-a")
        base = f"/v1/webhooks/subscriptions/{sub['id']}"
        response = await ops.patch(
            base,
            headers=a,
            json={"url": "https://new.example/h", "event_types": [PROVISIONED, GRANTED]},
        )
        assert response.status_code == 200
        assert response.json()["url"] == "https://new.example/h"
        assert response.json()["event_types"] == sorted([PROVISIONED, GRANTED])
        bad = await ops.patch(base, headers=a, json={"url": "https://u:p@x.example/"})
        assert bad.status_code == 422
        assert (await ops.get(base, headers=a)).json()["url"] == "https://new.example/h"
        assert (await ops.delete(base, headers=a)).status_code == 204
        assert (await ops.get(base, headers=a)).status_code == 404
        assert (
            await ops.get(f"/v1/webhooks/deliveries/{delivery_id}", headers=a)
        ).status_code == 404


async def test_handler_is_idempotent(ops, tokens):
    async with running_receiver() as receiver:
        sub = await subscribe(ops, tokens, receiver, "org-a")
        runtime = ops.runtime  # type: ignore[attr-defined]
        runner = ConsumerRunner(
            runtime.db, runtime.settings, HANDLERS, [], consumer=runtime.settings.webhook_consumer
        )
        event = event_from(granted("res-alice", "org-a"), subject="acc_1")
        assert await runner.apply(event)
        assert not await runner.apply(event)
        assert len(await deliveries(ops, tokens, "org-a", sub["id"])) == 1
