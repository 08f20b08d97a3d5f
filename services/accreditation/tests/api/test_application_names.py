"""Every application names its applicant (the name on their researcher record), so the
panel's queue and pages show people rather than ids; nobody who may not see the
application learns the name through it."""

from __future__ import annotations


async def test_the_panel_sees_each_applicant_by_name(client, flow):
    await flow.register("res-alice", name="Alice Example")
    submitted = await flow.submitted("res-alice")
    assert submitted["researcher_name"] == "Alice Example"

    listed = await client.get("/v1/applications", headers=flow.panel)
    [item] = listed.json()["items"]
    assert (item["researcher_id"], item["researcher_name"]) == ("res-alice", "Alice Example")
    read = await client.get(f"/v1/applications/{submitted['id']}", headers=flow.panel)
    assert read.json()["researcher_name"] == "Alice Example"
    decided = await client.post(
        f"/v1/applications/{submitted['id']}/request-information",
        json={"reason": "Tell us about the training."},
        headers=flow.panel,
    )
    assert decided.json()["researcher_name"] == "Alice Example"


async def test_a_renamed_researcher_is_shown_by_the_new_name(client, flow):
    await flow.register("res-alice", name="Alice Example")
    draft = await flow.draft("res-alice")
    renamed = await client.patch(
        "/v1/researchers/res-alice",
        json={"name": "Alice Renamed"},
        headers=flow.researcher("res-alice"),
    )
    assert renamed.status_code == 200, renamed.text
    read = await client.get(f"/v1/applications/{draft['id']}", headers=flow.support)
    assert read.json()["researcher_name"] == "Alice Renamed"


async def test_nobody_who_may_not_see_the_application_learns_the_name(client, flow):
    await flow.register("res-alice", name="Alice Example")
    await flow.register("res-bob", name="Bob Other")
    submitted = await flow.submitted("res-alice")
    url = f"/v1/applications/{submitted['id']}"
    for headers in (flow.researcher("res-bob"), flow.partner("org-ucl")):
        read = await client.get(url, headers=headers)
        assert read.status_code == 404 and "Alice Example" not in read.text
        listed = await client.get("/v1/applications", headers=headers)
        assert listed.status_code == 200 and "Alice Example" not in listed.text
