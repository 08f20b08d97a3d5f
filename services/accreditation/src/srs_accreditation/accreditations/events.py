"""The payloads that describe an accreditation as it stands."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from srs_accreditation.domain import recognised_by
from srs_accreditation.models import Accreditation
from srs_common.contracts.accreditation import (
    AccreditationKind,
    AccreditationState,
    RecognisedService,
    _AccreditationState,
)

# The contracts' base of every event that describes an accreditation as it stands.
AccreditationStateEvent = _AccreditationState
AnyAccreditationEvent = TypeVar("AnyAccreditationEvent", bound=AccreditationStateEvent)


def contract_kind(kind: str) -> AccreditationKind:
    """A ``kind`` column as the contracts type it: the column only ever holds a
    :class:`~srs_accreditation.domain.Kind` (the request models admit no other), and the
    contract validates the value again when the payload is built."""
    return cast(AccreditationKind, kind)


def accreditation_event(
    cls: type[AnyAccreditationEvent],
    accreditation: Accreditation,
    organisation_id: str,
    **extra: Any,
) -> AnyAccreditationEvent:
    """The ``cls`` event payload describing ``accreditation`` as it stands now."""
    return cls(
        accreditation_id=accreditation.id,
        researcher_id=accreditation.researcher_id,
        organisation_id=organisation_id,
        kind=contract_kind(accreditation.kind),
        # Only AccreditationStatus values are written (transitions, conditional UPDATEs).
        status=cast(AccreditationState, accreditation.status),
        valid_from=accreditation.valid_from,
        valid_until=accreditation.valid_until,
        reason=accreditation.status_reason,
        occurred_at=accreditation.updated_at,
        recognised_by=[RecognisedService(**s) for s in recognised_by(accreditation.kind)],
        **extra,
    )
