"""Shared helpers of the security suite: the callers (owner A and everyone else), the
routes of a service as its OpenAPI names them, and a valid body for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from srs_common.testing import Tokens

METHODS = ("get", "post", "put", "patch", "delete")
PARTNER_SCOPES = (
    "researchers:read applications:read applications:write projects:read "
    "outputs:read webhooks:manage"
)


def callers(tokens: Tokens) -> dict[str, dict[str, str]]:
    """One caller per role, none of them owner A (``res-owner`` of ``org-a``)."""
    return {
        "researcher": tokens.headers("researcher", researcher_id="res-intruder", org="org-b"),
        "panel": tokens.headers("panel", sub="panel-b"),
        "checker": tokens.headers("checker", sub="checker-b"),
        "support": tokens.headers("support", sub="support-b"),
        "ops": tokens.headers("ops", sub="ops-b"),
        # With every partner scope, so only ownership can refuse the partner.
        "partner": tokens.headers("partner", sub="client-org-b", org="org-b", scope=PARTNER_SCOPES),
        "data_owner": tokens.headers("data_owner", sub="owner-org-b", org="org-b"),
        "anonymous": {},
    }


def routes(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(METHOD, path, operation)`` for every operation of the document."""
    found = []
    for path, item in openapi["paths"].items():
        for method in METHODS:
            if method in item:
                found.append((method.upper(), path, item[method]))
    return found


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi["components"]["schemas"][name]
    return schema


def example_body(openapi: dict[str, Any], operation: dict[str, Any]) -> Any:
    """The first documented example of the request body (every input model has one)."""
    body = operation.get("requestBody")
    if body is None or "application/json" not in body["content"]:
        return None  # no body, or a form (sent empty)
    media = body["content"]["application/json"]
    if "example" in media:
        return media["example"]
    if media.get("examples"):
        return next(iter(media["examples"].values()))["value"]
    schema = _resolve(openapi, media["schema"])
    if schema.get("examples"):
        return schema["examples"][0]
    return {}


@pytest.fixture
def roles(tokens: Tokens) -> dict[str, dict[str, str]]:
    return callers(tokens)


@pytest.fixture
def openapi_of() -> Callable[[Any], dict[str, Any]]:
    return lambda client: client.app.openapi()


# Figures the suite reports at the end of the run (matrix size, denials checked, ...).
FIGURES: list[str] = []


@pytest.fixture
def report() -> Callable[[str], None]:
    """``report("...")``: a line for the security summary printed after the run."""
    return FIGURES.append


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("security figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
