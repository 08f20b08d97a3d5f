"""Events of the access service's sign-in provider (people's own accounts), on the access
service's topic ``srs.access``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import Field

from srs_common.contracts.access import TOPIC
from srs_common.contracts.base import PERSONAL, Contract

_WHEN = "2026-11-25T10:00:00Z"


class EmailVerificationRequested(Contract):
    """Someone created a researcher account (or asked for a new link): the notifier e-mails
    them the link that confirms their address. The link works once and expires; it only
    confirms the address, it signs no one in. Until it is followed the account's tokens
    say ``email_verified: false`` and the researcher profile cannot be registered."""

    type: ClassVar[str] = "srs.account.email_verification_requested.v1"
    topic: ClassVar[str] = TOPIC

    # The researcher id the account's profile will be registered under.
    researcher_id: str
    name: str = Field(json_schema_extra=PERSONAL)
    email: str = Field(json_schema_extra=PERSONAL)
    organisation_id: str
    # Carries the one-time secret: as personal as the address it confirms.
    verify_url: str = Field(json_schema_extra=PERSONAL)
    expires_at: dt.datetime
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "researcher_id": "res-3f9a1c2b7d4e5f60",
        "name": "Dana Example",
        "email": "dana@example.ac.uk",
        "organisation_id": "org-ntu",
        "verify_url": "https://api.srs.example.org/oidc/verify-email?token=Jx3v6cQm0a9Z",
        "expires_at": "2026-11-27T10:00:00Z",
        "occurred_at": _WHEN,
    }
