"""Who made a request, by name, and the project's title: from the accreditation service's
researcher events and the project's approval, on the request's read and the checkers'
queue, never to a caller who may not see the request."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import accreditation

from ..conftest import NOW, ORG


def registered(name: str, at: dt.datetime = NOW) -> accreditation.ResearcherRegistered:
    return accreditation.ResearcherRegistered(
        researcher_id="res-alice",
        name=name,
        email="alice@ntu.example",
        organisation_id=ORG,
        occurred_at=at,
    )


def updated(name: str, at: dt.datetime) -> accreditation.ResearcherUpdated:
    return accreditation.ResearcherUpdated(
        researcher_id="res-alice",
        name=name,
        email="alice@ntu.example",
        organisation_id=ORG,
        occurred_at=at,
    )


async def test_the_checker_reads_the_requesters_name_and_the_projects_title(world):
    await world.deliver(world.client, registered("Alice Example"), subject="res-alice")
    output_id = await world.submitted()

    read = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("checker1"))
    assert read.status_code == 200, read.text
    body = read.json()
    assert (body["requester_id"], body["requester_name"]) == ("res-alice", "Alice Example")
    assert body["project_title"] == "A project"

    queue = await world.client.get("/v1/queue", headers=world.as_("checker1"))
    [item] = [i for i in queue.json()["items"] if i["id"] == output_id]
    assert (item["requester_name"], item["project_title"]) == ("Alice Example", "A project")


async def test_the_newest_researcher_event_decides_the_name(world):
    later = NOW + dt.timedelta(days=1)
    await world.deliver(world.client, updated("Alice Renamed", later), subject="res-alice")
    # The registration, older, arrives late: the name stays the newer one.
    await world.deliver(world.client, registered("Alice Example"), subject="res-alice")
    output_id = await world.submitted()
    read = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("checker1"))
    assert read.json()["requester_name"] == "Alice Renamed"


async def test_a_requester_clearance_knows_no_record_of_has_no_name_yet(world):
    output_id = await world.submitted()
    read = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("checker1"))
    assert read.json()["requester_name"] is None
    assert read.json()["requester_id"] == "res-alice"


async def test_nobody_who_may_not_see_the_request_learns_the_name(world):
    await world.deliver(world.client, registered("Alice Example"), subject="res-alice")
    output_id = await world.submitted()
    for who in ("eve", "partner", "other_partner"):
        read = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_(who))
        assert read.status_code == 404, (who, read.text)
        assert "Alice Example" not in read.text
    # The partner's list shows statuses only: no requester, no name.
    listed = await world.client.get("/v1/outputs", headers=world.as_("partner"))
    assert listed.status_code == 200
    assert "Alice Example" not in listed.text and "requester" not in listed.text
    # Researchers are not checkers: the queue refuses them.
    queue = await world.client.get("/v1/queue", headers=world.as_("bob"))
    assert queue.status_code == 403
