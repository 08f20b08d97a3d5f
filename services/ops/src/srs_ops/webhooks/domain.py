"""Webhook rules with no I/O: endpoint URLs, secrets, signatures (Standard Webhooks),
the CloudEvent body, which organisations an event concerns, backoff and disabling."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from srs_common.errors import IllegalTransition, RuleViolation

SECRET_PREFIX = "whsec_"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def validate_url(url: str, *, allow_http: bool) -> str:
    """An endpoint partners may register: http(s) with a host and no credentials; only
    https to a public host unless plain http is allowed (development only)."""
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in allowed:
        raise RuleViolation(f"the URL scheme must be {' or '.join(allowed)}",
                            rule="webhook-url-scheme")
    if not parts.hostname:
        raise RuleViolation("the URL has no host", rule="webhook-url-host")
    if parts.username is not None or parts.password is not None:
        raise RuleViolation("the URL must not carry credentials; verify signatures instead",
                            rule="webhook-url-credentials")
    if not allow_http and _internal_host(parts.hostname):
        raise RuleViolation("the URL must name a public host, not an internal address",
                            rule="webhook-url-internal")
    if parts.fragment:
        raise RuleViolation("the URL must not have a fragment", rule="webhook-url-fragment")
    return url


def _internal_host(hostname: str) -> bool:
    """A loopback, private, link-local or reserved address given literally (names that
    resolve to one are the network's egress policy to stop)."""
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return not address.is_global


def validate_event_types(event_types: list[str], known: set[str]) -> list[str]:
    unknown = sorted(set(event_types) - known)
    if unknown:
        raise RuleViolation(f"unknown event types: {', '.join(unknown)}",
                            rule="webhook-event-types", unknown=unknown)
    return sorted(set(event_types))


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form ``whsec_<base64 of 32 bytes>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(signing_secrets: list[str], message_id: str, timestamp: dt.datetime,
                     body: str) -> str:
    """``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` per
    secret, space-separated (two during a secret rotation)."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body)
                    for secret in signing_secrets)


def signed_headers(signing_secrets: list[str], message_id: str, now: dt.datetime,
                   body: str) -> dict[str, str]:
    timestamp = now.replace(microsecond=0)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(signing_secrets, message_id, timestamp, body),
    }


def cloud_event_body(*, event_id: str, source: str, type: str, subject: str | None,
                     time: dt.datetime | None, data: dict[str, Any]) -> str:
    """The CloudEvent in structured JSON mode: what a partner receives."""
    document: dict[str, Any] = {
        "specversion": "1.0", "id": event_id, "source": source, "type": type,
        "subject": subject,
        "time": time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if time else None,
        "datacontenttype": "application/json", "data": data,
    }
    return json.dumps({k: v for k, v in document.items() if v is not None},
                      separators=(",", ":"), default=str)


def organisations_concerned(data: Mapping[str, Any],
                            researcher_org: Callable[[str], str | None],
                            project_org: Callable[[str], str | None]) -> set[str]:
    """The organisations whose people or projects an event is about: the payload's own
    ``organisation_id`` when it has one, otherwise the organisations of the project and
    the researcher it names (from the read model). Unknown: nobody."""
    own = data.get("organisation_id")
    if isinstance(own, str) and own:
        return {own}
    found: set[str] = set()
    if isinstance(data.get("project_id"), str):
        found.add(project_org(data["project_id"]) or "")
    researchers = [data.get("researcher_id"), *(data.get("researcher_ids") or [])]
    for researcher_id in researchers:
        if isinstance(researcher_id, str):
            found.add(researcher_org(researcher_id) or "")
    found.discard("")
    return found


def backoff_seconds(attempt: int, *, base: float, maximum: float, jitter: float) -> float:
    """Delay before retry ``attempt + 1``: exponential from ``base``, capped, with
    ``jitter`` in [0, 1) spreading retries between 50 % and 150 % of the delay."""
    delay = min(maximum, base * 2 ** max(0, attempt - 1))
    return delay * (0.5 + jitter)


def disable_reason(*, consecutive_failures: int, failing_since: dt.datetime | None,
                   now: dt.datetime, after_hours: float, after_failures: int) -> str | None:
    """Why a failing subscription must be disabled now, or None to keep trying."""
    if consecutive_failures >= after_failures:
        return f"{consecutive_failures} consecutive deliveries failed"
    if failing_since is not None and now - failing_since >= dt.timedelta(hours=after_hours):
        return f"every delivery failed for {after_hours:g} hours"
    return None


def ensure_redeliverable(status: str, *, subscription_enabled: bool) -> None:
    if not subscription_enabled:
        raise IllegalTransition("delivery of a subscription", "disabled", "redeliver")
    if status == PENDING:
        raise IllegalTransition("delivery", PENDING, "redeliver")


def is_success(status_code: int) -> bool:
    return 200 <= status_code < 300
