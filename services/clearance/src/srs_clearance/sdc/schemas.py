"""Request and response models of the disclosure checks (the stateless check, and a
checker's relaxation of the rules for one request)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input

CheckStatus = Literal["pass", "review", "fail"]


class CellIn(Input):
    key: list[str | int] = Field(default_factory=list, max_length=20)
    count: int = Field(ge=0, description="unweighted count of contributors")
    sum: float | None = Field(default=None, allow_inf_nan=False)
    largest: float | None = Field(default=None, allow_inf_nan=False)
    second_largest: float | None = Field(default=None, allow_inf_nan=False)
    has_negative: bool = False
    has_missing: bool = False


class RulesIn(Input):
    """A checker's per-request relaxation of the rules (never a tightening)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"threshold": 5, "nk_k": 0.95}]})

    threshold: int | None = Field(default=None, ge=1)
    p_ratio: float | None = Field(default=None, ge=0, le=1)
    nk_n: int | None = Field(default=None, ge=1, le=2)
    nk_k: float | None = Field(default=None, gt=0, le=1)
    min_dof: int | None = Field(default=None, ge=0)
    zeros_disclosive: bool | None = None


class SdcCheckRequest(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "magnitude",
                    "dataset_ids": ["ds-csew-2019"],
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
                    ],
                },
                {"kind": "regression", "residual_dof": 25},
            ]
        },
    )

    kind: Literal["frequency", "magnitude", "regression"]
    dataset_ids: list[str] = Field(default_factory=list, max_length=50)
    cells: list[CellIn] = Field(default_factory=list, max_length=1_000_000)
    residual_dof: int | None = None
    statistic: (
        Literal["count", "sum", "mean", "median", "min", "max", "mode", "percentile"] | None
    ) = None
    rules: RulesIn | None = Field(default=None, description="checkers only; may only relax")


class CellOut(BaseModel):
    key: list[str | int]
    status: CheckStatus
    reasons: list[str]


class RulesOut(BaseModel):
    threshold: int
    p_ratio: float
    nk_n: int
    nk_k: float
    min_dof: int
    zeros_disclosive: bool


class SdcCheckResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "fail",
                    "cells": [
                        {"key": ["North", "2021"], "status": "pass", "reasons": []},
                        {
                            "key": ["South", "2021"],
                            "status": "fail",
                            "reasons": ["threshold", "p-ratio", "nk-rule"],
                        },
                    ],
                    "rules": {
                        "threshold": 10,
                        "p_ratio": 0.1,
                        "nk_n": 2,
                        "nk_k": 0.9,
                        "min_dof": 10,
                        "zeros_disclosive": True,
                    },
                }
            ]
        }
    )

    status: CheckStatus
    cells: list[CellOut]
    rules: RulesOut
