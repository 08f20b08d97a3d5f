"""Webhook rules without I/O: URLs, signatures, organisations concerned, backoff, disabling."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress

import pytest

from srs_common.errors import IllegalTransition, RuleViolation
from srs_ops.webhooks import domain

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def test_signature_is_hmac_sha256_of_id_timestamp_and_body():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    headers = domain.signed_headers([secret], "msg_1", NOW, '{"a":1}')
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    digest = hmac.new(
        b"k" * 32, f'msg_1.{int(NOW.timestamp())}.{{"a":1}}'.encode(), hashlib.sha256
    ).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


def test_secrets_are_standard_webhooks_secrets_and_unique():
    first, second = domain.new_secret(), domain.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


@pytest.mark.parametrize("url", ["https://h.example/x", "https://h.example:8443/x?y=1"])
def test_https_urls_are_accepted(url):
    assert domain.validate_url(url, allow_http=False) == url


@pytest.mark.parametrize(
    "url, allow_http",
    [
        ("http://h.example/x", False),
        ("ftp://h.example/x", True),
        ("javascript:alert(1)", True),
        ("https://u:p@h.example/", True),
        ("https://u@h.example/", True),
        ("https:///x", True),
        ("https://h.example/#frag", True),
    ],
)
def test_bad_urls_are_refused(url, allow_http):
    with pytest.raises(RuleViolation):
        domain.validate_url(url, allow_http=allow_http)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://10.0.0.5/x",
        "https://169.254.169.254/latest",
        "https://[::1]/x",
        "https://localhost/x",
    ],
)
def test_internal_addresses_are_refused_in_production(url):
    with pytest.raises(RuleViolation, match="public host"):
        domain.validate_url(url, allow_http=False)


def test_plain_http_only_when_allowed():
    assert domain.validate_url("http://hooks.example:9/x", allow_http=True)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "0x7f.1",
        "127.0.0.1.",
        "localhost.",
        "[::ffff:127.0.0.1]",
        "[::1]",
    ],
)
def test_allowing_plain_http_does_not_allow_this_host(host):
    with pytest.raises(RuleViolation, match="public host"):
        domain.validate_url(f"http://{host}:9/x", allow_http=True)


@pytest.mark.parametrize(
    "host",
    ["\uff11\uff12\uff17.\uff10.\uff10.\uff11", "127\u30020\u30020\u30021", "LOCALHOST\uff0e"],
)
def test_unicode_spellings_of_this_host_are_refused(host):
    with pytest.raises(RuleViolation, match="public host"):
        domain.validate_url(f"http://{host}:9/x", allow_http=True)


def test_the_test_allow_list_admits_only_its_networks():
    local = [ipaddress.ip_network("127.0.0.1/32")]
    assert domain.validate_url("http://127.0.0.1:9/x", allow_http=True, allowed_networks=local)
    assert domain.validate_url("http://2130706433:9/x", allow_http=True, allowed_networks=local)
    with pytest.raises(RuleViolation, match="public host"):
        domain.validate_url("http://127.0.0.2:9/x", allow_http=True, allowed_networks=local)
    with pytest.raises(RuleViolation, match="public host"):
        domain.validate_url("http://10.0.0.1:9/x", allow_http=True, allowed_networks=local)


@pytest.mark.parametrize(
    "host, address",
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("10.1", "10.0.0.1"),
        ("169.254.43518", "169.254.169.254"),
        ("0XA9FEA9FE", "169.254.169.254"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("[::1]", "::1"),
        ("93.184.216.34", "93.184.216.34"),
    ],
)
def test_address_literals_are_read_in_every_notation(host, address):
    assert domain.literal_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "host", ["hooks.example", "a0.example", "0x.example", "xn--bcher-kva.example"]
)
def test_names_are_not_address_literals(host):
    assert domain.literal_address(host) is None


@pytest.mark.parametrize(
    "host",
    ["1.2.3.4.5", "256.0.0.1", "1.16777216", "08.0.0.1", "example.123", "4294967296", "::zz"],
)
def test_numeric_hosts_that_are_no_address_are_refused(host):
    with pytest.raises(RuleViolation, match="not a valid"):
        domain.literal_address(host)


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.0.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "not a globally reachable"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:a00:1::", "private"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_internal_addresses_are_refused_with_their_kind(address, kind):
    reason = domain.address_refusal(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert domain.address_refusal(ipaddress.ip_address(address)) is None


def test_organisation_from_payload_wins_over_the_read_model():
    assert domain.organisations_concerned(
        {"organisation_id": "org-a", "project_id": "p"}, {}.get, {"p": "org-b"}.get
    ) == {"org-a"}


def test_organisations_from_the_read_model_for_project_and_researchers():
    data = {"project_id": "p", "researcher_id": "r1", "researcher_ids": ["r2"]}
    found = domain.organisations_concerned(
        data, {"r1": "org-b", "r2": "org-c"}.get, {"p": "org-a"}.get
    )
    assert found == {"org-a", "org-b", "org-c"}
    assert domain.organisations_concerned({"project_id": "unknown"}, {}.get, {}.get) == set()


def test_backoff_doubles_up_to_the_cap_with_jitter():
    delays = [domain.backoff_seconds(n, base=5, maximum=60, jitter=0.5) for n in range(1, 7)]
    assert delays == [5, 10, 20, 40, 60, 60]
    assert domain.backoff_seconds(1, base=5, maximum=60, jitter=0.0) == 2.5
    assert domain.backoff_seconds(1, base=5, maximum=60, jitter=0.999) < 7.5


def test_disable_after_the_window_or_the_count():
    keep = dict(now=NOW, after_hours=24, after_failures=10)
    assert (
        domain.disable_reason(
            consecutive_failures=3, failing_since=NOW - dt.timedelta(hours=23), **keep
        )
        is None
    )
    assert domain.disable_reason(
        consecutive_failures=3, failing_since=NOW - dt.timedelta(hours=24), **keep
    )
    assert domain.disable_reason(consecutive_failures=10, failing_since=NOW, **keep)


def test_redelivery_needs_a_settled_delivery_and_an_enabled_subscription():
    domain.ensure_redeliverable("failed", subscription_enabled=True)
    with pytest.raises(IllegalTransition, match="pending"):
        domain.ensure_redeliverable("pending", subscription_enabled=True)
    with pytest.raises(IllegalTransition, match="disabled"):
        domain.ensure_redeliverable("delivered", subscription_enabled=False)


def test_the_body_is_a_structured_cloudevent():
    body = domain.cloud_event_body(
        event_id="e1", source="/srs/x", type="srs.t.v1", subject="s", time=NOW, data={"k": 1}
    )
    assert body == (
        '{"specversion":"1.0","id":"e1","source":"/srs/x","type":"srs.t.v1",'
        '"subject":"s","time":"2026-11-25T10:00:00Z",'
        '"datacontenttype":"application/json","data":{"k":1}}'
    )
