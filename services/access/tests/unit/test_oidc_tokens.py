"""The ID token's at_hash, checked against the OpenID Connect specification's own example
and against Authlib (the provider's library), so the hand-written two lines cannot drift."""

from __future__ import annotations

import secrets

from authlib.oidc.core.util import create_half_hash

from srs_access.oidc.tokens import at_hash


def test_at_hash_matches_the_specifications_example() -> None:
    # OpenID Connect Core 1.0, Appendix A.3 (response_type=id_token token, RS256).
    assert at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y") == "77QmUPtjPfzWtF2AnpK9RQ"


def test_at_hash_agrees_with_authlib_for_any_token() -> None:
    for _ in range(50):
        token = secrets.token_urlsafe(secrets.randbelow(600) + 1)
        assert at_hash(token) == create_half_hash(token, "RS256").decode()
