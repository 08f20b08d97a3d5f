"""A researcher's own notification preferences: only optional notices can be turned off."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.db import utcnow
from srs_common.errors import Forbidden, RuleViolation
from srs_notify import domain
from srs_notify.models import NotificationPreference
from srs_notify.queueing import opted_out_notices
from srs_notify.schemas import PreferencesUpdate


def _own_researcher_id(principal: Principal) -> str:
    if not principal.researcher_id:
        raise Forbidden("this token names no researcher (claim researcher_id)")
    return principal.researcher_id


async def read_preferences(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """The caller's notices: every kind, whether it can be turned off, and whether it is on."""
    researcher_id = _own_researcher_id(principal)
    opted_out = await opted_out_notices(session, researcher_id)
    return {
        "researcher_id": researcher_id,
        "notices": [
            {
                "notice": n.key,
                "description": n.description,
                "optional": n.optional,
                "enabled": domain.sends_to(n.key, opted_out),
            }
            for n in domain.RESEARCHER_NOTICES.values()
        ],
    }


async def update_preferences(
    session: AsyncSession, principal: Principal, data: PreferencesUpdate
) -> dict[str, Any]:
    """Turn the caller's optional notices on or off; decisions cannot be turned off."""
    researcher_id = _own_researcher_id(principal)
    mandatory = sorted(
        k for k, on in data.notices.items() if not domain.NOTICES[k].optional and not on
    )
    if mandatory:
        raise RuleViolation(
            f"decisions and answers are always sent and cannot be turned off: "
            f"{', '.join(mandatory)}; only these can: {', '.join(domain.OPTIONAL_NOTICES)}",
            rule="decisions-always-sent",
            notices=mandatory,
        )
    now = utcnow()
    for notice, enabled in data.notices.items():
        if not domain.NOTICES[notice].optional:
            continue
        pref = await session.get(NotificationPreference, (researcher_id, notice))
        if pref is None:
            session.add(
                NotificationPreference(
                    researcher_id=researcher_id, notice=notice, enabled=enabled, updated_at=now
                )
            )
        else:
            pref.enabled, pref.updated_at = enabled, now
    await session.flush()
    return await read_preferences(session, principal)
