"""Home working in the portal, against the real access and projects services: the list,
the application with the service description's fields, a request's progress through the
approvals, the extended SyOps signature, and nobody else's requests."""

from __future__ import annotations

import re

from ..conftest import sign_in
from .active_project import TITLE, active_project, headers_of
from .test_portal_projects import csrf_of

IMPORTANCE = "Evaluates burglary prevention advice the Home Office gives to the public."
URGENCY = "Findings are due to the Home Office in March; a delay postpones the guidance."


def application(project_id: str, **overrides) -> dict[str, object]:
    values: dict[str, object] = {
        "project_ids": [project_id],
        "researcher_ids": ["res-alice"],
        "importance_to_government": IMPORTANCE,
        "urgency_and_impact_of_delay": URGENCY,
        "confirmations": ["vpn", "agreement"],
    }
    values.update(overrides)
    return values


async def test_signed_out_visitors_are_sent_to_sign_in(world):
    for path in ("/home-working", "/home-working/apply", "/home-working/requests/hw_x"):
        response = await world["portal"].get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=%2Fhome-working"), path


async def test_a_researcher_applies_follows_the_approvals_and_signs_the_syops(world, deliver):
    project_id = await active_project(world, deliver, ("res-alice", "res-bob"))
    await sign_in(world, next_path="/home-working")
    portal = world["portal"]
    listing = await portal.get("/home-working")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    assert "You have no home-working requests" in listing.text
    assert 'href="/home-working/apply"' in listing.text

    form = await portal.get("/home-working/apply")
    assert form.status_code == 200
    assert TITLE in form.text  # the active project, by its title
    assert "Why is this research important to the government and public services?" in form.text
    assert "How urgent is the research, and what would a delay change?" in form.text
    assert "corporate VPN" in form.text and "Assured Organisational Connectivity" in form.text
    assert 'value="res-bob"' in form.text  # the project's other member may be named

    assert (
        await portal.post("/home-working/apply", data=application(project_id))
    ).status_code == 403
    missing = await portal.post(
        "/home-working/apply",
        data=application(
            project_id, project_ids=[], importance_to_government="", csrf_token=csrf_of(form)
        ),
    )
    assert missing.status_code == 422 and "There is a problem" in missing.text
    assert "Choose the projects to work on from home" in missing.text
    assert 'href="#importance_to_government"' in missing.text
    unconfirmed = await portal.post(
        "/home-working/apply",
        data=application(project_id, confirmations=["agreement"], csrf_token=csrf_of(form)),
    )
    assert unconfirmed.status_code == 422
    assert "only from a machine your organisation provides" in unconfirmed.text
    assert IMPORTANCE in unconfirmed.text  # what was typed is kept

    sent = await portal.post(
        "/home-working/apply", data=application(project_id, csrf_token=csrf_of(form))
    )
    assert sent.status_code == 303, sent.text
    page_url = sent.headers["location"]
    request_id = page_url.rsplit("/", 1)[1]
    assert page_url == f"/home-working/requests/{request_id}"
    page = await portal.get(page_url)
    assert page.status_code == 200
    assert "Waiting for decisions" in page.text and TITLE in page.text
    assert "Approval by the data owner, ONS" in page.text
    assert "Crime Survey for England and Wales 2019" in page.text
    assert "Approval by ONS service staff" in page.text
    assert "Extended SyOps signed by You" in page.text
    assert "sign-syops" not in page.text  # not their turn yet
    listing = await portal.get("/home-working")
    assert f'href="{page_url}"' in listing.text and "Waiting for decisions" in listing.text

    # The data owner and service staff approve (over the API): alice's turn to sign.
    for role, sub, org, path in (
        ("data_owner", "owner", "ONS", "owner-approval"),
        ("support", "support-1", None, "staff-approval"),
    ):
        approved = await world["access"].post(
            f"/v1/home-working-requests/{request_id}/{path}",
            headers=world["tokens"].headers(role, sub=sub, org=org),
        )
        assert approved.status_code == 200, approved.text
    page = await portal.get(page_url)
    assert "Approved" in page.text and "To sign" in page.text and 'id="sign-syops"' in page.text
    listing = await portal.get("/home-working")
    assert "Approved: sign the extended SyOps" in listing.text

    unsigned = await portal.post(
        f"/home-working/requests/{request_id}/syops-signature", data={"csrf_token": csrf_of(page)}
    )
    assert unsigned.status_code == 422 and "Confirm that you have read" in unsigned.text
    no_token = await portal.post(
        f"/home-working/requests/{request_id}/syops-signature", data={"agree": "yes"}
    )
    assert no_token.status_code == 403
    signed = await portal.post(
        f"/home-working/requests/{request_id}/syops-signature",
        data={"agree": "yes", "csrf_token": csrf_of(page)},
    )
    assert signed.status_code == 303
    page = await portal.get(signed.headers["location"])
    assert "Signed" in page.text and "Active" in page.text
    assert 'id="sign-syops"' not in page.text
    read = await world["access"].get(
        f"/v1/home-working-requests/{request_id}", headers=headers_of(world, "res-alice")
    )
    assert read.json()["syops_signed"] == {"res-alice": True}


async def test_a_refused_request_shows_the_reason(world, deliver):
    project_id = await active_project(world, deliver)
    made = await world["access"].post(
        "/v1/home-working-requests",
        headers=headers_of(world, "res-alice"),
        json={
            **{k: v for k, v in application(project_id).items() if k != "confirmations"},
            "organisation_machine_over_vpn": True,
            "organisation_agreement_confirmed": True,
        },
    )
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    refused = await world["access"].post(
        f"/v1/home-working-requests/{request_id}/refusal",
        headers=world["tokens"].headers("support", sub="support-1"),
        json={"reason": "the research can continue in a safe room"},
    )
    assert refused.status_code == 200, refused.text
    await sign_in(world)
    page = await world["portal"].get(f"/home-working/requests/{request_id}")
    assert "Refused" in page.text
    assert "Reason: the research can continue in a safe room" in page.text
    assert 'id="sign-syops"' not in page.text


async def test_another_researcher_cannot_see_the_request(world, deliver):
    project_id = await active_project(world, deliver)
    made = await world["access"].post(
        "/v1/home-working-requests",
        headers=headers_of(world, "res-alice"),
        json={
            **{k: v for k, v in application(project_id).items() if k != "confirmations"},
            "organisation_machine_over_vpn": True,
            "organisation_agreement_confirmed": True,
        },
    )
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    await sign_in(world, username="bob", password="bob-demo")
    page = await world["portal"].get(f"/home-working/requests/{request_id}")
    assert page.status_code == 404
    assert IMPORTANCE not in page.text and TITLE not in page.text
    listing = await world["portal"].get("/home-working")
    assert request_id not in listing.text and "You have no home-working requests" in listing.text
    sign = await world["portal"].post(
        f"/home-working/requests/{request_id}/syops-signature",
        data={"agree": "yes", "csrf_token": csrf_of(listing)},
    )
    assert sign.status_code == 404
    # Nor can bob apply on a project he is not on.
    form = await world["portal"].get("/home-working/apply")
    assert TITLE not in form.text
    refused = await world["portal"].post(
        "/home-working/apply",
        data=application(project_id, researcher_ids=["res-bob"], csrf_token=csrf_of(form)),
    )
    assert refused.status_code == 422
    assert "Choose projects you are an active member of" in refused.text
    assert re.search(r"<title>Error: Apply for home working", refused.text)


async def test_a_staff_account_cannot_apply_or_sign(world):
    await sign_in(world, username="support", password="support-demo")
    page = await world["portal"].get("/home-working/apply")
    assert page.status_code == 403
    assert "You cannot apply for home working" in page.text
    assert 'name="project_ids"' not in page.text
    listing = await world["portal"].get("/home-working")
    assert listing.status_code == 403 and "data-request" not in listing.text
