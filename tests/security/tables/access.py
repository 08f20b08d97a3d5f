"""Access: dataset catalogue and project spaces."""

from __future__ import annotations

from typing import Any

from . import COMMON, Only, Public, Seeded

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /.well-known/jwks.json": Public("the issuer's public keys"),
    "POST /v1/auth/token": Public("sign-in: credentials in, token out"),
    "GET /v1/datasets": Only("researcher", "panel", "checker", "support", "ops", "partner",
                             "data_owner"),
    "GET /v1/project-spaces/{project_id}": Only("support", "ops"),
}


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    return Seeded(params={"project_id": "prj_owner_a"})
