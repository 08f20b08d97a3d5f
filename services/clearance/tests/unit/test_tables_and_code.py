"""Structured table parsing, differencing across releases, code file findings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs_clearance.sdc import codescan, tables
from srs_clearance.sdc import engine as sdc

CSV = b"region,year,count\nNorth,2021,12\nSouth,2021,3\n"


def test_csv_frequency_table_parses_with_its_dimensions():
    table = tables.parse_table("t.csv", CSV)
    assert table.kind == "frequency"
    assert table.dimensions == ["region", "year"]
    assert table.counts == [12, 3]
    check = tables.check_table(table, sdc.Rules())
    assert check.status == "fail"


def test_csv_magnitude_table_needs_its_figures():
    table = tables.parse_table(
        "m.csv", b"region,count,sum,largest,second_largest\nNorth,12,1000,950,30\n"
    )
    assert table.kind == "magnitude"
    assert tables.check_table(table, sdc.Rules()).cell_flags == [sdc.P_RATIO | sdc.NK_RULE]
    with pytest.raises(tables.TableError, match="needs largest"):
        tables.parse_table("m.csv", b"region,count,sum\nNorth,12,1000\n")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"region,n\nNorth,3\n", "'count' column"),
        (b"region,count\nNorth,many\n", "not a number"),
        (b"region,count\nNorth,2.5\n", "whole number"),
        (b"region,count\nNorth,12\nNorth,13\n", "same categories"),
    ],
)
def test_bad_csv_tables_say_what_is_wrong(data, message):
    with pytest.raises(tables.TableError, match=message):
        tables.parse_table("t.csv", data)


def test_json_table_and_regression():
    doc = {
        "kind": "frequency",
        "dimensions": ["region"],
        "cells": [{"key": ["North"], "count": 20}],
    }
    assert tables.parse_table("t.json", json.dumps(doc).encode()).counts == [20]
    regression = tables.parse_table(
        "r.json", json.dumps({"kind": "regression", "cells": [], "residual_dof": 4}).encode()
    )
    assert tables.check_table(regression, sdc.Rules()).status == "fail"
    with pytest.raises(tables.TableError, match="one category per dimension"):
        tables.parse_table(
            "t.json",
            json.dumps({"dimensions": ["a", "b"], "cells": [{"key": ["x"], "count": 1}]}).encode(),
        )


def test_differencing_finds_small_differences_against_cleared_tables():
    cleared = tables.parse_table("a.csv", b"region,count\nNorth,120\nSouth,40\n")
    new = tables.parse_table("b.csv", b"region,count\nNorth,123\nSouth,40\nEast,50\n")
    exposures = tables.differencing_exposures(new, [("out_old", cleared.as_json())], 10)
    assert [(e.key, e.difference, e.exposed_by) for e in exposures] == [(("North",), 3, "out_old")]
    # other categories, or a difference at the threshold, expose nothing
    other = tables.parse_table("c.csv", b"age,count\nNorth,123\n")
    assert tables.differencing_exposures(other, [("out_old", cleared.as_json())], 10) == []
    far = tables.parse_table("d.csv", b"region,count\nNorth,130\n")
    assert tables.differencing_exposures(far, [("out_old", cleared.as_json())], 10) == []


CODE = """# Read the survey extract and count victims by region
import pandas as pd
df = pd.read_csv("extract.csv")
print(df.head())
one = df[df.person_id == "P0042"]
nhs = "943 476 5919"
ni = "AB123456C"
pc = "SW1A 1AA"
born = "1984-03-07"
names = df[["forename", "surname"]]
"""


def test_code_findings_name_lines_and_rules():
    findings = codescan.scan_code(CODE)
    by_rule = {(f.rule, f.line) for f in findings}
    assert ("row-level", 4) in by_rule and ("row-level", 5) in by_rule
    assert {
        ("nhs-number", 6),
        ("national-insurance-number", 7),
        ("postcode", 8),
        ("date-of-birth", 9),
        ("identifier-column", 10),
    } <= by_rule
    assert ("annotation", 0) in by_rule
    assert codescan.code_status(findings) == "fail"


def test_annotated_aggregate_code_passes():
    code = "# Count victims by region\ncounts = df.groupby('region').size()  # one row a region\n"
    assert codescan.scan_code(code) == []


@settings(max_examples=200, deadline=None)
@given(
    cleared=st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 60), min_size=1),
    new=st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 60), min_size=1),
    threshold=st.integers(1, 15),
)
def test_differencing_matches_a_direct_subtraction(cleared, new, threshold):
    def table(cells):
        rows = "".join(f"{k},{v}\n" for k, v in cells.items())
        return tables.parse_table("t.csv", f"region,count\n{rows}".encode())

    exposures = tables.differencing_exposures(
        table(new), [("out_1", table(cleared).as_json())], threshold
    )
    expected = {
        (k,) for k in new.keys() & cleared.keys() if 1 <= abs(new[k] - cleared[k]) <= threshold - 1
    }
    assert {e.key for e in exposures} == expected
