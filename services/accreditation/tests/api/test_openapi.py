"""OpenAPI: every accreditation route has a summary, examples and its error responses."""

from __future__ import annotations


def _schema(spec: dict, ref_holder: dict) -> dict:
    ref = ref_holder.get("$ref")
    if ref is None:
        return ref_holder
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _has_example(spec: dict, schema: dict) -> bool:
    schema = _schema(spec, schema)
    if schema.get("examples") or schema.get("example"):
        return True
    if schema.get("type") == "array":
        return _has_example(spec, schema["items"])
    items = schema.get("properties", {}).get("items")  # a Page of examples
    return items is not None and _has_example(spec, items)


async def test_every_route_is_documented_with_examples_and_errors(client):
    spec = (await client.get("/openapi.json")).json()
    routes = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        if path.startswith(
            ("/v1/researchers", "/v1/applications", "/v1/accreditations", "/v1/register")
        )
        for method, op in ops.items()
    ]
    assert len(routes) == 21
    for path, method, op in routes:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        body = op.get("requestBody")
        if body:
            assert _has_example(spec, body["content"]["application/json"]["schema"]), where
        success = next(r for code, r in op["responses"].items() if code.startswith("2"))
        assert _has_example(spec, success["content"]["application/json"]["schema"]), where
        errors = {code for code in op["responses"] if code.startswith("4")}
        assert "422" in errors, where
        if path != "/v1/register":
            assert {"401", "403"} <= errors, where
        if "{" in path:
            assert "404" in errors, where
