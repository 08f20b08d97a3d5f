"""Webhook rules without I/O: URLs, signatures, organisations concerned, backoff, disabling."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest

from srs_common.errors import IllegalTransition, RuleViolation
from srs_ops.webhooks import domain

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def test_signature_is_hmac_sha256_of_id_timestamp_and_body():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    headers = domain.signed_headers([secret], "msg_1", NOW, '{"a":1}')
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    digest = hmac.new(b"k" * 32, f"msg_1.{int(NOW.timestamp())}.{{\"a\":1}}".encode(),
                      hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


def test_secrets_are_standard_webhooks_secrets_and_unique():
    first, second = domain.new_secret(), domain.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


@pytest.mark.parametrize("url", ["https://h.example/x", "https://h.example:8443/x?y=1"])
def test_https_urls_are_accepted(url):
    assert domain.validate_url(url, allow_http=False) == url


@pytest.mark.parametrize("url, allow_http", [
    ("http://h.example/x", False), ("ftp://h.example/x", True), ("javascript:alert(1)", True),
    ("https://u:p@h.example/", True), ("https://u@h.example/", True), ("https:///x", True),
    ("https://h.example/#frag", True)])
def test_bad_urls_are_refused(url, allow_http):
    with pytest.raises(RuleViolation):
        domain.validate_url(url, allow_http=allow_http)


@pytest.mark.parametrize("url", ["https://127.0.0.1/x", "https://10.0.0.5/x",
                                 "https://169.254.169.254/latest", "https://[::1]/x",
                                 "https://localhost/x"])
def test_internal_addresses_are_refused_in_production(url):
    with pytest.raises(RuleViolation, match="public host"):
        domain.validate_url(url, allow_http=False)


def test_plain_http_only_when_allowed():
    assert domain.validate_url("http://127.0.0.1:9/x", allow_http=True)


def test_organisation_from_payload_wins_over_the_read_model():
    assert domain.organisations_concerned(
        {"organisation_id": "org-a", "project_id": "p"}, {}.get, {"p": "org-b"}.get) == {"org-a"}


def test_organisations_from_the_read_model_for_project_and_researchers():
    data = {"project_id": "p", "researcher_id": "r1", "researcher_ids": ["r2"]}
    found = domain.organisations_concerned(data, {"r1": "org-b", "r2": "org-c"}.get,
                                           {"p": "org-a"}.get)
    assert found == {"org-a", "org-b", "org-c"}
    assert domain.organisations_concerned({"project_id": "unknown"}, {}.get, {}.get) == set()


def test_backoff_doubles_up_to_the_cap_with_jitter():
    delays = [domain.backoff_seconds(n, base=5, maximum=60, jitter=0.5) for n in range(1, 7)]
    assert delays == [5, 10, 20, 40, 60, 60]
    assert domain.backoff_seconds(1, base=5, maximum=60, jitter=0.0) == 2.5
    assert domain.backoff_seconds(1, base=5, maximum=60, jitter=0.999) < 7.5


def test_disable_after_the_window_or_the_count():
    keep = dict(now=NOW, after_hours=24, after_failures=10)
    assert domain.disable_reason(consecutive_failures=3,
                                 failing_since=NOW - dt.timedelta(hours=23), **keep) is None
    assert domain.disable_reason(consecutive_failures=3,
                                 failing_since=NOW - dt.timedelta(hours=24), **keep)
    assert domain.disable_reason(consecutive_failures=10, failing_since=NOW, **keep)


def test_redelivery_needs_a_settled_delivery_and_an_enabled_subscription():
    domain.ensure_redeliverable("failed", subscription_enabled=True)
    with pytest.raises(IllegalTransition, match="pending"):
        domain.ensure_redeliverable("pending", subscription_enabled=True)
    with pytest.raises(IllegalTransition, match="disabled"):
        domain.ensure_redeliverable("delivered", subscription_enabled=False)


def test_the_body_is_a_structured_cloudevent():
    body = domain.cloud_event_body(event_id="e1", source="/srs/x", type="srs.t.v1",
                                   subject="s", time=NOW, data={"k": 1})
    assert body == ('{"specversion":"1.0","id":"e1","source":"/srs/x","type":"srs.t.v1",'
                    '"subject":"s","time":"2026-11-25T10:00:00Z",'
                    '"datacontenttype":"application/json","data":{"k":1}}')
