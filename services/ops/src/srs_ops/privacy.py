"""Personal data in what the ops service shows: the event store and dead letters keep
payloads whole; the ``ops`` role (read-only monitoring) sees the fields a contract
declares personal (``Field(json_schema_extra=PERSONAL)`` in ``srs_common.contracts``)
masked, and those values scrubbed from error texts and headers; ``support`` sees them
whole. Pure functions, no I/O."""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel

from srs_common.auth import Principal
from srs_common.contracts import contract_for
from srs_common.contracts.base import PERSONAL

MASK = "[personal data: masked]"
WITHHELD = "[withheld: not JSON, so it may hold personal data; support sees it whole]"

# A field name -> True (personal: mask it) or the plan of the model nested in it.
Plan = dict[str, "bool | Plan"]


def sees_personal_data(principal: Principal) -> bool:
    """Support staff see payloads whole; every other watcher (``ops``) sees them masked."""
    return bool(principal.has("support"))


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds, directly, optionally or in a list/tuple/set."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset, Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _nested_model(argument)
            if found is not None:
                return found
    return None


@functools.cache
def personal_plan(model: type[BaseModel]) -> Plan:
    """Which fields of ``model`` (and of the models nested in it) are declared personal."""
    plan: Plan = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        extra = field.json_schema_extra
        if isinstance(extra, dict) and all(extra.get(k) == v for k, v in PERSONAL.items()):
            plan[key] = True
            continue
        nested = _nested_model(field.annotation)
        if nested is not None:
            inner = personal_plan(nested)
            if inner:
                plan[key] = inner
    return plan


def _apply(plan: Plan, value: Any, found: list[str]) -> Any:
    if isinstance(value, list):
        return [_apply(plan, item, found) for item in value]
    if not isinstance(value, dict):
        return value
    masked = dict(value)
    for key, rule in plan.items():
        if key not in masked or masked[key] is None:
            continue
        if rule is True:
            found.extend(_strings(masked[key]))
            masked[key] = MASK
        elif isinstance(rule, dict):
            masked[key] = _apply(rule, masked[key], found)
    return masked


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if value is not None else []


def mask_payload(event_type: str | None, data: Any) -> tuple[Any, list[str]]:
    """``data`` with the personal fields of its contract masked, and the values masked
    (to scrub from free text). A type without a contract has no declared personal field."""
    contract = contract_for(event_type) if event_type else None
    if contract is None:
        return data, []
    found: list[str] = []
    return _apply(personal_plan(contract), data, found), found


# A validation error quotes the input it failed on (pydantic: ``input_value=...``, cut
# short when long, so the whole personal value may not be in it to find).
_QUOTED_INPUT = re.compile(r"input_value=.*?(?=, input_type=|$)", re.MULTILINE)


@dataclass(frozen=True)
class Redaction:
    """What to take out of a record's free texts (error, headers) for the ``ops`` role:
    the personal values found in its payload and, when its payload may hold personal
    data, any input an error message quotes."""

    values: tuple[str, ...] = ()
    quoted_input: bool = False

    def text(self, text: str | None) -> str | None:
        if not text:
            return text
        for value in sorted({v for v in self.values if v}, key=len, reverse=True):
            text = text.replace(value, MASK)
            quoted = json.dumps(value)[1:-1]  # as it appears inside JSON
            if quoted != value:
                text = text.replace(quoted, MASK)
        if self.quoted_input:
            text = _QUOTED_INPUT.sub(f"input_value={MASK}", text)
        return text


def mask_record_value(event_type: str | None, raw: bytes | None) -> tuple[str | None, Redaction]:
    """A record's value (a dead letter's) as the ``ops`` role may see it: its JSON with
    the personal fields of its type masked, or withheld when it is not JSON at all (it
    could hold anything); with what to take out of the record's free texts."""
    if raw is None:
        return None, Redaction()
    try:
        data = json.loads(raw)
    except ValueError:
        return WITHHELD, Redaction(quoted_input=True)
    masked, found = mask_payload(event_type, data)
    contract = contract_for(event_type) if event_type else None
    declares = contract is not None and bool(personal_plan(contract))
    if masked == data:  # nothing personal in it: shown exactly as it came
        return raw.decode("utf-8", "replace"), Redaction(tuple(found), declares)
    return (
        json.dumps(masked, ensure_ascii=False, separators=(",", ":")),
        Redaction(tuple(found), declares),
    )
