"""The public register: no token, public fields only, search and cursor pagination."""

from __future__ import annotations

from srs_common.pagination import encode_cursor


async def test_register_needs_no_token_and_shows_only_public_fields(client, flow):
    await flow.register("res-alice", name="Alice Example", org="org-ntu")
    await flow.accredit("res-alice", "full", register=False)
    response = await client.get("/v1/register")
    assert response.status_code == 200, response.text
    [entry] = response.json()["items"]
    assert set(entry) == {
        "name",
        "organisation",
        "kind",
        "valid_from",
        "valid_until",
        "status",
        "recognised_by",
    }
    assert entry["name"] == "Alice Example" and entry["organisation"] == "org-ntu"
    assert entry["kind"] == "full" and entry["status"] == "current"
    assert "@" not in response.text and "res-alice" not in response.text
    assert "qualifications" not in response.text and "masters" not in response.text


async def test_register_lists_researchers_without_accreditation_nowhere(client, flow):
    await flow.register("res-alice")
    await flow.submitted("res-alice")
    assert (await client.get("/v1/register")).json()["items"] == []


async def test_register_search_and_pagination(client, flow):
    for rid, name, org in [
        ("res-a", "Ada Lovelace", "org-ntu"),
        ("res-b", "Brian Cox", "org-ucl"),
        ("res-c", "Carla Ada", "org-ucl"),
        ("res-d", "Dan Shaw", "org-lse"),
    ]:
        await flow.accredit(rid, "full", org=org)
        await client.patch(
            f"/v1/researchers/{rid}", json={"name": name}, headers=flow.researcher(rid)
        )

    async def names(**params) -> list[str]:
        response = await client.get("/v1/register", params=params)
        assert response.status_code == 200, response.text
        return [e["name"] for e in response.json()["items"]]

    assert await names(q="ada") == ["Ada Lovelace", "Carla Ada"]
    assert await names(q="ORG-UCL") == ["Brian Cox", "Carla Ada"]
    assert await names(q="%") == []  # a wildcard is searched for literally
    first = (await client.get("/v1/register", params={"limit": 3})).json()
    assert [e["name"] for e in first["items"]] == ["Ada Lovelace", "Brian Cox", "Carla Ada"]
    assert await names(limit=3, cursor=first["next"]) == ["Dan Shaw"]
    last = (await client.get("/v1/register", params={"limit": 3, "cursor": first["next"]})).json()
    assert last["next"] is None


async def test_register_shows_status_changes_and_filters_by_status(client, flow):
    accreditation = await flow.accredit("res-alice", "full")
    await flow.accredit("res-bob", "srsa_approved")
    await client.post(
        f"/v1/accreditations/{accreditation['id']}/revoke",
        json={"reason": "breach of output rules"},
        headers=flow.support,
    )
    statuses = {e["kind"]: e["status"] for e in (await client.get("/v1/register")).json()["items"]}
    assert statuses == {"full": "revoked", "srsa_approved": "current"}
    current = (await client.get("/v1/register", params={"status": "current"})).json()["items"]
    assert [e["kind"] for e in current] == ["srsa_approved"]


async def test_register_bad_cursor_or_limit_is_422(client):
    assert (await client.get("/v1/register", params={"cursor": "%%%"})).status_code == 422
    forged = encode_cursor(["only one value"])
    assert (await client.get("/v1/register", params={"cursor": forged})).status_code == 422
    assert (await client.get("/v1/register", params={"limit": 0})).status_code == 422
    assert (await client.get("/v1/register", params={"status": "pending"})).status_code == 422
