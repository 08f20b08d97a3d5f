"""An active project of alice's, known to the projects, access and booking services, as
the platform's events would make it: what the booking and home-working pages need."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import access, accreditation, projects

from .test_portal_projects import accredit

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()
TITLE = "Burglary security effectiveness"


def headers_of(world, researcher_id: str) -> dict[str, str]:
    name = researcher_id.removeprefix("res-")
    return world["tokens"].headers(
        "researcher", sub=name, researcher_id=researcher_id, org="org-ntu"
    )


async def active_project(
    world, deliver, members: tuple[str, ...] = ("res-alice",), *, active_at_booking: bool = True
) -> str:
    """Alice's project, approved by the panel at the projects service and active there;
    the access and booking services learn of it (and of the members' accreditation)
    through the events the platform publishes, handed to their handlers."""
    for researcher_id in members:
        await accredit(world, deliver, researcher_id)
    alice = headers_of(world, "res-alice")
    panel = world["tokens"].headers("panel", sub="panel-1")
    drafted = await world["projects"].post(
        "/v1/projects",
        headers=alice,
        json={
            "title": TITLE,
            "legal_gateway": "DEA",
            "dataset_ids": ["ds-csew-2019"],
            "lay_summary": "Which home security measures protect against burglary.",
            "public_benefit": "Evidence for crime prevention advice.",
            "expected_start_date": str(TODAY + dt.timedelta(days=1)),
            "expected_end_date": str(TODAY + dt.timedelta(days=400)),
            "ethics_confirmed": True,
            "data_source_acknowledged": True,
        },
    )
    assert drafted.status_code == 201, drafted.text
    project_id = drafted.json()["id"]
    for member in members[1:]:
        added = await world["projects"].post(
            f"/v1/projects/{project_id}/members",
            headers=alice,
            json={"researcher_id": member, "role": "researcher"},
        )
        assert added.status_code == 201, added.text
    for path, who, body in (
        ("submit", alice, None),
        ("review", panel, None),
        ("approve", panel, {"reason": "Clear public benefit"}),
    ):
        done = await world["projects"].post(
            f"/v1/projects/{project_id}/{path}", headers=who, json=body
        )
        assert done.status_code == 200, done.text
    approved = projects.ProjectApproved(
        project_id=project_id,
        title=TITLE,
        organisation_id="org-ntu",
        legal_gateway="DEA",
        dataset_ids=["ds-csew-2019"],
        members=[
            projects.ProjectMember(researcher_id=r, role="lead" if i == 0 else "researcher")
            for i, r in enumerate(members)
        ],
        expected_end_date=TODAY + dt.timedelta(days=400),
        approved_at=NOW,
    )
    await deliver(world["access"], approved, subject=project_id)
    await deliver(
        world["projects"],
        access.ProjectSpaceProvisioned(
            project_id=project_id,
            space_id=f"spc-{project_id}",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=list(members),
            provisioned_at=NOW,
        ),
        subject=project_id,
    )
    booking = world["booking"]
    await deliver(
        booking,
        access.DatasetCatalogued(
            dataset_id="ds-csew-2019",
            title="Crime Survey for England and Wales 2019",
            owner="ONS",
            access_level="home",
            disclosure_threshold=10,
            occurred_at=NOW,
        ),
        subject="ds-csew-2019",
    )
    for researcher_id in members:
        await deliver(
            booking,
            accreditation.AccreditationGranted(
                accreditation_id=f"acc-{researcher_id}",
                researcher_id=researcher_id,
                organisation_id="org-ntu",
                kind="full",
                status="current",
                valid_from=TODAY - dt.timedelta(days=10),
                valid_until=TODAY + dt.timedelta(days=1000),
                occurred_at=NOW,
            ),
            subject=researcher_id,
        )
    await deliver(booking, approved, subject=project_id)
    if active_at_booking:
        await deliver(
            booking,
            projects.ProjectActivated(
                project_id=project_id,
                organisation_id="org-ntu",
                dataset_ids=["ds-csew-2019"],
                occurred_at=NOW,
            ),
            subject=project_id,
        )
    return project_id
