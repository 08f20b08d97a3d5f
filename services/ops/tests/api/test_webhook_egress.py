"""Webhooks never reach this host or its network: internal addresses in any notation are
refused when a subscription is registered and again, after resolving the host, at every
delivery; the request goes to the very address that was checked; redirects are not
followed. The receivers are real local HTTP servers on 127.0.0.1, so a delivery that
slipped through would show up in their request log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from srs_ops.models import WebhookSubscription
from srs_ops.webhooks.delivery import WebhookSender, http_client

from .test_webhooks import GRANTED, LOCAL_RECEIVERS, deliveries, feed, granted, partner
from .webhook_receiver import running_receiver

LOOPBACK_NOTATIONS = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "0x7f.1",
    "017700000001",
    "127.0.0.1.",
    "localhost",
    "LOCALHOST.",
    "app.localhost",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::1]",
]
OTHER_INTERNAL = [
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",
    "0",
    "[::]",
    "100.64.0.1",
    "224.0.0.1",
    "[ff02::1]",
    "240.0.0.1",
    "255.255.255.255",
    "[fe80::1]",
    "[fc00::1]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:a9fe:a9fe::]",
    "0xa9fea9fe",
    "169.254.43518",
]


@pytest.fixture
async def production_ops(service_client) -> AsyncIterator[httpx.AsyncClient]:
    """Production rules (https only, no allow-list)."""
    async with service_client("ops") as client:
        yield client


@pytest.mark.parametrize("host", LOOPBACK_NOTATIONS + OTHER_INTERNAL)
async def test_internal_hosts_are_refused_at_registration(production_ops, tokens, host):
    response = await production_ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, "org-a"),
        json={"url": f"https://{host}/hooks", "event_types": [GRANTED]},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "public host" in response.json()["detail"]
    listed = await production_ops.get(
        "/v1/webhooks/subscriptions", headers=partner(tokens, "org-a")
    )
    assert listed.json()["items"] == []


@pytest.mark.parametrize("host", ["10.0.0.5", "2130706433", "[::ffff:127.0.0.1]"])
async def test_changing_the_url_to_an_internal_host_is_refused(production_ops, tokens, host):
    a = partner(tokens, "org-a")
    sub = (
        await production_ops.post(
            "/v1/webhooks/subscriptions",
            headers=a,
            json={"url": "https://hooks.org-a.example/srs", "event_types": [GRANTED]},
        )
    ).json()
    response = await production_ops.patch(
        f"/v1/webhooks/subscriptions/{sub['id']}", headers=a, json={"url": f"https://{host}/x"}
    )
    assert response.status_code == 422 and "public host" in response.json()["detail"]
    assert (await production_ops.get(f"/v1/webhooks/subscriptions/{sub['id']}", headers=a)).json()[
        "url"
    ] == "https://hooks.org-a.example/srs"


@pytest.mark.parametrize(
    "url",
    [
        "https://1.2.3.4.5/x",
        "https://256.1.1.1/x",
        "https://08.0.0.1/x",
        "https://[::zz]/x",
        "https://hooks.example:99999/x",
    ],
)
async def test_malformed_hosts_are_a_clear_422(production_ops, tokens, url):
    response = await production_ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, "org-a"),
        json={"url": url, "event_types": [GRANTED]},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("the URL")


async def test_public_hosts_are_accepted(production_ops, tokens):
    for url in [
        "https://hooks.org-a.example/srs",
        "https://93.184.216.34/srs",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/srs",
    ]:
        response = await production_ops.post(
            "/v1/webhooks/subscriptions",
            headers=partner(tokens, "org-a"),
            json={"url": url, "event_types": [GRANTED]},
        )
        assert response.status_code == 201, (url, response.text)


# -- at delivery ---------------------------------------------------------------------


@pytest.fixture
async def plain_http_ops(service_client) -> AsyncIterator[httpx.AsyncClient]:
    """Plain http allowed (local receivers) but no internal address allowed."""
    async with service_client("ops", webhook_allow_http=True) as client:
        yield client


async def stored_subscription(ops, tokens, org: str, url: str) -> str:
    """A subscription whose stored URL is ``url``, as a row registered before the
    registration check existed (or written past it) would be: delivery must still
    refuse it."""
    response = await ops.post(
        "/v1/webhooks/subscriptions",
        headers=partner(tokens, org),
        json={"url": "http://hooks.org-a.example/srs", "event_types": [GRANTED]},
    )
    assert response.status_code == 201, response.text
    subscription_id = response.json()["id"]
    async with ops.runtime.db.transaction() as session:
        row = await session.get(WebhookSubscription, subscription_id)
        row.url = url
    return subscription_id


def sender_for(ops, client: httpx.AsyncClient) -> WebhookSender:
    return WebhookSender(ops.runtime.db, ops.runtime.settings, client)


@pytest.mark.parametrize("host", LOOPBACK_NOTATIONS)
async def test_every_notation_of_this_host_is_refused_at_delivery(plain_http_ops, tokens, host):
    ops = plain_http_ops
    async with running_receiver() as receiver, http_client(ops.runtime.settings) as client:
        port = receiver.url.rsplit(":", 1)[1].split("/")[0]
        sub = await stored_subscription(ops, tokens, "org-a", f"http://{host}:{port}/hooks")
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        assert await sender_for(ops, client).run_once() == 1
    assert receiver.requests == []
    [delivery] = await deliveries(ops, tokens, "org-a", sub)
    assert delivery["status"] == "pending" and delivery["last_status_code"] is None
    assert "refused" in delivery["last_error"] and "public hosts only" in delivery["last_error"]


def resolver_answering(
    *answers: list[str],
) -> tuple[Callable[[str, int], Awaitable[list[str]]], list[str]]:
    """A DNS resolver whose successive answers are ``answers`` (the last repeats); it
    records the names asked."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    return resolve, asked


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["93.184.216.34", "127.0.0.1"],
        ["::ffff:127.0.0.1"],
        ["169.254.169.254"],
        ["10.1.2.3"],
    ],
)
async def test_a_name_resolving_to_an_internal_address_at_delivery_is_refused(
    plain_http_ops, tokens, answer
):
    """Registered as a public name; by delivery time its DNS answer (or one of its
    answers) is internal: nothing is sent."""
    ops = plain_http_ops
    resolve, asked = resolver_answering(answer)
    async with (
        running_receiver() as receiver,
        http_client(ops.runtime.settings, resolver=resolve) as client,
    ):
        port = receiver.url.rsplit(":", 1)[1].split("/")[0]
        response = await ops.post(
            "/v1/webhooks/subscriptions",
            headers=partner(tokens, "org-a"),
            json={"url": f"http://rebind.org-a.example:{port}/hooks", "event_types": [GRANTED]},
        )
        assert response.status_code == 201
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        assert await sender_for(ops, client).run_once() == 1
    assert receiver.requests == [] and asked == ["rebind.org-a.example"]
    [delivery] = await deliveries(ops, tokens, "org-a", response.json()["id"])
    assert "refused: rebind.org-a.example resolves to" in delivery["last_error"]


async def test_the_request_goes_to_the_address_that_was_checked(service_client, tokens):
    """One lookup per connection: a second answer (here internal and not allowed) is never
    asked for, so a rebinding DNS server cannot switch the address after the check. The
    Host header still names the partner's host."""
    resolve, asked = resolver_answering(["127.0.0.1"], ["10.9.9.9"])
    async with (
        service_client(
            "ops", webhook_allow_http=True, webhook_test_allowed_networks=LOCAL_RECEIVERS
        ) as ops,
        running_receiver() as receiver,
        http_client(ops.runtime.settings, resolver=resolve) as client,
    ):
        port = receiver.url.rsplit(":", 1)[1].split("/")[0]
        response = await ops.post(
            "/v1/webhooks/subscriptions",
            headers=partner(tokens, "org-a"),
            json={"url": f"http://hooks.org-a.example:{port}/hooks", "event_types": [GRANTED]},
        )
        receiver.secrets.append(response.json()["secret"])
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        assert await sender_for(ops, client).run_once() == 1
        [delivery] = await deliveries(ops, tokens, "org-a", response.json()["id"])
    assert delivery["status"] == "delivered"
    [request] = receiver.requests
    assert request.valid_signature
    assert request.headers["host"] == f"hooks.org-a.example:{port}"
    assert asked == ["hooks.org-a.example"]


async def test_a_redirect_is_not_followed(service_client, tokens):
    """The endpoint answers 307 to another local address: nothing reaches it, the
    delivery counts as failed and is retried later."""
    async with (
        service_client(
            "ops", webhook_allow_http=True, webhook_test_allowed_networks=LOCAL_RECEIVERS
        ) as ops,
        running_receiver() as target,
        running_receiver() as endpoint,
        http_client(ops.runtime.settings) as client,
    ):
        endpoint.redirect_to = target.url.replace("127.0.0.1", "localhost")
        response = await ops.post(
            "/v1/webhooks/subscriptions",
            headers=partner(tokens, "org-a"),
            json={"url": endpoint.url, "event_types": [GRANTED]},
        )
        endpoint.secrets.append(response.json()["secret"])
        await feed(ops, granted("res-alice", "org-a"), subject="acc_1")
        assert await sender_for(ops, client).run_once() == 1
        endpoint.redirect_to = target.url
        await feed(ops, granted("res-alice", "org-a"), subject="acc_2")
        assert await sender_for(ops, client).run_once() == 1
        sent = await deliveries(ops, tokens, "org-a", response.json()["id"])
    assert len(endpoint.requests) == 2 and target.requests == []
    assert [(d["status"], d["last_status_code"]) for d in sent] == [("pending", 307)] * 2


@pytest.mark.parametrize(
    "host", ["localhost", "2130706433", "0x7f000001", "127.1", "[::ffff:127.0.0.1]"]
)
async def test_the_webhook_client_checks_what_the_system_resolver_answers(plain_http_ops, host):
    """Below the registration rules, the client itself resolves with the system resolver
    (real ``getaddrinfo``: ``localhost`` and the numeric forms all mean 127.0.0.1) and
    refuses to connect."""
    async with (
        running_receiver() as receiver,
        http_client(plain_http_ops.runtime.settings) as client,
    ):
        port = receiver.url.rsplit(":", 1)[1].split("/")[0]
        with pytest.raises(httpx.ConnectError, match="refused: .* resolves to .*loopback"):
            await client.post(f"http://{host}:{port}/hooks", content=b"{}")
    assert receiver.requests == []
