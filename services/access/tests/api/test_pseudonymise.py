"""Pseudonymisation: consistent across files, keyed, rotatable, never reversible."""

from __future__ import annotations

import csv
import io

import pytest
from pydantic import SecretStr

KEYS = {"k1": SecretStr("first-test-secret"), "k2": SecretStr("second-test-secret")}


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def pseudonymise(client, tokens, body: str | bytes, **params) -> object:
    return await client.post("/v1/pseudonymise", params=params, content=body,
                             headers={**tokens.headers("support"), "content-type": "text/csv"})


@pytest.fixture
async def keyed(service_client):
    async with service_client("access", pseudonymisation_keys=KEYS,
                              pseudonymisation_current_key_id="k2") as c:
        yield c


async def test_same_value_same_ons_id_across_files(keyed, tokens):
    first = await pseudonymise(keyed, tokens, "entref,turnover\n111,5\n222,6\n111,7\n",
                               columns="entref")
    assert first.status_code == 200, first.text
    assert first.headers["x-ons-key-id"] == "k2"
    a = rows(first.text)
    assert a[0] == ["entref", "turnover"]
    assert a[1][0] == a[3][0] != a[2][0]
    assert a[1][0].startswith("ONSk2-") and "111" not in a[1][0]
    assert [r[1] for r in a[1:]] == ["5", "6", "7"]
    other = await pseudonymise(keyed, tokens, "year,ruref,entref\n2022,9,222\n",
                               columns=["entref", "ruref"])
    b = rows(other.text)
    assert b[1][2] == a[2][0]  # the same entref in another dataset matches
    assert b[1][1].startswith("ONSk2-") and b[1][0] == "2022"


async def test_a_different_key_gives_different_ids_and_old_keys_stay_usable(keyed, tokens):
    body = "entref\n111\n"
    current = rows((await pseudonymise(keyed, tokens, body, columns="entref")).text)[1][0]
    old = rows((await pseudonymise(keyed, tokens, body, columns="entref", key_id="k1")).text)
    assert old[1][0].startswith("ONSk1-") and old[1][0] != current
    unknown = await pseudonymise(keyed, tokens, body, columns="entref", key_id="k9")
    assert unknown.status_code == 422 and "k9" in unknown.json()["detail"]


async def test_another_secret_under_the_same_key_id_gives_other_ids(service_client, tokens):
    results = []
    for secret in ("secret-one", "secret-two"):
        async with service_client("access", pseudonymisation_keys={"k1": SecretStr(secret)},
                                  pseudonymisation_current_key_id="k1") as c:
            results.append(rows((await pseudonymise(c, tokens, "id\nA1\n",
                                                    columns="id")).text)[1][0])
    assert results[0] != results[1]


async def test_quoted_values_blank_ids_and_a_missing_final_newline(keyed, tokens):
    body = ('name,entref,note\n"Smith, J",111,"two\nlines"\nNobody,,x\n'
            '"Q ""quoted""",  111  ,last')
    out = rows((await pseudonymise(keyed, tokens, body, columns="entref")).text)
    assert out[1][0] == "Smith, J" and out[1][2] == "two\nlines"
    assert out[2][1] == ""  # nothing to pseudonymise
    assert out[3][0] == 'Q "quoted"' and out[3][1] == out[1][1]


async def test_dataset_operational_id_columns_from_the_catalogue(keyed, tokens, world):
    await world.seed()
    response = await pseudonymise(keyed, tokens, "entref,ruref,x\n1,2,3\n",
                                  dataset_id="ds-idbr-2022")
    out = rows(response.text)
    assert out[1][0].startswith("ONS") and out[1][1].startswith("ONS") and out[1][2] == "3"


async def test_bad_requests_are_4xx_before_any_output(keyed, tokens):
    missing = await pseudonymise(keyed, tokens, "a,b\n1,2\n", columns="entref")
    assert missing.status_code == 422 and missing.json()["missing_columns"] == ["entref"]
    empty = await pseudonymise(keyed, tokens, "", columns="entref")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    binary = await pseudonymise(keyed, tokens, b"\xff\xfe\x00", columns="entref")
    assert binary.status_code == 422
    no_columns = await pseudonymise(keyed, tokens, "a\n1\n")
    assert no_columns.status_code == 422
    unknown = await pseudonymise(keyed, tokens, "a\n1\n", dataset_id="ds-nope")
    assert unknown.status_code == 404


async def test_only_support_pseudonymises_and_nothing_reverses(keyed, tokens):
    for role in ("researcher", "ops", "checker", "data_owner", "partner"):
        response = await keyed.post("/v1/pseudonymise?columns=a", content="a\n1\n",
                                    headers=tokens.headers(role))
        assert response.status_code == 403, role
    paths = keyed.app.openapi()["paths"]
    assert not [p for p in paths if "reverse" in p or "depseudonym" in p or "ons-id" in p]
