"""OpenAPI descriptions of the problem+json error responses routes share."""

from __future__ import annotations

from typing import Any

_TEXT = {
    401: "missing or invalid bearer token",
    403: "the caller's role may not do this",
    404: "not found, or not the caller's to see",
    409: "illegal state transition (names `current_state`) or a conflict",
    422: "invalid input (field `errors`) or a broken rule (`rule`)",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with a problem+json example."""
    return {
        status: {
            "description": _TEXT[status],
            "content": {
                "application/problem+json": {
                    "example": {
                        "type": "about:blank",
                        "title": _TEXT[status].split(" (")[0],
                        "status": status,
                        "detail": _TEXT[status],
                    }
                }
            },
        }
        for status in statuses
    }
