"""What the portal's browser tests share: Chromium's flags, axe-core's check of a page,
screenshots, and signing a person in through the portal's OpenID Connect flow."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "services" / "portal" / "node_modules" / "axe-core" / "axe.min.js"
# Set to a directory (e.g. docs/images) to keep screenshots of the pages as portal-*.png.
SCREENSHOTS = os.environ.get("SRS_PORTAL_SCREENSHOTS")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands. Evaluated over
    the DevTools protocol, so the page's own CSP (no inline scripts) does not block it."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def checked(page, name: str) -> None:
    """Assert the page has no serious or critical accessibility violation; keep its
    screenshot as ``portal-<name>.png`` when SRS_PORTAL_SCREENSHOTS names a directory."""
    found = serious_violations(page)
    assert not found, f"{name} ({page.url}):\n" + "\n".join(found)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"portal-{name}.png"), full_page=True)


def sign_in(page, portal: str, username: str, password: str | None = None) -> None:
    """Sign ``username`` in through the portal (demo accounts' password is
    ``<username>-demo``) and wait for their dashboard."""
    page.goto(portal + "/dashboard")
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", password or f"{username}-demo")
    page.click("#sign-in")
    page.wait_for_url(portal + "/dashboard")


def watch_csp(page) -> list[str]:
    """Collect Content-Security-Policy violations the page reports on its console."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations
