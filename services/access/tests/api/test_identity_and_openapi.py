"""The embedded identity provider still works; the OpenAPI document is complete."""

from __future__ import annotations

from srs_access.seed import seed_demo_users


async def test_demo_user_gets_a_token_that_the_api_accepts(client):
    async with client.runtime.db.transaction() as session:
        await seed_demo_users(session)
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks.json()["keys"][0]["alg"] == "RS256"
    granted = await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "support", "password": "support-demo"},
    )
    assert granted.status_code == 200, granted.text
    token = granted.json()["access_token"]
    audit = await client.get(
        "/v1/audit/access/verification", headers={"Authorization": f"Bearer {token}"}
    )
    assert audit.status_code == 200
    wrong = await client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": "support", "password": "nope"}
    )
    assert wrong.status_code == 400


async def test_every_route_has_a_summary_examples_and_error_responses(client):
    spec = client.app.openapi()
    ours = {
        p: ops
        for p, ops in spec["paths"].items()
        if p.startswith("/v1/") and p not in ("/v1/auth/token", "/v1/messaging")
    }
    assert len(ours) >= 18
    public = {"/v1/organisation-names"}  # the sign-up page's list, read without a token
    schemas = spec["components"]["schemas"]
    for path, operations in ours.items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            assert op.get("summary"), where
            if path not in public:
                assert {"401"} <= set(op["responses"]), where
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert "application/problem+json" in response.get("content", {}), where
            body = op.get("requestBody", {}).get("content", {})
            for media in body.values():
                ref = media.get("schema", {}).get("$ref")
                has_example = "example" in media or (
                    ref and "examples" in schemas[ref.rsplit("/", 1)[1]]
                )
                assert has_example, f"{where}: request example"
            ok = next(r for s, r in op["responses"].items() if s.startswith("2"))
            for media in ok.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref")
                items = media.get("schema", {}).get("items", {}).get("$ref")
                target = ref or items
                if target and not target.rsplit("/", 1)[1].startswith("Page_"):
                    assert "examples" in schemas[target.rsplit("/", 1)[1]], f"{where}: response"
