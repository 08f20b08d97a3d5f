"""Dataset forms in the portal, against the real services: the lead completes the LS
supplementary form on the project's page (each bad answer named), the data owner accepts
or returns it in their workspace (a reason needed to return), and who may not."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.access import DatasetCatalogued, DatasetRequirement, FormQuestion

from .staff_world import as_user, assert_only, csrf_of, project_application

FORM = DatasetRequirement(
    key="ls_form",
    name="LS supplementary form",
    accepted_by="ONS",
    questions=[
        FormQuestion(key="sector", label="Which sector?", choices=["academic", "public"]),
        FormQuestion(key="census_years", label="Which census years?"),
    ],
)


async def ls_application(world, deliver) -> tuple[str, str]:
    await deliver(
        world["projects"],
        DatasetCatalogued(
            dataset_id="ds-ons-ls",
            title="ONS Longitudinal Study",
            owner="ONS",
            access_level="safe_setting",
            disclosure_threshold=10,
            requirements=[FORM],
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject="ds-ons-ls",
        source="/srs/access",
    )
    project_id = await project_application(
        world, deliver, "Mobility across censuses", dataset_ids=["ds-ons-ls"], linkage=None
    )
    await as_user(world, "alice")
    page = await world["portal"].get(f"/projects/{project_id}")
    assert page.status_code == 200 and "LS supplementary form" in page.text
    requirement_id = page.text.split('id="send-', 1)[1].split('"', 1)[0]
    return project_id, requirement_id


async def test_the_lead_sends_the_form_and_the_owner_returns_then_accepts_it(world, deliver):
    project_id, requirement_id = await ls_application(world, deliver)
    page = await world["portal"].get(f"/projects/{project_id}")
    url = f"/projects/{project_id}/requirements/{requirement_id}"
    prefix = f"req-{requirement_id}-"
    bad = await world["portal"].post(
        url, data={"csrf_token": csrf_of(page), f"{prefix}sector": "private"}
    )
    assert bad.status_code == 422 and "There is a problem" in bad.text
    assert "Choose one of: academic, public" in bad.text and "An answer is required" in bad.text
    assert f'href="#{prefix}census_years"' in bad.text
    no_csrf = await world["portal"].post(url, data={f"{prefix}sector": "academic"})
    assert no_csrf.status_code == 403
    sent = await world["portal"].post(
        url,
        data={
            "csrf_token": csrf_of(page),
            f"{prefix}sector": "academic",
            f"{prefix}census_years": "1971 to 2011",
        },
    )
    assert sent.status_code == 303
    assert (
        "Sent to the dataset&#39;s team"
        in (await world["portal"].get(f"/projects/{project_id}")).text
    )

    await as_user(world, "owner")
    owner_page = await world["portal"].get("/data-owner")
    assert "Mobility across censuses" in owner_page.text and "1971 to 2011" in owner_page.text
    decide = f"/data-owner/dataset-requirements/{requirement_id}"
    missing = await world["portal"].post(
        decide, data={"csrf_token": csrf_of(owner_page), "form_decision": "return"}
    )
    assert missing.status_code == 422 and "Enter the reason for returning the form" in missing.text
    returned = await world["portal"].post(
        decide,
        data={
            "csrf_token": csrf_of(owner_page),
            "form_decision": "return",
            "form_reason": "Name the census years one by one.",
        },
    )
    assert returned.status_code == 303
    assert "No form is waiting for your team" in (await world["portal"].get("/data-owner")).text

    await as_user(world, "alice")
    page = await world["portal"].get(f"/projects/{project_id}")
    assert "Returned to you" in page.text and "Name the census years one by one." in page.text
    again = await world["portal"].post(
        url,
        data={
            "csrf_token": csrf_of(page),
            f"{prefix}sector": "academic",
            f"{prefix}census_years": "1971, 1981, 1991, 2001, 2011",
        },
    )
    assert again.status_code == 303
    await as_user(world, "owner")
    owner_page = await world["portal"].get("/data-owner")
    accepted = await world["portal"].post(
        decide, data={"csrf_token": csrf_of(owner_page), "form_decision": "accept"}
    )
    assert accepted.status_code == 303
    await as_user(world, "panel")
    panel_page = await world["portal"].get(f"/panel/projects/{project_id}")
    assert "LS supplementary form: accepted" in panel_page.text


async def test_only_the_data_owner_decides_forms_in_the_workspace(world, deliver):
    _, requirement_id = await ls_application(world, deliver)
    await assert_only(
        world,
        "owner",
        ["/data-owner"],
        [(f"/data-owner/dataset-requirements/{requirement_id}", {"form_decision": "accept"})],
        [],
    )
