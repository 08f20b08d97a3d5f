"""POST /v1/sdc/checks: the stateless check anyone with a token may call first."""

from __future__ import annotations

from srs_common.contracts import access

from ..conftest import NOW

TABLE = {
    "kind": "magnitude",
    "cells": [
        {
            "key": ["North", "2021"],
            "count": 12,
            "sum": 1234.5,
            "largest": 300.0,
            "second_largest": 200.0,
        },
        {
            "key": ["South", "2021"],
            "count": 3,
            "sum": 1000.0,
            "largest": 950.0,
            "second_largest": 30.0,
        },
        {
            "key": ["East", "2021"],
            "count": 15,
            "sum": 800.0,
            "largest": 100.0,
            "second_largest": 90.0,
            "has_negative": True,
        },
    ],
}


async def test_failing_magnitude_table_names_every_reason(world):
    response = await world.client.post("/v1/sdc/checks", json=TABLE, headers=world.as_("alice"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "fail"
    assert [c["reasons"] for c in body["cells"]] == [
        [],
        ["threshold", "p-ratio", "nk-rule"],
        ["negative"],
    ]
    assert [c["status"] for c in body["cells"]] == ["pass", "fail", "review"]
    assert body["rules"] == {
        "threshold": 10,
        "p_ratio": 0.1,
        "nk_n": 2,
        "nk_k": 0.9,
        "min_dof": 10,
        "zeros_disclosive": True,
    }


async def test_threshold_comes_from_the_dataset_catalogue(world):
    await world.deliver(
        world.client,
        access.DatasetCatalogued(
            dataset_id="ds-strict",
            title="Strict",
            owner="ONS",
            access_level="safe_setting",
            disclosure_threshold=30,
            occurred_at=NOW,
        ),
        subject="ds-strict",
    )
    body = {
        "kind": "frequency",
        "dataset_ids": ["ds-strict"],
        "cells": [{"key": ["a"], "count": 25}],
    }
    response = await world.client.post("/v1/sdc/checks", json=body, headers=world.as_("alice"))
    assert response.json()["status"] == "fail"
    assert response.json()["rules"]["threshold"] == 30


async def test_a_checker_may_relax_but_not_tighten_and_researchers_may_not(world):
    body = {"kind": "frequency", "cells": [{"key": ["a"], "count": 6}], "rules": {"threshold": 5}}
    relaxed = await world.client.post("/v1/sdc/checks", json=body, headers=world.as_("checker1"))
    assert relaxed.json()["status"] == "pass"
    refused = await world.client.post("/v1/sdc/checks", json=body, headers=world.as_("alice"))
    assert refused.status_code == 403
    tighter = await world.client.post(
        "/v1/sdc/checks", headers=world.as_("checker1"), json={**body, "rules": {"threshold": 20}}
    )
    assert tighter.status_code == 422
    assert tighter.json()["rule"] == "rules_relax_only"


async def test_regression_and_extreme_statistics(world):
    response = await world.client.post(
        "/v1/sdc/checks", headers=world.as_("alice"), json={"kind": "regression", "residual_dof": 9}
    )
    assert response.json()["status"] == "fail"
    maxima = await world.client.post(
        "/v1/sdc/checks",
        headers=world.as_("alice"),
        json={"kind": "frequency", "statistic": "max", "cells": [{"key": ["a"], "count": 50}]},
    )
    assert maxima.json()["status"] == "review"
    assert maxima.json()["cells"][0]["reasons"] == ["single-observation"]


async def test_bad_tables_are_422_naming_the_problem_and_tokens_are_required(world):
    client = world.client
    no_token = await client.post("/v1/sdc/checks", json=TABLE)
    assert no_token.status_code == 401
    missing = await client.post(
        "/v1/sdc/checks",
        headers=world.as_("alice"),
        json={"kind": "magnitude", "cells": [{"key": ["a"], "count": 12}]},
    )
    assert missing.status_code == 422 and missing.json()["rule"] == "magnitude_fields"
    inconsistent = await client.post(
        "/v1/sdc/checks",
        headers=world.as_("alice"),
        json={
            "kind": "magnitude",
            "cells": [
                {"key": ["a"], "count": 12, "sum": 10.0, "largest": 1.0, "second_largest": 5.0}
            ],
        },
    )
    assert inconsistent.status_code == 422
    assert "second_largest exceeds largest" in inconsistent.json()["detail"]
    negative_count = await client.post(
        "/v1/sdc/checks",
        headers=world.as_("alice"),
        json={"kind": "frequency", "cells": [{"key": ["a"], "count": -1}]},
    )
    assert negative_count.status_code == 422
    assert negative_count.headers["content-type"] == "application/problem+json"
    assert (
        await client.post("/v1/sdc/checks", headers=world.as_("alice"), json={"kind": "regression"})
    ).status_code == 422
