"""The Content-Security-Policy of an HTML page (srs_common.headers): the page's own inline
scripts by hash, nothing else inline, and a service's extra sources merged in."""

from __future__ import annotations

import base64
import hashlib

from srs_common.headers import content_security_policy


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def test_inline_scripts_are_allowed_by_hash_and_nothing_else_inline():
    page = b'<html><script src="/a.js"></script><script>boot(1)</script><SCRIPT>x()</SCRIPT>'
    scripts = _directives(content_security_policy(page))["script-src"]
    for body in (b"boot(1)", b"x()"):
        assert (
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'" in scripts
        )
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert len([s for s in scripts if s.startswith("'sha256-")]) == 2


def test_a_service_adds_the_sources_its_pages_need():
    policy = _directives(
        content_security_policy(
            b"<p>hi</p>", {"script-src": ["https://unpkg.com"], "frame-src": ["https://x.org"]}
        )
    )
    assert "https://unpkg.com" in policy["script-src"]
    assert policy["frame-src"] == ["https://x.org"]
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
