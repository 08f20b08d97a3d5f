"""The base of every event payload contract.

A contract is a frozen pydantic model with a ``type`` string such as
``srs.project.approved.v1``; the registry maps those strings to models, so producers
and consumers share one definition and routing happens on the string, never on a
Python class name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

REGISTRY: dict[str, type[Contract]] = {}

# Metadata on a contract field holding personal data (a person's name, e-mail address):
# ``name: str = Field(json_schema_extra=PERSONAL)``. The AsyncAPI document shows it as
# ``"personal": true``; the operations service masks these fields for its ``ops`` role.
PERSONAL: dict[str, Any] = {"personal": True}
# The opposite, declared where a field is named like personal data but holds none (a
# form's name): the declaration decides, and the ops service's safety-net test asks for one.
NOT_PERSONAL: dict[str, Any] = {"personal": False}


class Contract(BaseModel):
    """An event payload. Subclasses set ``type``, ``topic`` and an ``example``."""

    # Validators are built at a contract's first use, not at import: a process builds
    # only the contracts it publishes or consumes (importing the package registers them
    # all, ~0.7 MB of validators in every process).
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    type: ClassVar[str]
    topic: ClassVar[str]
    example: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("type")
        if event_type:
            if event_type in REGISTRY and REGISTRY[event_type] is not cls:
                raise ValueError(f"contract {event_type} defined twice")
            REGISTRY[event_type] = cls


def contract_for(event_type: str) -> type[Contract] | None:
    return REGISTRY.get(event_type)


class AuditAnchored(Contract):
    """A service's audit chain was extended: its newest entry and that entry's hash.

    Each service that keeps an audit log publishes its own subclass (its ``type`` and
    ``topic``) after every sealing batch, so the chain's head is kept outside the
    service's database (the operations event store holds every anchor); an anchor taken
    from the stream can be checked with
    ``GET /v1/audit/<service>/verification?anchor_seq=&anchor_hash=``.
    """

    seq: int
    hash: str
    entries: int
    anchored_at: dt.datetime
