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
    return await client.post(
        "/v1/pseudonymise",
        params=params,
        content=body,
        headers={**tokens.headers("support"), "content-type": "text/csv"},
    )


@pytest.fixture
async def keyed(service_client):
    async with service_client(
        "access", pseudonymisation_keys=KEYS, pseudonymisation_current_key_id="k2"
    ) as c:
        yield c


async def test_same_value_same_ons_id_across_files(keyed, tokens):
    first = await pseudonymise(
        keyed, tokens, "entref,turnover\n111,5\n222,6\n111,7\n", columns="entref"
    )
    assert first.status_code == 200, first.text
    assert first.headers["x-ons-key-id"] == "k2"
    a = rows(first.text)
    assert a[0] == ["entref", "turnover"]
    assert a[1][0] == a[3][0] != a[2][0]
    assert a[1][0].startswith("ONSk2-") and "111" not in a[1][0]
    assert [r[1] for r in a[1:]] == ["5", "6", "7"]
    other = await pseudonymise(
        keyed, tokens, "year,ruref,entref\n2022,9,222\n", columns=["entref", "ruref"]
    )
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
        async with service_client(
            "access",
            pseudonymisation_keys={"k1": SecretStr(secret)},
            pseudonymisation_current_key_id="k1",
        ) as c:
            results.append(
                rows((await pseudonymise(c, tokens, "id\nA1\n", columns="id")).text)[1][0]
            )
    assert results[0] != results[1]


async def test_quoted_values_blank_ids_and_a_missing_final_newline(keyed, tokens):
    body = 'name,entref,note\n"Smith, J",111,"two\nlines"\nNobody,,x\n"Q ""quoted""",  111  ,last'
    out = rows((await pseudonymise(keyed, tokens, body, columns="entref")).text)
    assert out[1][0] == "Smith, J" and out[1][2] == "two\nlines"
    assert out[2][1] == ""  # nothing to pseudonymise
    assert out[3][0] == 'Q "quoted"' and out[3][1] == out[1][1]


async def test_dataset_operational_id_columns_from_the_catalogue(keyed, tokens, world):
    await world.seed()
    response = await pseudonymise(
        keyed, tokens, "entref,ruref,x\n1,2,3\n", dataset_id="ds-idbr-2022"
    )
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
        response = await keyed.post(
            "/v1/pseudonymise?columns=a", content="a\n1\n", headers=tokens.headers(role)
        )
        assert response.status_code == 403, role
    paths = keyed.app.openapi()["paths"]
    assert not [p for p in paths if "reverse" in p or "depseudonym" in p or "ons-id" in p]


@pytest.fixture
async def limited(service_client):
    """Records of at most 20,000 bytes; the first 40 KB checked before the answer begins."""
    async with service_client(
        "access",
        pseudonymisation_keys=KEYS,
        pseudonymisation_current_key_id="k2",
        pseudonymisation_max_record_bytes=20_000,
        pseudonymisation_check_before_streaming_bytes=40_000,
    ) as c:
        yield c


async def test_an_over_long_first_record_is_refused_before_any_output(limited, tokens):
    body = "entref,note\n111," + "x" * 50_000 + "\n222,fine\n"
    response = await pseudonymise(limited, tokens, body, columns="entref")
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "longer than 20000 bytes" in response.json()["detail"]


async def test_an_over_long_record_later_ends_the_stream_with_an_error_the_client_raises(
    limited, tokens
):
    from srs_access.pseudonymise_client import PseudonymisationFailed, pseudonymise_all

    good = "".join(f"{i},row {i}\n" for i in range(20_000))  # ~270 KB: past the checked part
    body = "entref,note\n" + good + "999," + "x" * 50_000 + "\n1000,after\n"
    raw = await pseudonymise(limited, tokens, body, columns="entref")
    assert raw.status_code == 200  # the answer had begun when the record came
    last = raw.text.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith("#SRS-STREAM-ERROR ")
    assert raw.headers["x-stream-error-marker"] == "#SRS-STREAM-ERROR"
    assert ",after" not in raw.text
    assert len(rows(raw.text.rsplit("#SRS", 1)[0])) == 20_001  # every row before it

    limited.headers.update(tokens.headers("support"))
    with pytest.raises(PseudonymisationFailed) as failed:
        await pseudonymise_all(limited, body, columns=["entref"])
    assert failed.value.partial is True and failed.value.status == 422
    assert "longer than 20000 bytes" in str(failed.value)
    # A good file comes back whole through the same client; a refusal raises too.
    whole = await pseudonymise_all(limited, "entref,note\n" + good, columns=["entref"])
    assert len(rows(whole.decode())) == 20_001
    with pytest.raises(PseudonymisationFailed) as refused:
        await pseudonymise_all(limited, "a,b\n1,2\n", columns=["entref"])
    assert refused.value.partial is False and refused.value.status == 422


async def test_input_holding_the_error_marker_is_refused(keyed, tokens):
    response = await pseudonymise(
        keyed, tokens, "entref,note\n1,#SRS-STREAM-ERROR x\n", columns="entref"
    )
    assert response.status_code == 422 and "reserved" in response.json()["detail"]
