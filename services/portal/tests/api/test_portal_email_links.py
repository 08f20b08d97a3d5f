"""Every link in the notifier's e-mails is a page of the portal: the templates' links,
rendered with sample ids, each match a GET route of the portal app (the researcher's
pages, the bookings and home-working pages, the staff workspaces). A page renamed
without its e-mails breaks this test."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Match

from srs_notify.render import TEMPLATES_DIR
from srs_portal.app import create_app
from srs_portal.settings import PortalSettings

PORTAL = "http://portal.example"
# ``{{ portal_url }}/outputs/{{ output_id }}`` and the like, up to the link's end.
LINK = re.compile(r"\{\{ ?portal_url ?\}\}((?:[\w/.\-#?=&]|\{\{ ?\w+ ?\}\})*)")
VARIABLE = re.compile(r"\{\{ ?(\w+) ?\}\}")


def links() -> list[tuple[str, str]]:
    found = set()
    for template in sorted(TEMPLATES_DIR.iterdir()):
        for link in LINK.findall(template.read_text()):
            path = VARIABLE.sub(lambda m: f"sample-{m.group(1).replace('_', '-')}", link)
            found.add((template.name, path.rstrip(".,;:").split("#")[0].split("?")[0]))
    return sorted(found)


def test_the_templates_link_to_the_portal():
    paths = {path for _, path in links()}
    # The pages a researcher is sent to are among them (a pattern change would hide links).
    assert {"/accreditation", "/outputs/sample-output-id", "/projects/sample-project-id"} <= paths
    assert len(paths) >= 8


@pytest.fixture(scope="module")
def portal_routes():
    app = create_app(PortalSettings(public_url=PORTAL))
    return app.router.routes


@pytest.mark.parametrize(("template", "path"), links())
def test_every_email_link_is_a_portal_page(portal_routes, template, path):
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    matched = [r for r in portal_routes if r.matches(scope)[0] == Match.FULL]
    assert matched, f"{template} links to {path}, which is no page of the portal"
