"""Which services an accreditation opens: DEA accreditation (full or provisional) is
recognised by other DEA-accredited services; an SRSA approved researcher only by the SRS
and the UK Data Service Secure Lab. Every read says which."""

from __future__ import annotations

DEA = ["srs", "dea-accredited-services"]
SRSA = ["srs", "ukds-secure-lab"]


def ids(services: list[dict[str, str]]) -> list[str]:
    assert all(s["name"] for s in services)
    return [s["id"] for s in services]


async def test_each_read_says_which_services_recognise_the_accreditation(client, flow, events):
    full = await flow.accredit("res-alice", "full")
    approved = await flow.accredit("res-bob", "srsa_approved")
    provisional = await flow.accredit("res-carol", "provisional", supervisor_id="res-alice")
    assert ids(full["recognised_by"]) == DEA
    assert ids(provisional["recognised_by"]) == DEA
    assert ids(approved["recognised_by"]) == SRSA
    names = {s["id"]: s["name"] for s in approved["recognised_by"]}
    assert names["ukds-secure-lab"] == "UK Data Service Secure Lab"

    # The researcher's own list, and a partner of the researcher's organisation.
    for headers in (flow.researcher("res-bob"), flow.partner("org-ntu")):
        listing = await client.get("/v1/researchers/res-bob/accreditations", headers=headers)
        assert listing.status_code == 200, listing.text
        assert [ids(a["recognised_by"]) for a in listing.json()] == [SRSA]
        one = await client.get(f"/v1/accreditations/{approved['id']}", headers=headers)
        assert ids(one.json()["recognised_by"]) == SRSA
    # A partner of another organisation learns nothing of it.
    other = flow.partner("org-ucl")
    assert (
        await client.get(f"/v1/accreditations/{approved['id']}", headers=other)
    ).status_code == 404

    # The events carry it for consumers.
    granted = {e["accreditation_id"]: e for e in await events("srs.accreditation.granted.v1")}
    assert ids(granted[approved["id"]]["recognised_by"]) == SRSA
    assert ids(granted[full["id"]]["recognised_by"]) == DEA


async def test_the_public_register_says_which_services_recognise_each_entry(client, flow):
    await flow.accredit("res-alice", "full")
    await flow.accredit("res-bob", "srsa_approved")
    response = await client.get("/v1/register")
    assert response.status_code == 200, response.text
    by_kind = {e["kind"]: ids(e["recognised_by"]) for e in response.json()["items"]}
    assert by_kind == {"full": DEA, "srsa_approved": SRSA}
