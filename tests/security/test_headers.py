"""Response headers of every service's app, as served (srs_common.headers):
``X-Content-Type-Options: nosniff`` on every response, ``Cache-Control: no-store`` on every
answer to an authenticated caller and on every problem answer, a Content-Security-Policy on
every HTML page that still lets the page load what it needs, and no ``/metrics`` on the API
port (metrics have a port of their own: srs_common.metrics)."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

import httpx
import pytest

from srs_common.metrics import MetricsApp, metrics_port_for

from .conftest import PARTNER_SCOPES, routes
from .tables import overrides
from .test_authorization_matrix import SERVICES

ALL_ROLES = ("researcher", "panel", "checker", "support", "ops", "data_owner")
HTML_PAGES = {"/docs", "/redoc", "/docs/oauth2-redirect", "/console"}
SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
STYLESHEET = re.compile(
    r"""<link[^>]*rel=["']stylesheet["'][^>]*href=["']([^"']+)["']|"""
    r"""<link[^>]*href=["']([^"']+)["'][^>]*rel=["']stylesheet["']""",
    re.IGNORECASE,
)


def policy_of(header: str) -> dict[str, list[str]]:
    directives = (d.strip().split() for d in header.split(";") if d.strip())
    return {d[0]: d[1:] for d in directives}


def allows(sources: list[str], url: str) -> bool:
    parts = urlsplit(url)
    if not parts.scheme:
        return "'self'" in sources
    return f"{parts.scheme}://{parts.netloc}" in sources


def page_problems(path: str, response: httpx.Response) -> list[str]:
    """What a browser would refuse to run or load on this page under its policy."""
    header = response.headers.get("content-security-policy")
    if not header:
        return [f"{path}: HTML without a Content-Security-Policy"]
    policy = policy_of(header)
    wrong = []
    if "'unsafe-inline'" in policy.get("script-src", []):
        wrong.append(f"{path}: script-src allows any inline script")
    for attributes, body in SCRIPT.findall(response.text):
        src = SRC.search(attributes)
        if src:
            if not allows(policy["script-src"], src.group(1)):
                wrong.append(f"{path}: script {src.group(1)} not allowed by {header}")
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        if f"'sha256-{digest}'" not in policy["script-src"]:
            wrong.append(f"{path}: its own inline script is not allowed by {header}")
    for groups in STYLESHEET.findall(response.text):
        href = next(g for g in groups if g)
        if not allows(policy["style-src"], href):
            wrong.append(f"{path}: stylesheet {href} not allowed by {header}")
    for directive in ("default-src", "frame-ancestors", "base-uri"):
        if directive not in policy:
            wrong.append(f"{path}: no {directive} in {header}")
    return wrong


@pytest.mark.parametrize("service", SERVICES)
async def test_every_response_is_nosniff_and_personal_answers_are_not_stored(
    service, service_client, tmp_path, tokens, report
):
    signed_in = tokens.headers(
        *ALL_ROLES,
        "partner",
        sub="res-owner",
        researcher_id="res-owner",
        org="org-a",
        scope=PARTNER_SCOPES,
    )
    wrong: list[str] = []
    seen = 0
    async with service_client(service, **overrides(service, tmp_path)) as client:
        openapi = client.app.openapi()
        requests = [
            ("GET", "/v1/zz-no-such-route", signed_in),
            ("GET", "/openapi.json", {}),
            ("GET", "/healthz", {}),
            ("GET", "/docs", {}),
            ("GET", "/v1/zz-no-such-route", {}),  # an anonymous problem
            ("POST", "/healthz", signed_in),
        ]  # 405
        for method, path, operation in routes(openapi):
            if method != "GET" or "text/event-stream" in str(operation.get("responses", {})):
                continue
            url = re.sub(r"\{\w+\}", "zz_unknown", path)
            requests += [(method, url, signed_in), (method, url, {})]
        for method, url, headers in requests:
            response = await client.request(method, url, headers=headers)
            seen += 1
            where = (
                f"{method} {url} ({'signed in' if headers else 'anonymous'}): "
                f"{response.status_code}"
            )
            if response.headers.get("x-content-type-options") != "nosniff":
                wrong.append(f"{where} without X-Content-Type-Options: nosniff")
            personal = headers or response.headers.get("content-type") == "application/problem+json"
            if personal and "no-store" not in response.headers.get("cache-control", ""):
                wrong.append(
                    f"{where} may be cached: Cache-Control "
                    f"{response.headers.get('cache-control')!r}"
                )
            if (
                response.status_code < 300
                and not headers
                and url == "/openapi.json"
                and "no-store" in response.headers.get("cache-control", "")
            ):
                wrong.append(f"{where}: a public document is needlessly uncacheable")
    report(f"headers {service}: {seen} responses checked (nosniff, no-store)")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_every_html_page_has_a_policy_that_lets_it_work(service, service_client, tmp_path):
    wrong: list[str] = []
    pages = 0
    async with service_client(service, **overrides(service, tmp_path)) as client:
        openapi = client.app.openapi()
        paths = HTML_PAGES | {
            path
            for method, path, op in routes(openapi)
            if method == "GET" and "text/html" in str(op.get("responses"))
        }
        for path in sorted(paths):
            response = await client.get(re.sub(r"\{\w+\}", "zz_unknown", path))
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue  # no such page here, or an error answered as problem+json
            pages += response.status_code == 200
            wrong += page_problems(f"{path} ({response.status_code})", response)
    assert pages >= 3, f"{service}: only {pages} HTML pages found"
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_metrics_are_not_served_on_the_api_port(service, service_client, tmp_path):
    async with service_client(service, **overrides(service, tmp_path)) as client:
        response = await client.get("/metrics")
        assert response.status_code == 404, response.text[:200]
        assert response.headers["content-type"] == "application/problem+json"
        settings = client.runtime.settings
        assert metrics_port_for(settings.port, settings.metrics_port) != settings.port
        # The metrics app (served on the metrics port) has what the API port used to have.
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(MetricsApp()), base_url="http://metrics"
        ) as scrape:
            metrics = await scrape.get("/metrics")
            assert metrics.status_code == 200
            assert "srs_http_request_duration_seconds" in metrics.text
            assert (await scrape.get("/v1/anything")).status_code == 404
