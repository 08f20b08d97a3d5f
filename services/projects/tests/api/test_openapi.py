"""The published API description: every route documented, with examples and errors."""

from __future__ import annotations


async def test_every_route_has_a_summary_examples_and_its_errors(client):
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    routes = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if path.startswith(("/v1/projects", "/v1/register"))
        for method, op in item.items()
    ]
    assert len(routes) == 27
    for path, method, op in routes:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        errors = [code for code in op["responses"] if code.startswith("4")]
        assert errors, where
        for code in errors:
            content = op["responses"][code].get("content", {})
            assert "application/problem+json" in content or code == "422", where
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            name = body["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[name].get("examples"), f"{where} request {name}"
