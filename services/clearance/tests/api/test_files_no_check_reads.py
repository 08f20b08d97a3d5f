"""Spreadsheets are checked sheet by sheet as tables; files no check reads are never passed."""

from __future__ import annotations

import pytest

from ..conftest import FREQUENCY_CSV
from ..spreadsheets import BY_REGION, SMALL_CELL, ods, pdf, png, xlsx


@pytest.mark.parametrize("name,make", [("tables.xlsx", xlsx), ("tables.ods", ods)])
async def test_every_sheet_of_a_spreadsheet_is_checked_as_a_table(world, name, make):
    workbook = make([("By region", BY_REGION), ("By age", SMALL_CELL)])
    output_id = await world.submitted(files=[(name, workbook)])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "fail"
    file = body["groups"][0]["files"][0]
    assert file["role"] == "table"
    assert file["check"]["status"] == "fail"
    sheets = {s["sheet"]: s for s in file["check"]["sheets"]}
    assert sheets["By region"]["status"] == "pass" and sheets["By region"]["cells"] == []
    assert sheets["By age"]["status"] == "fail"
    assert sheets["By age"]["cells"] == [
        {"key": ["85+"], "status": "fail", "reasons": ["threshold"]}
    ]
    checked = (await world.events("srs.output.checked.v1"))[0]
    assert checked["automatic_status"] == "fail"


@pytest.mark.parametrize("name,make", [("tables.xlsx", xlsx), ("tables.ods", ods)])
async def test_a_spreadsheet_whose_sheets_pass_carries_the_underlying_counts(world, name, make):
    workbook = make([("By region", BY_REGION), ("Empty", [])])
    output_id = await world.submitted(files=[(name, workbook)])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "pass"
    check = body["groups"][0]["files"][0]["check"]
    assert [s["sheet"] for s in check["sheets"]] == ["By region"]
    assert check["sheets"][0]["status"] == "pass"


@pytest.mark.parametrize("name,make", [("notes.xlsx", xlsx), ("notes.ods", ods)])
async def test_a_sheet_that_is_not_a_table_is_refused_naming_it(world, name, make):
    output_id = await world.draft(files=[])
    group = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()[
        "groups"
    ][0]
    workbook = make(
        [("By region", BY_REGION), ("Notes", [("Rounded to base 5",), ("Source: CSEW",)])]
    )
    response = await world.upload(output_id, group["id"], name, workbook)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["rule"] == "table_format"
    assert "sheet 'Notes'" in response.json()["detail"]
    assert "'count' column" in response.json()["detail"]


@pytest.mark.parametrize("name", ["broken.xlsx", "broken.ods"])
async def test_a_damaged_spreadsheet_is_a_422_not_a_500(world, name):
    output_id = await world.draft(files=[])
    group = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()[
        "groups"
    ][0]
    for data in (b"not a zip at all", b"PK\x03\x04" + b"\x00" * 64, xlsx([("A", BY_REGION)])[:300]):
        response = await world.upload(output_id, group["id"], name, data)
        assert response.status_code == 422, response.text
        assert response.json()["rule"] == "table_format"
        assert "not a readable" in response.json()["detail"]


async def test_files_no_check_reads_are_not_checked_and_never_pass(world):
    output_id = await world.submitted(
        files=[("table1.csv", FREQUENCY_CSV), ("report.pdf", pdf()), ("chart.png", png())]
    )
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    files = {f["filename"]: f for f in body["groups"][0]["files"]}
    assert files["table1.csv"]["check"]["status"] == "pass"
    for name, extension in (("report.pdf", ".pdf"), ("chart.png", ".png")):
        check = files[name]["check"]
        assert check["status"] == "not_checked"
        assert check["message"] == (
            f"not checked automatically: no automatic check reads "
            f"{extension} files; a checker must review it"
        )
    # the tables pass, but the request is not an automatic pass: a checker must read the rest
    assert body["automatic_status"] == "review"
    assert sorted(f["filename"] for f in body["check_report"]["not_checked"]) == [
        "chart.png",
        "report.pdf",
    ]
    checked = (await world.events("srs.output.checked.v1"))[0]
    assert checked["automatic_status"] == "review"
    queue = (await world.client.get("/v1/queue", headers=world.as_("checker1"))).json()
    assert [i["automatic_status"] for i in queue["items"] if i["id"] == output_id] == ["review"]


async def test_commentary_beside_clean_code_is_not_checked_so_the_request_is_not_passed(world):
    code = (
        b"# Round every count to base 5 before the table is written\n"
        b"rounded = [5 * round(c / 5) for c in counts]\n"
    )
    output_id = await world.submitted(
        kind="code_file", files=[("analysis.py", code), ("README.md", b"# What it does\n")]
    )
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    readme = next(f for f in body["groups"][0]["files"] if f["filename"] == "README.md")
    code_file = next(f for f in body["groups"][0]["files"] if f["filename"] == "analysis.py")
    assert code_file["check"]["status"] == "pass"  # the scan finds nothing in the code
    assert readme["check"]["status"] == "not_checked"
    assert body["automatic_status"] == "review"


async def test_a_failing_table_still_fails_beside_an_unchecked_file(world):
    from ..conftest import FAILING_CSV

    output_id = await world.submitted(files=[("t.csv", FAILING_CSV), ("slides.docx", b"PK..")])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "fail"
    assert body["check_report"]["not_checked"][0]["filename"] == "slides.docx"


async def test_a_cleared_spreadsheets_sheets_count_for_differencing(world):
    cleared = await world.approved(
        files=[("t.xlsx", xlsx([("Notes", []), ("By region", BY_REGION)]))]
    )
    near = b"region,year,count\nNorth,2021,124\nSouth,2021,40\n"
    output_id = await world.submitted(files=[("t2.csv", near)])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "review"
    assert body["groups"][0]["files"][0]["check"]["differencing"] == [
        {"key": ["North", "2021"], "difference": 4, "exposed_by": cleared}
    ]
