"""What the panel's, support's and data owners' pages share: reading every page of a list,
the reason a decision form must carry, and the API's refusal in words."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from srs_portal.pages import problem_detail, templates
from srs_portal.platform import Platform
from srs_portal.signin import access_token
from srs_portal.staff import WORKSPACES, staff_roles

# The APIs' shortest reason (``min_length=3``).
REASON_MIN = 3
REASON_MAX = 2000
# Enough pages for a working queue; a longer one shows its first pages.
MAX_PAGES = 10

# The service navigation links a staff member to each of their workspaces (base.html).
templates.env.globals["staff_workspaces"] = lambda user: [
    WORKSPACES[role] for role in staff_roles(user or {})
]


async def staff_call(request: Request) -> tuple[Platform, str]:
    """The platform client and the signed-in person's token."""
    return request.app.state.platform, await access_token(request)


async def every_item(
    platform: Platform,
    service: str,
    path: str,
    token: str,
    params: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The items of a cursor-paginated list (a plain list answer as it is)."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 100, **(params or {})}
    for _ in range(MAX_PAGES):
        page = await platform.get(service, path, token=token, params=query)
        if isinstance(page, list):
            return page
        items.extend((page or {}).get("items", []))
        cursor = (page or {}).get("next")
        if not cursor:
            break
        query["cursor"] = cursor
    return items


def reason_error(reason: str, what: str = "the decision") -> str | None:
    """What is wrong with a reason typed into a decision form (None: nothing)."""
    if len(reason) < REASON_MIN:
        return f"Enter the reason for {what}"
    if len(reason) > REASON_MAX:
        return f"The reason must be {REASON_MAX} characters or fewer"
    return None


def refusal(body: Any, fallback: str) -> str:
    """The API's refusal (problem+json) in words."""
    problem = body if isinstance(body, dict) else {}
    for error in problem.get("errors") or []:
        if error.get("message"):
            return str(error["message"])
    return problem_detail(problem, fallback)


# What a staff page says when its form was drawn from a version someone else has since
# changed (the API's 412); the page is drawn again from the current values.
CHANGED_MEANWHILE = (
    "Someone else changed this while you were looking at it, so your change was not saved. "
    "The page now shows the current values: check them and make your change again."
)


def form_text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def decision_form(
    form: Any, decisions: dict[str, tuple[str, str]]
) -> tuple[dict[str, str], tuple[str, str] | None, dict[str, str], dict[str, Any]]:
    """A panel decision form read and checked, for applications and projects alike: its
    values, the decision chosen (the API's action path and what the reason is for), the
    errors to show under its fields, and the body to send (conditions with an approval)."""
    values = {name: form_text(form, name) for name in ("decision", "reason", "conditions")}
    errors: dict[str, str] = {}
    decision = decisions.get(values["decision"])
    if decision is None:
        errors["decision"] = "Choose approve, reject or request information"
    problem = reason_error(values["reason"], decision[1] if decision else "the decision")
    if problem:
        errors["reason"] = problem
    body: dict[str, Any] = {"reason": values["reason"]}
    if values["decision"] == "approve" and values["conditions"]:
        body["conditions"] = values["conditions"]
    return values, decision, errors, body
