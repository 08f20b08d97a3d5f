"""Forged tokens on every protected route of every service: all 401 problem+json."""

from __future__ import annotations

import pytest

from .conftest import example_body, routes
from .forgery import forged_tokens
from .tables import Public, overrides, table_for, url_for
from .test_authorization_matrix import SERVICES


@pytest.mark.parametrize("service", SERVICES)
async def test_every_forged_token_is_401_on_every_protected_route(
    service, service_client, tmp_path, tokens, deliver, report
):
    table = table_for(service)
    forged = forged_tokens(tokens)
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        protected = [
            (m, p, op)
            for m, p, op in routes(openapi)
            if not isinstance(table.EXPECTED.get(f"{m} {p}"), Public)
        ]
        failures = []
        for method, path, operation in protected:
            url = url_for(table, seeded, method, path)
            body = example_body(openapi, operation)
            for name, token in forged.items():
                response = await client.request(
                    method, url, json=body, headers={"Authorization": f"Bearer {token}"}
                )
                if (
                    response.status_code != 401
                    or response.headers["content-type"] != "application/problem+json"
                    or response.headers.get("www-authenticate") != "Bearer"
                ):
                    failures.append(f"{method} {path} with {name}: {response.status_code}")
            if getattr(table.EXPECTED.get(f"{method} {path}"), "streams", False):
                continue  # an endless stream once authenticated
            # The same request with a genuine token gets past authentication.
            genuine = tokens.headers(
                "researcher",
                "panel",
                "checker",
                "support",
                "ops",
                "partner",
                "data_owner",
                sub="res-intruder",
            )
            response = await client.request(method, url, json=body, headers=genuine)
            if response.status_code == 401:
                failures.append(f"{method} {path}: a genuine token is refused too")
    report(
        f"forged tokens {service}: {len(protected)} protected routes x {len(forged)} "
        f"forgeries = {len(protected) * len(forged)} refusals checked"
    )
    assert not failures, "\n".join(failures)
