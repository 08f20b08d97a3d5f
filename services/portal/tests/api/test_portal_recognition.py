"""Which services an accreditation opens, in words: on the public register and on the
researcher's accreditation page, against the real accreditation service."""

from __future__ import annotations

from ..conftest import sign_in
from .test_portal_accreditation import submitted_application


async def test_the_register_and_the_accreditation_page_say_which_services_recognise_it(world):
    register = await world["portal"].get("/register/researchers")
    assert "UK Data Service Secure Lab" not in register.text  # nobody accredited yet
    application_id = await submitted_application(world)
    approved = await world["accreditation"].post(
        f"/v1/applications/{application_id}/approve",
        headers=world["tokens"].headers("panel", sub="panel-1"),
        json={"reason": "Meets the criteria."},
    )
    assert approved.status_code == 200, approved.text
    register = await world["portal"].get("/register/researchers")
    row = register.text[register.text.index("Alice Example") :]
    assert "Recognised by" in register.text
    assert "ONS Secure Research Service; Other secure data services accredited under the" in row
    assert "UK Data Service Secure Lab" not in row  # a DEA accreditation, not SRSA
    await sign_in(world)
    page = await world["portal"].get("/accreditation")
    assert "Recognised by" in page.text
    assert "Other secure data services accredited under the Digital Economy Act 2017" in page.text
