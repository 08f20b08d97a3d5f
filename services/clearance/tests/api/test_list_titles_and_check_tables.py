"""The output list names each request (its title) for those who may read it, and a table
file's check carries the table it read, so a page can draw it without downloading the file
(a download is audited)."""

from __future__ import annotations

from ..conftest import FAILING_CSV
from ..spreadsheets import xlsx


async def _check(world, output_id: str) -> dict:
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    return body["groups"][0]["files"][0]["check"]


async def test_the_list_carries_each_request_title_but_not_for_partners(world):
    output_id = await world.submitted()
    for who in ("alice", "checker1"):
        items = (await world.client.get("/v1/outputs", headers=world.as_(who))).json()["items"]
        assert [(o["id"], o["title"]) for o in items] == [(output_id, "Burglary by region")]
    partner = (await world.client.get("/v1/outputs", headers=world.as_("partner"))).json()
    assert [(o["id"], o["title"]) for o in partner["items"]] == [(output_id, None)]


async def test_a_csv_check_carries_the_table_it_read(world):
    output_id = await world.submitted(files=[("t.csv", FAILING_CSV)])
    check = await _check(world, output_id)
    assert check["status"] == "fail"
    assert check["table"] == {
        "dimensions": ["region", "year"],
        "header": ["region", "year", "count"],
        "rows": [["North", "2021", 12], ["South", "2021", 3]],
        "total_rows": 2,
        "truncated": False,
    }
    trail = await world.client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("checker1"))
    assert "downloaded" not in [e["action"] for e in trail.json()["entries"]]


async def test_each_spreadsheet_sheet_carries_its_table(world):
    book = xlsx(
        [("North", [("year", "count"), (2021, 40)]), ("South", [("year", "count"), (2021, 4)])]
    )
    output_id = await world.submitted(files=[("t.xlsx", book)])
    check = await _check(world, output_id)
    tables = {sheet["sheet"]: sheet["table"] for sheet in check["sheets"]}
    assert tables["North"]["header"] == ["year", "count"]
    assert tables["North"]["rows"] == [["2021", 40]]
    assert tables["South"]["rows"] == [["2021", 4]]
    assert not tables["South"]["truncated"]


async def test_a_large_table_is_cut_at_2000_rows_and_says_so(world):
    csv = b"id,count\n" + b"".join(f"r{i},{20 + i % 7}\n".encode() for i in range(2_500))
    output_id = await world.submitted(files=[("big.csv", csv)])
    table = (await _check(world, output_id))["table"]
    assert table["truncated"] is True
    assert table["total_rows"] == 2_500
    assert len(table["rows"]) == 2_000
    assert table["rows"][0] == ["r0", 20]
