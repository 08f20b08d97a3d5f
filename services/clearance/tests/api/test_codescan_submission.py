"""The code-file scan on submission: the catalogue's operational identifier columns and the
file's language decide what a selection is, and the findings set the automatic result."""

from __future__ import annotations

from srs_common.contracts import access

from ..conftest import NOW


async def _catalogue(world, columns: list[str]) -> None:
    await world.deliver(
        world.client,
        access.DatasetCatalogued(
            dataset_id="ds-csew-2019",
            title="CSEW",
            owner="ONS",
            access_level="home",
            disclosure_threshold=10,
            operational_id_columns=columns,
            occurred_at=NOW,
        ),
        subject="ds-csew-2019",
    )


async def _check(world, filename: str, code: str) -> tuple[str, list[dict]]:
    output_id = await world.submitted(kind="code_file", files=[(filename, code.encode())])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    return body["automatic_status"], body["groups"][0]["files"][0]["check"]["findings"]


R_CODE = """# Victimisation by region for one respondent, to check the linkage by hand
# (the researcher says this is a one-off check of the data)
one <- responses[responses$respondent_key == "K9", ]
"""


async def test_a_selection_on_a_catalogued_operational_identifier_fails(world):
    await _catalogue(world, ["respondent_key"])
    status, findings = await _check(world, "linkage.R", R_CODE)
    assert status == "fail"
    assert {
        "line": 3,
        "rule": "row-level",
        "severity": "fail",
        "detail": 'selects a single entity: respondent_key == "K9" '
        "(an operational identifier of the catalogue)",
    } in findings


async def test_the_same_column_is_ordinary_when_the_catalogue_does_not_list_it(world):
    status, findings = await _check(world, "linkage.R", R_CODE)
    assert status == "pass" and findings == []


async def test_stata_sas_and_sql_searches_for_one_entity_are_findings(world):
    stata = "* keep one business to look at it\nkeep if ruref == 49900012345\n"
    sas = "/* one person */\ndata one; set survey; where person_id = 501; run;\n"
    sql = "-- one patient\nCREATE TABLE one AS SELECT age FROM p WHERE nhs_number = '9434765919';\n"
    for filename, code, line in (("a.do", stata, 2), ("b.sas", sas, 2), ("c.sql", sql, 2)):
        status, findings = await _check(world, filename, code)
        assert status == "fail", (filename, findings)
        assert any(f["rule"] == "row-level" and f["line"] == line for f in findings), filename


async def test_a_long_amount_compared_with_income_is_not_an_nhs_number(world):
    code = (
        "# People with very high incomes, counted by region\n"
        "rich <- df[df$income > 9434765919, ]  # a threshold, not an identifier\n"
        "counts <- table(rich$region)  # one count a region\n"
    )
    status, findings = await _check(world, "rich.R", code)
    assert status == "pass", findings
