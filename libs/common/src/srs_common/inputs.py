"""The base of every request body: unknown fields and the NUL character refused.

A body with a field the schema does not declare is a client's mistake (a typo silently
ignored is worse); PostgreSQL text cannot hold NUL, so it is refused at the door with a
422 naming the field rather than at the flush. Every create/update body subclasses
:class:`Input`; a subclass adds its own ``model_config`` (examples) and inherits the rest.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

NUL = "\x00"


def storable(value: Any) -> Any:
    """``value`` unchanged if no text in it (keys included) holds NUL; ValueError otherwise."""
    if isinstance(value, str):
        if NUL in value:
            raise ValueError("must not contain the NUL character")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            storable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable(item)
    return value


class Input(BaseModel):
    """Base of every request body: unknown fields refused (422 ``extra_forbidden``), text
    storable (422 naming the field that holds a NUL)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        return storable(value)
