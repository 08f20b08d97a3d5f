"""Webhooks on the real broker: the ops-webhooks consumer (its own group) queues an event
from the bus, the delivery job sends it, and a subscription disabled after failing
publishes its event through the ops outbox and relay, which comes back round to the
partner's other endpoint and into the event store."""

from __future__ import annotations

import datetime as dt
import uuid

from aiokafka import AIOKafkaProducer

from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.contracts.ops import WebhookSubscriptionDisabled
from srs_common.events.bus import ensure_topics
from srs_common.events.envelope import encode_data, to_headers

from ..conftest import eventually
from .test_webhooks import LOCAL_RECEIVERS, partner, subscribe
from .webhook_receiver import running_receiver

GRANTED = AccreditationGranted.type
DISABLED = WebhookSubscriptionDisabled.type


async def test_events_from_the_bus_are_delivered_and_disabling_is_published(
    service_client, broker, tokens
):
    tag = uuid.uuid4().hex[:8]
    org = f"org-{tag}"
    async with (
        service_client(
            "ops",
            bootstrap=broker.bootstrap,
            run_consumers=True,
            run_relay=True,
            webhook_allow_http=True,
            webhook_test_allowed_networks=LOCAL_RECEIVERS,
            webhook_disable_after_failures=1,
            webhook_poll_seconds=0.2,
            webhook_consumer=f"ops-webhooks-{tag}",
            monitored_topics=["srs.accreditation", "srs.ops"],
            dead_letter_topics=[f"srs.dlq.wh{tag}"],
            dead_letter_group=f"srs-ops-dlq-{tag}",
        ) as ops,
        running_receiver() as healthy,
        running_receiver(fail_always=True) as broken,
    ):
        await subscribe(ops, tokens, healthy, org, [GRANTED, DISABLED])
        failing = await subscribe(ops, tokens, broken, org, [GRANTED])

        payload = AccreditationGranted.model_validate(
            {**AccreditationGranted.example, "organisation_id": org}
        )
        event_id = str(uuid.uuid4())
        await ensure_topics(ops.runtime.settings.platform, ["srs.accreditation"])
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                "srs.accreditation",
                value=encode_data(payload.model_dump(mode="json")),
                key=b"acc_1",
                headers=to_headers(
                    event_id=event_id,
                    source="/srs/accreditation",
                    event_type=GRANTED,
                    subject="acc_1",
                    time=dt.datetime.now(dt.UTC),
                    correlation_id=None,
                ),
            )
        finally:
            await producer.stop()

        def received(types: set[str]) -> bool:
            return {r.event["type"] for r in healthy.requests} >= types

        async def both_arrived() -> bool:
            return received({GRANTED, DISABLED})

        await eventually(both_arrived, timeout=60)
        assert all(r.valid_signature for r in healthy.requests)
        granted = next(r.event for r in healthy.requests if r.event["type"] == GRANTED)
        assert granted["id"] == event_id
        disabled = next(r.event for r in healthy.requests if r.event["type"] == DISABLED)
        assert disabled["source"] == "/srs/ops" and disabled["subject"] == failing["id"]
        assert disabled["data"]["organisation_id"] == org
        assert len(broken.requests) == 1

        async def stored() -> list:
            body = (
                await ops.get(
                    "/v1/events", params={"type": DISABLED}, headers=tokens.headers("ops")
                )
            ).json()
            return body["items"]

        [record] = await eventually(stored)
        assert record["subject"] == failing["id"]
        state = (
            await ops.get(
                f"/v1/webhooks/subscriptions/{failing['id']}", headers=partner(tokens, org)
            )
        ).json()
        assert not state["enabled"]
