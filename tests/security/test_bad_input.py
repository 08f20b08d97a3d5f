"""Bad input on every route that takes a body: a clear 4xx problem+json naming the
problem, never a 5xx, and nothing written.

Each case is sent by owner A holding every role (so authorisation never hides the
answer) against owner A's real objects (the matrix seeds)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from srs_common.bodylimit import BodyLimitMiddleware

from .conftest import PARTNER_SCOPES, _resolve, example_body, routes
from .tables import overrides, table_for, url_for
from .test_authorization_matrix import SERVICES

ALL_ROLES = ("researcher", "panel", "checker", "support", "ops", "partner", "data_owner")
PROBLEM_JSON = "application/problem+json"
UNICODE_EDGES = {
    "nul": "a\u0000b",
    "lone surrogate": "a\ud800b",
    "right-to-left override": "abc\u202egpj.exe",
    "astral emoji": "\U0001f600" * 50,
    "combining marks": "e" + "\u0301" * 300,
    "zero-width joiner": "a\u200db\ufeff",
}
ABSURD_DATES = ("0001-01-01", "9999-12-31")
MALFORMED_DATES = ("2024-02-30", "99999-01-01", "31/12/2024", "")


async def snapshot(client: Any) -> dict[str, list[tuple]]:
    """Every row of every table of the service (tables are tiny in these tests)."""
    metadata = client.app.state.spec.messaging.outbox.metadata
    rows = {}
    async with client.runtime.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            result = await conn.execute(select(table))
            rows[table.name] = sorted(map(repr, result.all()))
    return rows


def body_routes(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Any]]:
    found = []
    for method, path, operation in routes(openapi):
        body = example_body(openapi, operation)
        if isinstance(body, dict):
            found.append((method, path, operation, body))
    return found


def properties(openapi: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(openapi, operation["requestBody"]["content"]["application/json"]["schema"])
    return {name: _resolve(openapi, prop) for name, prop in schema.get("properties", {}).items()}


def is_date(prop: dict[str, Any]) -> bool:
    options = prop.get("anyOf", [prop])
    return any(o.get("format") in ("date", "date-time") for o in options)


def is_string(prop: dict[str, Any]) -> bool:
    options = prop.get("anyOf", [prop])
    return any(o.get("type") == "string" and "format" not in o and "enum" not in o for o in options)


@pytest.fixture
def owner(tokens):
    return tokens.headers(
        *ALL_ROLES, sub="res-owner", researcher_id="res-owner", org="org-a", scope=PARTNER_SCOPES
    )


@pytest.mark.parametrize("service", SERVICES)
async def test_bad_bodies_get_field_errors_and_write_nothing(
    service, service_client, tmp_path, tokens, deliver, owner, report
):
    table = table_for(service)
    wrong: list[str] = []
    checked = 0
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()

        async def expect_refusal(
            method: str,
            path: str,
            case: str,
            *,
            field: str | None = None,
            content: bytes | None = None,
            body: Any = None,
            statuses: tuple[int, ...] = (422,),
        ) -> None:
            nonlocal checked
            checked += 1
            before = await snapshot(client)
            headers = {**owner, "content-type": "application/json"}
            if content is None:
                content = json.dumps(body).encode()
            response = await client.request(
                method, url_for(table, seeded, method, path), content=content, headers=headers
            )
            where = f"{method} {path} {case}"
            if response.status_code not in statuses:
                wrong.append(f"{where}: {response.status_code} {response.text[:200]}")
                return
            if response.headers["content-type"] != PROBLEM_JSON:
                wrong.append(f"{where}: served as {response.headers['content-type']}")
            if field is not None:
                named = [e["field"] for e in response.json().get("errors", [])]
                if not any(field in n for n in named):
                    wrong.append(f"{where}: errors {named} do not name {field}")
            if await snapshot(client) != before:
                wrong.append(f"{where}: refused, yet the database changed")

        for method, path, operation, example in body_routes(openapi):
            await expect_refusal(method, path, "malformed JSON", content=b'{"reason": "x",')
            await expect_refusal(method, path, "JSON that is not an object", body=[example])
            await expect_refusal(
                method,
                path,
                "unknown field",
                field="zz_unexpected",
                body={**example, "zz_unexpected": "x"},
            )
            for name, prop in properties(openapi, operation).items():
                await expect_refusal(
                    method,
                    path,
                    f"wrong type for {name}",
                    field=name,
                    body={**example, name: [[{"x": 1}]]},
                )
                if is_date(prop):
                    for value in MALFORMED_DATES:
                        await expect_refusal(
                            method,
                            path,
                            f"{name}={value!r}",
                            field=name,
                            body={**example, name: value},
                        )
    report(
        f"bad bodies {service}: {checked} refusals checked (422 with field errors, "
        "problem+json, nothing written)"
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_absurd_dates_and_unicode_edges_never_500(
    service, service_client, tmp_path, tokens, deliver, owner, report
):
    """Well-formed but odd values reach the use cases: a 2xx or a 4xx problem, never a
    500, and a refusal writes nothing."""
    table = table_for(service)
    wrong: list[str] = []
    sent = 0
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        for method, path, operation, example in body_routes(openapi):
            cases = []
            for name, prop in properties(openapi, operation).items():
                if is_date(prop):
                    cases += [(f"{name}={v}", {**example, name: v}) for v in ABSURD_DATES]
                if is_string(prop):
                    cases += [
                        (f"{name} with {label}", {**example, name: value})
                        for label, value in UNICODE_EDGES.items()
                    ]
            for case, body in cases:
                sent += 1
                before = await snapshot(client)
                response = await client.request(
                    method,
                    url_for(table, seeded, method, path),
                    content=json.dumps(body).encode(),
                    headers={**owner, "content-type": "application/json"},
                )
                where = f"{method} {path} {case}"
                if response.status_code >= 500:
                    wrong.append(f"{where}: {response.status_code} {response.text[:200]}")
                elif response.status_code >= 400:
                    if response.headers["content-type"] != PROBLEM_JSON:
                        wrong.append(f"{where}: served as {response.headers['content-type']}")
                    if await snapshot(client) != before:
                        wrong.append(f"{where}: refused, yet the database changed")
    report(f"odd values {service}: {sent} requests with absurd dates and unicode edge cases")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_bodies_over_the_limit_are_413_and_write_nothing(
    service, service_client, tmp_path, tokens, deliver, owner, report
):
    table = table_for(service)
    wrong: list[str] = []
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        limits = BodyLimitMiddleware(
            client.app, client.runtime.settings.max_body_bytes, client.app.state.spec.body_limits
        )
        checked = 0
        for method, path, _, _ in body_routes(openapi):
            url = url_for(table, seeded, method, path)
            limit = limits.limit_for(url)
            if limit is None:
                wrong.append(f"{method} {path}: no body limit at all")
                continue
            oversized = json.dumps({"reason": "x" * (limit + 1)}).encode()
            before = await snapshot(client)
            declared = await client.request(
                method,
                url,
                content=oversized,
                headers={**owner, "content-type": "application/json"},
            )

            async def chunks(body: bytes = oversized):
                for start in range(0, len(body), 65536):
                    yield body[start : start + 65536]

            streamed = await client.request(
                method, url, content=chunks(), headers={**owner, "content-type": "application/json"}
            )
            checked += 2
            for how, response in (("declared", declared), ("streamed", streamed)):
                if response.status_code != 413 or response.headers["content-type"] != PROBLEM_JSON:
                    wrong.append(
                        f"{method} {path} {how} {len(oversized)} bytes: "
                        f"{response.status_code} {response.text[:120]}"
                    )
            if await snapshot(client) != before:
                wrong.append(f"{method} {path}: an oversized body changed the database")
    report(
        f"body limit {service}: {checked} oversized bodies refused with 413 "
        f"(default limit {client.runtime.settings.max_body_bytes} bytes)"
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_page_sizes_are_capped(service, service_client, tmp_path, owner):
    wrong = []
    async with service_client(service, **overrides(service, tmp_path)) as client:
        openapi = client.app.openapi()
        for method, path, operation in routes(openapi):
            limit = next(
                (
                    p
                    for p in operation.get("parameters", [])
                    if p["in"] == "query" and p["name"] == "limit"
                ),
                None,
            )
            if limit is None or "{" in path:
                continue
            assert limit["schema"].get("maximum"), f"{path}: limit has no documented maximum"
            for value in (0, -1, limit["schema"]["maximum"] + 1, 10**12, "lots"):
                response = await client.request(
                    method, path, params={"limit": value}, headers=owner
                )
                if response.status_code != 422 or "limit" not in response.text:
                    wrong.append(f"{method} {path}?limit={value}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_a_body_that_is_not_utf8_is_422_like_other_malformed_json(service_client, owner):
    async with service_client("projects") as client:
        response = await client.post(
            "/v1/projects",
            content=b'{"title": "\xff\xfe"}',
            headers={**owner, "content-type": "application/json"},
        )
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.status_code == 422, response.text


EMAIL_LIMIT = 254
# Longer than any String(n) column of the platform, well under the body limit.
UNBOUNDED_PROBE = 5000


def refused_by_database(response: Any) -> bool:
    """A 422 the database gave (srs_common.errors.DATA_SQLSTATES), not the schema: the
    field's limit is larger than its column."""
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or []
    return any(str(e.get("type", "")).startswith("database_") for e in errors)


def string_limits(openapi: dict[str, Any], operation: dict[str, Any]) -> dict[str, int | None]:
    """Each free-text string property of the body (top level) and its ``maxLength``."""
    limits: dict[str, int | None] = {}
    for name, prop in properties(openapi, operation).items():
        options = [_resolve(openapi, o) for o in prop.get("anyOf", [prop])]
        for option in options:
            if option.get("format") == "email":
                # email-validator refuses addresses over 254 characters (RFC 5321's path).
                limits[name] = option.get("maxLength", EMAIL_LIMIT)
            elif (
                option.get("type") == "string"
                and "enum" not in option
                and option.get("format") not in ("date", "date-time", "uuid")
            ):
                limits[name] = option.get("maxLength")
    return limits


def column_lengths(metadata: Any, messaging: Any) -> dict[str, set[int | None]]:
    """Column name -> the lengths of the service's own text columns of that name (None:
    unbounded, e.g. ``Text``), messaging tables left out."""
    from sqlalchemy import Enum, String

    plumbing = {
        messaging.outbox.name,
        messaging.inbox.name,
        messaging.quarantine.name,
        messaging.relay_lease.name,
    }
    lengths: dict[str, set[int | None]] = {}
    for table in metadata.sorted_tables:
        if table.name in plumbing:
            continue
        for column in table.columns:
            if isinstance(column.type, String) and not isinstance(column.type, Enum):
                lengths.setdefault(column.name, set()).add(column.type.length)
    return lengths


@pytest.mark.parametrize("service", SERVICES)
async def test_every_string_that_lands_in_a_column_is_bounded_by_it(
    service, service_client, tmp_path
):
    """A body field named as a text column of the service must declare a ``maxLength`` no
    larger than that column (the largest, where several columns share the name): a longer
    value would be a 500 on PostgreSQL (``value too long``)."""
    wrong = []
    async with service_client(service, **overrides(service, tmp_path)) as client:
        openapi = client.app.openapi()
        spec = client.app.state.spec
        lengths = column_lengths(spec.messaging.outbox.metadata, spec.messaging)
    for method, path, operation, _ in body_routes(openapi):
        for name, limit in string_limits(openapi, operation).items():
            if name not in lengths:
                continue
            widest = None if None in lengths[name] else max(lengths[name])  # type: ignore[type-var]
            if limit is None:
                columns = sorted(lengths[name], key=str)
                wrong.append(f"{method} {path} {name}: no maxLength (columns {columns})")
            elif widest is not None and limit > widest:
                wrong.append(f"{method} {path} {name}: maxLength {limit} > column {widest}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_strings_at_their_limit_are_stored_and_over_it_refused(
    service, service_client, tmp_path, tokens, deliver, owner, report
):
    """At its ``maxLength`` a string is never a 5xx nor refused by the database (on
    PostgreSQL the column must hold it); one character more is a 422 naming the field, and
    nothing is written. A string without a ``maxLength`` must land in no bounded column."""
    table = table_for(service)
    wrong: list[str] = []
    sent = 0
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        headers = {**owner, "content-type": "application/json"}
        for method, path, operation, example in body_routes(openapi):
            url = url_for(table, seeded, method, path)
            for name, limit in string_limits(openapi, operation).items():
                if limit is None:
                    # Unbounded (a text column or none): a long value must not be one the
                    # database refuses (on PostgreSQL, a column shorter than that).
                    sent += 1
                    long = await client.request(
                        method,
                        url,
                        headers=headers,
                        content=json.dumps({**example, name: "x" * UNBOUNDED_PROBE}).encode(),
                    )
                    if long.status_code >= 500 or refused_by_database(long):
                        wrong.append(
                            f"{method} {path} {name} (no maxLength) of "
                            f"{UNBOUNDED_PROBE} characters: {long.status_code} "
                            f"{long.text[:200]}"
                        )
                    continue
                sent += 2
                before = await snapshot(client)
                over = await client.request(
                    method,
                    url,
                    headers=headers,
                    content=json.dumps({**example, name: "x" * (limit + 1)}).encode(),
                )
                where = f"{method} {path} {name} of {limit + 1} characters"
                if over.status_code != 422:
                    wrong.append(f"{where}: {over.status_code} {over.text[:200]}")
                elif not any(name in e["field"] for e in over.json().get("errors", [])):
                    wrong.append(f"{where}: errors do not name {name}: {over.text[:200]}")
                if await snapshot(client) != before:
                    wrong.append(f"{where}: refused, yet the database changed")
                at = await client.request(
                    method,
                    url,
                    headers=headers,
                    content=json.dumps({**example, name: "x" * limit}).encode(),
                )
                if at.status_code >= 500 or refused_by_database(at):
                    wrong.append(
                        f"{method} {path} {name} of {limit} characters: "
                        f"{at.status_code} {at.text[:200]}"
                    )
    report(f"string limits {service}: {sent} requests at and over each field's maxLength")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
async def test_nul_in_any_query_or_path_parameter_is_422_naming_it(
    service, service_client, tmp_path, tokens, deliver, owner, report
):
    """PostgreSQL stores no NUL: a parameter carrying one is refused before any route
    runs, with a 422 naming the parameter, never a 500."""
    table = table_for(service)
    wrong: list[str] = []
    sent = 0
    async with service_client(service, **overrides(service, tmp_path)) as client:
        seeded = await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        for method, path, operation in routes(openapi):
            url = url_for(table, seeded, method, path)
            cases = [
                (f"query.{p['name']}", url, {p["name"]: "a\x00b"})
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            ]
            cases += [
                (
                    f"path.{name}",
                    url_for(table, seeded, method, path.replace("{" + name + "}", "a%00b")),
                    {},
                )
                for name in re.findall(r"\{(\w+)\}", path)
            ]
            for field, target, params in cases:
                sent += 1
                before = await snapshot(client)
                response = await client.request(method, target, params=params, headers=owner)
                where = f"{method} {path} NUL in {field}"
                if response.status_code != 422:
                    wrong.append(f"{where}: {response.status_code} {response.text[:200]}")
                    continue
                if response.headers["content-type"] != PROBLEM_JSON:
                    wrong.append(f"{where}: served as {response.headers['content-type']}")
                named = [e["field"] for e in response.json().get("errors", [])]
                if named != [field]:
                    wrong.append(f"{where}: errors name {named}")
                if await snapshot(client) != before:
                    wrong.append(f"{where}: refused, yet the database changed")
    report(f"NUL parameters {service}: {sent} query and path parameters carrying NUL")
    assert not wrong, "\n".join(wrong)
