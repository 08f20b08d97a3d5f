"""Every service in one process (``make run``, :mod:`srs_common.together`): each still
answers on its own port, every log line names the service it comes from, and one metrics
port carries every service's series. The portal's browser tests drive the same stack
through whole journeys."""

from __future__ import annotations

import json

import httpx
import pytest

from .conftest import wait_for

pytestmark = pytest.mark.e2e


def test_one_process_serves_every_service_on_its_own_port(portal_stack):
    assert list(portal_stack.processes) == ["services"]
    for service in portal_stack.served:
        response = httpx.get(f"{portal_stack.url(service)}/readyz", timeout=5)
        assert response.status_code == 200, (service, response.text)
        # Each app answers for itself: its own OpenAPI title on its own port.
        if service != "portal":
            title = httpx.get(f"{portal_stack.url(service)}/openapi.json").json()["info"]["title"]
            assert service in title.lower(), (service, title)


def test_every_log_line_names_the_service_it_comes_from(portal_stack):
    log = portal_stack.var_dir / "logs" / "services.log"

    def applied() -> list[dict[str, str]]:
        """The consumers' lines for the seeds' events, each applied by a service's own
        consumer ("<consumer> applied <type> ...")."""
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        found = [line for line in lines if " applied srs." in line["message"]]
        return found if {"projects", "notify"} <= {line["service"] for line in found} else []

    lines, _ = wait_for(applied, timeout=30, interval=0.2)
    for line in lines:
        consumer = line["message"].split()[0]  # a service's, or one of its own (ops-webhooks)
        assert consumer.split("-")[0] == line["service"], line


def test_one_metrics_port_carries_every_services_series(portal_stack):
    for service in portal_stack.served:
        httpx.get(f"{portal_stack.url(service)}/readyz", timeout=5)
    urls = {portal_stack.metrics_url(service) for service in portal_stack.served}
    assert len(urls) == 1
    text = httpx.get(urls.pop()).text
    for service in portal_stack.served:
        if service != "portal":  # the portal's requests are timed by its own middleware
            assert f'service="{service}"' in text, service
