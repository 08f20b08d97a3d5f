"""Every alert rule links to its runbook: a page of docs/runbooks, published in the docs
site's "Operations runbooks" section, that says what the alert means, how to check it and
what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "k8s" / "base" / "monitoring" / "prometheus-rules.yaml"
MKDOCS = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs"
SECTIONS = ("## What it means", "## How to check", "## What to do")


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml names Python objects (``!!python/name:``); they are not needed here."""


_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


@pytest.fixture(scope="module")
def mkdocs() -> dict[str, Any]:
    return yaml.load(MKDOCS.read_text(), Loader=_MkDocsLoader)  # noqa: S506 - safe subclass


@pytest.fixture(scope="module")
def alerts() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    found = [rule for group in document["spec"]["groups"] for rule in group["rules"]]
    assert found and all("alert" in rule for rule in found)
    return found


def page_of(url: str, site_url: str) -> Path | None:
    """The Markdown source of a page of the docs site (directory URLs), or None if the URL
    is not one of the site's pages."""
    if not url.startswith(site_url):
        return None
    path = urlsplit(url).path.removeprefix(urlsplit(site_url).path).strip("/")
    source = DOCS / f"{path}.md"
    if not path or not source.exists():
        return None
    return source


def _nav_pages(nav: list[Any], section: str) -> list[str]:
    for entry in nav:
        if isinstance(entry, dict) and section in entry:
            return [next(iter(page.values())) for page in entry[section]]
    return []


def test_every_alert_links_to_a_runbook_page_that_exists(alerts, mkdocs):
    site_url = mkdocs["site_url"]
    assert site_url.endswith("/")
    for alert in alerts:
        url = alert["annotations"].get("runbook_url")
        assert url, f"{alert['alert']} has no runbook_url"
        page = page_of(url, site_url)
        assert page is not None, f"{alert['alert']}: {url} is no page of docs/"
        assert page.parent == DOCS / "runbooks", (alert["alert"], page)
        text = page.read_text()
        assert text.startswith(f"# {alert['alert']}\n"), f"{page.name} is not {alert['alert']}'s"
        for section in SECTIONS:
            assert section in text, f"{page.name} lacks {section!r}"


def test_every_runbook_is_in_the_docs_navigation_and_belongs_to_an_alert(alerts, mkdocs):
    listed = _nav_pages(mkdocs["nav"], "Operations runbooks")
    pages = sorted(p.relative_to(DOCS).as_posix() for p in (DOCS / "runbooks").glob("*.md"))
    assert sorted(listed) == pages
    linked = {
        page_of(a["annotations"]["runbook_url"], mkdocs["site_url"]).relative_to(DOCS).as_posix()
        for a in alerts
    }
    assert set(pages) - linked == {"runbooks/index.md"}, "a runbook no alert links to"
    index = (DOCS / "runbooks" / "index.md").read_text()
    for alert in alerts:
        assert alert["alert"] in index, f"the runbooks overview misses {alert['alert']}"


def test_the_page_check_refuses_links_that_lead_nowhere(mkdocs):
    site_url = mkdocs["site_url"]
    assert page_of(f"{site_url}runbooks/srs-dead-letters/", site_url) is not None
    assert page_of(f"{site_url}runbooks/srs-no-such-alert/", site_url) is None
    assert page_of("https://wiki.example.org/runbooks/srs-dead-letters/", site_url) is None
