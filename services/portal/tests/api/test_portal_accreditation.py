"""The researcher's accreditation page: status and expiry, renewal, applications in
words, and the panel's questions answered from the portal, against the real
accreditation service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from srs_accreditation.models import Accreditation

from ..conftest import sign_in
from .test_portal import registered_alice
from .test_portal_projects import csrf_of

TODAY = dt.datetime.now(dt.UTC).date()


def alice(world):
    return world["tokens"].headers(
        "researcher", sub="alice", researcher_id="res-alice", org="org-ntu"
    )


async def submitted_application(world) -> str:
    await registered_alice(world)
    accreditation = world["accreditation"]
    drafted = await accreditation.post(
        "/v1/applications",
        headers=alice(world),
        json={"kind": "full", "training_completed_on": "2026-10-01", "statement": "Criminologist"},
    )
    assert drafted.status_code == 201, drafted.text
    application_id = drafted.json()["id"]
    submitted = await accreditation.post(
        f"/v1/applications/{application_id}/submit", headers=alice(world)
    )
    assert submitted.status_code == 200, submitted.text
    return str(application_id)


async def test_a_signed_out_visitor_is_sent_to_sign_in(world):
    page = await world["portal"].get("/accreditation")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2Faccreditation"


async def test_the_researcher_answers_the_panels_question(world):
    application_id = await submitted_application(world)
    asked = await world["accreditation"].post(
        f"/v1/applications/{application_id}/request-information",
        headers=world["tokens"].headers("panel", sub="panel-1"),
        json={"reason": "Which datasets have you analysed?"},
    )
    assert asked.status_code == 200, asked.text
    await sign_in(world)
    portal = world["portal"]
    dashboard = await portal.get("/dashboard")
    banner = dashboard.text[dashboard.text.index('id="attention"') :]
    assert "The panel has asked for more information" in banner
    assert f'href="/accreditation#application-{application_id}"' in banner
    page = await portal.get("/accreditation")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Registered as Alice Example" in page.text
    assert "Full accreditation" in page.text  # the kind in words, never full
    assert "The panel has asked you for more information" in page.text
    assert "Which datasets have you analysed?" in page.text
    answer_url = f"/accreditation/applications/{application_id}/answer"
    no_token = await portal.post(answer_url, data={"answer": "The CSEW"})
    assert no_token.status_code == 403
    empty = await portal.post(answer_url, data={"answer": " ", "csrf_token": csrf_of(page)})
    assert empty.status_code == 422
    assert "There is a problem" in empty.text
    assert f'href="#answer-{application_id}"' in empty.text
    assert "Enter your answer to the panel" in empty.text
    answered = await portal.post(
        answer_url,
        data={"answer": "The CSEW 2019 to 2021 and the LFS.", "csrf_token": csrf_of(page)},
    )
    assert answered.status_code == 303 and answered.headers["location"] == "/accreditation"
    page = await portal.get("/accreditation")
    assert "Sent back to the panel with your answer" in page.text
    assert f'id="answer-{application_id}"' not in page.text  # nothing left to answer
    read = await world["accreditation"].get(
        f"/v1/applications/{application_id}", headers=alice(world)
    )
    assert read.json()["status"] == "resubmitted"
    assert "The CSEW 2019 to 2021 and the LFS." in read.json()["statement"]
    # Once answered, the panel is not waiting: a second answer is refused in words.
    again = await portal.post(
        answer_url, data={"answer": "Something else", "csrf_token": csrf_of(page)}
    )
    assert again.status_code == 422
    assert "The panel is not waiting for an answer to this application" in again.text


async def test_an_accreditation_about_to_expire_is_renewed(world):
    application_id = await submitted_application(world)
    approved = await world["accreditation"].post(
        f"/v1/applications/{application_id}/approve",
        headers=world["tokens"].headers("panel", sub="panel-1"),
        json={"reason": "Meets the criteria."},
    )
    assert approved.status_code == 200, approved.text
    await sign_in(world)
    portal = world["portal"]
    page = await portal.get("/accreditation")
    assert "Current" in page.text and 'id="renew-full"' in page.text
    assert "Your accreditation is about to expire" not in (await portal.get("/dashboard")).text
    ends = TODAY + dt.timedelta(days=20)
    async with world["accreditation"].runtime.db.transaction() as session:
        await session.execute(update(Accreditation).values(valid_until=ends))
    dashboard = await portal.get("/dashboard")
    banner = dashboard.text[dashboard.text.index('id="attention"') :]
    assert "Your accreditation is about to expire" in banner
    assert f"ends on {ends.day} {ends:%B %Y} (20 days)" in banner
    assert 'href="/accreditation"' in banner
    page = await portal.get("/accreditation")
    assert "ends in 20 days" in page.text and "(20 days left)" in page.text
    assert 'href="/accreditation/apply?kind=full"' in page.text
    form = await portal.get("/accreditation/apply?kind=full")
    assert 'value="full" checked' in form.text
    renewed = await portal.post(
        "/accreditation/apply",
        data={
            "kind": "full",
            "training-day": "1",
            "training-month": "10",
            "training-year": "2026",
            "csrf_token": csrf_of(form),
        },
    )
    assert renewed.status_code == 303, renewed.text
    page = await portal.get("/accreditation")
    assert "Submitted: waiting for the panel&#39;s decision" in page.text
    assert 'id="renew-full"' not in page.text  # one application at a time


async def test_another_researcher_cannot_see_or_answer_the_application(world):
    application_id = await submitted_application(world)
    asked = await world["accreditation"].post(
        f"/v1/applications/{application_id}/request-information",
        headers=world["tokens"].headers("panel", sub="panel-1"),
        json={"reason": "Which datasets have you analysed?"},
    )
    assert asked.status_code == 200
    await sign_in(world, username="bob", password="bob-demo")
    portal = world["portal"]
    page = await portal.get("/accreditation")
    assert page.status_code == 200
    assert "Which datasets" not in page.text and "Alice" not in page.text
    answered = await portal.post(
        f"/accreditation/applications/{application_id}/answer",
        data={"answer": "Answering for Alice", "csrf_token": csrf_of(page)},
    )
    assert answered.status_code == 404 and "Which datasets" not in answered.text
    read = await world["accreditation"].get(
        f"/v1/applications/{application_id}", headers=alice(world)
    )
    assert read.json()["status"] == "information_requested"
