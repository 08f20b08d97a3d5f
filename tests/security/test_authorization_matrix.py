"""Every route x every role x owner A's object ids, against the per-service tables."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import example_body, routes
from .tables import ROLES, Listing, Only, Public, overrides, table_for, url_for

SERVICES = ("accreditation", "projects", "clearance", "access", "booking", "ops", "notify")


@pytest.mark.parametrize("service", SERVICES)
async def test_nobody_gets_a_2xx_the_table_does_not_allow(
    service, service_client, tmp_path, tokens, deliver, roles, report
):
    table = table_for(service)
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        operations = routes(openapi)
        keys = {f"{method} {path}" for method, path, _ in operations}
        missing = sorted(keys - table.EXPECTED.keys())
        stale = sorted(table.EXPECTED.keys() - keys)
        assert not missing, f"routes missing from tables/{service}.py: {missing}"
        assert not stale, f"tables/{service}.py names routes the API lacks: {stale}"

        wrong: list[str] = []
        denials = 0

        async def call(
            method: str, path: str, operation: dict[str, Any], role: str, body: Any
        ) -> Any:
            url = url_for(table, seeded, method, path)
            if body is None:
                body = example_body(openapi, operation)
            response = await client.request(
                method, url, headers=roles[role], json=body if body is not None else None
            )
            documented = str(response.status_code) in operation.get("responses", {})
            if response.status_code >= 500 and not documented:
                wrong.append(
                    f"{method} {path} as {role}: {response.status_code} {response.text[:200]}"
                )
            return response

        # Phase 1: everyone who must be refused (nothing changes state here).
        for method, path, operation in operations:
            key = f"{method} {path}"
            rule = table.EXPECTED[key]
            for role in ROLES:
                if isinstance(rule, Public):
                    await call(method, path, operation, role, None)
                    continue
                if isinstance(rule, Only) and role in rule.roles:
                    continue
                response = await call(
                    method, path, operation, role, rule.body if isinstance(rule, Only) else None
                )
                status = response.status_code
                if role == "anonymous":
                    denials += 1
                    if status != 401:
                        wrong.append(f"{key} anonymous: {status}, expected 401")
                elif isinstance(rule, Listing):
                    leaked = sorted(s for s in seeded.secrets if s in response.text)
                    if role not in rule.may_see:
                        denials += 1
                        if leaked:
                            wrong.append(f"{key} as {role} lists owner A's {leaked}")
                else:
                    denials += 1
                    if status not in rule.refusals:
                        wrong.append(
                            f"{key} as {role}: {status} {response.text[:160]}, expected 403 or 404"
                        )

        # Phase 2: the roles the table allows (their changes may follow one another).
        for method, path, operation in operations:
            key = f"{method} {path}"
            rule = table.EXPECTED[key]
            if not isinstance(rule, Only) or rule.streams:
                continue
            for role in sorted(rule.roles):
                response = await call(method, path, operation, role, rule.body)
                if rule.reads and not 200 <= response.status_code < 300:
                    wrong.append(
                        f"{key} as {role}: {response.status_code}, the table says it "
                        f"may read owner A's object (are the seeded ids real?)"
                    )

        cells = len(operations) * len(ROLES)
        report(
            f"authorisation matrix {service}: {len(operations)} routes x {len(ROLES)} roles "
            f"= {cells} cells, {denials} denials checked"
        )
        assert not wrong, "\n".join(wrong)
