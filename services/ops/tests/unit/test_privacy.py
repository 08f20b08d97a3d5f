"""What the ops role may see of a payload, decided by the contracts' own declaration of
personal fields (``Field(json_schema_extra=PERSONAL)``), not by key names."""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import BaseModel, Field

from srs_common.auth import Principal
from srs_common.contracts import platform_contracts
from srs_common.contracts.accreditation import ResearcherRegistered
from srs_common.contracts.base import PERSONAL, Contract
from srs_ops import privacy
from srs_ops.privacy import MASK, WITHHELD


class Contact(BaseModel):
    full_name: str = Field(json_schema_extra=PERSONAL)
    role: str


class TeamFormed(Contract):
    """Test-only: personal fields nested in a list and in an optional model."""

    type: ClassVar[str] = "srs.privacytest.team_formed.v1"
    topic: ClassVar[str] = "srs.privacytest"
    example: ClassVar[dict] = {}

    team_id: str
    members: list[Contact]
    chair: Contact | None = None
    # Named like personal data but not declared: the declaration decides, not the name.
    name: str


def test_researcher_name_and_email_are_declared_personal():
    assert privacy.personal_plan(ResearcherRegistered) == {"name": True, "email": True}


def test_nested_declarations_are_masked_wherever_they_sit():
    data = {
        "team_id": "t1",
        "name": "Team One",
        "chair": {"full_name": "Bo", "role": "c"},
        "members": [{"full_name": "Al", "role": "a"}, {"full_name": "Cy", "role": "b"}],
    }
    masked, found = privacy.mask_payload(TeamFormed.type, data)
    assert masked == {
        "team_id": "t1",
        "name": "Team One",
        "chair": {"full_name": MASK, "role": "c"},
        "members": [{"full_name": MASK, "role": "a"}, {"full_name": MASK, "role": "b"}],
    }
    assert sorted(found) == ["Al", "Bo", "Cy"]
    assert data["members"][0]["full_name"] == "Al"  # the stored payload is untouched


def test_absent_null_and_unknown_types_are_left_alone():
    assert privacy.mask_payload(TeamFormed.type, {"team_id": "t", "chair": None}) == (
        {"team_id": "t", "chair": None},
        [],
    )
    assert privacy.mask_payload("srs.unknown.v1", {"email": "x@y"}) == ({"email": "x@y"}, [])
    assert privacy.mask_payload(None, {"email": "x@y"}) == ({"email": "x@y"}, [])


def test_only_support_sees_personal_data():
    def principal(*roles: str) -> Principal:
        return Principal(sub="s", roles=frozenset(roles))

    assert privacy.sees_personal_data(principal("support"))
    assert privacy.sees_personal_data(principal("ops", "support"))
    assert not privacy.sees_personal_data(principal("ops"))


def test_a_record_value_is_masked_or_withheld():
    raw = json.dumps({**ResearcherRegistered.example, "name": "Dee"}).encode()
    value, redaction = privacy.mask_record_value(ResearcherRegistered.type, raw)
    assert json.loads(value)["name"] == MASK and "Dee" in redaction.values
    assert (
        redaction.text("could not mail Dee at alice@ntu.example")
        == f"could not mail {MASK} at {MASK}"
    )
    assert privacy.mask_record_value(ResearcherRegistered.type, b"\xff not json")[0] == WITHHELD
    assert privacy.mask_record_value(ResearcherRegistered.type, None)[0] is None


def _declared_not_personal(contract: type[BaseModel], field: str) -> bool:
    extra = contract.model_fields[field].json_schema_extra
    return isinstance(extra, dict) and extra.get("personal") is False


def test_every_contract_field_that_looks_personal_is_declared():
    """A safety net for new contracts: a field named like a person's name, e-mail, phone
    or address must carry the declaration, or ops would see it; one that holds no personal
    data says so (``NOT_PERSONAL``)."""
    looks_personal = ("name", "email", "e_mail", "phone", "address", "postcode", "date_of_birth")
    missing = []
    for event_type, contract in platform_contracts().items():
        plan = privacy.personal_plan(contract)
        for field in contract.model_fields:
            if (
                (field in looks_personal or field.endswith(("_name", "_email", "_phone")))
                and plan.get(field) is not True
                and not _declared_not_personal(contract, field)
            ):
                missing.append(f"{event_type}: {field}")
    assert missing == [], "declare these Field(json_schema_extra=PERSONAL): " + ", ".join(missing)
