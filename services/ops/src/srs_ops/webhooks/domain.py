"""Webhook rules with no I/O: endpoint URLs, secrets, signatures (Standard Webhooks),
the CloudEvent body, which organisations an event concerns, backoff and disabling."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from srs_common.errors import IllegalTransition, RuleViolation

SECRET_PREFIX = "whsec_"


class DeliveryStatus(StrEnum):
    """A delivery's state machine: pending until an attempt succeeds (delivered) or the
    retries run out (failed); support may set a delivered or failed one pending again."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def validate_url(url: str, *, allow_http: bool, allowed_networks: Iterable[Network] = ()) -> str:
    """An endpoint partners may register: http(s) with a host and no credentials, https
    unless plain http is allowed (development only), and never a host that names an
    internal address in any notation (``allowed_networks``: test receivers only). Names
    are resolved and checked again at every delivery (``egress``)."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise RuleViolation(f"the URL is malformed: {exc}", rule="webhook-url-host") from None
    allowed = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in allowed:
        raise RuleViolation(
            f"the URL scheme must be {' or '.join(allowed)}", rule="webhook-url-scheme"
        )
    if not hostname:
        raise RuleViolation("the URL has no host", rule="webhook-url-host")
    if parts.username is not None or parts.password is not None:
        raise RuleViolation(
            "the URL must not carry credentials; verify signatures instead",
            rule="webhook-url-credentials",
        )
    reason = internal_host_reason(hostname, allowed_networks)
    if reason is not None:
        raise RuleViolation(
            f"the URL must name a public host, not {reason}", rule="webhook-url-internal"
        )
    if parts.fragment:
        raise RuleViolation("the URL must not have a fragment", rule="webhook-url-fragment")
    return url


def internal_host_reason(hostname: str, allowed_networks: Iterable[Network] = ()) -> str | None:
    """Why a URL's host is internal as written, or None: a ``localhost`` name, or an
    address literal in any notation resolvers accept (``2130706433``, ``0x7f000001``,
    ``0177.0.0.1``, ``127.1``, a trailing dot, ``[::ffff:127.0.0.1]``...)."""
    # As IDNA reads it: full-width digits and ideographic dots are the ASCII ones.
    name = unicodedata.normalize("NFKC", hostname).translate(_DOTS).lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"{hostname} (loopback name)"
    address = literal_address(name)
    if address is None:
        return None
    return address_refusal(address, allowed_networks)


def literal_address(host: str) -> Address | None:
    """The address a host written as an address literal means, or None for a name.

    IPv4 follows the URL standard's host parser (and ``inet_aton``): one to four parts,
    each decimal, octal (leading ``0``) or hex (``0x``), the last filling the remaining
    bytes; a trailing dot is dropped. A host that looks numeric but overflows is refused
    rather than treated as a name."""
    host = host.strip("[]")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise RuleViolation(
                f"the URL host {host} is not a valid IPv6 address", rule="webhook-url-host"
            ) from None
    parts = host.rstrip(".").split(".") if host not in ("", ".") else []
    if not parts or len(parts) > 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        if parts and _IPV4_PART.fullmatch(parts[-1]):
            # Ends in a number: resolvers read it as an address, never as a name.
            raise RuleViolation(
                f"the URL host {host} is not a valid address", rule="webhook-url-host"
            )
        return None
    numbers = [_ipv4_number(p) for p in parts]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise RuleViolation(f"the URL host {host} is not a valid address", rule="webhook-url-host")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")


def _ipv4_number(part: str) -> int:
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        if not set(part) <= set("01234567"):
            raise RuleViolation(
                f"the URL host part {part} is not a valid octal number", rule="webhook-url-host"
            )
        return int(part, 8)
    return int(part)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and may be routed to: IPv4-mapped
    (``::ffff:a.b.c.d``), IPv4-compatible (``::a.b.c.d``), 6to4 and NAT64 (64:ff9b::/96)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = int(address)
    if address in _NAT64 or (packed >> 32 == 0 and packed > 1):
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_refusal(address: Address, allowed_networks: Iterable[Network] = ()) -> str | None:
    """Why a webhook may not connect to ``address``, or None when it may: loopback,
    private, link-local, multicast, reserved, unspecified or otherwise not globally
    reachable, including an IPv4 address carried inside IPv6. ``allowed_networks`` is
    for tests' local receivers only (setting ``webhook_test_allowed_networks``)."""
    if any(address.version == n.version and address in n for n in allowed_networks):
        return None
    candidates: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            candidates.insert(0, inner)
    for candidate in candidates:
        for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
            if getattr(candidate, f"is_{kind}"):
                return f"{address} ({kind.replace('_', '-')} address)"
        if not candidate.is_global:
            return f"{address} (not a globally reachable address)"
    return None


def validate_event_types(event_types: list[str], known: set[str]) -> list[str]:
    unknown = sorted(set(event_types) - known)
    if unknown:
        raise RuleViolation(
            f"unknown event types: {', '.join(unknown)}",
            rule="webhook-event-types",
            unknown=unknown,
        )
    return sorted(set(event_types))


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form ``whsec_<base64 of 32 bytes>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(
    signing_secrets: list[str], message_id: str, timestamp: dt.datetime, body: str
) -> str:
    """``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` per
    secret, space-separated (two during a secret rotation)."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in signing_secrets)


def signed_headers(
    signing_secrets: list[str], message_id: str, now: dt.datetime, body: str
) -> dict[str, str]:
    timestamp = now.replace(microsecond=0)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(signing_secrets, message_id, timestamp, body),
    }


def cloud_event_body(
    *,
    event_id: str,
    source: str,
    type: str,
    subject: str | None,
    time: dt.datetime | None,
    data: dict[str, Any],
) -> str:
    """The CloudEvent in structured JSON mode: what a partner receives."""
    document: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": type,
        "subject": subject,
        "time": time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if time else None,
        "datacontenttype": "application/json",
        "data": data,
    }
    return json.dumps(
        {k: v for k, v in document.items() if v is not None}, separators=(",", ":"), default=str
    )


def organisations_concerned(
    data: Mapping[str, Any],
    researcher_org: Callable[[str], str | None],
    project_org: Callable[[str], str | None],
) -> set[str]:
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
    delay: float = min(maximum, base * 2 ** max(0, attempt - 1))
    return delay * (0.5 + jitter)


def disable_reason(
    *,
    consecutive_failures: int,
    failing_since: dt.datetime | None,
    now: dt.datetime,
    after_hours: float,
    after_failures: int,
) -> str | None:
    """Why a failing subscription must be disabled now, or None to keep trying."""
    if consecutive_failures >= after_failures:
        return f"{consecutive_failures} consecutive deliveries failed"
    if failing_since is not None and now - failing_since >= dt.timedelta(hours=after_hours):
        return f"every delivery failed for {after_hours:g} hours"
    return None


def ensure_redeliverable(status: str, *, subscription_enabled: bool) -> None:
    if not subscription_enabled:
        raise IllegalTransition("delivery of a subscription", "disabled", "redeliver")
    if status == DeliveryStatus.PENDING:
        raise IllegalTransition("delivery", DeliveryStatus.PENDING, "redeliver")


def is_success(status_code: int) -> bool:
    return 200 <= status_code < 300
