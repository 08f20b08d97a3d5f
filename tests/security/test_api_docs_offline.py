"""Swagger UI and ReDoc work offline (srs_common.apidocs): every service's docs pages, at
the root and under the service's own prefix (the one API origin's route to it), name only
same-origin URLs, each of which the service itself answers, under a Content-Security-Policy
that allows nothing but the service's own origin."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from .tables import overrides
from .test_authorization_matrix import SERVICES
from .test_headers import page_problems, policy_of

REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# A JavaScript string naming the OpenAPI document (Swagger UI's `url`, ReDoc's spec-url).
SPEC_URL = re.compile(r"""(?:url:\s*'|spec-url=["'])([^"']+)["']""")
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def _pages(service: str) -> list[str]:
    return [f"{base}/{page}" for base in ("", f"/{service}") for page in ("docs", "redoc")]


@pytest.mark.parametrize("service", SERVICES)
async def test_docs_pages_load_every_asset_from_the_service_itself(
    service, service_client, tmp_path
):
    wrong: list[str] = []
    async with service_client(service, **overrides(service, tmp_path)) as client:
        origin = str(client.base_url).rstrip("/")
        for path in _pages(service):
            page_url = f"{origin}{path}"
            page = await client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            assert page.headers["content-type"].startswith("text/html")
            wrong += page_problems(path, page)
            policy = policy_of(page.headers["content-security-policy"])
            # Nothing but the service's own origin (and data:/blob: for icons, the worker).
            foreign = [
                s for values in policy.values() for s in values if "://" in s or s == "https:"
            ]
            if foreign:
                wrong.append(f"{path}: the policy allows other origins {foreign}")
            references = REFERENCE.findall(page.text) + SPEC_URL.findall(page.text)
            assert len(references) >= 2, (path, references)
            assert SPEC_URL.findall(page.text), f"{path} names no OpenAPI document"
            for reference in references:
                url = urljoin(page_url, reference)
                if urlsplit(url).netloc != urlsplit(origin).netloc:
                    wrong.append(f"{path} loads {reference} from another origin")
                    continue
                answer = await client.get(urlsplit(url).path)
                if answer.status_code != 200:
                    wrong.append(f"{path}: {reference} answers {answer.status_code}")
                    continue
                suffix = "." + reference.rsplit(".", 1)[-1]
                if suffix in ASSET_TYPES:
                    if not answer.headers["content-type"].startswith(ASSET_TYPES[suffix]):
                        wrong.append(f"{path}: {reference} is {answer.headers['content-type']}")
                elif reference.endswith("openapi.json"):
                    assert answer.json()["info"]["title"] == client.app.title
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", ["clearance"])
async def test_an_unknown_docs_asset_is_a_problem_not_a_file(service, service_client, tmp_path):
    async with service_client(service, **overrides(service, tmp_path)) as client:
        for name in ("nope.js", "..%2Fcore.py", "%2E%2E%2F__init__.py"):
            answer = await client.get(f"/docs/assets/{name}")
            assert answer.status_code == 404, name
            assert answer.headers["content-type"] == "application/problem+json"
