"""Who may do what to *another owner's* objects: one table per service.

Each service module declares ``EXPECTED``, a dict keyed by ``"METHOD /path"`` exactly as
the service's OpenAPI names the route, and ``seed(client, tokens, deliver)``, which
creates objects as owner A and returns their ids. The matrix test then calls every
route as every role of *another* party (researcher B, a partner of another
organisation, staff roles, anonymous) with A's ids. A 2xx from a role the table does
not allow is a leak; a route missing from the table fails the test, so a new route
cannot skip the matrix.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

ROLES = ("researcher", "panel", "checker", "support", "ops", "partner", "data_owner", "anonymous")


@dataclass(frozen=True)
class Only:
    """Only these roles may get a 2xx on another owner's object; every other
    authenticated role gets 403 or 404 (never 409/422, which would reveal the object's
    state; ``refusals`` widens this where a 422 names only the caller's own standing)
    and anonymous gets 401. ``reads=True`` for a read of an object: each allowed
    role must then actually get a 2xx (the seeded ids are real)."""

    roles: frozenset[str] = frozenset()
    body: Any = None
    reads: bool = False
    refusals: frozenset[int] = frozenset({403, 404})
    # Path parameters named differently from the seed: {"request_id": "ingestion_id"}.
    aliases: tuple[tuple[str, str], ...] = ()
    # An endless stream (SSE): allowed callers are not called, only refusals probed.
    streams: bool = False

    def __init__(
        self,
        *roles: str,
        body: Any = None,
        reads: bool = False,
        refusals: tuple[int, ...] = (403, 404),
        aliases: dict[str, str] | None = None,
        streams: bool = False,
    ) -> None:
        unknown = set(roles) - set(ROLES)
        assert not unknown, unknown
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "reads", reads)
        object.__setattr__(self, "refusals", frozenset(refusals))
        object.__setattr__(self, "aliases", tuple((aliases or {}).items()))
        object.__setattr__(self, "streams", streams)


@dataclass(frozen=True)
class Listing:
    """A collection every authenticated caller may list (anonymous: 401), whose
    response must not name owner A's objects unless the role is in ``may_see``."""

    may_see: frozenset[str] = frozenset()

    def __init__(self, *may_see: str) -> None:
        object.__setattr__(self, "may_see", frozenset(may_see))


@dataclass(frozen=True)
class Public:
    """Open to anyone, token or not (public registers, probes); 5xx still fails."""

    reason: str = ""


@dataclass
class Seeded:
    """Owner A's objects: path parameter values, and ids that must not leak in lists."""

    params: dict[str, str]
    secrets: set[str] = field(default_factory=set)


# Every service gets these from srs_common.app.
COMMON: dict[str, Any] = {
    "GET /healthz": Public("liveness probe"),
    "GET /readyz": Public("readiness probe (names no data)"),
    "GET /v1/messaging": Only("ops", "support", reads=True),
}


def params_for(rule: Any, seeded: Seeded) -> dict[str, str]:
    """The seed's path parameters, with the rule's aliases applied."""
    params = dict(seeded.params)
    for name, seeded_name in getattr(rule, "aliases", ()):
        params[name] = seeded.params[seeded_name]
    return params


def url_for(table: Any, seeded: Seeded, method: str, path: str) -> str:
    """``path`` with owner A's ids in place of its parameters (unknown ones: a dud id)."""
    params = params_for(table.EXPECTED.get(f"{method} {path}"), seeded)
    return re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), "zz_unknown"), path)


def table_for(service: str) -> Any:
    """The module ``tables.<service>`` (``EXPECTED``, ``seed``)."""
    return importlib.import_module(f"{__name__}.{service}")


def overrides(service: str, tmp_path: Any) -> dict[str, Any]:
    """Settings a service needs in tests (e.g. where clearance keeps uploaded files)."""
    module = table_for(service)
    hook = getattr(module, "settings_overrides", None)
    return hook(tmp_path) if hook is not None else {}
