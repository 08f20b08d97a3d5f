"""The AsyncAPI document: complete, valid against its own schemas, and not stale."""

from __future__ import annotations

import jsonschema

from srs_common.contracts import SERVICE_TOPICS, platform_contracts
from srs_ops.asyncapi import DOCUMENT, generate, message_id, render


def test_committed_document_matches_the_contracts():
    assert DOCUMENT.read_text() == render(generate()), (
        "services/ops/src/srs_ops/asyncapi.json is stale: a contract changed. Regenerate it "
        "with `uv run python -m srs_ops.asyncapi --write` and commit the result."
    )


def test_one_channel_per_topic_one_message_per_event_type():
    doc = generate()
    addresses = {c["address"] for c in doc["channels"].values()}
    topics = {c.topic for c in platform_contracts().values()}
    assert addresses == topics
    assert topics <= set(SERVICE_TOPICS.values())
    assert set(doc["components"]["messages"]) == {message_id(t) for t in platform_contracts()}


def test_every_example_validates_against_its_payload_schema():
    doc = generate()
    for message in doc["components"]["messages"].values():
        # Local references resolve against the root, which carries the components.
        validator = jsonschema.Draft202012Validator(
            {"components": doc["components"], **message["payload"]}
        )
        for example in message["examples"]:
            errors = list(validator.iter_errors(example["payload"]))
            assert not errors, (message["name"], errors[0].message)
