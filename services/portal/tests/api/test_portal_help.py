"""The helpdesk in the portal, against the real accreditation service: a researcher asks
(about one of their own things only), reads their thread; nobody else's request opens,
staff pages refuse researchers, researcher pages refuse staff, forms need CSRF."""

from __future__ import annotations

from ..conftest import sign_in
from .test_portal_projects import csrf_of


async def register(world, researcher_id: str, name: str) -> None:
    headers = world["tokens"].headers("researcher", researcher_id=researcher_id, org="org-ntu")
    response = await world["accreditation"].post(
        "/v1/researchers",
        json={"name": name, "email": f"{researcher_id}@ntu.example"},
        headers=headers,
    )
    assert response.status_code == 201, response.text


async def test_signed_out_visitors_are_sent_to_sign_in(world):
    for path in ("/help", "/help/new", "/help/hdr_x", "/support/helpdesk", "/support/helpdesk/x"):
        response = await world["portal"].get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next="), path


async def test_a_researcher_asks_and_nobody_else_reads_it(world):
    await register(world, "res-alice", "Alice Example")
    await sign_in(world, next_path="/help")
    portal = world["portal"]
    listing = await portal.get("/help")
    assert (
        listing.status_code == 200
        and "You have not asked the helpdesk anything yet" in listing.text
    )
    assert "Monday to Friday from 8am until 5pm" in listing.text
    form = await portal.get("/help/new")
    values = {"subject": "Cannot book", "category": "booking", "message": "Refused."}
    assert (await portal.post("/help/new", data=values)).status_code == 403  # no CSRF
    # A reference the picker did not offer (not hers) is refused and nothing is sent.
    stranger = await portal.post(
        "/help/new",
        data={**values, "reference": "project:prj_not_hers", "csrf_token": csrf_of(form)},
    )
    assert stranger.status_code == 422
    assert "Choose one of your own projects" in stranger.text
    assert 'value="Cannot book"' in stranger.text  # what was typed is kept
    sent = await portal.post("/help/new", data={**values, "csrf_token": csrf_of(form)})
    assert sent.status_code == 303, sent.text
    request_id = sent.headers["location"].rsplit("/", 1)[1]
    page = await portal.get(f"/help/{request_id}")
    assert "Cannot book" in page.text and "Refused." in page.text
    assert "Research Support Helpdesk" in page.text and "Expected answer by" in page.text
    empty = await portal.post(
        f"/help/{request_id}/reply", data={"body": " ", "csrf_token": csrf_of(page)}
    )
    assert empty.status_code == 422 and "Enter your reply" in empty.text

    # Bob, another researcher, and the Statistical Support Team: not found.
    await sign_in(world, "bob", "bob-demo", next_path="/help")
    assert (await portal.get(f"/help/{request_id}")).status_code == 404
    await sign_in(world, "checker", "checker-demo", next_path="/support/helpdesk")
    assert (await portal.get(f"/support/helpdesk/{request_id}")).status_code == 404
    assert (await portal.get("/help")).status_code == 403
    # Support answers it; the reply shows on the researcher's page.
    await sign_in(world, "support", "support-demo", next_path="/support/helpdesk")
    queue = await portal.get("/support/helpdesk")
    assert "Cannot book" in queue.text and "Alice Example" in queue.text
    staff_page = await portal.get(f"/support/helpdesk/{request_id}")
    note = await portal.post(
        f"/support/helpdesk/{request_id}/note",
        data={"body": "Staff only remark", "csrf_token": csrf_of(staff_page)},
    )
    assert note.status_code == 303
    replied = await portal.post(
        f"/support/helpdesk/{request_id}/reply",
        data={"body": "Which project?", "csrf_token": csrf_of(staff_page)},
    )
    assert replied.status_code == 303
    await sign_in(world, next_path="/help")
    mine = await portal.get(f"/help/{request_id}")
    assert "Which project?" in mine.text and "Staff only remark" not in mine.text
    assert (await portal.get("/support/helpdesk")).status_code == 403
