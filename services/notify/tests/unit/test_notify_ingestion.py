"""The researcher who asked to bring data or code in hears of a refusal and a transfer."""

from __future__ import annotations

from srs_common.contracts import ingestion
from srs_notify import domain
from srs_notify.render import render


def test_the_researcher_is_told_of_a_refusal_with_the_reason_and_a_link() -> None:
    refused = ingestion.IngestionRefused.model_validate(ingestion.IngestionRefused.example)
    (planned,) = domain.plan_notices(refused, "Burglary and security")
    assert planned.researcher_id == "res-alice" and planned.notice == "ingestion_refused"
    mail = render(planned.notice, planned.context, recipient_name="Alice", portal_url="https://p")
    assert refused.reason in mail.text and refused.reason in mail.html
    assert "https://p/projects/prj_01J9Z8Q4V6/ingestion/ing_01JA" in mail.text
    assert mail.subject == "Data or code not brought in: prj_01J9Z8Q4V6"


def test_the_researcher_is_told_where_the_files_went() -> None:
    moved = ingestion.IngestionTransferred.model_validate(ingestion.IngestionTransferred.example)
    (planned,) = domain.plan_notices(moved, "Burglary and security")
    assert planned.notice == "ingestion_transferred"
    mail = render(planned.notice, planned.context, recipient_name="Alice", portal_url="https://p")
    assert "derive.do" in mail.text and moved.location in mail.html
    assert "Burglary and security" in mail.text


def test_requested_checked_and_approved_send_nothing() -> None:
    for contract in (
        ingestion.IngestionRequested,
        ingestion.IngestionChecked,
        ingestion.IngestionApproved,
    ):
        assert domain.plan_notices(contract.model_validate(contract.example)) == []
