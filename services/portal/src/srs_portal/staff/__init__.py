"""The staff workspaces: the panel, the output checkers, support staff and data owners.
Every page here names the roles that may open it; anyone else, researchers included,
gets a refusal page and no data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from srs_common.errors import AppError
from srs_portal.pages import SignedIn

# The workspace each staff role opens from the dashboard.
WORKSPACES = {
    "panel": ("/panel", "Research Accreditation Panel"),
    "checker": ("/checking", "Output checking"),
    "support": ("/support", "Support"),
    "data_owner": ("/data-owner", "Data owner"),
}


def staff_roles(user: dict[str, Any]) -> list[str]:
    """The staff roles of a signed-in person, in the order their workspaces are listed."""
    roles = set(user.get("roles") or ())
    return [role for role in WORKSPACES if role in roles]


def require_role(*roles: str) -> Callable[..., dict[str, Any]]:
    """A dependency: the signed-in person (signed-out visitors are sent to sign in),
    refused with 403 unless they hold one of ``roles``."""

    def dependency(user: SignedIn) -> dict[str, Any]:
        if not set(user.get("roles") or ()).intersection(roles):
            raise AppError(
                "This page is for "
                + " or ".join(WORKSPACES[r][1] for r in roles if r in WORKSPACES)
                + " staff. You are signed in without that role.",
                status=403,
                title="You cannot open this page",
            )
        return user

    return dependency
